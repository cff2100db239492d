/**
 * The cooperative's register: buildings and the units (flats, garages, commercial premises) in
 * them, with the names of the people who hold or use each unit (`occupants`, the base of the name
 * check on a request for access). Imports find a unit by its exact address
 * (`findUnitsByAddress`); a request is matched the way people write addresses (`matchAddress`).
 */
import { buildingKey, matchStreet, unitKey } from "./addresses.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { addAuditBy, type AuditBy } from "./audit.ts";
import { keys } from "../shared/keys.ts";
import { isValidNrb, normalizeNrb } from "../shared/nrb.ts";

export type Building = {
  id: string;
  /** Street name without the "ul." prefix, e.g. "Kazimierza Wielkiego". */
  street: string;
  /** Building number, e.g. "12" or "5a". */
  number: string;
  postalCode: string;
  city: string;
  /** The accounting system's code of the building (e.g. "KW12"), unique; imports refer to it. */
  externalId?: string;
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
  /**
   * The accounting system's code of the unit (e.g. "KW12/7"), unique (`units_by_external_id`):
   * imports of balances, meters, settlements and fee rates name the unit by it.
   */
  externalId?: string;
};

export type NewBuilding = Omit<Building, "id">;
export type NewUnit = Omit<Unit, "id">;

export type CreateUnitResult =
  | { ok: true; unit: Unit }
  | { ok: false; reason: "unknown_building" | "invalid_bank_account" | "external_id_taken" };

export type UpdateUnitResult =
  | { ok: true; unit: Unit }
  | {
    ok: false;
    reason:
      | "not_found"
      | "unknown_building"
      | "invalid_bank_account"
      | "external_id_taken"
      | "conflict";
  };

/** An accounting code: 1–40 characters, no control characters, no spaces at the ends. */
export function isValidExternalId(code: string): boolean {
  // deno-lint-ignore no-control-regex
  return code.length >= 1 && code.length <= 40 && code === code.trim() && !/[\u0000-\u001f\u007f]/
    .test(code);
}

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
  const op = kv.atomic()
    .check({ key: keys.buildings(building.id), versionstamp: null })
    .set(keys.buildings(building.id), building);
  if (building.externalId !== undefined) {
    if (!isValidExternalId(building.externalId)) {
      throw new RangeError(`building externalId: ${building.externalId}`);
    }
    op.check({ key: keys.buildingsByExternalId(building.externalId), versionstamp: null })
      .set(keys.buildingsByExternalId(building.externalId), building.id);
  }
  const result = await op.commit();
  if (!result.ok) {
    if (
      building.externalId !== undefined &&
      (await kv.get(keys.buildingsByExternalId(building.externalId))).value
    ) throw new Error(`building code ${building.externalId} already taken`);
    throw new Error(`building id ${building.id} already taken`);
  }
  return building;
}

export async function getBuilding(kv: Deno.Kv, buildingId: string): Promise<Building | null> {
  return (await kv.get<Building>(keys.buildings(buildingId))).value;
}

/** The building with the accounting system's code `externalId`, if any. */
export async function getBuildingByExternalId(
  kv: Deno.Kv,
  externalId: string,
): Promise<Building | null> {
  const id = (await kv.get<string>(keys.buildingsByExternalId(externalId))).value;
  return id ? await getBuilding(kv, id) : null;
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

  if (draft.externalId !== undefined && !isValidExternalId(draft.externalId)) {
    throw new RangeError(`unit externalId: ${draft.externalId}`);
  }
  const unit: Unit = { ...draft, id: newId(clock()), bankAccount, occupants: [...draft.occupants] };
  const address = addressKey(building.value.street, building.value.number, unit.number);
  const op = kv.atomic()
    .check(building)
    .check({ key: keys.units(unit.id), versionstamp: null })
    .set(keys.units(unit.id), unit)
    .set(keys.unitsByBuilding(unit.buildingId, unit.id), unit.id)
    .set(keys.unitsByAddress(address, unit.id), unit.id)
    // The building's water average (domain/water/water_page.ts) counts its flats.
    .set(keys.buildingWaterStamp(unit.buildingId), unit.id);
  if (unit.externalId !== undefined) {
    op.check({ key: keys.unitsByExternalId(unit.externalId), versionstamp: null })
      .set(keys.unitsByExternalId(unit.externalId), unit.id);
  }
  const result = await op.commit();
  if (!result.ok) {
    if (
      unit.externalId !== undefined &&
      (await kv.get(keys.unitsByExternalId(unit.externalId))).value
    ) return { ok: false, reason: "external_id_taken" };
    // Buildings are not edited here, so this is a deleted building or a colliding id.
    if (!(await kv.get(keys.buildings(draft.buildingId))).value) {
      return { ok: false, reason: "unknown_building" };
    }
    throw new Error(`unit id ${unit.id} already taken`);
  }
  return { ok: true, unit };
}

