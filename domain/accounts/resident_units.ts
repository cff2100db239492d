/** The units a resident may see: only those linked to the account, nothing else, ever. */
import type { Account } from "./accounts.ts";
import {
  type Building,
  compareUnits,
  getBuilding,
  getUnits,
  type Unit,
} from "../backoffice/register.ts";

export type ResidentUnit = { unit: Unit; building: Building | null };

export async function listResidentUnits(kv: Deno.Kv, account: Account): Promise<ResidentUnit[]> {
  const units = (await getUnits(kv, account.unitIds)).sort(compareUnits);
  const buildings = new Map<string, Building | null>();
  for (const u of units) {
    if (!buildings.has(u.buildingId)) {
      buildings.set(u.buildingId, await getBuilding(kv, u.buildingId));
    }
  }
  return units.map((unit) => ({ unit, building: buildings.get(unit.buildingId) ?? null }));
}

/** The unit asked for, if the account holds it; otherwise null (the route answers 404). */
export function pickResidentUnit(
  units: ResidentUnit[],
  unitId: string | undefined,
): ResidentUnit | null {
  if (unitId === undefined || unitId === "") return units[0] ?? null;
  return units.find((u) => u.unit.id === unitId) ?? null;
}
