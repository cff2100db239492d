import type { Account } from "../../domain/accounts/accounts.ts";
import type { TransferQr } from "../../domain/balance/unit_transfer.ts";
import type { Announcement } from "../../domain/backoffice/announcements.ts";
import { AnnouncementsList } from "./announcements.tsx";
import type { DataFreshness } from "../../domain/backoffice/data_freshness.ts";
import type { LedgerTotals } from "../../domain/balance/ledger.ts";
import type { AmountDue } from "../../domain/balance/statement.ts";
import { unitKindLabels } from "../../domain/backoffice/register.ts";
import { formatIsoDate, formatMoney, formatPeriod } from "../format.ts";
import { BalanceWords, DataAsOf, TransferDetails, unitLabel, type UnitRef } from "./parts.tsx";

export type UnitDashboard = UnitRef & {
  totals: LedgerTotals;
  due: AmountDue;
  /** This month's charges (the fee), by the entries' period. */
  monthCharge: number;
  transfer: { recipient: string; title: string; qr: TransferQr };
};

export function DashboardPage(
  props: {
    account: Account;
    units: UnitDashboard[];
    period: string;
    freshness: DataFreshness | null;
    passwordChanged?: boolean;
    announcements?: Announcement[];
  },
) {
  const total = props.units.reduce((sum, u) => sum + u.totals.balance, 0);
  return (
    <>
      <h1>Dzień dobry, {props.account.firstName}!</h1>
      {props.passwordChanged && (
        <p class="notice ok" role="status">
          Hasło zostało zmienione. Odtąd loguj się nowym hasłem.
        </p>
      )}
      <AnnouncementsList announcements={props.announcements ?? []} />
      {props.units.length === 0 && (
        <p class="notice warn">
          Do Twojego konta nie przypisano jeszcze żadnego lokalu. Skontaktuj się z biurem
          spółdzielni.
        </p>
      )}
      {props.units.length > 1 && (
        <section class="summary" aria-labelledby="razem">
          <h2 id="razem">Razem za wszystkie lokale</h2>
          <p class="big">
            <BalanceWords balance={total} />
          </p>
          <table>
            <caption class="visually-hidden">Saldo każdego lokalu</caption>
            <tbody>
              {props.units.map((u) => (
                <tr>
                  <th scope="row">{unitLabel(u)}</th>
                  <td class="num">
                    <BalanceWords balance={u.totals.balance} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {props.units.map((u) => <UnitCard u={u} period={props.period} />)}
      <DataAsOf freshness={props.freshness} />
    </>
  );
}

function UnitCard(props: { u: UnitDashboard; period: string }) {
  const { u } = props;
  const id = u.unit.id;
  return (
    <section class="unit-card" aria-labelledby={`lokal-${id}`}>
      <h2 id={`lokal-${id}`}>{unitLabel(u)}</h2>
      <p class="muted">{unitKindLabels[u.unit.kind]}</p>
      <div class="unit-status">
        <div>
          <p class="big">
            <BalanceWords balance={u.totals.balance} />
          </p>
          <DueSentence due={u.due} />
          <dl class="facts">
            <dt>Opłata za {formatPeriod(props.period)}</dt>
            <dd>{formatMoney(u.monthCharge)}</dd>
            <dt>Ostatnia wpłata</dt>
            <dd>
              {u.totals.lastPaymentOn && u.totals.lastPaymentAmount !== undefined
                ? `${formatMoney(u.totals.lastPaymentAmount)}, ${
                  formatIsoDate(u.totals.lastPaymentOn)
                }`
                : "brak"}
            </dd>
          </dl>
          <p>
            <a href={`/ebok/saldo?lokal=${id}`}>Szczegóły salda i historia</a> ·{" "}
            <a href={`/ebok/naliczenia?lokal=${id}`}>Skąd ta opłata?</a>
          </p>
        </div>
      </div>
      <h3>Dane do przelewu</h3>
      <TransferDetails
        id={id}
        recipient={u.transfer.recipient}
        account={u.unit.bankAccount}
        title={u.transfer.title}
        amount={u.due.dueNow}
        qr={u.transfer.qr}
      />
    </section>
  );
}

function DueSentence(props: { due: AmountDue }) {
  const d = props.due;
  if (d.dueNow === 0) {
    return d.overpayment > 0
      ? <p>Nic nie musisz teraz płacić. Nadpłata zostanie zaliczona na kolejne opłaty.</p>
      : <p>Nic nie musisz teraz płacić.</p>;
  }
  return (
    <p>
      Zapłać <strong>{formatMoney(d.dueNow)}</strong>
      {d.arrears > 0 && d.arrears === d.dueNow && <>{" "}— to zaległość, termin minął</>}
      {d.arrears > 0 && d.arrears < d.dueNow && (
        <>
          {" "}(w tym zaległość {formatMoney(d.arrears)}) — najpóźniej do{" "}
          <strong>{formatIsoDate(d.dueBy)}</strong>
        </>
      )}
      {d.arrears === 0 && (
        <>
          {" "}do <strong>{formatIsoDate(d.dueBy)}</strong>
        </>
      )}
      .
    </p>
  );
}