const MAX_ATTEMPTS = 10;

/**
 * Changes a unit's register data (not its id). Moves its building, address and accounting-code
 * indexes when those change, all in one atomic op guarded by the unit's versionstamp, retried a
 * bounded number of times when another writer got there first.
 */
export async function updateUnit(
  kv: Deno.Kv,
  unitId: string,
  changes: Partial<NewUnit>,
  by?: AuditBy,
): Promise<UpdateUnitResult> {
  if (changes.areaCm2 !== undefined) assertCount("areaCm2", changes.areaCm2);
  if (changes.persons !== undefined) assertCount("persons", changes.persons);
  if (changes.externalId !== undefined && !isValidExternalId(changes.externalId)) {
    throw new RangeError(`unit externalId: ${changes.externalId}`);
  }
  let bankAccount: string | undefined;
  if (changes.bankAccount !== undefined) {
    bankAccount = normalizeNrb(changes.bankAccount);
    if (!isValidNrb(bankAccount)) return { ok: false, reason: "invalid_bank_account" };
  }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await kv.get<Unit>(keys.units(unitId));
    if (!current.value) return { ok: false, reason: "not_found" };
    const old = current.value;
    const unit: Unit = {
      ...old,
      ...changes,
      ...(bankAccount !== undefined ? { bankAccount } : {}),
      ...(changes.occupants ? { occupants: [...changes.occupants] } : {}),
      id: old.id,
    };
    const [oldBuilding, newBuilding] = await kv.getMany<[Building, Building]>([
      keys.buildings(old.buildingId),
      keys.buildings(unit.buildingId),
    ]);
    if (!newBuilding.value) return { ok: false, reason: "unknown_building" };
    const op = kv.atomic().check(current).check(newBuilding).set(keys.units(unit.id), unit)
      // The building's water average (domain/water/water_page.ts) counts its flats' persons.
      .set(keys.buildingWaterStamp(unit.buildingId), unit.id);
    if (unit.buildingId !== old.buildingId) {
      op.delete(keys.unitsByBuilding(old.buildingId, unit.id))
        .set(keys.unitsByBuilding(unit.buildingId, unit.id), unit.id)
        .set(keys.buildingWaterStamp(old.buildingId), unit.id);
    }
    const oldAddress = oldBuilding.value
      ? addressKey(oldBuilding.value.street, oldBuilding.value.number, old.number)
      : null;
    const newAddress = addressKey(newBuilding.value.street, newBuilding.value.number, unit.number);
    if (oldAddress !== newAddress) {
      if (oldAddress !== null) op.delete(keys.unitsByAddress(oldAddress, unit.id));
      op.set(keys.unitsByAddress(newAddress, unit.id), unit.id);
    }
    if (unit.externalId !== old.externalId) {
      if (old.externalId !== undefined) op.delete(keys.unitsByExternalId(old.externalId));
      if (unit.externalId !== undefined) {
        op.check({ key: keys.unitsByExternalId(unit.externalId), versionstamp: null })
          .set(keys.unitsByExternalId(unit.externalId), unit.id);
      }
    }
    addAuditBy(op, by, { action: "unit.updated", details: { unitId: unit.id } });
    if ((await op.commit()).ok) return { ok: true, unit };
    if (unit.externalId !== undefined && unit.externalId !== old.externalId) {
      const holder = (await kv.get<string>(keys.unitsByExternalId(unit.externalId))).value;
      if (holder && holder !== unit.id) return { ok: false, reason: "external_id_taken" };
    }
  }
  return { ok: false, reason: "conflict" };
}

