/**
 * Import of the register: units (flats, garages, commercial premises) and, where the file names
 * a building not yet known, the building (with its address).
 *
 * Identity: the unit's accounting code (`externalId`, e.g. "KW12/7"). A known code with other
 * data is a change (`updateUnit` moves the indexes); an unknown code is a new unit — unless the
 * register already holds a unit without a code at that address, which then gets the code (the
 * first import into a register kept by hand). A building is created once and never changed by
 * an import: an address differing from the stored one is refused.
 */
import { z } from "zod";
import type { Clock } from "../../shared/clock.ts";
import { formatDecimal } from "../../shared/csv.ts";
import { isValidNrb, normalizeNrb } from "../../shared/nrb.ts";
import { cleanText } from "../../shared/text.ts";
import {
  type Building,
  createBuilding,
  createUnit,
  findUnitsByAddress,
  getBuildingByExternalId,
  getUnitByExternalId,
  getUnitIdsByExternalIds,
  getUnits,
  listBuildings,
  type NewUnit,
  type Unit,
  type UnitKind,
  unitKindLabels,
  updateUnit,
} from "../register.ts";
import {
  areaField,
  type ChunkOutcome,
  codeField,
  type ColumnDef,
  countField,
  emptyOutcome,
  foldValue,
  type ImportKindDef,
  optionalText,
  type PlannedRow,
  type SourceRow,
  type StoredRow,
  textField,
  wordField,
} from "./types.ts";
import { addedRow, changedRow, refusedRow, unchangedOrChanged } from "./planned.ts";

const unitKindWords: Record<string, UnitKind> = {
  "mieszkanie": "flat",
  "lokal mieszkalny": "flat",
  "m": "flat",
  "flat": "flat",
  "garaz": "garage",
  "g": "garage",
  "miejsce postojowe": "garage",
  "garage": "garage",
  "lokal uzytkowy": "commercial",
  "uzytkowy": "commercial",
  "u": "commercial",
  "commercial": "commercial",
};

export const unitColumns: readonly ColumnDef[] = [
  {
    key: "externalId",
    header: "lokal",
    aliases: ["kod lokalu"],
    required: true,
    meaning: "kod lokalu w systemie księgowym — tożsamość lokalu, unikalny",
    format: "tekst do 40 znaków, np. KW12/7",
  },
  {
    key: "building",
    header: "budynek",
    aliases: ["kod budynku"],
    required: true,
    meaning: "kod budynku w systemie księgowym",
    format: "tekst do 40 znaków, np. KW12",
  },
  {
    key: "street",
    header: "ulica",
    required: false,
    meaning:
      "ulica budynku (bez „ul.”); potrzebna tylko, gdy budynku jeszcze nie ma w rejestrze — wtedy razem z numerem budynku, kodem pocztowym i miejscowością",
    format: "tekst, np. Kazimierza Wielkiego",
  },
  {
    key: "buildingNo",
    header: "nr budynku",
    aliases: ["numer budynku"],
    required: false,
    meaning: "numer budynku (jak wyżej)",
    format: "np. 12 albo 5a",
  },
  {
    key: "postalCode",
    header: "kod pocztowy",
    required: false,
    meaning: "kod pocztowy budynku (jak wyżej)",
    format: "np. 67-200",
  },
  {
    key: "city",
    header: "miejscowość",
    aliases: ["miasto"],
    required: false,
    meaning: "miejscowość budynku (jak wyżej)",
    format: "np. Głogów",
  },
  {
    key: "number",
    header: "numer",
    aliases: ["nr lokalu", "numer lokalu"],
    required: true,
    meaning: "numer lokalu w budynku",
    format: "np. 7 albo G2",
  },
  {
    key: "kind",
    header: "rodzaj",
    required: true,
    meaning: "rodzaj lokalu",
    format: "mieszkanie, garaż albo lokal użytkowy",
  },
  {
    key: "areaCm2",
    header: "powierzchnia",
    required: true,
    meaning: "powierzchnia użytkowa w m²",
    format: "54,30",
  },
  {
    key: "persons",
    header: "osoby",
    aliases: ["liczba osób"],
    required: true,
    meaning: "liczba osób zgłoszonych w lokalu (podstawa opłaty za odpady)",
    format: "liczba całkowita, np. 3",
  },
  {
    key: "bankAccount",
    header: "rachunek",
    aliases: ["numer rachunku", "nr rachunku"],
    required: true,
    meaning: "indywidualny rachunek lokalu do wpłat (NRB)",
    format: "26 cyfr, spacje dozwolone",
  },
  {
    key: "occupants",
    header: "użytkownicy",
    aliases: ["osoby uprawnione", "właściciele"],
    required: false,
    meaning:
      "imiona i nazwiska osób, którym przysługuje lokal, rozdzielone przecinkami; z nimi biuro porównuje imię i nazwisko z wniosku o dostęp (bez nich każdy wniosek do lokalu wymaga potwierdzenia)",
    format: "np. Katarzyna Zielińska, Marek Zieliński",
  },
];

