import type { Account } from "../../domain/accounts/accounts.ts";
import { TableWrap } from "../table_wrap.tsx";
import type { LedgerTotals } from "../../domain/balance/ledger.ts";
import { formatNrb } from "../../domain/shared/nrb.ts";
import { formatPolishMobile } from "../../domain/shared/phone.ts";
import { type Building, type Unit, unitKindLabels } from "../../domain/backoffice/register.ts";
import type { RegisterSearchResult } from "../../domain/backoffice/register_search.ts";
import { accountStatusBadge } from "./accounts.tsx";
import { formatArea, formatMoney } from "../format.ts";
import { ErrorSummary, Field, type FieldErrors } from "../form.tsx";

export function RegisterPage(props: { q: string; result: RegisterSearchResult; now: Date }) {
  return (
    <>
      <h1>Rejestr i konta</h1>
      <form method="get" action="/admin/rejestr" role="search" class="no-print">
        <div class="field">
          <label for="q">Szukaj: adres, nazwisko, Identyfikator, e-mail lub telefon</label>
          <input
            type="search"
            id="q"
            name="q"
            value={props.q}
            maxlength={100}
            autocomplete="off"
            hx-get="/admin/rejestr"
            hx-trigger="input changed delay:300ms, search"
            hx-target="#wyniki"
            hx-select="#wyniki"
            hx-swap="outerHTML"
            hx-push-url="true"
          />
        </div>
        <button type="submit">Szukaj</button>
      </form>
      <RegisterResults {...props} />
    </>
  );
}

export function RegisterResults(props: { q: string; result: RegisterSearchResult; now: Date }) {
  const { units, accounts, truncated } = props.result;
  return (
    <div id="wyniki" aria-live="polite">
      {props.q === "" && <p class="muted">Wpisz co najmniej jedno słowo.</p>}
      {props.q !== "" && units.length === 0 && accounts.length === 0 && (
        <p>Nic nie znaleziono dla „{props.q}”.</p>
      )}
      {units.length > 0 && (
        <TableWrap label="Znalezione lokale">
          <table>
            <caption>Lokale ({units.length})</caption>
            <thead>
              <tr>
                <th scope="col">Lokal</th>
                <th scope="col">Rodzaj</th>
                <th scope="col">Użytkownicy</th>
              </tr>
            </thead>
            <tbody>
              {units.map((u) => (
                <tr>
                  <td>
                    <a href={`/admin/rejestr/lokale/${u.unit.id}`}>{u.label}</a>
                  </td>
                  <td>{unitKindLabels[u.unit.kind]}</td>
                  <td>{u.unit.occupants.join(", ") || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {accounts.length > 0 && (
        <TableWrap label="Znalezione konta">
          <table>
            <caption>Konta w eBOK ({accounts.length})</caption>
            <thead>
              <tr>
                <th scope="col">Identyfikator</th>
                <th scope="col">Imię i nazwisko</th>
                <th scope="col">E-mail</th>
                <th scope="col">Telefon</th>
                <th scope="col">Stan</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => (
                <tr>
                  <td>
                    <a href={`/admin/konta/${a.id}`}>{a.identifier}</a>
                  </td>
                  <td>{a.firstName} {a.lastName}</td>
                  <td>{a.email}</td>
                  <td>{formatPolishMobile(a.phone)}</td>
                  <td>{accountStatusBadge(a, props.now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {truncated && <p class="muted">Pokazano pierwsze wyniki — zawęź wyszukiwanie.</p>}
    </div>
  );
}

export type UnitPageProps = {
  unit: Unit;
  building: Building | null;
  label: string;
  accounts: Account[];
  totals: LedgerTotals;
  meters: number;
  now: Date;
  notice?: string;
  errors?: FieldErrors;
  values?: Record<string, string>;
};

/** The unit as registered: kind, area, persons, occupants, account, balance, meters. */
function UnitFacts({ props }: { props: UnitPageProps }) {
  const u = props.unit;
  return (
    <dl class="facts">
      <dt>Rodzaj</dt>
      <dd>{unitKindLabels[u.kind]}</dd>
      <dt>Powierzchnia</dt>
      <dd>{formatArea(u.areaCm2)}</dd>
      <dt>Liczba osób</dt>
      <dd>{u.persons}</dd>
      <dt>Użytkownicy (rejestr)</dt>
      <dd>{u.occupants.join(", ") || "—"}</dd>
      <dt>Konto do wpłat</dt>
      <dd>
        <code class="nrb-value">{formatNrb(u.bankAccount)}</code>
      </dd>
      <dt>Saldo</dt>
      <dd>{formatMoney(props.totals.balance)} ({props.totals.entryCount} operacji)</dd>
      <dt>Wodomierze</dt>
      <dd>{props.meters}</dd>
    </dl>
  );
}

/** The unit's data as a form: what was typed after a refusal, else what is stored. */
function UnitForm({ props }: { props: UnitPageProps }) {
  const u = props.unit;
  const v = props.values ?? {
    number: u.number,
    area: formatArea(u.areaCm2).replace(/\u00a0m²$/, ""),
    persons: String(u.persons),
    occupants: u.occupants.join(", "),
    bankAccount: formatNrb(u.bankAccount),
  };
  const e = props.errors ?? {};
  return (
    <form method="post" action={`/admin/rejestr/lokale/${u.id}`}>
      <ErrorSummary
        errors={e}
        labels={{
          number: "Numer lokalu",
          area: "Powierzchnia",
          persons: "Liczba osób",
          occupants: "Użytkownicy",
          bankAccount: "Konto do wpłat",
        }}
      />
      <Field name="number" label="Numer lokalu" value={v.number} error={e.number} maxlength={8} />
      <Field
        name="area"
        label="Powierzchnia w m²"
        value={v.area}
        error={e.area}
        inputmode="numeric"
        maxlength={10}
        hint="np. 48,50"
      />
      <Field
        name="persons"
        label="Liczba osób"
        value={v.persons}
        error={e.persons}
        inputmode="numeric"
        maxlength={3}
      />
      <Field
        name="occupants"
        label="Użytkownicy (rejestr)"
        value={v.occupants}
        error={e.occupants}
        required={false}
        maxlength={300}
        hint="Imiona i nazwiska oddzielone przecinkami."
      />
      <Field
        name="bankAccount"
        label="Indywidualny numer konta (NRB)"
        value={v.bankAccount}
        error={e.bankAccount}
        maxlength={40}
      />
      <button type="submit">Zapisz dane lokalu</button>
    </form>
  );
}

export function UnitPage(props: UnitPageProps) {
  return (
    <>
      <h1>{props.label}</h1>
      <UnitFacts props={props} />
      {props.notice && <p class="notice ok" role="status">{props.notice}</p>}
      <h2>Zmień dane lokalu</h2>
      <UnitForm props={props} />
      <h2>Konta w eBOK z dostępem do lokalu</h2>
      {props.accounts.length === 0 ? <p>Brak.</p> : (
        <ul>
          {props.accounts.map((a) => (
            <li>
              <a href={`/admin/konta/${a.id}`}>{a.identifier}</a> — {a.firstName} {a.lastName}{" "}
              {accountStatusBadge(a, props.now)}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
