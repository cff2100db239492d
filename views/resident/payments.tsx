import { InTransitList } from "./in_transit.tsx";
import type { InTransitPayment } from "../../domain/payments/in_transit.ts";
import type { DataFreshness } from "../../domain/backoffice/data_freshness.ts";
import type { TransferQr } from "../../domain/balance/unit_transfer.ts";
import type { LedgerEntry, LedgerTotals } from "../../domain/balance/ledger.ts";
import type { AmountDue, ArrearsOrigin } from "../../domain/balance/statement.ts";
import { formatIsoDate, formatMoney, formatPeriod } from "../format.ts";
import {
  BalanceWords,
  DataAsOf,
  DueSentence,
  MoneyTabs,
  TransferDetails,
  unitLabel,
  type UnitRef,
  UnitSwitcher,
} from "./parts.tsx";
import { query } from "./balance.tsx";

export function PaymentsPage(
  p: {
    units: UnitRef[];
    current: UnitRef;
    totals: LedgerTotals;
    due: AmountDue;
    origin: ArrearsOrigin;
    /** Online payments "w drodze"; `totals.balance` is already lowered by them. */
    inTransit: InTransitPayment[];
    payments: LedgerEntry[];
    byYear: { year: string; sum: number; count: number }[];
    transfer: { recipient: string; title: string; qr: TransferQr; amount: number };
    freshness: DataFreshness | null;
  },
) {
  const unitId = p.current.unit.id;
  return (
    <>
      <MoneyTabs path="/ebok/wplaty" unitId={unitId} />
      <h1>Wpłaty</h1>
      <UnitSwitcher
        units={p.units}
        currentId={unitId}
        hrefFor={(id) => `/ebok/wplaty${query({ lokal: id })}`}
      />
      <p class="lead">
        {unitLabel(p.current)}: <BalanceWords balance={p.totals.balance} />
      </p>
      <DueSentence due={p.due} origin={p.origin} />
      <InTransitList payments={p.inTransit} />
      <DataAsOf freshness={p.freshness} />
      <h2 id="jak-zaplacic">Jak zapłacić</h2>
      <TransferDetails
        id={unitId}
        recipient={p.transfer.recipient}
        account={p.current.unit.bankAccount}
        title={p.transfer.title}
        amount={p.transfer.amount}
        qr={p.transfer.qr}
      />
      <h2>Wpłaty w kolejnych latach</h2>
      {p.byYear.length === 0 ? <p>Brak wpłat.</p> : <YearlyTable byYear={p.byYear} />}
      <h2>Wszystkie wpłaty</h2>
      {p.payments.length > 0 && <PaymentsTable payments={p.payments} />}
    </>
  );
}

function YearlyTable(p: { byYear: { year: string; sum: number; count: number }[] }) {
  return (
    <table class="stack">
      <caption class="visually-hidden">Suma wpłat w każdym roku</caption>
      <thead>
        <tr>
          <th scope="col">Rok</th>
          <th scope="col" class="num">Liczba wpłat</th>
          <th scope="col" class="num">Suma</th>
        </tr>
      </thead>
      <tbody>
        {p.byYear.map((y) => (
          <tr>
            <th scope="row">{y.year}</th>
            <td class="num" data-label="Liczba wpłat">{y.count}</td>
            <td class="num" data-label="Suma">{formatMoney(y.sum)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PaymentsTable(p: { payments: LedgerEntry[] }) {
  return (
    <table class="stack payments">
      <caption class="visually-hidden">Wpłaty, od najnowszej</caption>
      <thead>
        <tr>
          <th scope="col">Data wpłaty</th>
          <th scope="col" class="num">Kwota</th>
          <th scope="col">Na poczet</th>
          <th scope="col">Tytuł</th>
        </tr>
      </thead>
      <tbody>
        {p.payments.map((e) => (
          <tr>
            <td class="date" data-label="Data wpłaty">{formatIsoDate(e.postedOn)}</td>
            <td class="num" data-label="Kwota">{formatMoney(e.amount)}</td>
            <td data-label="Na poczet">{formatPeriod(e.period)}</td>
            <td data-label="Tytuł">{e.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