const unitSchema = z.object({
  externalId: codeField(),
  building: codeField(),
  street: optionalText(120).transform((s) => s?.replace(/^(ulica\s+|ul\.\s*|ul\s+)/i, "")),
  buildingNo: optionalText(20),
  postalCode: optionalText(10),
  city: optionalText(80),
  number: textField({ required: true, max: 20 }),
  kind: wordField(unitKindWords, {
    required: true,
    expected: "mieszkanie, garaż albo lokal użytkowy",
  }),
  areaCm2: areaField,
  persons: countField,
  bankAccount: z.string().transform((s, ctx) => {
    const nrb = normalizeNrb(s);
    if (!isValidNrb(nrb)) {
      ctx.addIssue({
        code: "custom",
        message: s.trim() === ""
          ? "brak wartości"
          : `„${s.trim()}” to nie poprawny numer rachunku (26 cyfr z poprawną sumą kontrolną)`,
      });
      return z.NEVER;
    }
    return nrb;
  }),
  occupants: textField({ required: false, max: 500 }).transform((s) =>
    // Names are compared with applicants' (domain/access/name_check.ts): no invisible characters.
    s.split(",").map(cleanText).filter((n) => n !== "")
  ),
}).superRefine((row, ctx) => {
  if (row.postalCode !== undefined && !/^\d{2}-\d{3}$/.test(row.postalCode)) {
    ctx.addIssue({
      code: "custom",
      path: ["postalCode"],
      message: `„${row.postalCode}” — kod pocztowy w postaci 00-000`,
    });
  }
});

export type UnitRow = z.output<typeof unitSchema>;

type BuildingAddress = { street: string; number: string; postalCode: string; city: string };

export type UnitApply = {
  /** The building by code; `create` when the import makes it. */
  building: { code: string; create?: BuildingAddress };
  /** The unit to change (a known code, or a unit without a code at the address); else new. */
  unitId?: string;
  unit: Omit<NewUnit, "buildingId">;
};

function fieldsOf(row: UnitRow): Omit<NewUnit, "buildingId"> {
  return {
    externalId: row.externalId,
    number: row.number,
    kind: row.kind as UnitKind,
    areaCm2: row.areaCm2,
    persons: row.persons,
    bankAccount: row.bankAccount,
    occupants: row.occupants,
  };
}

function addressOf(row: UnitRow): BuildingAddress | null {
  if (!row.street || !row.buildingNo || !row.postalCode || !row.city) return null;
  return { street: row.street, number: row.buildingNo, postalCode: row.postalCode, city: row.city };
}

function sameAddress(a: BuildingAddress, b: BuildingAddress): boolean {
  return foldValue(a.street) === foldValue(b.street) &&
    foldValue(a.number).replace(/\s/g, "") === foldValue(b.number).replace(/\s/g, "") &&
    a.postalCode === b.postalCode && foldValue(a.city) === foldValue(b.city);
}

function addressText(a: BuildingAddress): string {
  return `ul. ${a.street} ${a.number}, ${a.postalCode} ${a.city}`;
}

const area = (cm2: number) => `${formatDecimal(Math.round(cm2 / 100), 2)} m²`;

/** What differs between a stored unit and the row, in words; empty = nothing. */
function unitChanges(
  stored: Unit,
  buildingId: string | null,
  buildingCode: string,
  fields: Omit<NewUnit, "buildingId">,
): string[] {
  const out: string[] = [];
  if (stored.externalId !== fields.externalId) out.push(`nadanie kodu ${fields.externalId}`);
  if (buildingId !== stored.buildingId) out.push(`budynek → ${buildingCode}`);
  if (stored.number !== fields.number) out.push(`numer: ${stored.number} → ${fields.number}`);
  if (stored.kind !== fields.kind) {
    out.push(`rodzaj: ${unitKindLabels[stored.kind]} → ${unitKindLabels[fields.kind]}`);
  }
  if (stored.areaCm2 !== fields.areaCm2) {
    out.push(`powierzchnia: ${area(stored.areaCm2)} → ${area(fields.areaCm2)}`);
  }
  if (stored.persons !== fields.persons) out.push(`osoby: ${stored.persons} → ${fields.persons}`);
  if (stored.bankAccount !== fields.bankAccount) out.push("rachunek");
  if (stored.occupants.join("\u0000") !== fields.occupants.join("\u0000")) {
    out.push(`użytkownicy: ${fields.occupants.join(", ") || "—"}`);
  }
  return out;
}

