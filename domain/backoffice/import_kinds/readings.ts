/**
 * Import of meter readings (the radio reading system's export, the reader's round).
 *
 * Identity: the meter (by serial number), the day and the value. The same reading again is
 * unchanged; another value on a day that already has one is refused, as is a reading lower than
 * the one before it (stored, or earlier in the file), higher than a later stored one, outside the
 * meter's installation, or dated in the future. Applying goes through `addReadings` (one atomic
 * op per meter when the readings come after the stored ones) or `addReading`.
 */
import { z } from "zod";
import { polishDate } from "../../shared/calendar.ts";
import type { Clock } from "../../shared/clock.ts";
import { formatDatePl } from "../../shared/csv.ts";
import { getUnits } from "../register.ts";
import {
  addReading,
  type AddReadingResult,
  addReadings,
  listReadings,
  type Meter,
  type Reading,
  type ReadingSource,
  readingSourceLabels,
} from "../../water/water.ts";
import { metersBySerial } from "./meters.ts";
import { addedRow, groupBy, m3, refusedRow, unchangedRow } from "./planned.ts";
import {
  type ChunkOutcome,
  codeField,
  type ColumnDef,
  dateField,
  emptyOutcome,
  type ImportKindDef,
  litresField,
  optionalText,
  type PlannedRow,
  type SourceRow,
  type StoredRow,
  wordField,
} from "./types.ts";

const sourceWords: Record<string, ReadingSource> = {
  "radiowy": "radio",
  "radio": "radio",
  "odczyt radiowy": "radio",
  "inkasent": "visit",
  "odczyt inkasenta": "visit",
  "wizyta": "visit",
  "visit": "visit",
  "mieszkaniec": "resident",
  "podany przez mieszkanca": "resident",
  "resident": "resident",
  "szacunkowy": "estimated",
  "szacowany": "estimated",
  "estimated": "estimated",
};

export const readingColumns: readonly ColumnDef[] = [
  {
    key: "serialNo",
    header: "numer fabryczny",
    aliases: ["nr fabryczny", "numer wodomierza", "nr wodomierza"],
    required: true,
    meaning: "numer fabryczny wodomierza (jak w imporcie wodomierzy)",
    format: "np. ZW-26123456",
  },
  {
    key: "readOn",
    header: "data",
    aliases: ["data odczytu"],
    required: true,
    meaning: "dzień odczytu; nie z przyszłości",
    format: "30.11.2026 albo 2026-11-30",
  },
  {
    key: "litres",
    header: "stan",
    aliases: ["stan licznika", "odczyt"],
    required: true,
    meaning: "stan wodomierza w m³ (do trzech miejsc po przecinku)",
    format: "123,456",
  },
  {
    key: "source",
    header: "źródło",
    aliases: ["rodzaj odczytu"],
    required: false,
    meaning: "skąd odczyt; pusty = radiowy",
    format: "radiowy, inkasent, mieszkaniec albo szacunkowy",
  },
  {
    key: "unit",
    header: "lokal",
    aliases: ["kod lokalu"],
    required: false,
    meaning: "kod lokalu — gdy podany, sprawdzamy, że wodomierz jest w tym lokalu",
    format: "np. KW12/7",
  },
];

const readingSchema = z.object({
  serialNo: codeField(),
  readOn: dateField,
  litres: litresField,
  source: wordField(sourceWords, {
    required: false,
    expected: "radiowy, inkasent, mieszkaniec albo szacunkowy",
  }),
  unit: optionalText(40),
});

export type ReadingRow = z.output<typeof readingSchema>;

export type ReadingApply = {
  meterId: string;
  readOn: string;
  litres: number;
  source: ReadingSource;
};

function cellsOf(row: ReadingRow): string[] {
  return [
    row.serialNo,
    formatDatePl(row.readOn),
    m3(row.litres),
    readingSourceLabels[row.source ?? "radio"],
  ];
}

type Known = { readOn: string; litres: number };

/** The reading on or before `readOn` (the latest) and the first one after it. */
function around(list: readonly Known[], readOn: string): { previous?: Known; next?: Known } {
  let previous: Known | undefined;
  let next: Known | undefined;
  for (const r of list) {
    if (r.readOn <= readOn) {
      if (!previous || r.readOn >= previous.readOn) previous = r;
    } else if (!next || r.readOn < next.readOn) next = r;
  }
  return { previous, next };
}

