import type { Account } from "../../domain/accounts/accounts.ts";
import { TableWrap } from "../table_wrap.tsx";
import type { AuditEntry } from "../../domain/backoffice/audit.ts";
import type { Message } from "../../domain/messaging/messages.ts";
import { formatPolishMobile } from "../../domain/shared/phone.ts";
import { type Building, type Unit, unitAddress } from "../../domain/backoffice/register.ts";
import { formatDateTime } from "../format.ts";
import { MessagesTable } from "./messages.tsx";
import { AuditEntriesTable } from "./audit.tsx";
import { ErrorSummary, Field, type FieldErrors } from "../form.tsx";

export function accountStatusBadge(a: Account, now: Date) {
  if (a.status === "blocked") return <span class="badge bad">zablokowane</span>;
  if (!a.passwordHash) {
    const expired = a.startPassword && Date.parse(a.startPassword.expiresAt) <= now.getTime();
    return expired
      ? <span class="badge warn">hasło startowe wygasło</span>
      : <span class="badge warn">czeka na pierwsze logowanie</span>;
  }
  return <span class="badge ok">aktywne</span>;
}

export function AccountsPage(props: { accounts: Account[]; now: Date }) {
  return (
    <>
      <h1>Konta mieszkańców</h1>
      <TableWrap label="Konta mieszkańców">
        <table>
          <caption>Konta, od najnowszego</caption>
          <thead>
            <tr>
              <th scope="col">Identyfikator</th>
              <th scope="col">Imię i nazwisko</th>
              <th scope="col">E-mail</th>
              <th scope="col">Stan</th>
            </tr>
          </thead>
          <tbody>
            {props.accounts.map((a) => (
              <tr>
                <td>
                  <a href={`/admin/konta/${a.id}`}>{a.identifier}</a>
                </td>
                <td>{a.firstName} {a.lastName}</td>
                <td>{a.email}</td>
                <td>{accountStatusBadge(a, props.now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

export type AccountDetails = {
  account: Account;
  units: { unit: Unit; building: Building | null }[];
  lockedUntil: Date | null;
  sessions: number;
  messages: Message[];
  audit: AuditEntry[];
  now: Date;
  notice?: string;
  contactErrors?: FieldErrors;
  contactValues?: Record<string, string>;
  unitsError?: string;
};

const unitText = (u: AccountDetails["units"][number]) =>
  u.building ? unitAddress(u.building, u.unit) : u.unit.number;

/** The account's state at a glance: contact, units, passwords, sessions, lockout. */
function AccountFacts({ p }: { p: AccountDetails }) {
  const a = p.account;
  return (
    <dl class="facts">
      <dt>Stan</dt>
      <dd>{accountStatusBadge(a, p.now)}</dd>
      <dt>E-mail</dt>
      <dd>{a.email}</dd>
      <dt>Telefon</dt>
      <dd>{formatPolishMobile(a.phone)}</dd>
      <dt>Lokale</dt>
      <dd>
        {p.units.length === 0
          ? <span class="badge warn">brak przypisanych lokali</span>
          : p.units.map((u) => <div>{unitText(u)}</div>)}
      </dd>
      <dt>Hasło startowe</dt>
      <dd>
        {a.startPassword
          ? `wysłane ${formatDateTime(new Date(a.startPassword.issuedAt))}, ważne do ${
            formatDateTime(new Date(a.startPassword.expiresAt))
          }${a.startPassword.usedAt ? ", użyte" : ""}`
          : "—"}
      </dd>
      <dt>Hasło ustawione</dt>
      <dd>
        {a.passwordChangedAt ? formatDateTime(new Date(a.passwordChangedAt)) : "jeszcze nie"}
      </dd>
      <dt>Aktywne sesje</dt>
      <dd>{p.sessions}</dd>
      <dt>Blokada logowania</dt>
      <dd>{p.lockedUntil ? `do ${formatDateTime(p.lockedUntil)}` : "brak"}</dd>
    </dl>
  );
}

/** One button that posts to one of the account's actions. */
function ActionButton(props: { action: string; label: string; secondary?: boolean }) {
  return (
    <form method="post" action={props.action}>
      {props.secondary
        ? <button type="submit" class="secondary">{props.label}</button>
        : <button type="submit">{props.label}</button>}
    </form>
  );
}

/** What the office can do for the resident with one button. */
function SupportActions({ p }: { p: AccountDetails }) {
  const a = p.account;
  const base = `/admin/konta/${a.id}`;
  return (
    <div class="actions">
      <ActionButton action={`${base}/haslo-startowe`} label="Wyślij nowe hasło startowe (SMS)" />
      <ActionButton
        action={`${base}/identyfikator`}
        label="Wyślij ponownie e-mail z Identyfikatorem"
        secondary
      />
      {p.lockedUntil && (
        <ActionButton action={`${base}/odblokuj`} label="Zdejmij blokadę logowania" secondary />
      )}
      <ActionButton action={`${base}/wyloguj`} label="Zakończ wszystkie sesje" secondary />
      {a.status === "active"
        ? <ActionButton action={`${base}/blokuj`} label="Zablokuj konto" secondary />
        : <ActionButton action={`${base}/odblokuj-konto`} label="Odblokuj konto" secondary />}
      <a
        class="button secondary"
        href={`/admin/konta/${a.id}/dane.json`}
        hx-boost="false"
        download
      >
        Eksport danych (RODO)
      </a>
    </div>
  );
}

function ContactForm({ p }: { p: AccountDetails }) {
  const a = p.account;
  return (
    <form method="post" action={`/admin/konta/${a.id}/kontakt`}>
      <ErrorSummary
        errors={p.contactErrors ?? {}}
        labels={{ email: "Adres e-mail", phone: "Telefon komórkowy" }}
      />
      <Field
        name="email"
        label="Adres e-mail"
        type="email"
        value={p.contactValues?.email ?? a.email}
        error={p.contactErrors?.email}
        maxlength={254}
      />
      <Field
        name="phone"
        label="Telefon komórkowy (SMS)"
        type="tel"
        value={p.contactValues?.phone ?? a.phone}
        error={p.contactErrors?.phone}
        maxlength={30}
        hint="Na dotychczasowy adres e-mail pójdzie powiadomienie o zmianie."
      />
      <button type="submit">Zapisz dane kontaktowe</button>
    </form>
  );
}

/** The account's units to keep (ticked) and the address of one to add. */
function UnitsForm({ p }: { p: AccountDetails }) {
  return (
    <form method="post" action={`/admin/konta/${p.account.id}/lokale`}>
      <fieldset aria-describedby={p.unitsError ? "lokale-blad" : undefined}>
        <legend class="visually-hidden">Lokale, które widzi mieszkaniec</legend>
        {p.units.map((u) => (
          <div class="checkbox">
            <input
              type="checkbox"
              name="unit_id"
              value={u.unit.id}
              id={`lok-${u.unit.id}`}
              checked
            />
            <label for={`lok-${u.unit.id}`}>{unitText(u)}</label>
          </div>
        ))}
        <p class="muted">Odznacz, aby odłączyć. Aby dołączyć lokal, podaj jego adres:</p>
        <div class="filter-row">
          <Field name="street" label="Ulica" required={false} maxlength={80} />
          <Field name="building" label="Budynek" required={false} maxlength={10} />
          <Field name="unit" label="Lokal (np. 7 albo G2)" required={false} maxlength={8} />
        </div>
        {p.unitsError && <p class="error-text" id="lokale-blad" role="alert">{p.unitsError}</p>}
      </fieldset>
      <button type="submit">Zapisz lokale</button>
    </form>
  );
}

/** The office's support page of one resident account. */
export function AccountPage(p: AccountDetails) {
  const a = p.account;
  return (
    <>
      <h1>
        {a.firstName} {a.lastName} <span class="muted">({a.identifier})</span>
      </h1>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      <AccountFacts p={p} />
      <h2>Pomoc dla mieszkańca</h2>
      <SupportActions p={p} />
      <h2>Dane kontaktowe</h2>
      <ContactForm p={p} />
      <h2>Lokale konta</h2>
      <UnitsForm p={p} />
      <h2>Wiadomości</h2>
      <MessagesTable messages={p.messages} />
      <h2>Zdarzenia</h2>
      {p.audit.length === 0 ? <p>Brak zdarzeń.</p> : <AuditEntriesTable entries={p.audit} />}
    </>
  );
}
