/**
 * Import of water meters: new meters, replacements (a new meter that replaces an old one, with
 * the old one's final and the new one's start reading — `swapMeter`), and changes of a meter's
 * location or legalisation date (after a re-legalisation).
 *
 * Identity: the serial number. The unit, the kind and the installation date of a stored meter
 * never change through an import (a different one is refused): a meter moved to another flat is
 * a removal and a new installation.
 */
import { z } from "zod";
import type { Clock } from "../../shared/clock.ts";
import { formatDatePl } from "../../shared/csv.ts";
import { keys } from "../../shared/keys.ts";
import { getUnitIdsByExternalIds } from "../register.ts";
import {
  addMeter,
  listReadings,
  type Meter,
  type MeterKind,
  meterKindLabels,
  type NewMeter,
  swapMeter,
  type SwapMeterResult,
  updateMeterDetails,
} from "../../water/water.ts";
import {
  type ChunkOutcome,
  codeField,
  type ColumnDef,
  dateField,
  emptyOutcome,
  type ImportKindDef,
  optionalLitresField,
  optionalText,
  type PlannedRow,
  type SourceRow,
  type StoredRow,
  textField,
  wordField,
} from "./types.ts";
import { addedRow, m3, refusedRow, unchangedOrChanged, unknownUnitReason } from "./planned.ts";

const meterKindWords: Record<string, MeterKind> = {
  "zimna": "cold",
  "zimna woda": "cold",
  "zw": "cold",
  "cold": "cold",
  "ciepla": "hot",
  "ciepla woda": "hot",
  "cw": "hot",
  "hot": "hot",
};

export const meterColumns: readonly ColumnDef[] = [
  {
    key: "unit",
    header: "lokal",
    aliases: ["kod lokalu"],
    required: true,
    meaning: "kod lokalu, w którym jest wodomierz",
    format: "np. KW12/7",
  },
  {
    key: "serialNo",
    header: "numer fabryczny",
    aliases: ["nr fabryczny", "numer wodomierza", "nr wodomierza"],
    required: true,
    meaning: "numer fabryczny wodomierza — tożsamość wodomierza, unikalny",
    format: "tekst do 40 znaków, np. ZW-26123456",
  },
  {
    key: "kind",
    header: "rodzaj",
    required: true,
    meaning: "rodzaj wody",
    format: "zimna albo ciepła",
  },
  {
    key: "location",
    header: "miejsce",
    aliases: ["lokalizacja"],
    required: true,
    meaning: "gdzie jest wodomierz",
    format: "np. łazienka, kuchnia",
  },
  {
    key: "installedOn",
    header: "data montażu",
    required: true,
    meaning: "dzień montażu (przy wymianie: dzień wymiany)",
    format: "25.11.2026 albo 2026-11-25",
  },
  {
    key: "legalUntil",
    header: "legalizacja do",
    aliases: ["ważność legalizacji"],
    required: true,
    meaning: "koniec ważności legalizacji",
    format: "25.11.2031",
  },
  {
    key: "replaces",
    header: "zastępuje",
    aliases: ["wymieniony wodomierz"],
    required: false,
    meaning:
      "numer fabryczny wodomierza, który ten zastępuje (wymiana); wtedy wymagane oba stany poniżej",
    format: "numer fabryczny",
  },
  {
    key: "finalLitres",
    header: "stan końcowy zastępowanego",
    required: false,
    meaning: "stan zdjętego wodomierza w dniu wymiany, m³",
    format: "123,456",
  },
  {
    key: "startLitres",
    header: "stan początkowy",
    required: false,
    meaning: "stan nowego wodomierza w dniu wymiany, m³",
    format: "0,012",
  },
];

