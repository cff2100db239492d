/** The units a resident may see: only those linked to the account, nothing else, ever. */
import type { Account } from "./accounts.ts";
import {
  type Building,
  compareUnits,
  getBuilding,
  getUnits,
  type Unit,
} from "../backoffice/register.ts";
import { keys } from "../shared/keys.ts";

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

/** The reader of a resident's units: `createResidentUnitsReader`. */
export type ResidentUnitsReader = (account: Account) => Promise<ResidentUnit[]>;

/**
 * `listResidentUnits` in one `getMany` (up to five units): the units and their buildings, both
 * read from KV every time. To ask for the buildings with the units, the reader remembers which
 * building each unit lay in when last read; that is only a guess, checked against the unit read
 * in the same `getMany` — a unit moved to another building (or not seen before) costs one more
 * `getMany` for the buildings missing, so nothing stale is ever shown and nothing needs
 * invalidating.
 */
export function createResidentUnitsReader(kv: Deno.Kv, maxUnits = 50_000): ResidentUnitsReader {
  const buildingOf = new Map<string, string>();
  return async (account) => {
    const ids = account.unitIds;
    const guessed = [
      ...new Set(ids.map((id) => buildingOf.get(id)).filter((b) => b !== undefined)),
    ];
    const wanted: Deno.KvKey[] = [
      ...ids.map((id) => keys.units(id)),
      ...guessed.map((id) => keys.buildings(id)),
    ];
    const found = new Map<string, Unit | Building | null>();
    for (let i = 0; i < wanted.length; i += 10) {
      for (const e of await kv.getMany<(Unit | Building)[]>(wanted.slice(i, i + 10))) {
        found.set(`${String(e.key[0])}:${String(e.key[1])}`, e.value);
      }
    }
    const units = ids.map((id) => found.get(`units:${id}`) as Unit | null)
      .filter((u): u is Unit => u !== null && u !== undefined).sort(compareUnits);
    const missing = [...new Set(units.map((u) => u.buildingId))]
      .filter((b) => !found.has(`buildings:${b}`));
    for (let i = 0; i < missing.length; i += 10) {
      const slice = missing.slice(i, i + 10);
      for (const e of await kv.getMany<Building[]>(slice.map((b) => keys.buildings(b)))) {
        found.set(`buildings:${String(e.key[1])}`, e.value);
      }
    }
    if (buildingOf.size + units.length > maxUnits) buildingOf.clear();
    for (const u of units) buildingOf.set(u.id, u.buildingId);
    return units.map((unit) => ({
      unit,
      building: (found.get(`buildings:${unit.buildingId}`) as Building | null) ?? null,
    }));
  };
}

/** The unit asked for, if the account holds it; otherwise null (the route answers 404). */
export function pickResidentUnit(
  units: ResidentUnit[],
  unitId: string | undefined,
): ResidentUnit | null {
  if (unitId === undefined || unitId === "") return units[0] ?? null;
  return units.find((u) => u.unit.id === unitId) ?? null;
}
