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

async function plan(
  kv: Deno.Kv,
  _clock: Clock,
  rows: SourceRow<UnitRow>[],
): Promise<PlannedRow<UnitApply>[]> {
  const buildings = new Map<string, Building>();
  for (const b of await listBuildings(kv)) if (b.externalId) buildings.set(b.externalId, b);
  const unitIds = await getUnitIdsByExternalIds(kv, rows.map((r) => r.data.externalId));
  const stored = new Map((await getUnits(kv, [...unitIds.values()])).map((u) => [u.id, u]));
  /** Buildings this file creates: code → address and the first line naming it. */
  const newBuildings = new Map<string, { address: BuildingAddress; line: number }>();
  /** Addresses taken by rows of this file: "building code|number" → line. */
  const takenInFile = new Map<string, number>();
  /** Units without a code this file gives a code to: unit id → line. */
  const adopted = new Map<string, number>();
  const out: PlannedRow<UnitApply>[] = [];

  for (const row of rows) {
    const d = row.data;
    const refuse = (reason: string) =>
      out.push({ index: row.index, line: row.line, action: "refused", reason });

    // The building.
    const address = addressOf(d);
    const known = buildings.get(d.building);
    let create: BuildingAddress | undefined;
    if (known) {
      if (address && !sameAddress(address, known)) {
        refuse(
          `adres budynku ${d.building} w pliku (${addressText(address)}) różni się od zapisanego (${
            addressText(known)
          }) — import nie zmienia budynków`,
        );
        continue;
      }
    } else {
      const planned = newBuildings.get(d.building);
      if (planned) {
        if (address && !sameAddress(address, planned.address)) {
          refuse(`inny adres budynku ${d.building} niż w wierszu ${planned.line}`);
          continue;
        }
        create = planned.address;
      } else if (address) {
        newBuildings.set(d.building, { address, line: row.line });
        create = address;
      } else {
        refuse(
          `nieznany budynek „${d.building}” — aby go dodać, podaj ulicę, nr budynku, kod pocztowy i miejscowość`,
        );
        continue;
      }
    }

    const addressKeyInFile = `${d.building}|${foldValue(d.number)}`;
    const sameInFile = takenInFile.get(addressKeyInFile);
    if (sameInFile !== undefined) {
      refuse(`lokal nr ${d.number} w budynku ${d.building} jest już w wierszu ${sameInFile}`);
      continue;
    }

    const fields = fieldsOf(d);
    const apply: UnitApply = {
      building: { code: d.building, ...(create ? { create } : {}) },
      unit: fields,
    };
    const storedId = unitIds.get(d.externalId);
    const storedUnit = storedId ? stored.get(storedId) : undefined;
    if (storedUnit) {
      // Another unit (other code) at the new address?
      if (known && (storedUnit.buildingId !== known.id || storedUnit.number !== d.number)) {
        const there = (await findUnitsByAddress(kv, known.street, known.number, d.number))
          .filter((u) => u.id !== storedUnit.id);
        if (there.length > 0) {
          refuse(
            `pod adresem ${known.street} ${known.number}/${d.number} jest już inny lokal${
              there[0].externalId ? ` (${there[0].externalId})` : ""
            }`,
          );
          continue;
        }
      }
      takenInFile.set(addressKeyInFile, row.line);
      const changes = unitChanges(storedUnit, known?.id ?? null, d.building, fields);
      out.push(
        changes.length === 0 ? { index: row.index, line: row.line, action: "unchanged" } : {
          index: row.index,
          line: row.line,
          action: "change",
          note: changes.join("; "),
          apply: { ...apply, unitId: storedUnit.id },
        },
      );
      continue;
    }

    // A new code: is the address free, or held by a unit without a code (it gets this one)?
    if (known) {
      const there = await findUnitsByAddress(kv, known.street, known.number, d.number);
      const taken = there.find((u) => u.externalId !== undefined);
      if (taken) {
        refuse(
          `pod adresem ${known.street} ${known.number}/${d.number} jest już lokal o kodzie ${taken.externalId}`,
        );
        continue;
      }
      const holder = there[0];
      if (holder) {
        const first = adopted.get(holder.id);
        if (first !== undefined) {
          refuse(`lokal pod tym adresem dostaje już kod w wierszu ${first}`);
          continue;
        }
        adopted.set(holder.id, row.line);
        takenInFile.set(addressKeyInFile, row.line);
        const changes = unitChanges(holder, known.id, d.building, fields);
        out.push({
          index: row.index,
          line: row.line,
          action: "change",
          note: changes.join("; "),
          apply: { ...apply, unitId: holder.id },
        });
        continue;
      }
    }
    takenInFile.set(addressKeyInFile, row.line);
    out.push({ index: row.index, line: row.line, action: "add", apply });
  }
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