const meterSchema = z.object({
  unit: codeField(),
  serialNo: codeField(),
  kind: wordField(meterKindWords, { required: true, expected: "zimna albo ciepła" }),
  location: textField({ required: true, max: 60 }),
  installedOn: dateField,
  legalUntil: dateField,
  replaces: optionalText(40),
  finalLitres: optionalLitresField,
  startLitres: optionalLitresField,
}).superRefine((row, ctx) => {
  if (row.legalUntil <= row.installedOn) {
    ctx.addIssue({
      code: "custom",
      path: ["legalUntil"],
      message: "koniec legalizacji musi być po dacie montażu",
    });
  }
  if (row.replaces !== undefined) {
    if (row.finalLitres === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["finalLitres"],
        message: "przy wymianie podaj stan końcowy zastępowanego wodomierza",
      });
    }
    if (row.startLitres === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["startLitres"],
        message: "przy wymianie podaj stan początkowy nowego wodomierza",
      });
    }
    if (row.replaces === row.serialNo) {
      ctx.addIssue({
        code: "custom",
        path: ["replaces"],
        message: "wodomierz nie zastępuje sam siebie",
      });
    }
  }
});

export type MeterRow = z.output<typeof meterSchema>;

export type MeterApply =
  | { t: "add"; meter: NewMeter }
  | {
    t: "swap";
    oldMeterId: string;
    serialNo: string;
    location: string;
    legalUntil: string;
    on: string;
    finalLitres: number;
    startLitres: number;
  }
  | { t: "update"; meterId: string; unitId: string; location: string; legalUntil: string };

/** Every stored meter by serial number (a scan: a cooperative has thousands, not millions). */
export async function metersBySerial(kv: Deno.Kv): Promise<Map<string, Meter[]>> {
  const out = new Map<string, Meter[]>();
  for await (const e of kv.list<Meter>({ prefix: keys.metersAll() })) {
    const list = out.get(e.value.serialNo);
    if (list) list.push(e.value);
    else out.set(e.value.serialNo, [e.value]);
  }
  return out;
}

function cellsOf(row: MeterRow): string[] {
  return [
    row.unit,
    row.serialNo,
    meterKindLabels[row.kind as MeterKind],
    row.location,
    formatDatePl(row.installedOn),
    row.replaces ?? "",
  ];
}

/** Why a stored meter cannot be the row's meter; null when it can. */
function identityConflict(stored: Meter, unitId: string, row: MeterRow): string | null {
  if (stored.unitId !== unitId) {
    return `wodomierz ${row.serialNo} jest zapisany w innym lokalu — przeniesienie to demontaż i montaż nowego`;
  }
  if (stored.kind !== row.kind) {
    return `wodomierz ${row.serialNo} jest zapisany jako ${meterKindLabels[stored.kind]}`;
  }
  if (stored.installedOn !== row.installedOn) {
    return `wodomierz ${row.serialNo} ma zapisaną datę montażu ${
      formatDatePl(stored.installedOn)
    } — import jej nie zmienia`;
  }
  return null;
}

function meterChanges(stored: Meter, row: { location: string; legalUntil: string }): string[] {
  const out: string[] = [];
  if (stored.location !== row.location) out.push(`miejsce: ${stored.location} → ${row.location}`);
  if (stored.legalUntil !== row.legalUntil) {
    out.push(
      `legalizacja do: ${formatDatePl(stored.legalUntil)} → ${formatDatePl(row.legalUntil)}`,
    );
  }
  return out;
}

/** A row naming a meter already stored: unchanged, a change of its description, or refused. */
function planKnownMeter(
  row: SourceRow<MeterRow>,
  meter: Meter,
  unitId: string,
): PlannedRow<MeterApply> {
  const d = row.data;
  const conflict = identityConflict(meter, unitId, d);
  if (conflict) return refusedRow(row, conflict);
  return unchangedOrChanged(row, meterChanges(meter, d), {
    t: "update",
    meterId: meter.id,
    unitId,
    location: d.location,
    legalUntil: d.legalUntil,
  });
}

function planNewMeter(row: SourceRow<MeterRow>, unitId: string): PlannedRow<MeterApply> {
  const d = row.data;
  return addedRow(row, {
    t: "add",
    meter: {
      unitId,
      kind: d.kind as MeterKind,
      serialNo: d.serialNo,
      location: d.location,
      installedOn: d.installedOn,
      legalUntil: d.legalUntil,
    },
  });
}