type MeterRows = { meter: Meter; rows: SourceRow<ReadingRow>[] };

/** The unit codes of the meters whose rows name a unit (to check the meter is in it). */
async function unitCodesToCheck(
  kv: Deno.Kv,
  bySerial: Map<string, Meter[]>,
  rows: SourceRow<ReadingRow>[],
): Promise<Map<string, string>> {
  const needUnits = new Set<string>();
  for (const row of rows) {
    const meters = bySerial.get(row.data.serialNo) ?? [];
    if (meters.length === 1 && row.data.unit !== undefined) needUnits.add(meters[0].unitId);
  }
  const unitCodes = new Map<string, string>();
  for (const u of await getUnits(kv, [...needUnits])) unitCodes.set(u.id, u.externalId ?? "");
  return unitCodes;
}

/** The row's meter, or why the row cannot be matched to one. */
function meterOfRow(
  d: ReadingRow,
  bySerial: Map<string, Meter[]>,
  unitCodes: Map<string, string>,
): { meter: Meter } | { refused: string } {
  const meters = bySerial.get(d.serialNo) ?? [];
  if (meters.length === 0) {
    return { refused: `nieznany wodomierz nr ${d.serialNo} — wczytaj najpierw wodomierze` };
  }
  if (meters.length > 1) {
    return { refused: `numer fabryczny ${d.serialNo} ma w rejestrze więcej niż jeden wodomierz` };
  }
  const meter = meters[0];
  if (d.unit !== undefined && unitCodes.get(meter.unitId) !== d.unit) {
    return { refused: `wodomierz ${d.serialNo} nie należy do lokalu ${d.unit}` };
  }
  return { meter };
}

/** Why a reading cannot be added beside the known ones; null when it can. */
function readingConflict(
  meter: Meter,
  d: ReadingRow,
  known: readonly Known[],
  today: string,
): string | null {
  if (d.readOn > today) return `data odczytu z przyszłości (${formatDatePl(d.readOn)})`;
  if (d.readOn < meter.installedOn) {
    return `odczyt sprzed montażu wodomierza (${formatDatePl(meter.installedOn)})`;
  }
  if (meter.removedOn && d.readOn > meter.removedOn) {
    return `odczyt po demontażu wodomierza (${formatDatePl(meter.removedOn)})`;
  }
  const { previous, next } = around(known, d.readOn);
  if (previous && d.litres < previous.litres) {
    return `stan ${m3(d.litres)} niższy od poprzedniego odczytu ${m3(previous.litres)} z ${
      formatDatePl(previous.readOn)
    }`;
  }
  if (next && d.litres > next.litres) {
    return `stan ${m3(d.litres)} wyższy od późniejszego odczytu ${m3(next.litres)} z ${
      formatDatePl(next.readOn)
    }`;
  }
  return null;
}

/** One meter's rows in date order against its stored readings and the rows accepted before. */
async function planMeterRows(
  kv: Deno.Kv,
  { meter, rows }: MeterRows,
  today: string,
): Promise<PlannedRow<ReadingApply>[]> {
  const stored = await listReadings(kv, meter.id);
  const accepted: Known[] = [];
  const out: PlannedRow<ReadingApply>[] = [];
  rows.sort((a, b) =>
    a.data.readOn < b.data.readOn ? -1 : a.data.readOn > b.data.readOn ? 1 : a.index - b.index
  );
  for (const row of rows) {
    const d = row.data;
    const sameDay = stored.filter((r) => r.readOn === d.readOn);
    if (sameDay.some((r) => r.litres === d.litres)) {
      out.push(unchangedRow(row));
      continue;
    }
    const conflict = sameDay.length > 0
      ? `tego dnia zapisano już inny odczyt tego wodomierza (${m3(sameDay[0].litres)})`
      : readingConflict(meter, d, [...stored, ...accepted], today);
    if (conflict) {
      out.push(refusedRow(row, conflict));
      continue;
    }
    accepted.push({ readOn: d.readOn, litres: d.litres });
    out.push(addedRow(row, {
      meterId: meter.id,
      readOn: d.readOn,
      litres: d.litres,
      source: d.source ?? "radio",
    }));
  }
  return out;
}

