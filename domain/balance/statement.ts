/**
 * What the resident's balance pages show, computed from a unit's ledger entries: the statement
 * with a running balance, the month-by-month summary (with each month's components), what is
 * due now and by when, the CSV export and the SVG chart. Pure functions: no KV, no clock (the
 * caller passes "today").
 *
 * Money is integer grosze throughout; the sign convention is the ledger's: positive = the
 * resident owes, negative = an overpayment (see `ledger.ts`).
 */
import {
  balanceEffect,
  type ChargeBasis,
  type ChargeComponent,
  componentLabel,
  type EntryKind,
  entryKindLabels,
  type LedgerEntry,
  type LedgerTotals,
} from "./ledger.ts";
import {
  dayOf,
  formatIsoDate,
  isIsoDate,
  isPeriod,
  MONTHS,
  MONTHS_SHORT,
  nextPeriod,
  nextWorkingDay,
  periodNumeric,
} from "../shared/calendar.ts";
import { csvAmount, csvDocument, csvText } from "../shared/csv_export.ts";
import { lru } from "../shared/memo.ts";

// --- Running statement --------------------------------------------------------------------

export type StatementFilter = {
  /** The year of the entry's `period` (the month it concerns), e.g. 2026. */
  year?: number;
  /** The entry's `period`, "YYYY-MM". */
  period?: string;
  kinds?: readonly EntryKind[];
  /** A charge component code. */
  component?: string;
};

export type StatementRow = {
  entry: LedgerEntry;
  /** The signed effect on what is owed (`balanceEffect`): payments are negative. */
  effect: number;
  /** What is owed after this entry, counting every entry before it (not only those shown). */
  balanceAfter: number;
};

