/**
 * The building's average water use per person, for residents to compare with their own, when
 * the cooperative enables it (a setting: some cooperatives prefer not to show it).
 */
import { addAuditBy, type AuditBy } from "../backoffice/audit.ts";
import { keys } from "../shared/keys.ts";
import { listUnitsOfBuilding } from "../backoffice/register.ts";
import { readWaterSummary, summaryMonths, type WaterSummary } from "./water_summary.ts";

export async function isBuildingAverageEnabled(kv: Deno.Kv): Promise<boolean> {
  return (await kv.get<{ enabled: boolean }>(keys.settings("water_building_average"))).value
    ?.enabled ?? false;
}

export async function setBuildingAverageEnabled(kv: Deno.Kv, enabled: boolean, by?: AuditBy) {
  const op = kv.atomic().set(keys.settings("water_building_average"), { enabled });
  addAuditBy(op, by, { action: "settings.water_average_changed", details: { enabled } });
  await op.commit();
}

/** Litres per person per month, rounded down; null without data or without persons. */
export function perPerson(litres: number, persons: number, months: number): number | null {
  return persons > 0 && months > 0 ? Math.floor(litres / persons / months) : null;
}

/** The months of `range` with readings, and the litres used in them. */
export function usedMonths(summary: WaterSummary, range: { from: string; to: string }) {
  const months = summaryMonths(summary, range).filter((m) => m.days > 0);
  return { months: months.length, litres: months.reduce((s, m) => s + m.cold + m.hot, 0) };
}

/**
 * The building's flats together: all water over all persons, per month with data, from their
 * summaries. Flats without meters or without declared persons are left out, so they do not
 * lower the average. Each flat's monthly mean, so flats read over fewer months weigh the same.
 */
export async function buildingUsePerPerson(
  kv: Deno.Kv,
  buildingId: string,
  range: { from: string; to: string },
): Promise<number | null> {
  const flats = (await listUnitsOfBuilding(kv, buildingId))
    .filter((u) => u.kind === "flat" && u.persons > 0);
  let litresPerMonthSum = 0;
  let persons = 0;
  for (let i = 0; i < flats.length; i += 10) {
    const slice = flats.slice(i, i + 10);
    const got = await kv.getMany<WaterSummary[]>(slice.map((u) => keys.waterSummary(u.id)));
    for (const [j, entry] of got.entries()) {
      const summary = await readWaterSummary(kv, slice[j].id, entry);
      if (summary.meters.length === 0) continue;
      const used = usedMonths(summary, range);
      if (used.months === 0) continue;
      litresPerMonthSum += Math.floor(used.litres / used.months);
      persons += slice[j].persons;
    }
  }
  return perPerson(litresPerMonthSum, persons, 1);
}
