/**
 * A unit's water in the shape the resident's water page needs, stored under
 * `["water_summary", unitId]`: the meters, each meter's latest reading, and the monthly
 * consumption of the 36 months up to the month of the latest reading. Every function that
 * writes meters or readings (water.ts: `addMeter`, `addReading`, `addReadings`, `swapMeter`,
 * `updateMeterDetails`; reading_submissions.ts: `acceptSubmission`) adds the new summary to
 * its own atomic op with `addWaterSummary`, under a check of the summary's versionstamp, so
 * the summary always describes exactly the readings stored. Imports, accepted submissions and
 * the demo seeding all go through those functions. The same op re-sets the unit's building's
 * `buildingWaterStamp`, under which processes remember the building's average.
 *
 * Data written before the summary existed: `readWaterSummary` rebuilds a missing summary from
 * the whole history once (and stores it, under a check that it is still missing), so the first
 * view of each unit after the upgrade pays for the history and every later one does not.
 */
import { keys } from "../shared/keys.ts";
import type { Unit } from "../backoffice/register.ts";
import { addMonths } from "../shared/calendar.ts";
import { listMeters, listReadings, type Meter, type Reading } from "./water.ts";
import { type MonthlyConsumption, monthlyConsumption } from "./water_chart.ts";

/** Months kept: two years of chart and comparison with the year before, and some room. */
export const SUMMARY_MONTHS = 36;

export type WaterSummary = {
  /** The unit's meters, removed ones too, in the order they were added. */
  meters: Meter[];
  /** Each meter's latest reading (by day, then by id), if it has any. */
  last: Record<string, Reading>;
  /** Every month of the SUMMARY_MONTHS up to the latest reading's month, oldest first. */
  months: MonthlyConsumption[];
};

function compareReadings(a: Reading, b: Reading): number {
  return a.readOn < b.readOn
    ? -1
    : a.readOn > b.readOn
    ? 1
    : a.id < b.id
    ? -1
    : a.id > b.id
    ? 1
    : 0;
}

/** The summary of meters and all their readings (pure). */
export function computeWaterSummary(
  meters: readonly Meter[],
  readingsByMeter: Readonly<Record<string, readonly Reading[]>>,
): WaterSummary {
  const last: Record<string, Reading> = {};
  let latest = "";
  for (const m of meters) {
    for (const r of readingsByMeter[m.id] ?? []) {
      const before = last[m.id];
      if (!before || compareReadings(r, before) > 0) last[m.id] = r;
      if (r.readOn > latest) latest = r.readOn;
    }
  }
  const to = latest.slice(0, 7);
  const months = latest === ""
    ? []
    : monthlyConsumption(meters, readingsByMeter, { from: addMonths(to, 1 - SUMMARY_MONTHS), to });
  return { meters: [...meters], last, months };
}

/** The months of [from, to] ("YYYY-MM"), each listed, zero where the summary has none. */
export function summaryMonths(
  summary: WaterSummary,
  range: { from: string; to: string },
): MonthlyConsumption[] {
  const byPeriod = new Map(summary.months.map((m) => [m.period, m]));
  const out: MonthlyConsumption[] = [];
  for (let p = range.from; p <= range.to; p = addMonths(p, 1)) {
    out.push(byPeriod.get(p) ?? { period: p, cold: 0, hot: 0, estimated: false, days: 0 });
  }
  return out;
}

/** Every meter of a unit and every reading: for writing a summary (never on a page view). */
async function wholeWater(kv: Deno.Kv, unitId: string) {
  const meters = await listMeters(kv, unitId);
  const lists = await Promise.all(meters.map((m) => listReadings(kv, m.id)));
  return { meters, readingsByMeter: Object.fromEntries(meters.map((m, i) => [m.id, lists[i]])) };
}

/**
 * Adds the unit's new summary to the caller's atomic op: the stored meters and readings with
 * `change` applied (meters added or replaced, readings added), checked against the summary's
 * versionstamp read before them, so a concurrent writer of the same unit makes this op fail
 * (and the caller retry) instead of leaving a summary that misses its readings.
 */
export async function addWaterSummary(
  op: Deno.AtomicOperation,
  kv: Deno.Kv,
  unitId: string,
  change: { meters?: readonly Meter[]; readings?: readonly Reading[] },
): Promise<WaterSummary> {
  const [entry, unit] = await kv.getMany<[WaterSummary, Unit]>([
    keys.waterSummary(unitId),
    keys.units(unitId),
  ]);
  const { meters, readingsByMeter } = await wholeWater(kv, unitId);
  for (const m of change.meters ?? []) {
    const i = meters.findIndex((x) => x.id === m.id);
    if (i >= 0) meters[i] = m;
    else meters.push(m);
  }
  for (const r of change.readings ?? []) {
    readingsByMeter[r.meterId] = [...(readingsByMeter[r.meterId] ?? []), r];
  }
  const summary = computeWaterSummary(meters, readingsByMeter);
  op.check(entry).set(keys.waterSummary(unitId), summary);
  // The building's average (water_page.ts) is remembered under this stamp.
  if (unit.value) op.set(keys.buildingWaterStamp(unit.value.buildingId), unitId);
  return summary;
}

/**
 * The unit's summary as read in the caller's getMany; rebuilt from the whole history (and
 * stored) when missing: data written before summaries existed, once per unit.
 */
export async function readWaterSummary(
  kv: Deno.Kv,
  unitId: string,
  entry: Deno.KvEntryMaybe<WaterSummary>,
): Promise<WaterSummary> {
  if (entry.value) return entry.value;
  const { meters, readingsByMeter } = await wholeWater(kv, unitId);
  const summary = computeWaterSummary(meters, readingsByMeter);
  // Only where still missing: a writer that stored a newer one meanwhile wins.
  await kv.atomic().check(entry).set(keys.waterSummary(unitId), summary).commit();
  return summary;
}