/** Why the replaced meter cannot be swapped on the row's day; null when it can. */
async function replacementConflict(
  kv: Deno.Kv,
  d: MeterRow,
  old: Meter,
  unitId: string,
  firstLine: number | undefined,
): Promise<string | null> {
  if (firstLine !== undefined) {
    return `wodomierz ${d.replaces} jest już wymieniany w wierszu ${firstLine}`;
  }
  if (old.unitId !== unitId) return `zastępowany wodomierz ${d.replaces} jest w innym lokalu`;
  if (old.kind !== d.kind) {
    return `zastępowany wodomierz ${d.replaces} to ${meterKindLabels[old.kind]}`;
  }
  if (old.removedOn) {
    return `wodomierz ${d.replaces} zdemontowano już ${formatDatePl(old.removedOn)}`;
  }
  if (d.installedOn < old.installedOn) {
    return `dzień wymiany przed montażem zastępowanego wodomierza (${
      formatDatePl(old.installedOn)
    })`;
  }
  const readings = await listReadings(kv, old.id);
  const after = readings.find((r) => r.readOn > d.installedOn);
  if (after) {
    return `zastępowany wodomierz ma odczyt po dniu wymiany (${formatDatePl(after.readOn)})`;
  }
  const last = readings[readings.length - 1];
  if (last && d.finalLitres! < last.litres) {
    return `stan końcowy ${m3(d.finalLitres!)} niższy od ostatniego odczytu ${m3(last.litres)} z ${
      formatDatePl(last.readOn)
    }`;
  }
  return null;
}

/** A new meter that replaces a stored one (`replacedInFile`: old meter id → first line). */
async function planReplacement(
  kv: Deno.Kv,
  row: SourceRow<MeterRow>,
  unitId: string,
  bySerial: Map<string, Meter[]>,
  replacedInFile: Map<string, number>,
): Promise<PlannedRow<MeterApply>> {
  const d = row.data;
  const olds = bySerial.get(d.replaces!) ?? [];
  if (olds.length !== 1) {
    return refusedRow(
      row,
      olds.length === 0
        ? `zastępowanego wodomierza ${d.replaces} nie ma w rejestrze`
        : `numer fabryczny ${d.replaces} ma w rejestrze więcej niż jeden wodomierz`,
    );
  }
  const old = olds[0];
  const conflict = await replacementConflict(kv, d, old, unitId, replacedInFile.get(old.id));
  if (conflict) return refusedRow(row, conflict);
  replacedInFile.set(old.id, row.line);
  return addedRow(row, {
    t: "swap",
    oldMeterId: old.id,
    serialNo: d.serialNo,
    location: d.location,
    legalUntil: d.legalUntil,
    on: d.installedOn,
    finalLitres: d.finalLitres!,
    startLitres: d.startLitres!,
  }, `wymiana wodomierza ${d.replaces}`);
}

async function plan(
  kv: Deno.Kv,
  _clock: Clock,
  rows: SourceRow<MeterRow>[],
): Promise<PlannedRow<MeterApply>[]> {
  const unitIds = await getUnitIdsByExternalIds(kv, rows.map((r) => r.data.unit));
  const bySerial = await metersBySerial(kv);
  const replacedInFile = new Map<string, number>();
  const out: PlannedRow<MeterApply>[] = [];
  for (const row of rows) {
    const d = row.data;
    const unitId = unitIds.get(d.unit);
    const stored = bySerial.get(d.serialNo) ?? [];
    if (!unitId) out.push(refusedRow(row, unknownUnitReason(d.unit)));
    else if (stored.length > 1) {
      out.push(
        refusedRow(row, `numer fabryczny ${d.serialNo} ma w rejestrze więcej niż jeden wodomierz`),
      );
    } else if (stored.length === 1) out.push(planKnownMeter(row, stored[0], unitId));
    else if (d.replaces === undefined) out.push(planNewMeter(row, unitId));
    else out.push(await planReplacement(kv, row, unitId, bySerial, replacedInFile));
  }
  return out;
}

