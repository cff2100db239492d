/**
 * The building's average water use per person, for residents to compare with their own, when
 * the cooperative enables it (a setting: some cooperatives prefer not to show it).
 */
import { addAuditBy, type AuditBy } from "../backoffice/audit.ts";
import { keys } from "../shared/keys.ts";
import { listUnitsOfBuilding } from "../backoffice/register.ts";
import { getUnitWater } from "./water.ts";
import { monthlyConsumption } from "./water_chart.ts";

export async function isBuildingAverageEnabled(kv: Deno.Kv): Promise<boolean> {
  return (await kv.get<{ enabled: boolean }>(keys.settings("water_building_average"))).value
    ?.enabled ?? false;
}

export async function setBuildingAverageEnabled(kv: Deno.Kv, enabled: boolean, by?: AuditBy) {
  const op = kv.atomic().set(keys.settings("water_building_average"), { enabled });
  addAuditBy(op, by, { action: "settings.water_average_changed", details: { enabled } });
  await op.commit();
}

export type UsePerPerson = {
  /** Litres per person per month, rounded down; null without data or without persons. */
  litresPerPersonMonth: number | null;
  persons: number;
  months: number;
};

/** Litres used over the months with data, per person and month. */
function perPerson(litres: number, persons: number, months: number): number | null {
  return persons > 0 && months > 0 ? Math.floor(litres / persons / months) : null;
}

/** One flat's use per person over [from, to] ("YYYY-MM"), months without readings left out. */
export async function unitUsePerPerson(
  kv: Deno.Kv,
  unitId: string,
  persons: number,
  range: { from: string; to: string },
): Promise<UsePerPerson> {
  const { meters, readingsByMeter } = await getUnitWater(kv, unitId);
  const months = monthlyConsumption(meters, readingsByMeter, range).filter((m) => m.days > 0);
  const litres = months.reduce((sum, m) => sum + m.cold + m.hot, 0);
  return {
    litresPerPersonMonth: perPerson(litres, persons, months.length),
    persons,
    months: months.length,
  };
}

/**
 * The building's flats together: all water over all persons, per month with data. Flats
 * without meters or without declared persons are left out, so they do not lower the average.
 */
export async function buildingUsePerPerson(
  kv: Deno.Kv,
  buildingId: string,
  range: { from: string; to: string },
): Promise<UsePerPerson & { flats: number }> {
  let litresPerMonthSum = 0;
  let persons = 0;
  let flats = 0;
  for (const unit of await listUnitsOfBuilding(kv, buildingId)) {
    if (unit.kind !== "flat" || unit.persons === 0) continue;
    const { meters, readingsByMeter } = await getUnitWater(kv, unit.id);
    if (meters.length === 0) continue;
    const months = monthlyConsumption(meters, readingsByMeter, range).filter((m) => m.days > 0);
    if (months.length === 0) continue;
    const litres = months.reduce((sum, m) => sum + m.cold + m.hot, 0);
    // Each flat's monthly mean, so flats read over fewer months weigh the same per month.
    litresPerMonthSum += Math.floor(litres / months.length);
    persons += unit.persons;
    flats++;
  }
  return {
    litresPerPersonMonth: perPerson(litresPerMonthSum, persons, 1),
    persons,
    months: 1,
    flats,
  };
}
