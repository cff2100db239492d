import type { Account } from "../../domain/accounts/accounts.ts";
import { inline, type Regions } from "../regions.ts";
import type { TransferQr } from "../../domain/balance/unit_transfer.ts";
import type { Announcement } from "../../domain/backoffice/announcements.ts";
import { AnnouncementsList } from "./announcements.tsx";
import type { DataFreshness } from "../../domain/backoffice/data_freshness.ts";
import type { LedgerTotals } from "../../domain/balance/ledger.ts";
import type { AmountDue, ArrearsOrigin } from "../../domain/balance/statement.ts";
import { unitKindLabels } from "../../domain/backoffice/register.ts";
import { formatIsoDate, formatMoney, formatPeriod } from "../format.ts";
import { type PayOffer, PayOnlineForm } from "./online_payment.tsx";
import {
  BalanceWords,
  DataAsOf,
  DueSentence,
  TransferDetails,
  unitLabel,
  type UnitRef,
} from "./parts.tsx";

export type UnitDashboard = UnitRef & {
  totals: LedgerTotals;
  due: AmountDue;
  /** Where the arrears come from (when there are any). */
  origin: ArrearsOrigin;
  /** This month's charges (the fee), by the entries' period. */
  monthCharge: number;
  transfer: () => { recipient: string; title: string; qr: TransferQr };
  /** Online payments confirmed, not yet booked (grosze); `totals.balance` is already less them. */
  inTransit?: number;
  /** Present when online payment is offered for this unit. */
  payOffer?: PayOffer;
};

/** What all the units together ask for: the sums of what is due, the months of all arrears. */
function combined(units: UnitDashboard[]): { due: AmountDue; origin: ArrearsOrigin } {
  const due: AmountDue = {
    dueNow: units.reduce((s, u) => s + u.due.dueNow, 0),
    dueBy: units[0].due.dueBy,
    arrears: units.reduce((s, u) => s + u.due.arrears, 0),
    // Money paid ahead for one unit does not pay another's fees: only say "nadpłata" when
    // nothing is due anywhere.
    overpayment: units.reduce((s, u) => s + u.due.overpayment, 0),
  };
  const origin: ArrearsOrigin = {
    periods: [...new Set(units.flatMap((u) => u.origin.periods))].sort(),
    interest: units.some((u) => u.origin.interest),
    earlier: units.some((u) => u.origin.earlier),
  };
  return { due, origin };
}

/** The first thing on the page: what is due (or "Rozliczone" / the overpayment) and by when. */
function MoneySummary(props: { units: UnitDashboard[] }) {
  const { due, origin } = combined(props.units);
  const several = props.units.length > 1;
  return (
    <section class="summary" aria-labelledby="razem">
      <h2 id="razem">{several ? "Razem za wszystkie lokale" : "Twoje saldo"}</h2>
      <p class="big">
        {due.dueNow > 0
          ? <strong class="balance due">Do zapłaty {formatMoney(due.dueNow)}</strong>
          : due.overpayment > 0
          ? <strong class="balance credit">Nadpłata {formatMoney(due.overpayment)}</strong>
          : <strong class="balance settled">Rozliczone</strong>}
      </p>
      <DueSentence due={due} origin={origin} />
      {several && (
        <ul class="unit-balances">
          {props.units.map((u) => (
            <li>
              <a href={`#lokal-${u.unit.id}`}>{unitLabel(u)}</a>:{" "}
              <BalanceWords balance={u.totals.balance} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function DashboardPage(
  props: {
    account: Account;
    units: UnitDashboard[];
    period: string;
    freshness: DataFreshness | null;
    passwordChanged?: boolean;
    announcements?: Announcement[];
    /** Each unit's card, as `card:<unit id>`, may be rendered once per its figures. */
    regions?: Regions;
  },
) {
  const region = props.regions ?? inline;
  return (
    <>
      <h1>Dzień dobry</h1>
      <p class="greeting-name">{props.account.firstName} {props.account.lastName}</p>
      {props.passwordChanged && (
        <p class="notice ok" role="status">
          Hasło zostało zmienione. Odtąd loguj się nowym hasłem.
        </p>
      )}
      {props.units.length === 0 && (
        <p class="notice warn">
          Do Twojego konta nie przypisano jeszcze żadnego lokalu. Skontaktuj się z biurem
          spółdzielni.
        </p>
      )}
      {props.units.length > 0 && <MoneySummary units={props.units} />}
      <AnnouncementsList announcements={props.announcements ?? []} />
      {props.units.map((u) =>
        region(`card:${u.unit.id}`, () => <UnitCard u={u} period={props.period} />)
      )}
      <DataAsOf freshness={props.freshness} />
    </>
  );
}

function UnitCard(props: { u: UnitDashboard; period: string }) {
  const { u } = props;
  const transfer = u.transfer();
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
          {(u.inTransit ?? 0) !== 0 && (
            <p class="in-transit">
              Uwzględniono {formatMoney(u.inTransit ?? 0)}{" "}
              w drodze (płatność online) — wpłata czeka na zaksięgowanie przez spółdzielnię.
            </p>
          )}
          <DueSentence due={u.due} origin={u.origin} />
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
        recipient={transfer.recipient}
        account={u.unit.bankAccount}
        title={transfer.title}
        amount={u.due.dueNow}
        qr={transfer.qr}
      />
      {u.payOffer && (
        <>
          <h3>Płatność online</h3>
          <PayOnlineForm offer={u.payOffer} />
        </>
      )}
    </section>
  );
}
