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

export function AccountPage(p: AccountDetails) {
  const a = p.account;
  const base = `/admin/konta/${a.id}`;
  return (
    <>
      <h1>
        {a.firstName} {a.lastName} <span class="muted">({a.identifier})</span>
      </h1>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
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
            : p.units.map((u) => (
              <div>{u.building ? unitAddress(u.building, u.unit) : u.unit.number}</div>
            ))}
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
      <h2>Pomoc dla mieszkańca</h2>
      <div class="actions">
        <form method="post" action={`${base}/haslo-startowe`}>
          <button type="submit">Wyślij nowe hasło startowe (SMS)</button>
        </form>
        <form method="post" action={`${base}/identyfikator`}>
          <button type="submit" class="secondary">Wyślij ponownie e-mail z Identyfikatorem</button>
        </form>
        {p.lockedUntil && (
          <form method="post" action={`${base}/odblokuj`}>
            <button type="submit" class="secondary">Zdejmij blokadę logowania</button>
          </form>
        )}
        <form method="post" action={`${base}/wyloguj`}>
          <button type="submit" class="secondary">Zakończ wszystkie sesje</button>
        </form>
        {a.status === "active"
          ? (
            <form method="post" action={`${base}/blokuj`}>
              <button type="submit" class="secondary">Zablokuj konto</button>
            </form>
          )
          : (
            <form method="post" action={`${base}/odblokuj-konto`}>
              <button type="submit" class="secondary">Odblokuj konto</button>
            </form>
          )}
        <a
          class="button secondary"
          href={`/admin/konta/${a.id}/dane.json`}
          hx-boost="false"
          download
        >
          Eksport danych (RODO)
        </a>
      </div>
      <h2>Dane kontaktowe</h2>
      <form method="post" action={`${base}/kontakt`}>
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
      <h2>Lokale konta</h2>
      <form method="post" action={`${base}/lokale`}>
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
              <label for={`lok-${u.unit.id}`}>
                {u.building ? unitAddress(u.building, u.unit) : u.unit.number}
              </label>
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
      <h2>Wiadomości</h2>
      <MessagesTable messages={p.messages} />
      <h2>Zdarzenia</h2>
      {p.audit.length === 0 ? <p>Brak zdarzeń.</p> : <AuditEntriesTable entries={p.audit} />}
    </>
  );
}
