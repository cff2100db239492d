/**
 * The cooperative's register: buildings and the units (flats, garages, commercial premises) in
 * them. Staff match a registration request to units by address (`findUnitsByAddress`).
 */
import type { Clock } from "./clock.ts";
import { newId } from "./ids.ts";
import { keys } from "./keys.ts";
import { isValidNrb, normalizeNrb } from "./nrb.ts";

export type Building = {
  id: string;
  /** Street name without the "ul." prefix, e.g. "Kazimierza Wielkiego". */
  street: string;
  /** Building number, e.g. "12" or "5a". */
  number: string;
  postalCode: string;
  city: string;
};

export type UnitKind = "flat" | "garage" | "commercial";

export const unitKindLabels: Record<UnitKind, string> = {
  flat: "mieszkanie",
  garage: "garaż",
  commercial: "lokal użytkowy",
};

export type Unit = {
  id: string;
  buildingId: string;
  /** Unit number within the building, e.g. "12" or "G3". */
  number: string;
  kind: UnitKind;
  /** Usable floor area in square centimetres (48,50 m² = 485000): integers only. */
  areaCm2: number;
  /** Persons declared as living there (the base of the waste charge). */
  persons: number;
  /** The unit's individual account for payments: 26 NRB digits, no spaces. */
  bankAccount: string;
  /** Names of the people holding or using the unit, as in the register. */
  occupants: string[];
};

export type NewBuilding = Omit<Building, "id">;
export type NewUnit = Omit<Unit, "id">;

export type CreateUnitResult =
  | { ok: true; unit: Unit }
  | { ok: false; reason: "unknown_building" | "invalid_bank_account" };

/** Lower case, no diacritics (ł → l as well), whitespace collapsed. */
function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[łŁ]/g, "l")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The normalized "street|building|unit" under which units are indexed. Lower case, diacritics
 * folded (so "Słowiańska" and "Slowianska" match: residents often type without them), spaces
 * collapsed; a leading "ul." / "ul " / "ulica" is dropped from the street; spaces are dropped
 * from the numbers ("5 a" = "5a") and a leading "m." / "lok." from the unit number.
 */
export function addressKey(street: string, buildingNo: string, unitNo: string): string {
  const s = fold(street).replace(/^(ulica\s+|ul\.\s*|ul\s+)/, "").replace(/\s*\.\s*/g, ". ")
    .trim();
  const b = fold(buildingNo).replace(/\s+/g, "");
  const u = fold(unitNo).replace(/^(m\.\s*|m\s+|lok\.\s*|lokal\s+|nr\.?\s*)/, "")
    .replace(/\s+/g, "");
  return `${s}|${b}|${u}`;
}

/** "ul. Kazimierza Wielkiego 12/5"; a garage "ul. Kazimierza Wielkiego 12, garaż G3". */
export function unitAddress(building: Building, unit: Unit): string {
  const street = `ul. ${building.street} ${building.number}`;
  return unit.kind === "flat"
    ? `${street}/${unit.number}`
    : `${street}, ${unitKindLabels[unit.kind]} ${unit.number}`;
}

function assertCount(name: string, value: number) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name}: expected a non-negative integer, got ${value}`);
  }
}

export async function createBuilding(
  kv: Deno.Kv,
  clock: Clock,
  draft: NewBuilding,
): Promise<Building> {
  const building: Building = { id: newId(clock()), ...draft };
  const result = await kv.atomic()
    .check({ key: keys.buildings(building.id), versionstamp: null })
    .set(keys.buildings(building.id), building)
    .commit();
  if (!result.ok) throw new Error(`building id ${building.id} already taken`);
  return building;
}

export async function getBuilding(kv: Deno.Kv, buildingId: string): Promise<Building | null> {
  return (await kv.get<Building>(keys.buildings(buildingId))).value;
}

export async function listBuildings(kv: Deno.Kv): Promise<Building[]> {
  const out: Building[] = [];
  for await (const e of kv.list<Building>({ prefix: keys.buildingsAll() })) out.push(e.value);
  return out;
}

/** Creates a unit with its building and address indexes in one atomic op. */
export async function createUnit(
  kv: Deno.Kv,
  clock: Clock,
  draft: NewUnit,
): Promise<CreateUnitResult> {
  assertCount("areaCm2", draft.areaCm2);
  assertCount("persons", draft.persons);
  const bankAccount = normalizeNrb(draft.bankAccount);
  if (!isValidNrb(bankAccount)) return { ok: false, reason: "invalid_bank_account" };
  const building = await kv.get<Building>(keys.buildings(draft.buildingId));
  if (!building.value) return { ok: false, reason: "unknown_building" };

  const unit: Unit = { ...draft, id: newId(clock()), bankAccount, occupants: [...draft.occupants] };
  const address = addressKey(building.value.street, building.value.number, unit.number);
  const result = await kv.atomic()
    .check(building)
    .check({ key: keys.units(unit.id), versionstamp: null })
    .set(keys.units(unit.id), unit)
    .set(keys.unitsByBuilding(unit.buildingId, unit.id), unit.id)
    .set(keys.unitsByAddress(address, unit.id), unit.id)
    .commit();
  if (!result.ok) {
    // Buildings are not edited here, so this is a deleted building or a colliding id.
    if (!(await kv.get(keys.buildings(draft.buildingId))).value) {
      return { ok: false, reason: "unknown_building" };
    }
    throw new Error(`unit id ${unit.id} already taken`);
  }
  return { ok: true, unit };
}

export async function getUnit(kv: Deno.Kv, unitId: string): Promise<Unit | null> {
  return (await kv.get<Unit>(keys.units(unitId))).value;
}

/** Units by id, in the order asked; missing ones are left out. */
export async function getUnits(kv: Deno.Kv, ids: readonly string[]): Promise<Unit[]> {
  const out: Unit[] = [];
  // kv.getMany takes at most 10 keys.
  for (let i = 0; i < ids.length; i += 10) {
    const batch = await kv.getMany<Unit[]>(ids.slice(i, i + 10).map((id) => keys.units(id)));
    for (const e of batch) if (e.value) out.push(e.value);
  }
  return out;
}

const kindOrder: Record<UnitKind, number> = { flat: 0, commercial: 1, garage: 2 };

/** Flats first, then commercial premises, then garages; numbers in natural order (2 < 10). */
export function compareUnits(a: Unit, b: Unit): number {
  return kindOrder[a.kind] - kindOrder[b.kind] ||
    a.number.localeCompare(b.number, "pl", { numeric: true }) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export async function listUnitsOfBuilding(kv: Deno.Kv, buildingId: string): Promise<Unit[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: keys.unitsByBuildingAll(buildingId) })) {
    ids.push(e.value);
  }
  return (await getUnits(kv, ids)).sort(compareUnits);
}

/** Units at the address a resident typed ("ul. Słowiańska", "27", "m. 4" finds Słowiańska 27/4). */
export async function findUnitsByAddress(
  kv: Deno.Kv,
  street: string,
  building: string,
  unit: string,
): Promise<Unit[]> {
  const ids: string[] = [];
  const prefix = keys.unitsByAddressAll(addressKey(street, building, unit));
  for await (const e of kv.list<string>({ prefix })) ids.push(e.value);
  return (await getUnits(kv, ids)).sort(compareUnits);
}