function cellsOf(row: UnitRow): string[] {
  return [
    row.externalId,
    row.building,
    row.number,
    unitKindLabels[row.kind as UnitKind],
    area(row.areaCm2),
    String(row.persons),
  ];
}

/** What planning a file of units knows and remembers from row to row. */
type UnitPlanning = {
  kv: Deno.Kv;
  /** Stored buildings by code. */
  buildings: Map<string, Building>;
  unitIds: Map<string, string>;
  stored: Map<string, Unit>;
  /** Buildings this file creates: code → address and the first line naming it. */
  newBuildings: Map<string, { address: BuildingAddress; line: number }>;
  /** Addresses taken by rows of this file: "building code|number" → line. */
  takenInFile: Map<string, number>;
  /** Units without a code this file gives a code to: unit id → line. */
  adopted: Map<string, number>;
};

type RowBuilding = { known?: Building; create?: BuildingAddress } | { refused: string };

/** The row's building: a stored one, one this file creates, or why neither. */
function buildingOfRow(p: UnitPlanning, row: SourceRow<UnitRow>): RowBuilding {
  const d = row.data;
  const address = addressOf(d);
  const known = p.buildings.get(d.building);
  if (known) {
    if (address && !sameAddress(address, known)) {
      return {
        refused: `adres budynku ${d.building} w pliku (${
          addressText(address)
        }) różni się od zapisanego (${addressText(known)}) — import nie zmienia budynków`,
      };
    }
    return { known };
  }
  const planned = p.newBuildings.get(d.building);
  if (planned) {
    if (address && !sameAddress(address, planned.address)) {
      return { refused: `inny adres budynku ${d.building} niż w wierszu ${planned.line}` };
    }
    return { create: planned.address };
  }
  if (address) {
    p.newBuildings.set(d.building, { address, line: row.line });
    return { create: address };
  }
  return {
    refused:
      `nieznany budynek „${d.building}” — aby go dodać, podaj ulicę, nr budynku, kod pocztowy i miejscowość`,
  };
}

/** A row whose code is stored: unchanged, a change, or refused when its new address is taken. */
async function planStoredUnit(
  p: UnitPlanning,
  row: SourceRow<UnitRow>,
  storedUnit: Unit,
  known: Building | undefined,
  apply: UnitApply,
  addressKeyInFile: string,
): Promise<PlannedRow<UnitApply>> {
  const d = row.data;
  // Another unit (other code) at the new address?
  if (known && (storedUnit.buildingId !== known.id || storedUnit.number !== d.number)) {
    const there = (await findUnitsByAddress(p.kv, known.street, known.number, d.number))
      .filter((u) => u.id !== storedUnit.id);
    if (there.length > 0) {
      return refusedRow(
        row,
        `pod adresem ${known.street} ${known.number}/${d.number} jest już inny lokal${
          there[0].externalId ? ` (${there[0].externalId})` : ""
        }`,
      );
    }
  }
  p.takenInFile.set(addressKeyInFile, row.line);
  const changes = unitChanges(storedUnit, known?.id ?? null, d.building, apply.unit);
  return unchangedOrChanged(row, changes, { ...apply, unitId: storedUnit.id });
}

/** A new code: is the address free, or held by a unit without a code (it gets this one)? */
async function planNewCode(
  p: UnitPlanning,
  row: SourceRow<UnitRow>,
  known: Building | undefined,
  apply: UnitApply,
  addressKeyInFile: string,
): Promise<PlannedRow<UnitApply>> {
  const d = row.data;
  if (known) {
    const there = await findUnitsByAddress(p.kv, known.street, known.number, d.number);
    const taken = there.find((u) => u.externalId !== undefined);
    if (taken) {
      return refusedRow(
        row,
        `pod adresem ${known.street} ${known.number}/${d.number} jest już lokal o kodzie ${taken.externalId}`,
      );
    }
    const holder = there[0];
    if (holder) {
      const first = p.adopted.get(holder.id);
      if (first !== undefined) {
        return refusedRow(row, `lokal pod tym adresem dostaje już kod w wierszu ${first}`);
      }
      p.adopted.set(holder.id, row.line);
      p.takenInFile.set(addressKeyInFile, row.line);
      const changes = unitChanges(holder, known.id, d.building, apply.unit);
      return changedRow(row, { ...apply, unitId: holder.id }, changes.join("; "));
    }
  }
  p.takenInFile.set(addressKeyInFile, row.line);
  return addedRow(row, apply);
}

