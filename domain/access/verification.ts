/**
 * What the office needs to verify a request against the register: the units at the address the
 * applicant typed (matched as people write addresses), the name check of each, other units of
 * the same building whose register names match the applicant (a garage, a second flat), and a
 * register search from the request's card. Reading only; the decision is `approveAccessRequest`.
 */
import {
  type Building,
  getBuilding,
  getUnits,
  listUnitsOfBuilding,
  matchAddress,
  type Unit,
  unitAddress,
} from "../backoffice/register.ts";
import { searchUnits } from "../backoffice/register_search.ts";
import type { AccessRequest } from "./access_requests.ts";
import { checkName, type NameCheck } from "./name_check.ts";

export type CheckedUnit = { unit: Unit; label: string; check: NameCheck };

export type RequestFindings = {
  /** Where the typed address stands: no register at all, no such street, no such building on it,
   * the building but no such unit, or the unit(s) found. */
  address: "no_register" | "no_street" | "no_building" | "no_unit" | "found";
  /** The register's street(s) the typed one names ("Kaz. Wielkiego" → "Kazimierza Wielkiego"). */
  streets: string[];
  /** Units at the typed address, each with its name check. */
  atAddress: CheckedUnit[];
  /** Other units of the building(s) at the address whose register names match the applicant. */
  sameName: CheckedUnit[];
};

function labelled(unit: Unit, buildings: Map<string, Building>): string {
  const b = buildings.get(unit.buildingId);
  return b ? unitAddress(b, unit) : unit.number;
}

export async function requestFindings(
  kv: Deno.Kv,
  request: AccessRequest,
): Promise<RequestFindings> {
  const m = await matchAddress(kv, request);
  const buildings = new Map(m.buildings.map((b) => [b.id, b]));
  const atAddress = m.units.map((unit) => ({
    unit,
    label: labelled(unit, buildings),
    check: checkName(request, unit),
  }));
  const taken = new Set(m.units.map((u) => u.id));
  const sameName: CheckedUnit[] = [];
  for (const b of m.buildings) {
    for (const unit of await listUnitsOfBuilding(kv, b.id)) {
      if (taken.has(unit.id)) continue;
      const check = checkName(request, unit);
      if (check.verdict === "match") {
        sameName.push({ unit, label: labelled(unit, buildings), check });
      }
    }
  }
  const address = m.emptyRegister
    ? "no_register"
    : m.streets.length === 0
    ? "no_street"
    : m.buildings.length === 0
    ? "no_building"
    : m.units.length === 0
    ? "no_unit"
    : "found";
  return { address, streets: m.streets, atAddress, sameName };
}

/** Units by id with their name check against the request (units chosen on the card). */
export async function checkUnitsForRequest(
  kv: Deno.Kv,
  request: AccessRequest,
  unitIds: string[],
): Promise<CheckedUnit[]> {
  const units = await getUnits(kv, unitIds);
  const buildings = new Map<string, Building>();
  for (const id of new Set(units.map((u) => u.buildingId))) {
    const b = await getBuilding(kv, id);
    if (b) buildings.set(id, b);
  }
  return units.map((unit) => ({
    unit,
    label: labelled(unit, buildings),
    check: checkName(request, unit),
  }));
}

/** The register search inside a request's card: units with their name check. */
export async function searchUnitsForRequest(
  kv: Deno.Kv,
  request: AccessRequest,
  query: string,
): Promise<{ hits: CheckedUnit[]; truncated: boolean }> {
  const found = await searchUnits(kv, query);
  return {
    hits: found.hits.map((h) => ({
      unit: h.unit,
      label: h.label,
      check: checkName(request, h.unit),
    })),
    truncated: found.truncated,
  };
}
