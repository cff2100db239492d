/**
 * The figures of the resident's money tabs (/ebok/saldo, /ebok/naliczenia, /ebok/wplaty), each
 * from one call: the unit's records in one getMany (`createMoneyReader`), the whole ledger
 * remembered under the totals' versionstamp, and the payments "w drodze" (confirmed online, not
 * yet booked), which lower the balance and what is due as on /ebok and are listed, marked.
 */
import type { ResidentUnit } from "../accounts/resident_units.ts";
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import { type InTransitPayment, inTransitTotal } from "../payments/in_transit.ts";
import type { ChargeComponent, LedgerEntry, LedgerTotals } from "./ledger.ts";
import { type MoneyReader, shownTotals } from "./resident_money.ts";
import {
  type AmountDue,
  amountDue,
  type ArrearsOrigin,
  arrearsOrigin,
  monthlySummary,
  type MonthSummary,
  runningStatement,
  type StatementFilter,
  type StatementRow,
} from "./statement.ts";
import { transferFor } from "./unit_transfer.ts";

/** What the three tabs share: the balance less payments on their way, what is due, and why. */
export type MoneyHeader = {
  /** The ledger's totals, `balance` lowered by the payments "w drodze". */
  totals: LedgerTotals;
  /** Payments "w drodze", oldest first; `inTransitSum` is their total (grosze). */
  inTransit: InTransitPayment[];
  inTransitSum: number;
  due: AmountDue;
  origin: ArrearsOrigin;
};

type At = { today: string; online: boolean };

async function readUnit(
  money: MoneyReader,
  unitId: string,
  at: At,
  components = false,
) {
  const read = await money.records([unitId], { online: at.online, components });
  const r = read.units[0];
  const entries = await money.allEntries(unitId, r.totalsEntry);
  const { totals } = shownTotals(r);
  // Remembered under the ledger's stamp, the day and the payments on their way.
  const { due, origin } = money.derived(
    unitId,
    r,
    `due|${at.today}|${totals.balance}`,
    () => {
      const due = amountDue(
        totals,
        entries.filter((e) => e.period >= at.today.slice(0, 7)),
        at.today,
      );
      return {
        due,
        origin: arrearsOrigin(entries, { balance: totals.balance, due, today: at.today }),
      };
    },
  );
  const header: MoneyHeader = {
    totals,
    inTransit: r.inTransit,
    inTransitSum: inTransitTotal(r.inTransit),
    due,
    origin,
  };
  const remember = <T>(question: string, compute: () => T) =>
    money.derived(unitId, r, question, compute);
  // What the rows, months and filter choices are a function of (with the question asked).
  const version = `${unitId}|${r.totalsEntry.versionstamp ?? "empty"}|${read.componentsVersion}`;
  return { entries, header, components: read.components, remember, version };
}

/** The years with entries (by the month they concern) and this year, newest first. */
function yearsOf(entries: readonly LedgerEntry[], thisYear: number): number[] {
  const years = new Set(entries.map((e) => Number(e.period.slice(0, 4))));
  years.add(thisYear);
  return [...years].sort((a, b) => b - a);
}

export type StatementView = MoneyHeader & {
  /** Newest first, the filter applied (the balance after each row counts every entry). */
  rows: StatementRow[];
  /** The last `chartMonths` months, for the chart. */
  months: MonthSummary[];
  firstPostedOn: string | null;
  years: number[];
  /** The months with entries, newest first. */
  periods: string[];
  components: ChargeComponent[];
  /**
   * Changes whenever the unit's ledger or the components' labels change: with the filter, the
   * day and the page, it names everything the statement, the filter choices and the chart show.
   */
  version: string;
};

/** /ebok/saldo: the statement, its filters' choices, the chart's months. */
export async function statementView(
  money: MoneyReader,
  unitId: string,
  at: At & { filter: StatementFilter; chartMonths: number },
): Promise<StatementView> {
  const { entries, header, components, remember, version } = await readUnit(
    money,
    unitId,
    at,
    true,
  );
  const whole = remember(`ledger|${at.today.slice(0, 4)}|${at.chartMonths}`, () => ({
    months: monthlySummary(entries).slice(-at.chartMonths),
    firstPostedOn: entries.length
      ? entries.reduce((a, e) => e.postedOn < a ? e.postedOn : a, entries[0].postedOn)
      : null,
    years: yearsOf(entries, Number(at.today.slice(0, 4))),
    periods: [...new Set(entries.map((e) => e.period))].sort().reverse(),
  }));
  return {
    ...header,
    ...whole,
    rows: remember(
      `rows|${JSON.stringify(at.filter)}`,
      () => runningStatement(entries, { filter: at.filter }).reverse(),
    ),
    components,
    version,
  };
}

/** /ebok/saldo.csv: the statement rows, oldest first. */
export async function statementRows(
  money: MoneyReader,
  unitId: string,
  at: At & { filter: StatementFilter },
): Promise<{ rows: StatementRow[]; components: ChargeComponent[] }> {
  const { entries, components } = await readUnit(money, unitId, at, true);
  return { rows: runningStatement(entries, { filter: at.filter }), components };
}

export type ChargesView = {
  year: number;
  years: number[];
  months: MonthSummary[];
  components: ChargeComponent[];
  inTransit: InTransitPayment[];
};

/** /ebok/naliczenia: one year's months with their components (the newest year by default). */
export async function chargesView(
  money: MoneyReader,
  unitId: string,
  at: At & { year?: number },
): Promise<ChargesView> {
  const { entries, header, components, remember } = await readUnit(money, unitId, at, true);
  const years = yearsOf(entries, Number(at.today.slice(0, 4)));
  const year = at.year !== undefined && years.includes(at.year) ? at.year : years[0];
  return {
    year,
    years,
    months: remember(
      `months|${year}`,
      () => monthlySummary(entries).filter((m) => m.period.startsWith(`${year}-`)),
    ),
    components,
    inTransit: header.inTransit,
  };
}

export type PaymentsView = MoneyHeader & {
  /** Booked payments, newest first. */
  payments: LedgerEntry[];
  byYear: { year: string; sum: number; count: number }[];
  transfer: ReturnType<typeof transferFor> & { amount: number };
};

/** /ebok/wplaty: booked payments by year and one by one, those on their way, how to pay. */
export async function paymentsView(
  money: MoneyReader,
  u: ResidentUnit,
  at: At & { coop: CooperativeProfile },
): Promise<PaymentsView> {
  const { entries, header, remember } = await readUnit(money, u.unit.id, at);
  const { payments, byYear } = remember("payments", () => {
    const payments = entries.filter((e) => e.kind === "payment").reverse();
    const byYear = new Map<string, { year: string; sum: number; count: number }>();
    for (const p of payments) {
      const y = p.postedOn.slice(0, 4);
      const row = byYear.get(y) ?? { year: y, sum: 0, count: 0 };
      row.sum += p.amount;
      row.count++;
      byYear.set(y, row);
    }
    return { payments, byYear: [...byYear.values()] };
  });
  const period = at.today.slice(0, 7);
  return {
    ...header,
    payments,
    byYear,
    transfer: { ...transferFor(at.coop, u, period, header.due.dueNow), amount: header.due.dueNow },
  };
}
