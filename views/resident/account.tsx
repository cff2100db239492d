import type { Child } from "hono/jsx";
import type { Account } from "../../domain/accounts/accounts.ts";
import { formatPolishMobile } from "../../domain/shared/phone.ts";
import { type Building, type Unit, unitAddress } from "../../domain/backoffice/register.ts";
import type { Session } from "../../domain/accounts/sessions.ts";
import type { PendingContactChanges } from "../../domain/accounts/contact_change.ts";
import type { NotificationPrefs } from "../../domain/accounts/notification_prefs.ts";
import { formatDateTime } from "../format.ts";
import {
  type ContactForms,
  EmailChangeSection,
  NotificationSection,
  PhoneChangeSection,
} from "./contact.tsx";

export function AccountPage(
  props: {
    account: Account;
    units: { unit: Unit; building: Building | null }[];
    sessions: Session[];
    currentSessionId: string;
    notice?: string;
    /** The consent to electronic delivery of letters, its section (views/resident/documents.tsx). */
    ecorrespondence?: Child;
    pending?: PendingContactChanges;
    prefs?: NotificationPrefs;
    /** What was typed into a refused contact form, with its errors. */
    forms?: ContactForms;
  },
) {
  const a = props.account;
  const others = props.sessions.filter((s) => s.id !== props.currentSessionId).length;
  return (
    <>
      <h1>Moje konto</h1>
      {props.notice && <p class="notice ok" role="status">{props.notice}</p>}
      <dl class="facts">
        <dt>Identyfikator</dt>
        <dd>
          <strong>{a.identifier}</strong>
        </dd>
        <dt>Imię i nazwisko</dt>
        <dd>{a.firstName} {a.lastName}</dd>
        <dt>E-mail</dt>
        <dd>{a.email}</dd>
        <dt>Telefon do SMS</dt>
        <dd>{formatPolishMobile(a.phone)}</dd>
        <dt>Lokale</dt>
        <dd>
          {props.units.map((u) => (
            <div>{u.building ? unitAddress(u.building, u.unit) : u.unit.number}</div>
          ))}
        </dd>
        <dt>Hasło zmienione</dt>
        <dd>{a.passwordChangedAt ? formatDateTime(new Date(a.passwordChangedAt)) : "—"}</dd>
      </dl>
      <p class="muted">
        Zmiana imienia, nazwiska lub przypisanych lokali: skontaktuj się z biurem spółdzielni.
      </p>
      <EmailChangeSection pending={props.pending?.email} form={props.forms?.email} />
      <PhoneChangeSection
        pending={props.pending?.phone}
        form={props.forms?.phone}
        codeForm={props.forms?.code}
      />
      {props.prefs && <NotificationSection prefs={props.prefs} />}
      <h2>Bezpieczeństwo</h2>
      <div class="actions">
        <a class="button" href="/zmiana-hasla">Zmień hasło</a>
        {others > 0 && (
          <form method="post" action="/ebok/konto/wyloguj-wszedzie">
            <button type="submit" class="secondary">
              Wyloguj na innych urządzeniach ({others})
            </button>
          </form>
        )}
      </div>
      <p class="muted">
        Aktywne sesje: {props.sessions.length}{" "}
        (w tym ta przeglądarka). Sesja wygasa po 30 minutach bezczynności.
      </p>
      {props.ecorrespondence}
    </>
  );
}
