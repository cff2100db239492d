/**
 * What the resident's water page (/ebok/woda) and the reading form show for a unit, read in one
 * getMany whatever the length of the history: the unit's water summary (water_summary.ts), the
 * "building average" setting, the reading window, the unit's water stamp and its building's
 * water stamp. The settlements and submissions lists are remembered per process under the
 * unit's water stamp, which every op that adds or changes one re-sets (water_settlements.ts,
 * reading_submissions.ts); the building's average under the building's water stamp, which
 * every op that writes one of its units or a unit's water summary re-sets (water_summary.ts,
 * register.ts, matters.ts).
 */
import type { ResidentUnit } from "../accounts/resident_units.ts";
import { addMonths, daysBetween } from "../shared/calendar.ts";
import { keys } from "../shared/keys.ts";
import {
  defaultReadingWindow,
  listUnitSubmissions,
  nextReadingWindow,
  type ReadingSubmission,
  type ReadingWindow,
  type ReadingWindowDates,
} from "./reading_submissions.ts";
import type { Meter, Reading } from "./water.ts";
import {
  type ConsumptionChartRow,
  consumptionChartRows,
  type MonthlyConsumption,
  sameMonthLastYear,
} from "./water_chart.ts";
import { listSettlements, type WaterSettlement } from "./water_settlements.ts";
import { readWaterSummary, summaryMonths, type WaterSummary } from "./water_summary.ts";
import { buildingUsePerPerson, perPerson, usedMonths } from "./water_comparison.ts";

export const CHART_MONTHS = 12;

export type WaterView = {
  meters: { meter: Meter; last: Reading | null; legalDaysLeft: number }[];
  /** The chart's rows: the last months read, up to CHART_MONTHS. */
  chartRows: Required<ConsumptionChartRow>[];
  /** The same with the month a year before, for the table. */
  rows: (Required<ConsumptionChartRow> & { lastYear: { cold: number; hot: number } | null })[];
  comparison?: { own: number | null; building: number | null; persons: number };
  settlements: WaterSettlement[];
  submissions: ReadingSubmission[];
  window: ReadingWindowDates;
  /**
   * Changes whenever the unit's meters, readings, settlements or submissions change (their
   * records' versionstamps), or the settings the page depends on: with the day and the building's
   * average, it names everything the page shows.
   */
  version: string;
};

export function createWaterReader(kv: Deno.Kv) {
  const buildingAverage = createBuildingAverages(kv);
  const unitLists = createUnitLists(kv);
  const read = (unitId: string, buildingId?: string) => readWaterState(kv, unitId, buildingId);

  /** The water page of a unit on `today` ("YYYY-MM-DD"). */
  async function waterView(u: ResidentUnit, today: string): Promise<WaterView> {
    const { summary, summaryVersion, averageShown, window, stamp, buildingStamp } = await read(
      u.unit.id,
      u.unit.buildingId,
    );
    const to = today.slice(0, 7);
    const history = summaryMonths(summary, { from: addMonths(to, -23), to });
    // The months not read yet (the current one) would show as zero use: leave them out.
    while (history.length && history[history.length - 1].days === 0) history.pop();
    const chartRows = consumptionChartRows(history.slice(-CHART_MONTHS));
    let comparison: WaterView["comparison"];
    if (u.unit.kind === "flat" && summary.meters.length && averageShown) {
      const range = { from: addMonths(to, -12), to: addMonths(to, -1) };
      const own = usedMonths(summary, range);
      comparison = {
        own: perPerson(own.litres, u.unit.persons, own.months),
        building: await buildingAverage(u.unit.buildingId, range, buildingStamp),
        persons: u.unit.persons,
      };
    }
    const { settlements, submissions } = await unitLists(u.unit.id, stamp);
    return {
      meters: activeMeters(summary, today),
      chartRows,
      rows: chartRows.map((r) => {
        const before = sameMonthLastYear<MonthlyConsumption>(history, r.period);
        return { ...r, lastYear: before ? { cold: before.cold, hot: before.hot } : null };
      }),
      comparison,
      settlements,
      submissions,
      window: nextReadingWindow(today, window),
      version: `${u.unit.id}|${summaryVersion}|${stamp.versionstamp ?? "none"}|${averageShown}|${
        JSON.stringify(window)
      }`,
    };
  }

  /** The reading form's meters (the unit's current ones, each with its latest reading). */
  async function readingForm(unitId: string, today: string) {
    const { summary, window } = await read(unitId);
    return { meters: activeMeters(summary, today), window: nextReadingWindow(today, window) };
  }

  return { waterView, readingForm };
}

/**
 * The building's average, over its flats: remembered per building and range under the
 * versionstamp of the building's water stamp read in the request's getMany; a new versionstamp
 * (a reading, a meter or a unit of the building written anywhere) invalidates it.
 */
function createBuildingAverages(kv: Deno.Kv) {
  const averages = new Map<string, { stamp: string; average: Promise<number | null> }>();
  return (
    buildingId: string,
    range: { from: string; to: string },
    stampEntry: Deno.KvEntryMaybe<string> | undefined,
  ) => {
    const key = `${buildingId}|${range.from}|${range.to}`;
    const stamp = stampEntry?.versionstamp ?? "none";
    const hit = averages.get(key);
    if (hit && hit.stamp === stamp) return hit.average;
    const entry = { stamp, average: buildingUsePerPerson(kv, buildingId, range) };
    if (averages.size >= 500) averages.clear();
    averages.set(key, entry);
    // A failed read is not kept.
    entry.average.catch(() => averages.get(key) === entry && averages.delete(key));
    return entry.average;
  };
}

/** A unit's settlements and submissions, remembered under its water stamp. */
function createUnitLists(kv: Deno.Kv) {
  const lists = new Map<
    string,
    { stamp: string; settlements: WaterSettlement[]; submissions: ReadingSubmission[] }
  >();
  return async (unitId: string, stamp: Deno.KvEntryMaybe<string>) => {
    const seen = stamp.versionstamp ?? "none";
    const hit = lists.get(unitId);
    if (hit && hit.stamp === seen) return hit;
    const fresh = {
      stamp: seen,
      settlements: await listSettlements(kv, unitId),
      submissions: await listUnitSubmissions(kv, unitId),
    };
    if (lists.size >= 10_000) lists.clear();
    lists.set(unitId, fresh);
    return fresh;
  };
}

/**
 * The unit's summary, the "building average" setting, the reading window and the stamps (the
 * building's only when `buildingId` is given).
 */
async function readWaterState(kv: Deno.Kv, unitId: string, buildingId?: string) {
  const [summaryEntry, average, window, stamp, buildingStamp] = await kv.getMany<
    [WaterSummary, { enabled: boolean }, ReadingWindow, string, ...string[]]
  >([
    keys.waterSummary(unitId),
    keys.settings("water_building_average"),
    keys.readingWindow(),
    keys.waterStamp(unitId),
    ...(buildingId === undefined ? [] : [keys.buildingWaterStamp(buildingId)]),
  ]);
  return {
    summary: await readWaterSummary(kv, unitId, summaryEntry),
    summaryVersion: summaryEntry.versionstamp ?? "none",
    averageShown: average.value?.enabled ?? false,
    window: window.value ?? defaultReadingWindow,
    stamp,
    buildingStamp: buildingStamp as Deno.KvEntryMaybe<string> | undefined,
  };
}

function activeMeters(summary: WaterSummary, today: string) {
  return summary.meters.filter((m) => !m.removedOn).map((meter) => ({
    meter,
    last: summary.last[meter.id] ?? null,
    legalDaysLeft: daysBetween(today, meter.legalUntil),
  }));
}