/** Key order of the ledger: by posting date, then by entry id (ULIDs: time order). */
function comparePosting(a: LedgerEntry, b: LedgerEntry): number {
  if (a.postedOn !== b.postedOn) return a.postedOn < b.postedOn ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function matchesFilter(e: LedgerEntry, f: StatementFilter): boolean {
  if (f.year !== undefined && Number(e.period.slice(0, 4)) !== f.year) return false;
  if (f.period !== undefined && e.period !== f.period) return false;
  if (f.kinds !== undefined && !f.kinds.includes(e.kind)) return false;
  if (f.component !== undefined && e.component !== f.component) return false;
  return true;
}

/**
 * The statement rows, oldest first, each with the balance after it. The balance runs over all
 * the entries given (in the ledger's posting order, whatever order they come in), and the filter
 * only picks the rows shown, so a filtered row still shows the true balance of the account.
 * Pass `balanceBefore` when `entries` are only the latest part of the ledger: what was owed
 * before the first of them (e.g. `totals.balance` minus the sum of their effects).
 */
export function runningStatement(
  entries: readonly LedgerEntry[],
  opts: { filter?: StatementFilter; balanceBefore?: number } = {},
): StatementRow[] {
  const filter = opts.filter ?? {};
  if (filter.period !== undefined && !isPeriod(filter.period)) throw new RangeError("period");
  let balance = opts.balanceBefore ?? 0;
  const rows: StatementRow[] = [];
  for (const entry of [...entries].sort(comparePosting)) {
    const effect = balanceEffect(entry);
    balance += effect;
    if (matchesFilter(entry, filter)) rows.push({ entry, effect, balanceAfter: balance });
  }
  return rows;
}

/** What was owed before `entries` (the tail of the ledger), given the unit's totals. */
export function balanceBefore(totals: LedgerTotals, entries: readonly LedgerEntry[]): number {
  return entries.reduce((b, e) => b - balanceEffect(e), totals.balance);
}

// --- Monthly summary ----------------------------------------------------------------------

export type MonthComponent = {
  kind: "charge" | "interest" | "correction";
  /** The component code; "" for interest or a correction the accounting gave no component. */
  code: string;
  /** Sum of the effects of the month's entries of this kind and component. */
  amount: number;
  /** How the charge was computed, when one entry makes it up and carries its basis. */
  basis?: ChargeBasis;
  /** How many entries make it up. */
  entries: number;
};

export type MonthSummary = {
  /** "YYYY-MM". */
  period: string;
  /** Opening balances with this period (usually only the first month has one). */
  opening: number;
  /** Charges, interest and corrections of the month, each with its own sign. */
  charged: number;
  /** Payments of the month (money received; a refund counts negative). */
  paid: number;
  /** What was owed at the month's end: everything concerning this month or earlier. */
  balanceAtEnd: number;
  /** The month's charges by component, then interest, then corrections; they add up to `charged`. */
  components: MonthComponent[];
};

const componentKindOrder = { charge: 0, interest: 1, correction: 2 } as const;

/**
 * Month by month, oldest first, by each entry's `period` (the month it concerns, not the day it
 * was posted: a correction posted in November for October counts in October). Months without
 * entries between the first and the last are included (all zero, the balance carried), so a
 * chart over them keeps an even time axis. `balanceBefore` as in `runningStatement`.
 */
export function monthlySummary(
  entries: readonly LedgerEntry[],
  opts: { balanceBefore?: number } = {},
): MonthSummary[] {
  const byPeriod = new Map<string, LedgerEntry[]>();
  for (const e of [...entries].sort(comparePosting)) {
    const list = byPeriod.get(e.period);
    if (list) list.push(e);
    else byPeriod.set(e.period, [e]);
  }
  if (byPeriod.size === 0) return [];
  const periods = [...byPeriod.keys()].sort();
  const last = periods[periods.length - 1];
  const months: MonthSummary[] = [];
  let balance = opts.balanceBefore ?? 0;
  for (let period = periods[0];; period = nextPeriod(period)) {
    const month: MonthSummary = {
      period,
      opening: 0,
      charged: 0,
      paid: 0,
      balanceAtEnd: 0,
      components: [],
    };
    const groups = new Map<string, MonthComponent & { bases: number }>();
    for (const e of byPeriod.get(period) ?? []) {
      const effect = balanceEffect(e);
      balance += effect;
      if (e.kind === "opening_balance") {
        month.opening += e.amount;
      } else if (e.kind === "payment") {
        month.paid += e.amount;
      } else {
        month.charged += effect;
        const code = e.component ?? "";
        const key = `${e.kind}\u0000${code}`;
        const group = groups.get(key) ??
          { kind: e.kind, code, amount: 0, entries: 0, bases: 0 };
        group.amount += effect;
        group.entries++;
        if (e.basis) {
          group.bases++;
          group.basis = { ...e.basis };
        }
        groups.set(key, group);
      }
    }
    month.balanceAtEnd = balance;
    month.components = [...groups.values()]
      .sort((a, b) => componentKindOrder[a.kind] - componentKindOrder[b.kind])
      .map(({ kind, code, amount, basis, entries, bases }) =>
        basis && entries === 1 && bases === 1
          ? { kind, code, amount, basis, entries }
          : { kind, code, amount, entries }
      );
    months.push(month);
    if (period === last) break;
  }
  return months;
}

// --- What is due --------------------------------------------------------------------------

export type AmountDue = {
  /** What to pay by `dueBy` to owe nothing that is due: arrears + this month's unpaid fee. */
  dueNow: number;
  /** This month's due date, moved to the next working day when it falls on a day off. */
  dueBy: string;
  /** The part of `dueNow` already overdue (due at once). */
  arrears: number;
  /** Money paid in advance of what is charged (0 when the resident owes). */
  overpayment: number;
};

/** The due date of a month's fees: day `dueDay` (the month's last day if shorter), moved on
 * to the next working day when it falls on a Saturday, Sunday or public holiday. */
export function dueDate(period: string, dueDay = 15): string {
  if (!isPeriod(period)) throw new RangeError(`period: ${period}`);
  if (!Number.isSafeInteger(dueDay) || dueDay < 1 || dueDay > 31) {
    throw new RangeError(`dueDay: ${dueDay}`);
  }
  return workingDayOn(dayOf(period, dueDay));
}

/** The holidays of a year never change: every page asking for a due date shares the answer. */
const workingDayOn = lru(500, nextWorkingDay);

/**
 * What the resident owes now and by when. The rule, in plain words:
 *
 * - Fees are paid monthly in advance, by the 15th of the month (the Act on housing
 *   cooperatives, art. 4 ust. 6; `dueDay` sets another day). When that day is a Saturday, a
 *   Sunday or a public holiday, the deadline moves to the next working day (Civil Code art. 115).
 * - Money paid is set against the oldest debts first (Civil Code art. 451 § 3), so what is
 *   still owed is made of the newest charges.
 * - Of what is owed (`totals.balance`, when positive), charges for later months are not due yet;
 *   this month's charges (charges and corrections with this month's period) are due by `dueBy`
 *   and count as arrears once that day has passed; everything else is arrears, due at once.
 * - `dueNow` = arrears + this month's unpaid fee: pay it by `dueBy` and nothing due is left.
 * - A negative balance is an overpayment: nothing is due, the overpayment covers future fees.
 *
 * `entries` need only reach back to the current month (earlier ones do not change the result);
 * the balance comes from `totals`, so a long history costs nothing here.
 */
export function amountDue(
  totals: Pick<LedgerTotals, "balance">,
  entries: readonly LedgerEntry[],
  today: string,
  dueDay = 15,
): AmountDue {
  if (!isIsoDate(today)) throw new RangeError(`today: ${today}`);
  const period = today.slice(0, 7);
  const dueBy = dueDate(period, dueDay);
  let current = 0;
  let later = 0;
  for (const e of entries) {
    if (e.kind !== "charge" && e.kind !== "correction") continue;
    if (e.period === period) current += balanceEffect(e);
    else if (e.period > period) later += balanceEffect(e);
  }
  const owed = Math.max(0, totals.balance);
  const notYetDue = today <= dueBy ? Math.max(0, current) : 0;
  const unpaidLater = Math.min(owed, Math.max(0, later));
  const unpaidCurrent = Math.min(owed - unpaidLater, notYetDue);
  const arrears = owed - unpaidLater - unpaidCurrent;
  return {
    dueNow: arrears + unpaidCurrent,
    dueBy,
    arrears,
    overpayment: Math.max(0, -totals.balance),
  };
}

/** Where the arrears come from: the months of the unpaid charges, and whether interest too. */
export type ArrearsOrigin = {
  /** The months ("YYYY-MM") of the overdue charges still unpaid, oldest first. */
  periods: string[];
  /** Unpaid interest is part of the arrears. */
  interest: boolean;
  /** Part of the arrears is older than the entries given (or the opening balance). */
  earlier: boolean;
};

/**
 * Names the months the arrears of `due` come from. Money paid is set against the oldest debts
 * first (see `amountDue`), so what is unpaid is made of the newest debts: walking the entries
 * from the newest, the parts that are not due yet (later months, this month's fee before its
 * due date) are passed over and the rest makes up the arrears. `entries` must hold the newest
 * ones (any tail of the ledger); a credit correction is not set against a particular month.
 */
export function arrearsOrigin(
  entries: readonly LedgerEntry[],
  at: { balance: number; due: AmountDue; today: string },
): ArrearsOrigin {
  const origin: ArrearsOrigin = { periods: [], interest: false, earlier: false };
  let left = at.due.arrears;
  if (left <= 0) return origin;
  const period = at.today.slice(0, 7);
  const isFee = (e: LedgerEntry) => e.kind === "charge" || e.kind === "correction";
  const laterFees = entries.filter((e) => isFee(e) && e.period > period)
    .reduce((sum, e) => sum + balanceEffect(e), 0);
  let later = Math.min(Math.max(0, at.balance), Math.max(0, laterFees));
  let notYetDue = at.due.dueNow - at.due.arrears;
  const periods = new Set<string>();
  const newestFirst = [...entries].sort(comparePosting).reverse();
  for (const e of newestFirst) {
    let part = balanceEffect(e);
    if (part <= 0 || e.kind === "payment") continue;
    if (isFee(e) && e.period > period) {
      const skip = Math.min(later, part);
      later -= skip;
      part -= skip;
    } else if (isFee(e) && e.period === period) {
      const skip = Math.min(notYetDue, part);
      notYetDue -= skip;
      part -= skip;
    }
    if (part <= 0) continue;
    if (e.kind === "interest") origin.interest = true;
    else if (e.kind === "opening_balance") origin.earlier = true;
    else periods.add(e.period);
    left -= part;
    if (left <= 0) break;
  }
  if (left > 0) origin.earlier = true;
  origin.periods = [...periods].sort();
  return origin;
}

// --- CSV export ---------------------------------------------------------------------------

const CSV_HEADER = [
  "Data księgowania",
  "Okres",
  "Rodzaj",
  "Składnik",
  "Nr dokumentu",
  "Opis",
  "Kwota",
  "Saldo po operacji",
];

/**
 * The statement as CSV for Polish spreadsheets: UTF-8 with a BOM (so Excel reads the Polish
 * letters), `;` between cells, a decimal comma, CRLF line ends, a header row in Polish. "Kwota"
 * is the entry's effect on what is owed (a payment is negative), "Saldo po operacji" what was
 * owed after it; dates DD.MM.YYYY, periods MM.YYYY.
 */
export function statementCsv(
  rows: readonly StatementRow[],
  options: { components: readonly ChargeComponent[] },
): string {
  const lines = [CSV_HEADER.map(csvText)];
  for (const { entry, effect, balanceAfter } of rows) {
    lines.push([
      csvText(formatIsoDate(entry.postedOn)),
      csvText(periodNumeric(entry.period)),
      csvText(entryKindLabels[entry.kind]),
      csvText(entry.component ? componentLabel(options.components, entry.component) : ""),
      csvText(entry.documentNo),
      csvText(entry.description),
      csvAmount(effect),
      csvAmount(balanceAfter),
    ]);
  }
  return csvDocument(lines);
}

/** A file name for the CSV, ASCII only: "saldo-ul-slowianska-27-4-2026-11-20.csv". */
export function statementCsvFilename(unitLabel: string, today: string): string {
  const slug = unitLabel.normalize("NFD").replace(/\p{M}/gu, "").replace(/[łŁ]/g, "l")
    .toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60)
    .replace(/-+$/, "");
  return `saldo${slug ? `-${slug}` : ""}-${today}.csv`;
}

// --- Chart --------------------------------------------------------------------------------

export type ChartRow = {
  period: string;
  /** "listopad 2026". */
  label: string;
  /** "lis". */
  shortLabel: string;
  /** The month's charges (`MonthSummary.charged`). */
  charged: number;
  balanceAtEnd: number;
};

/** The chart's data, as rows for the table that is its text alternative. */
export function balanceChartRows(
  months: readonly Pick<MonthSummary, "period" | "charged" | "balanceAtEnd">[],
): ChartRow[] {
  return months.map((m) => {
    const monthIndex = Number(m.period.slice(5, 7)) - 1;
    return {
      period: m.period,
      label: `${MONTHS[monthIndex]} ${m.period.slice(0, 4)}`,
      shortLabel: MONTHS_SHORT[monthIndex],
      charged: m.charged,
      balanceAtEnd: m.balanceAtEnd,
    };
  });
}
