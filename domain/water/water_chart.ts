/**
 * Water consumption month by month, and the rows of its chart (views/charts.ts draws it: cold
 * and hot side by side). Pure functions: no KV, no clock. Water in integer litres.
 *
 * How readings become months (`monthlyConsumption`): an interval between two consecutive
 * readings of one meter covers the days after the first reading's day up to and including the
 * second's (a month-end reading on 31 October to one on 30 November is November's 30 days).
 * Its litres are split between the calendar months it covers in proportion to its days in
 * each, in whole litres by the largest remainder (ties go to the later month), so the months
 * add up exactly to the readings. With monthly month-end readings (the radio system) each
 * interval falls wholly into the month of its end reading; quarterly readings are spread over
 * their three months. A meter swap needs no special case: the old meter's last interval ends
 * at its final reading on the swap day and the new meter's first starts at its start reading
 * that day, so the swap month gets both parts. A month is `estimated` when an interval with an
 * estimated reading at either end contributes to it.
 */
import { consumptionByPeriod, type Meter, type Reading } from "./water.ts";
import {
  addDays,
  addMonths,
  dayNumber,
  isPeriod,
  lastDayOf,
  MONTHS,
  MONTHS_SHORT,
} from "../shared/calendar.ts";

export type MonthlyConsumption = {
  /** "YYYY-MM". */
  period: string;
  /** Litres of cold water (all cold meters). */
  cold: number;
  /** Litres of hot water (all hot meters). */
  hot: number;
  estimated: boolean;
  /** Days of the month covered by readings (the most of any measuring point); 0 = no data. */
  days: number;
};

/** The day number of the last day of `period`. */
function lastDayNumber(period: string): number {
  return dayNumber(lastDayOf(period));
}

/** Splits `litres` over `days` (each > 0) in proportion, exactly, largest remainder first. */
function apportion(litres: number, days: number[]): number[] {
  const total = days.reduce((s, d) => s + d, 0);
  const shares = days.map((d) => Math.floor((litres * d) / total));
  let left = litres - shares.reduce((s, x) => s + x, 0);
  const order = days.map((d, i) => ({ i, rem: (litres * d) % total }))
    .sort((a, b) => b.rem - a.rem || b.i - a.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i]++;
    left--;
  }
  return shares;
}

/** Consumption per calendar month of [from, to] ("YYYY-MM", inclusive), every month listed. */
export function monthlyConsumption(
  meters: readonly Meter[],
  readingsByMeter: Readonly<Record<string, readonly Reading[]>>,
  range: { from: string; to: string },
): MonthlyConsumption[] {
  if (!isPeriod(range.from) || !isPeriod(range.to)) {
    throw new RangeError(`range: ${range.from}…${range.to}`);
  }
  const rows = new Map<string, MonthlyConsumption>();
  for (let p = range.from; p <= range.to; p = addMonths(p, 1)) {
    rows.set(p, { period: p, cold: 0, hot: 0, estimated: false, days: 0 });
  }
  if (rows.size === 0) return [];
  /** chainId → period → days covered. */
  const covered = new Map<string, Map<string, number>>();
  const cover = (chainId: string, period: string, days: number) => {
    const perChain = covered.get(chainId) ?? new Map<string, number>();
    perChain.set(period, (perChain.get(period) ?? 0) + days);
    covered.set(chainId, perChain);
  };

  for (const p of consumptionByPeriod(meters, readingsByMeter)) {
    if (p.to.slice(0, 7) < range.from || p.from.slice(0, 7) > range.to) continue;
    const start = dayNumber(p.from); // exclusive
    const end = dayNumber(p.to); // inclusive
    const months: string[] = [];
    const days: number[] = [];
    if (end === start) {
      months.push(p.to.slice(0, 7));
      days.push(0);
    } else {
      // The first day covered is the day after `from`.
      const firstDay = addDays(p.from, 1).slice(0, 7);
      for (let m = firstDay; m <= p.to.slice(0, 7); m = addMonths(m, 1)) {
        const monthEnd = lastDayNumber(m);
        const monthStart = lastDayNumber(addMonths(m, -1)); // exclusive
        months.push(m);
        days.push(Math.min(end, monthEnd) - Math.max(start, monthStart));
      }
    }
    const litres = days.some((d) => d > 0) ? apportion(p.litres, days) : [p.litres];
    months.forEach((m, i) => {
      const row = rows.get(m);
      if (!row) return;
      row[p.kind] += litres[i];
      if (p.estimated) row.estimated = true;
      cover(p.chainId, m, days[i]);
    });
  }
  for (const perChain of covered.values()) {
    for (const [period, days] of perChain) {
      const row = rows.get(period)!;
      row.days = Math.max(row.days, days);
    }
  }
  return [...rows.values()];
}

/** The row of the same month a year before `period`, if `rows` has it. */
export function sameMonthLastYear<T extends { period: string }>(
  rows: readonly T[],
  period: string,
): T | null {
  if (!isPeriod(period)) throw new RangeError(`period: ${period}`);
  const target = addMonths(period, -12);
  return rows.find((r) => r.period === target) ?? null;
}

// --- Chart --------------------------------------------------------------------------------

export type ConsumptionChartRow = {
  /** "listopad 2026". */
  label: string;
  /** "lis". */
  shortLabel: string;
  /** Litres. */
  cold: number;
  /** Litres. */
  hot: number;
  /** "YYYY-MM": when given, the year is written under January and the first month. */
  period?: string;
  /** Marked with an asterisk above the bars. */
  estimated?: boolean;
};

/** The chart's rows (also the rows of the table that is its text alternative). */
export function consumptionChartRows(
  months: readonly MonthlyConsumption[],
): Required<ConsumptionChartRow>[] {
  return months.map((m) => {
    const i = Number(m.period.slice(5, 7)) - 1;
    return {
      period: m.period,
      label: `${MONTHS[i]} ${m.period.slice(0, 4)}`,
      shortLabel: MONTHS_SHORT[i],
      cold: m.cold,
      hot: m.hot,
      estimated: m.estimated,
    };
  });
}