function swapRefusal(result: Exclude<SwapMeterResult, { ok: true }>): string {
  switch (result.reason) {
    case "unknown_meter":
      return "zastępowanego wodomierza nie ma już w rejestrze";
    case "meter_removed":
      return `zastępowany wodomierz zdemontowano ${formatDatePl(result.removedOn)}`;
    case "before_installation":
      return `dzień wymiany przed montażem (${formatDatePl(result.installedOn)})`;
    case "lower_than_previous":
      return `stan końcowy niższy od odczytu ${m3(result.previous.litres)}`;
    case "readings_after_swap":
      return `zastępowany wodomierz ma odczyt po dniu wymiany (${
        formatDatePl(result.next.readOn)
      })`;
    case "conflict":
      return "wodomierz zmieniano w tym samym czasie — spróbuj ponownie";
  }
}

async function apply(
  kv: Deno.Kv,
  clock: Clock,
  rows: StoredRow<MeterApply>[],
): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  const bySerial = await metersBySerial(kv);
  for (const row of rows) {
    const a = row.apply;
    if (a.t === "update") {
      const key = keys.meters(a.unitId, a.meterId);
      const entry = await kv.get<Meter>(key);
      if (!entry.value) {
        outcome.refused.push({ line: row.line, reason: "wodomierza nie ma już w rejestrze" });
        continue;
      }
      if (meterChanges(entry.value, a).length === 0) {
        outcome.unchanged++;
        continue;
      }
      // Only the descriptive fields change: the meter's index is left alone.
      const ok = await updateMeterDetails(kv, entry as Deno.KvEntry<Meter>, {
        location: a.location,
        legalUntil: a.legalUntil,
      });
      if (ok) outcome.changed++;
      else {
        outcome.refused.push({
          line: row.line,
          reason: "wodomierz zmieniano w tym samym czasie — spróbuj ponownie",
        });
      }
      continue;
    }
    const serialNo = a.t === "add" ? a.meter.serialNo : a.serialNo;
    const existing = bySerial.get(serialNo);
    if (existing && existing.length > 0) {
      // Written before a crash: counted once, never added twice. Another meter with this
      // number, stored meanwhile by someone else, is refused.
      const same = existing.length === 1 &&
        (a.t === "add"
          ? existing[0].unitId === a.meter.unitId && existing[0].kind === a.meter.kind &&
            existing[0].installedOn === a.meter.installedOn
          : existing[0].replaces === a.oldMeterId);
      if (same) outcome.unchanged++;
      else {
        outcome.refused.push({
          line: row.line,
          reason: `wodomierz ${serialNo} zapisano w międzyczasie z innymi danymi`,
        });
      }
      continue;
    }
    if (a.t === "add") {
      const meter = await addMeter(kv, clock, a.meter);
      bySerial.set(serialNo, [meter]);
      outcome.added++;
      continue;
    }
    const result = await swapMeter(kv, clock, {
      oldMeterId: a.oldMeterId,
      finalReadingLitres: a.finalLitres,
      newMeter: { serialNo: a.serialNo, legalUntil: a.legalUntil, location: a.location },
      startReadingLitres: a.startLitres,
      on: a.on,
      source: "visit",
      enteredBy: "import",
    });
    if (result.ok) {
      bySerial.set(serialNo, [result.newMeter]);
      outcome.added++;
    } else {
      outcome.refused.push({ line: row.line, reason: swapRefusal(result) });
    }
  }
  return outcome;
}

export const metersImport: ImportKindDef<MeterRow, MeterApply> = {
  kind: "meters",
  label: "Wodomierze",
  description: "Wodomierze lokali: nowe, wymiany (ze stanami w dniu wymiany) i zmiany legalizacji.",
  columns: meterColumns,
  sampleHeaders: ["Lokal", "Nr fabryczny", "Rodzaj", "Miejsce", "Montaż", "Zastępuje"],
  schema: meterSchema,
  identity: (row) => ({ key: row.serialNo, label: `wodomierz ${row.serialNo}` }),
  cells: cellsOf,
  plan,
  apply,
};