export async function getUnit(kv: Deno.Kv, unitId: string): Promise<Unit | null> {
  return (await kv.get<Unit>(keys.units(unitId))).value;
}

/** The unit with the accounting system's code `externalId`, if any. */
export async function getUnitByExternalId(kv: Deno.Kv, externalId: string): Promise<Unit | null> {
  const id = (await kv.get<string>(keys.unitsByExternalId(externalId))).value;
  return id ? await getUnit(kv, id) : null;
}

/** Unit ids by accounting code, for many codes at once (10 keys per read); unknown codes left out. */
export async function getUnitIdsByExternalIds(
  kv: Deno.Kv,
  externalIds: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(externalIds)];
  for (let i = 0; i < unique.length; i += 10) {
    const slice = unique.slice(i, i + 10);
    const got = await kv.getMany<string[]>(slice.map((c) => keys.unitsByExternalId(c)));
    got.forEach((e, j) => {
      if (e.value) out.set(slice[j], e.value);
    });
  }
  return out;
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

/** The cooperative's streets, each once, in Polish alphabetical order (the form's suggestions). */
export async function listStreets(kv: Deno.Kv): Promise<string[]> {
  const streets = new Map<string, string>();
  for (const b of await listBuildings(kv)) streets.set(addressKey(b.street, "", ""), b.street);
  return [...streets.values()].sort((a, b) => a.localeCompare(b, "pl"));
}

export type AddressMatch = {
  /** The register holds no building at all: nothing to compare with. */
  emptyRegister: boolean;
  /** The register's streets the typed one names (only the exact ones where there are any). */
  streets: string[];
  /** Buildings on those streets, with their numbers (what a passer-by sees anyway). */
  streetBuildings: Building[];
  /** Of those, the buildings with the typed number. */
  buildings: Building[];
  /** Units with the typed number in those buildings. */
  units: Unit[];
};

/**
 * The register's buildings and units at an address as people write it ("Kaz. Wielkiego", "12",
 * "m. 5" finds Kazimierza Wielkiego 12/5; see addresses.ts). Leave `unit` empty to check only
 * the street and building. A scan of the buildings: a cooperative has tens or hundreds.
 */
export async function matchAddress(
  kv: Deno.Kv,
  typed: { street: string; building: string; unit?: string },
): Promise<AddressMatch> {
  const all = await listBuildings(kv);
  const byStreet = all.map((b) => ({ b, how: matchStreet(typed.street, b.street) }))
    .filter((x) => x.how !== null);
  const exact = byStreet.filter((x) => x.how === "exact");
  const streetBuildings = (exact.length > 0 ? exact : byStreet).map((x) => x.b)
    .sort((a, b) => a.number.localeCompare(b.number, "pl", { numeric: true }));
  const number = buildingKey(typed.building);
  const buildings = number === ""
    ? []
    : streetBuildings.filter((b) => buildingKey(b.number) === number);
  const units: Unit[] = [];
  const wanted = unitKey(typed.unit ?? "");
  if (wanted !== "") {
    for (const b of buildings) {
      for (const u of await listUnitsOfBuilding(kv, b.id)) {
        if (unitKey(u.number) === wanted) units.push(u);
      }
    }
  }
  return {
    emptyRegister: all.length === 0,
    streets: [...new Set(streetBuildings.map((b) => b.street))],
    streetBuildings,
    buildings,
    units: units.sort(compareUnits),
  };
}