async function plan(
  kv: Deno.Kv,
  clock: Clock,
  rows: SourceRow<ReadingRow>[],
): Promise<PlannedRow<ReadingApply>[]> {
  const today = polishDate(clock());
  const bySerial = await metersBySerial(kv);
  const unitCodes = await unitCodesToCheck(kv, bySerial, rows);
  const out: PlannedRow<ReadingApply>[] = [];
  const byMeter = new Map<string, MeterRows>();
  for (const row of rows) {
    const found = meterOfRow(row.data, bySerial, unitCodes);
    if ("refused" in found) {
      out.push(refusedRow(row, found.refused));
      continue;
    }
    const group = byMeter.get(found.meter.id);
    if (group) group.rows.push(row);
    else byMeter.set(found.meter.id, { meter: found.meter, rows: [row] });
  }
  for (const group of byMeter.values()) out.push(...await planMeterRows(kv, group, today));
  return out;
}

function readingRefusal(result: Exclude<AddReadingResult, { ok: true }>): string {
  switch (result.reason) {
    case "unknown_meter":
      return "wodomierza nie ma już w rejestrze";
    case "meter_removed":
      return `odczyt po demontażu wodomierza (${formatDatePl(result.removedOn)})`;
    case "before_installation":
      return `odczyt sprzed montażu wodomierza (${formatDatePl(result.installedOn)})`;
    case "lower_than_previous":
      return `stan niższy od poprzedniego odczytu ${m3(result.previous.litres)}`;
    case "higher_than_next":
      return `stan wyższy od późniejszego odczytu ${m3(result.next.litres)}`;
    case "conflict":
      return "wodomierz zmieniano w tym samym czasie — spróbuj ponownie";
  }
}

async function apply(
  kv: Deno.Kv,
  clock: Clock,
  rows: StoredRow<ReadingApply>[],
): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  for (const [meterId, meterRows] of groupBy(rows, (r) => r.apply.meterId)) {
    const stored: Reading[] = await listReadings(kv, meterId);
    const pending: StoredRow<ReadingApply>[] = [];
    for (const row of meterRows) {
      const sameDay = stored.filter((r) => r.readOn === row.apply.readOn);
      if (sameDay.some((r) => r.litres === row.apply.litres)) outcome.unchanged++;
      else if (sameDay.length > 0) {
        outcome.refused.push({
          line: row.line,
          reason: `tego dnia zapisano już inny odczyt tego wodomierza (${m3(sameDay[0].litres)})`,
        });
      } else pending.push(row);
    }
    if (pending.length === 0) continue;
    pending.sort((
      a,
      b,
    ) => (a.apply.readOn < b.apply.readOn ? -1 : a.apply.readOn > b.apply.readOn ? 1 : 0));
    const last = stored[stored.length - 1];
    if (!last || pending[0].apply.readOn > last.readOn) {
      const result = await addReadings(
        kv,
        clock,
        meterId,
        pending.map((r) => ({
          readOn: r.apply.readOn,
          litres: r.apply.litres,
          source: r.apply.source,
          enteredBy: "import",
        })),
      );
      if (result.ok) {
        outcome.added += pending.length;
        continue;
      }
      // Something changed since the preview: one by one below says which.
    }
    const now = await listReadings(kv, meterId);
    for (const row of pending) {
      if (now.some((r) => r.readOn === row.apply.readOn && r.litres === row.apply.litres)) {
        outcome.unchanged++;
        continue;
      }
      const result = await addReading(kv, clock, {
        meterId,
        readOn: row.apply.readOn,
        litres: row.apply.litres,
        source: row.apply.source,
        enteredBy: "import",
      });
      if (result.ok) outcome.added++;
      else outcome.refused.push({ line: row.line, reason: readingRefusal(result) });
    }
  }
  return outcome;
}

export const readingsImport: ImportKindDef<ReadingRow, ReadingApply> = {
  kind: "readings",
  label: "Odczyty wodomierzy",
  description: "Stany wodomierzy (odczyty radiowe, inkasenta, szacunkowe).",
  columns: readingColumns,
  sampleHeaders: ["Nr fabryczny", "Data", "Stan", "Źródło"],
  schema: readingSchema,
  identity: (row) => ({
    key: `${row.serialNo}\u0000${row.readOn}`,
    label: `odczyt wodomierza ${row.serialNo} z ${formatDatePl(row.readOn)}`,
  }),
  cells: cellsOf,
  plan,
  apply,
  applyOrder: (a) => `${a.meterId}|${a.readOn}`,
};