async function planUnitRow(
  p: UnitPlanning,
  row: SourceRow<UnitRow>,
): Promise<PlannedRow<UnitApply>> {
  const d = row.data;
  const building = buildingOfRow(p, row);
  if ("refused" in building) return refusedRow(row, building.refused);
  const addressKeyInFile = `${d.building}|${foldValue(d.number)}`;
  const sameInFile = p.takenInFile.get(addressKeyInFile);
  if (sameInFile !== undefined) {
    return refusedRow(
      row,
      `lokal nr ${d.number} w budynku ${d.building} jest już w wierszu ${sameInFile}`,
    );
  }
  const { known, create } = building;
  const apply: UnitApply = {
    building: { code: d.building, ...(create ? { create } : {}) },
    unit: fieldsOf(d),
  };
  const storedId = p.unitIds.get(d.externalId);
  const storedUnit = storedId ? p.stored.get(storedId) : undefined;
  return storedUnit
    ? await planStoredUnit(p, row, storedUnit, known, apply, addressKeyInFile)
    : await planNewCode(p, row, known, apply, addressKeyInFile);
}

async function plan(
  kv: Deno.Kv,
  _clock: Clock,
  rows: SourceRow<UnitRow>[],
): Promise<PlannedRow<UnitApply>[]> {
  const buildings = new Map<string, Building>();
  for (const b of await listBuildings(kv)) if (b.externalId) buildings.set(b.externalId, b);
  const unitIds = await getUnitIdsByExternalIds(kv, rows.map((r) => r.data.externalId));
  const stored = new Map((await getUnits(kv, [...unitIds.values()])).map((u) => [u.id, u]));
  const planning: UnitPlanning = {
    kv,
    buildings,
    unitIds,
    stored,
    newBuildings: new Map(),
    takenInFile: new Map(),
    adopted: new Map(),
  };
  const out: PlannedRow<UnitApply>[] = [];
  for (const row of rows) out.push(await planUnitRow(planning, row));
  return out;
}

const refusalWords: Record<string, string> = {
  unknown_building: "budynku nie ma w rejestrze",
  invalid_bank_account: "niepoprawny numer rachunku",
  external_id_taken: "kod lokalu ma już inny lokal",
  not_found: "lokalu nie ma już w rejestrze",
  conflict: "lokal zmieniano w tym samym czasie — spróbuj ponownie",
};

async function resolveBuilding(
  kv: Deno.Kv,
  clock: Clock,
  ref: UnitApply["building"],
): Promise<Building | null> {
  const known = await getBuildingByExternalId(kv, ref.code);
  if (known || !ref.create) return known;
  try {
    return await createBuilding(kv, clock, { ...ref.create, externalId: ref.code });
  } catch (error) {
    // Created meanwhile by another writer: use it.
    const again = await getBuildingByExternalId(kv, ref.code);
    if (again) return again;
    throw error;
  }
}

async function apply(
  kv: Deno.Kv,
  clock: Clock,
  rows: StoredRow<UnitApply>[],
): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  for (const row of rows) {
    const a = row.apply;
    const building = await resolveBuilding(kv, clock, a.building);
    if (!building) {
      outcome.refused.push({ line: row.line, reason: `nieznany budynek „${a.building.code}”` });
      continue;
    }
    // By code first: a crash may have created or changed it already.
    const byCode = await getUnitByExternalId(kv, a.unit.externalId!);
    const target = byCode ?? (a.unitId ? (await getUnits(kv, [a.unitId]))[0] : undefined);
    if (target) {
      if (target.externalId !== undefined && target.externalId !== a.unit.externalId) {
        outcome.refused.push({ line: row.line, reason: "lokal ma już inny kod" });
        continue;
      }
      if (unitChanges(target, building.id, a.building.code, a.unit).length === 0) {
        outcome.unchanged++;
        continue;
      }
      const updated = await updateUnit(kv, target.id, { ...a.unit, buildingId: building.id });
      if (updated.ok) outcome.changed++;
      else outcome.refused.push({ line: row.line, reason: refusalWords[updated.reason] });
      continue;
    }
    const created = await createUnit(kv, clock, { ...a.unit, buildingId: building.id });
    if (created.ok) outcome.added++;
    else outcome.refused.push({ line: row.line, reason: refusalWords[created.reason] });
  }
  return outcome;
}

export const unitsImport: ImportKindDef<UnitRow, UnitApply> = {
  kind: "units",
  label: "Lokale",
  description:
    "Rejestr lokali (mieszkania, garaże, lokale użytkowe) z ich kodami z systemu księgowego; nowe budynki razem z adresem.",
  columns: unitColumns,
  sampleHeaders: ["Lokal", "Budynek", "Numer", "Rodzaj", "Powierzchnia", "Osoby"],
  schema: unitSchema,
  identity: (row) => ({ key: row.externalId, label: `lokal ${row.externalId}` }),
  cells: cellsOf,
  plan,
  apply,
};
