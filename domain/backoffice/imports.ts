/**
 * Imports of the accounting system's data from CSV files: units, balance entries, meters,
 * readings, water settlements and fee rates (one module per kind in `import_kinds/`).
 *
 * Every import is two steps.
 *
 * 1. **Preview** (`previewImport`): the bytes are decoded (UTF-8, or Windows-1250 with a notice),
 *    parsed, each row checked against its kind's schema, rows repeating an identity refused, and
 *    the valid rest compared with what is stored: *add*, *change*, *unchanged* or *refused* (with
 *    the line and the reason). Nothing of the data changes. The result is an import job
 *    (`["import_jobs", id]`, status `previewed`) with the counts, the first refused lines and a
 *    sample; the rows to apply are stored beside it as chunks of UTF-8 JSON
 *    (`["import_job_rows", id, n]`, each ≤ 60 000 bytes, so within Deno KV's 64 KiB value
 *    limit), the refused lines likewise (`["import_job_refused", id, n]`). Storing the planned
 *    rows, rather than the file, lets applying read one chunk at a time and apply exactly what
 *    staff saw, with ids resolved at preview.
 * 2. **Apply** (`applyImport`): refused while the preview found errors, unless staff choose to
 *    apply the valid rows only. The job takes a lease (status `applying`, renewed with every
 *    chunk), then applies the chunks in order through the domain modules (ledger entries by
 *    `postEntries` per unit — idempotent by document number, totals in the same atomic op;
 *    units through the register; readings through `addReadings`/`addReading`; settlements
 *    through `saveSettlement`; …), writing the job's progress (chunks done, rows done, the last
 *    row index, counts) after each chunk. A crash leaves the job `applying`: when its lease has
 *    run out, `resumeImports` (at start, and periodically) or `applyImport` again continues from
 *    the first chunk not recorded as done; rows of that chunk already written are found and
 *    counted as unchanged, never written twice. The end is one atomic op: the job `applied`, the
 *    history record, the audit entry and the "data as of" date residents see.
 *
 * Applying the same file again changes nothing: every row is *unchanged*.
 */
import { type Actor, addAudit } from "./audit.ts";
import type { Clock } from "../shared/clock.ts";
import { formatDateTime } from "../shared/calendar.ts";
import { z } from "zod";
import {
  countPhysicalLines,
  csvHeader,
  type CsvRecord,
  csvRecords,
  CsvSyntaxError,
  decodeCsvBytes,
  type Encoding,
  encodingLabels,
  foldHeader,
  sha256Hex,
} from "../shared/csv.ts";
import type { DataFreshness } from "./data_freshness.ts";
import { newId, randomToken } from "../shared/ids.ts";
import { importKindDefs } from "./import_kinds/index.ts";
import {
  type ChunkOutcome,
  type ColumnDef,
  type ImportAction,
  type ImportKind,
  type ImportKindDef,
  importKinds,
  type PlannedRow,
  type SourceRow,
  type StoredRow,
} from "./import_kinds/types.ts";
import { keys } from "../shared/keys.ts";

export { type ImportKind, importKinds } from "./import_kinds/types.ts";

export type ImportCounts = {
  /** Data rows in the file. */
  total: number;
  add: number;
  change: number;
  unchanged: number;
  refused: number;
};

export type ApplyCounts = { added: number; changed: number; unchanged: number; refused: number };

export type RefusedLine = { line: number; reason: string };

export type SampleRow = {
  line: number;
  action: ImportAction;
  cells: string[];
  note?: string;
  reason?: string;
};

export type ImportJobStatus = "previewed" | "applying" | "applied" | "failed" | "expired";

export type ImportJob = {
  id: string;
  kind: ImportKind;
  fileName: string;
  /** SHA-256 of the file's bytes, hex. */
  hash: string;
  size: number;
  encoding: Encoding;
  /**
   * "records": the rows came already split (the JSON API, `previewImportRecords`), so a line is
   * the row's position from 1 (its index + 1); otherwise lines are the file's.
   */
  rowsFrom?: "records";
  /** Things staff should know (the encoding detected, columns ignored, the file seen before). */
  notices: string[];
  status: ImportJobStatus;
  createdAt: string;
  createdBy: Actor;
  counts: ImportCounts;
  /** The first refused lines (all of them: `listRefusedLines`). */
  refused: RefusedLine[];
  sampleHeaders: string[];
  sample: SampleRow[];
  /** Chunks of rows to apply (`["import_job_rows", id, n]`). */
  chunks: number;
  /** Chunks of refused lines (`["import_job_refused", id, n]`). */
  refusedChunks: number;
  applyValidOnly?: boolean;
  appliedBy?: Actor;
  applyStartedAt?: string;
  /** Where applying stands: it continues with chunk `chunksDone`. */
  progress: { chunksDone: number; rowsDone: number; lastRowIndex: number | null };
  applied: ApplyCounts;
  /** Rows refused when applying (what is stored changed since the preview), the first of them. */
  applyRefused: RefusedLine[];
  lease?: { token: string; until: string };
  finishedAt?: string;
  error?: string;
};

export type ImportResult = "applied" | "applied_valid_only" | "failed";

export type ImportHistoryRecord = {
  id: string;
  jobId: string;
  kind: ImportKind;
  fileName: string;
  hash: string;
  size: number;
  who: Actor;
  /** When applying ended. */
  at: string;
  startedAt: string;
  /** The preview's classification. */
  counts: ImportCounts;
  /** What applying did. */
  applied: ApplyCounts;
  result: ImportResult;
  error?: string;
};

export type PreviewResult =
  | { ok: true; job: ImportJob }
  | { ok: false; reason: "unreadable"; message: string };

export type ApplyResult =
  | { ok: true; job: ImportJob; alreadyApplied: boolean }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "has_errors" | "expired" | "in_progress"; job: ImportJob }
  | { ok: false; reason: "failed"; job: ImportJob; error: string };

/** Staff's words for the kinds (the upload form, the history). */
export const importKindLabels: Record<ImportKind, string> = Object.fromEntries(
  importKinds.map((k) => [k, importKindDefs[k].label]),
) as Record<ImportKind, string>;

export function isImportKind(s: string): s is ImportKind {
  return (importKinds as readonly string[]).includes(s);
}

export const importResultLabels: Record<ImportResult, string> = {
  applied: "wczytano",
  applied_valid_only: "wczytano poprawne wiersze",
  failed: "przerwano z błędem",
};

/** Bytes of one stored chunk of rows at most (Deno KV takes values up to 64 KiB). */
const CHUNK_BYTES = 60_000;
const CHUNK_ROWS = 400;
/** Chunks written per atomic op (total size of an op stays well under Deno KV's limits). */
const CHUNKS_PER_OP = 5;
const MAX_DATA_ROWS = 500_000;
const DEFAULT_LEASE_MS = 30_000;
/** Previews nobody applied are dropped after this long (their stored rows deleted). */
export const PREVIEW_TTL_MS = 7 * 24 * 3_600_000;
const MAX_ATTEMPTS = 10;
/** Budgets (in characters) of the lists kept inside the job record, so it stays under 64 KiB. */
const REFUSED_BUDGET = 12_000;
const APPLY_REFUSED_BUDGET = 3_000;
const SAMPLE_BUDGET = 6_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function emptyApplyCounts(): ApplyCounts {
  return { added: 0, changed: 0, unchanged: 0, refused: 0 };
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The items whose JSON fits `budget` characters, from the start. */
function withinBudget<T>(items: readonly T[], budget: number): T[] {
  const out: T[] = [];
  let used = 0;
  for (const item of items) {
    used += JSON.stringify(item).length + 1;
    if (used > budget) break;
    out.push(item);
  }
  return out;
}

/** Packs items into UTF-8 JSON arrays of at most CHUNK_BYTES bytes and CHUNK_ROWS items. */
function packChunks(items: readonly unknown[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let parts: Uint8Array[] = [];
  let size = 2;
  const flush = () => {
    if (parts.length === 0) return;
    const out = new Uint8Array(size);
    out[0] = 0x5b; // [
    let at = 1;
    parts.forEach((p, i) => {
      if (i > 0) out[at++] = 0x2c; // ,
      out.set(p, at);
      at += p.length;
    });
    out[at] = 0x5d; // ]
    chunks.push(out);
    parts = [];
    size = 2;
  };
  for (const item of items) {
    const bytes = encoder.encode(JSON.stringify(item));
    if (bytes.length + 3 > CHUNK_BYTES) throw new Error("an import row is too large to store");
    if (parts.length >= CHUNK_ROWS || size + bytes.length + 1 > CHUNK_BYTES) flush();
    size += bytes.length + (parts.length > 0 ? 1 : 0);
    parts.push(bytes);
  }
  flush();
  return chunks;
}

async function writeChunks(
  kv: Deno.Kv,
  chunks: readonly Uint8Array[],
  keyOf: (n: number) => Deno.KvKey,
): Promise<void> {
  for (let i = 0; i < chunks.length; i += CHUNKS_PER_OP) {
    const op = kv.atomic();
    for (let n = i; n < Math.min(i + CHUNKS_PER_OP, chunks.length); n++) {
      op.set(keyOf(n), chunks[n]);
    }
    if (!(await op.commit()).ok) throw new Error("import rows not stored");
  }
}

async function readChunk<T>(kv: Deno.Kv, key: Deno.KvKey): Promise<T[] | null> {
  const bytes = (await kv.get<Uint8Array>(key)).value;
  return bytes ? JSON.parse(decoder.decode(bytes)) as T[] : null;
}

async function deletePrefix(kv: Deno.Kv, prefix: Deno.KvKey): Promise<void> {
  let op = kv.atomic();
  let n = 0;
  for await (const e of kv.list({ prefix })) {
    op.delete(e.key);
    if (++n % 200 === 0) {
      await op.commit();
      op = kv.atomic();
    }
  }
  if (n % 200 !== 0) await op.commit();
}

type ZodIssueLike = { path: PropertyKey[]; message: string };

// --- Preview -----------------------------------------------------------------------------------

/**
 * Reads and checks a file and stores what applying it would do, as a `previewed` job. A file
 * that cannot be read at all (empty, not UTF-8 or Windows-1250, not `;`-separated, required
 * columns missing) is refused with one Polish message and stores nothing.
 */
export async function previewImport(
  kv: Deno.Kv,
  clock: Clock,
  input: { kind: ImportKind; bytes: Uint8Array; fileName: string; actor: Actor },
): Promise<PreviewResult> {
  const def = importKindDefs[input.kind];
  if (!def) throw new RangeError(`unknown import kind: ${input.kind}`);
  const read = readRows(def, input.bytes);
  if (!read.ok) return { ok: false, reason: "unreadable", message: read.message };
  return await storePreview(kv, clock, def, read, {
    kind: input.kind,
    hash: await sha256Hex(input.bytes),
    size: input.bytes.length,
    fileName: input.fileName,
    actor: input.actor,
  });
}

/** The most rows `previewImportRecords` takes at once (the JSON API's limit per request). */
export const MAX_RECORD_ROWS = 10_000;

/**
 * Like `previewImport`, for rows that arrive already split (the JSON API): each record maps column
 * names — the same names as the CSV header, compared the same way (`foldHeader`), aliases too —
 * to values. A value is a string written as in the CSV file, a JSON number (written with a
 * decimal point; at most 15 significant digits and no exponent, else the row is refused — send
 * such values as strings), `true`/`false` (= „tak”/„nie”) or `null` (= empty); a missing column
 * is empty. Unknown columns are ignored with a notice. Row `index` (from 0) is the record's
 * position; its `line` is `index + 1`, and a duplicate's reason names the earlier row by its
 * index. The job's hash is the SHA-256 of the records' JSON; `source` stands for the file name.
 */
export async function previewImportRecords(
  kv: Deno.Kv,
  clock: Clock,
  input: {
    kind: ImportKind;
    records: readonly unknown[];
    source: string;
    actor: Actor;
  },
): Promise<PreviewResult> {
  const def = importKindDefs[input.kind];
  if (!def) throw new RangeError(`unknown import kind: ${input.kind}`);
  if (input.records.length === 0) {
    return { ok: false, reason: "unreadable", message: "Brak wierszy do wczytania." };
  }
  if (input.records.length > MAX_RECORD_ROWS) {
    return {
      ok: false,
      reason: "unreadable",
      message:
        `Jednorazowo można przesłać najwyżej ${MAX_RECORD_ROWS} wierszy; podziel dane na części.`,
    };
  }
  const { records, ignored } = jsonRecords(def, input.records);
  const read = readRecords(def, records, "utf-8", undefined, {
    earlierRow: (line) => `w wierszu o indeksie ${line - 1}`,
  });
  if (!read.ok) return { ok: false, reason: "unreadable", message: read.message };
  if (ignored.length > 0) {
    read.notices.push(
      `Pominięto nieznane kolumny: ${
        ignored.slice(0, 20).map((n) => `„${clip(n, 40)}”`).join(", ")
      }${ignored.length > 20 ? " …" : ""}.`,
    );
  }
  const json = encoder.encode(JSON.stringify(input.records));
  return await storePreview(kv, clock, def, read, {
    kind: input.kind,
    hash: await sha256Hex(json),
    size: json.length,
    fileName: input.source,
    actor: input.actor,
    rowsFrom: "records",
  });
}

/** A CSV record, or a record refused before its schema is tried (a JSON row of the wrong shape). */
type InputRecord = CsvRecord & { refusal?: string };

const columnsByFoldedName = new WeakMap<object, Map<string, ColumnDef>>();

/** The kind's columns by every name they go by, folded. */
// deno-lint-ignore no-explicit-any
function columnLookup(def: ImportKindDef<any, any>): Map<string, ColumnDef> {
  let map = columnsByFoldedName.get(def);
  if (!map) {
    map = new Map();
    for (const c of def.columns) {
      for (const name of [c.header, ...(c.aliases ?? [])]) map.set(foldHeader(name), c);
    }
    columnsByFoldedName.set(def, map);
  }
  return map;
}

/** One JSON value as the text of a CSV cell, or why it cannot be one. */
function jsonCell(value: unknown): { ok: true; text: string } | { ok: false; message: string } {
  if (value === null || value === undefined) return { ok: true, text: "" };
  if (typeof value === "string") return { ok: true, text: value };
  if (typeof value === "boolean") return { ok: true, text: value ? "tak" : "nie" };
  if (typeof value === "number") {
    const text = String(value);
    const digits = text.replace(/^-/, "").replace(".", "").replace(/^0+/, "");
    if (
      !Number.isFinite(value) || /e/i.test(text) || digits.length > 15 ||
      (Number.isInteger(value) && !Number.isSafeInteger(value))
    ) {
      return {
        ok: false,
        message:
          "liczby, której nie da się zapisać dokładnie (najwyżej 15 cyfr, bez wykładnika), nie można przyjąć — podaj ją jako tekst",
      };
    }
    return { ok: true, text: text.replace(".", ",") };
  }
  return { ok: false, message: "oczekiwano tekstu, liczby, true/false albo null" };
}

/**
 * JSON rows → records under a header of every column of the kind (so no column is "missing":
 * an absent key is an empty cell). Rows of the wrong shape become refusals.
 */
function jsonRecords(
  // deno-lint-ignore no-explicit-any
  def: ImportKindDef<any, any>,
  rows: readonly unknown[],
): { records: Iterator<InputRecord>; ignored: string[] } {
  const lookup = columnLookup(def);
  const position = new Map(def.columns.map((c, i) => [c.key, i]));
  const ignored = new Set<string>();
  const out: InputRecord[] = [{ line: 0, cells: def.columns.map((c) => c.header) }];
  rows.forEach((row, index) => {
    const line = index + 1;
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      out.push({
        line,
        cells: [],
        refusal: 'wiersz musi być obiektem JSON: { "kolumna": wartość, … }',
      });
      return;
    }
    const cells: string[] = def.columns.map(() => "");
    const seen = new Map<string, string>();
    const problems: string[] = [];
    for (const [name, value] of Object.entries(row)) {
      const column = lookup.get(foldHeader(name));
      if (!column) {
        ignored.add(name);
        continue;
      }
      const earlier = seen.get(column.key);
      if (earlier !== undefined) {
        problems.push(
          `kolumna „${column.header}” podana więcej niż raz („${clip(earlier, 40)}”, „${
            clip(name, 40)
          }”)`,
        );
        continue;
      }
      seen.set(column.key, name);
      const cell = jsonCell(value);
      if (cell.ok) cells[position.get(column.key)!] = cell.text;
      else problems.push(`${column.header}: ${cell.message}`);
    }
    out.push(problems.length ? { line, cells, refusal: problems.join("; ") } : { line, cells });
  });
  return { records: out[Symbol.iterator](), ignored: [...ignored] };
}

type PreviewMeta = {
  kind: ImportKind;
  hash: string;
  size: number;
  fileName: string;
  actor: Actor;
  rowsFrom?: "records";
};

/** The planned rows counted, those to apply (in the kind's order) and the refused lines. */
function tallyPlanned(
  // deno-lint-ignore no-explicit-any
  def: ImportKindDef<any, any>,
  planned: readonly PlannedRow<unknown>[],
): { counts: ImportCounts; toApply: StoredRow<unknown>[]; refusedLines: RefusedLine[] } {
  const counts: ImportCounts = {
    total: planned.length,
    add: 0,
    change: 0,
    unchanged: 0,
    refused: 0,
  };
  const toApply: StoredRow<unknown>[] = [];
  const refusedLines: RefusedLine[] = [];
  for (const row of planned) {
    counts[row.action]++;
    if (row.action === "refused") {
      refusedLines.push({ line: row.line, reason: clip(row.reason ?? "błędny wiersz", 500) });
    } else if (row.action === "add" || row.action === "change") {
      toApply.push({ index: row.index, line: row.line, action: row.action, apply: row.apply });
    }
  }
  if (def.applyOrder) {
    const order = def.applyOrder;
    const sortKey = new Map(toApply.map((r) => [r, order(r.apply as never)]));
    toApply.sort((a, b) => {
      const ka = sortKey.get(a)!;
      const kb = sortKey.get(b)!;
      return ka < kb ? -1 : ka > kb ? 1 : a.index - b.index;
    });
  }
  return { counts, toApply, refusedLines };
}

/** Says when the same file was read before (its unchanged rows will be skipped). */
async function sameFileNotice(kv: Deno.Kv, hash: string): Promise<string | null> {
  const seen = await lastImportOfHash(kv, hash);
  if (!seen) return null;
  return `Ten sam plik (ta sama suma SHA-256) wczytano już ${
    formatDateTime(new Date(seen.at))
  } (${seen.who.label}). Wiersze, które się od tamtej pory nie zmieniły, są oznaczone „bez zmian” i zostaną pominięte.`;
}

/** The job as previewed, before any row is applied. */
function previewedJob(
  // deno-lint-ignore no-explicit-any
  def: ImportKindDef<any, any>,
  id: string,
  now: Date,
  meta: PreviewMeta,
  read: { encoding: Encoding; notices: string[] },
  tally: { counts: ImportCounts; refusedLines: RefusedLine[] },
  stored: { sample: SampleRow[]; chunks: number; refusedChunks: number },
): ImportJob {
  return {
    id,
    kind: meta.kind,
    // deno-lint-ignore no-control-regex
    fileName: clip(meta.fileName.replace(/[\u0000-\u001f\u007f]/g, "").trim() || "plik.csv", 200),
    hash: meta.hash,
    size: meta.size,
    encoding: read.encoding,
    ...(meta.rowsFrom ? { rowsFrom: meta.rowsFrom } : {}),
    notices: read.notices.map((n) => clip(n, 600)),
    status: "previewed",
    createdAt: now.toISOString(),
    createdBy: meta.actor,
    counts: tally.counts,
    refused: withinBudget(tally.refusedLines, REFUSED_BUDGET),
    sampleHeaders: [...def.sampleHeaders],
    sample: stored.sample,
    chunks: stored.chunks,
    refusedChunks: stored.refusedChunks,
    progress: { chunksDone: 0, rowsDone: 0, lastRowIndex: null },
    applied: emptyApplyCounts(),
    applyRefused: [],
  };
}

/** Classifies the rows read against what is stored and records the preview as a job. */
async function storePreview(
  kv: Deno.Kv,
  clock: Clock,
  // deno-lint-ignore no-explicit-any
  def: ImportKindDef<any, any>,
  read: Extract<ReadRows, { ok: true }>,
  meta: PreviewMeta,
): Promise<PreviewResult> {
  const { valid, refused, notices } = read;

  // Valid rows → compared with what is stored.
  const planned = [...refused, ...await def.plan(kv, clock, valid)]
    .sort((a, b) => a.index - b.index);
  const tally = tallyPlanned(def, planned);
  const sample = pickSample(def, planned, valid);
  const repeated = await sameFileNotice(kv, meta.hash);
  if (repeated) notices.push(repeated);

  const now = clock();
  const id = newId(now);
  const rowChunks = packChunks(tally.toApply);
  const refusedChunks = packChunks(tally.refusedLines);
  await writeChunks(kv, rowChunks, (n) => keys.importJobRows(id, n));
  await writeChunks(kv, refusedChunks, (n) => keys.importJobRefused(id, n));
  const job = previewedJob(def, id, now, meta, read, tally, {
    sample,
    chunks: rowChunks.length,
    refusedChunks: refusedChunks.length,
  });
  const op = kv.atomic()
    .check({ key: keys.importJobs(id), versionstamp: null })
    .set(keys.importJobs(id), job)
    .set(keys.importJobsByStatus("previewed", id), id);
  addAudit(op, clock, {
    actor: meta.actor,
    action: "import.previewed",
    details: {
      jobId: id,
      kind: meta.kind,
      fileName: job.fileName,
      hash: meta.hash,
      rows: tally.counts.total,
      refused: tally.counts.refused,
    },
  });
  if (!(await op.commit()).ok) throw new Error(`import job id ${id} taken`);
  return { ok: true, job };
}

type ReadRows =
  | {
    ok: true;
    encoding: Encoding;
    notices: string[];
    valid: SourceRow<unknown>[];
    refused: PlannedRow<unknown>[];
  }
  | { ok: false; message: string };

/** Bytes → text → records → columns → rows checked by the kind's schema, duplicates refused. */
// deno-lint-ignore no-explicit-any
function readRows(def: ImportKindDef<any, any>, bytes: Uint8Array): ReadRows {
  const decoded = decodeCsvBytes(bytes);
  if (!decoded.ok) return decoded;
  try {
    const read = readRecords(
      def,
      csvRecords(decoded.text, { multiline: def.multilineFields ?? false }),
      decoded.encoding,
      decoded.notice,
    );
    if (!read.ok) return read;
    // Physical lines and rows must reconcile: say how many of each, so nothing goes unseen.
    const physical = countPhysicalLines(decoded.text);
    const rows = read.valid.length + read.refused.length;
    const skipped = physical - 1 - rows;
    read.notices.unshift(
      `Odczytano ${physical} ${linesWord(physical)} pliku: nagłówek i ${rows} ${
        linesWord(rows)
      } danych${
        skipped > 0
          ? `; ${skipped} ${linesWord(skipped)} bez danych (puste albo „sep=;”) pominięto`
          : ""
      }.`,
    );
    return read;
  } catch (error) {
    if (error instanceof CsvSyntaxError) return { ok: false, message: error.message };
    throw error;
  }
}

/** "wiersz", "wiersze" or "wierszy", as Polish counts them. */
function linesWord(n: number): string {
  if (n === 1) return "wiersz";
  const tens = n % 100;
  return n % 10 >= 2 && n % 10 <= 4 && (tens < 12 || tens > 14) ? "wiersze" : "wierszy";
}

/** Compiled schemas (zod's fast path: a third of the time and of the garbage of a parse). */
const compiledSchemas = new WeakMap<
  object,
  { safeParse: ImportKindDef<unknown, unknown>["schema"]["safeParse"] }
>();

function compiledSchema(def: ImportKindDef<unknown, unknown>) {
  let schema = compiledSchemas.get(def);
  if (!schema) {
    schema = z.compile(def.schema);
    compiledSchemas.set(def, schema);
  }
  return schema;
}

type HeaderColumns =
  | { ok: true; index: Map<string, number>; notices: string[] }
  | { ok: false; message: string };

/** The header's names → the kind's columns (by header or alias), or why the header is wrong. */
function columnsOfHeader(
  // deno-lint-ignore no-explicit-any
  def: ImportKindDef<any, any>,
  header: readonly string[],
): HeaderColumns {
  const index = new Map<string, number>();
  const ignored: string[] = [];
  for (const [i, name] of header.entries()) {
    const folded = foldHeader(name);
    if (folded === "") continue;
    const column = def.columns.find((c) =>
      foldHeader(c.header) === folded || (c.aliases ?? []).some((a) => foldHeader(a) === folded)
    );
    if (!column) {
      ignored.push(name);
      continue;
    }
    if (index.has(column.key)) {
      return {
        ok: false,
        message: `Kolumna „${column.header}” występuje w nagłówku więcej niż raz.`,
      };
    }
    index.set(column.key, i);
  }
  const missing = def.columns.filter((c) => c.required && !index.has(c.key));
  if (missing.length > 0) {
    const expected = def.columns.map((c) => c.header).join(";");
    return {
      ok: false,
      message: `Brak ${missing.length === 1 ? "kolumny" : "kolumn"} ${
        missing.map((c) => `„${c.header}”`).join(", ")
      } w nagłówku (pierwszym wierszu) pliku. Nagłówek pliku „${def.label}” to: ${expected}. Czy wybrano właściwy rodzaj danych?`,
    };
  }
  const notices = ignored.length > 0
    ? [`Pominięto nieznane kolumny: ${ignored.map((n) => `„${clip(n, 40)}”`).join(", ")}.`]
    : [];
  return { ok: true, index, notices };
}

/** Checks one record at a time: its width, the kind's schema, a repeated identity. */
function recordChecker(
  // deno-lint-ignore no-explicit-any
  def: ImportKindDef<any, any>,
  index: Map<string, number>,
  width: number,
  earlierRow: (line: number) => string,
): (i: number, record: InputRecord) => { refused: string } | { data: unknown } {
  const schema = compiledSchema(def);
  const headerOf = new Map(def.columns.map((c) => [c.key, c.header]));
  const columns = def.columns.map((c) => ({ key: c.key, at: index.get(c.key) }));
  const firstLineOf = new Map<string, number>();
  return (_i, record) => {
    if (record.refusal !== undefined) return { refused: record.refusal };
    const cells = record.cells;
    if (cells.length > width && cells.slice(width).some((c) => c.trim() !== "")) {
      return {
        refused: "więcej pól niż kolumn w nagłówku — tekst zawierający średnik ujmij w cudzysłów",
      };
    }
    const raw: Record<string, string> = {};
    for (const c of columns) raw[c.key] = c.at === undefined ? "" : (cells[c.at] ?? "").trim();
    const result = schema.safeParse(raw);
    if (!result.success) {
      const issues = result.error.issues as ZodIssueLike[];
      return {
        refused: issues.map((issue) => {
          const key = String(issue.path[0] ?? "");
          return headerOf.has(key) ? `${headerOf.get(key)}: ${issue.message}` : issue.message;
        }).join("; "),
      };
    }
    const identity = def.identity(result.data);
    const first = firstLineOf.get(identity.key);
    if (first !== undefined) {
      return { refused: `powtórzony wiersz: ${identity.label} jest już ${earlierRow(first)}` };
    }
    firstLineOf.set(identity.key, record.line);
    return { data: result.data };
  };
}

function readRecords(
  // deno-lint-ignore no-explicit-any
  def: ImportKindDef<any, any>,
  records: Iterator<InputRecord>,
  encoding: Encoding,
  encodingNotice: string | undefined,
  options: { earlierRow?: (line: number) => string } = {},
): ReadRows {
  const earlierRow = options.earlierRow ?? ((line: number) => `w wierszu ${line}`);
  const head = csvHeader(records);
  if (!head.ok) return head;
  const columns = columnsOfHeader(def, head.header);
  if (!columns.ok) return columns;
  const notices = [...(encodingNotice ? [encodingNotice] : []), ...columns.notices];

  // Records → rows checked by the schema → duplicates refused; one record at a time.
  const check = recordChecker(def, columns.index, head.header.length, earlierRow);
  const refused: PlannedRow<unknown>[] = [];
  const valid: SourceRow<unknown>[] = [];
  let i = -1;
  for (let next = records.next(); !next.done; next = records.next()) {
    const record = next.value;
    i++;
    if (i >= MAX_DATA_ROWS) {
      return {
        ok: false,
        message:
          `Plik ma więcej niż ${MAX_DATA_ROWS} wierszy; jednorazowo można wczytać najwyżej tyle. Podziel go na części.`,
      };
    }
    const checked = check(i, record);
    if ("refused" in checked) {
      refused.push({ index: i, line: record.line, action: "refused", reason: checked.refused });
    } else valid.push({ index: i, line: record.line, data: checked.data });
  }
  if (i < 0) return { ok: false, message: "Plik ma nagłówek, ale nie ma wierszy z danymi." };
  return { ok: true, encoding, notices, valid, refused };
}

function pickSample(
  // deno-lint-ignore no-explicit-any
  def: ImportKindDef<any, any>,
  planned: readonly PlannedRow<unknown>[],
  valid: readonly SourceRow<unknown>[],
): SampleRow[] {
  const quota: Record<ImportAction, number> = { change: 10, add: 10, unchanged: 5, refused: 0 };
  const dataOf = new Map<number, unknown>();
  const picked: PlannedRow<unknown>[] = [];
  for (const row of planned) {
    if (quota[row.action] <= 0) continue;
    quota[row.action]--;
    picked.push(row);
  }
  const wanted = new Set(picked.map((r) => r.index));
  for (const v of valid) if (wanted.has(v.index)) dataOf.set(v.index, v.data);
  return withinBudget(
    picked.map((row) => ({
      line: row.line,
      action: row.action,
      cells: (dataOf.has(row.index) ? def.cells(dataOf.get(row.index)) : []).map((c) =>
        clip(c, 80)
      ),
      ...(row.note ? { note: clip(row.note, 300) } : {}),
    })),
    SAMPLE_BUDGET,
  );
}

async function lastImportOfHash(kv: Deno.Kv, hash: string): Promise<ImportHistoryRecord | null> {
  for await (
    const e of kv.list<string>({ prefix: keys.importHistoryByHashAll(hash) }, {
      reverse: true,
      limit: 5,
    })
  ) {
    const record = (await kv.get<ImportHistoryRecord>(keys.importHistory(e.value))).value;
    if (record && record.result !== "failed") return record;
  }
  return null;
}

// --- Reading jobs ------------------------------------------------------------------------------

export async function getImportJob(kv: Deno.Kv, jobId: string): Promise<ImportJob | null> {
  return (await kv.get<ImportJob>(keys.importJobs(jobId))).value;
}

/** Jobs in a status, oldest first. */
export async function listImportJobs(
  kv: Deno.Kv,
  status: ImportJobStatus,
  limit = 100,
): Promise<ImportJob[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.importJobsByStatusAll(status) }, { limit })
  ) ids.push(e.value);
  const out: ImportJob[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<ImportJob[]>(
      ids.slice(i, i + 10).map((id) => keys.importJobs(id)),
    );
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

/** Every line the preview refused (and those refused when applying), by line; at most `limit`. */
export async function listRefusedLines(
  kv: Deno.Kv,
  jobId: string,
  limit = Infinity,
): Promise<RefusedLine[]> {
  const job = await getImportJob(kv, jobId);
  if (!job) return [];
  const out: RefusedLine[] = [];
  for (let n = 0; n < job.refusedChunks && out.length < limit; n++) {
    out.push(...(await readChunk<RefusedLine>(kv, keys.importJobRefused(jobId, n)) ?? []));
  }
  out.push(...job.applyRefused);
  return out.slice(0, limit);
}

/** Finished imports, newest first. */
export async function listImportHistory(kv: Deno.Kv, limit = 50): Promise<ImportHistoryRecord[]> {
  const out: ImportHistoryRecord[] = [];
  for await (
    const e of kv.list<ImportHistoryRecord>({ prefix: keys.importHistoryAll() }, {
      reverse: true,
      limit,
    })
  ) out.push(e.value);
  return out;
}

// --- Apply -------------------------------------------------------------------------------------

export type ApplyOptions = {
  actor: Actor;
  applyValidOnly: boolean;
  /** Called after every chunk with the job as recorded. */
  onProgress?: (job: ImportJob) => void | Promise<void>;
  leaseMs?: number;
};

function leaseExpired(job: ImportJob, now: Date): boolean {
  return !job.lease || Date.parse(job.lease.until) <= now.getTime();
}

type Claim =
  | { claimed: true; job: ImportJob; versionstamp: string }
  | { claimed: false; result: ApplyResult };

/** Takes the job's lease (status "applying"), or says why it cannot be applied now. */
async function claimJob(
  kv: Deno.Kv,
  clock: Clock,
  jobId: string,
  options: ApplyOptions,
  lease: { token: string; ms: number },
): Promise<Claim> {
  let entry: Deno.KvEntryMaybe<ImportJob> = await kv.get<ImportJob>(keys.importJobs(jobId));
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) entry = await kv.get<ImportJob>(keys.importJobs(jobId));
    const current = entry.value;
    const now = clock();
    const refusal = claimRefusal(current, now, options);
    if (refusal) return { claimed: false, result: refusal };
    const job = current!;
    const claimed: ImportJob = {
      ...job,
      status: "applying",
      applyValidOnly: job.status === "previewed"
        ? options.applyValidOnly
        : (job.applyValidOnly ?? false),
      appliedBy: job.appliedBy ?? options.actor,
      applyStartedAt: job.applyStartedAt ?? now.toISOString(),
      lease: { token: lease.token, until: new Date(now.getTime() + lease.ms).toISOString() },
      error: undefined,
    };
    const result = await kv.atomic()
      .check(entry)
      .delete(keys.importJobsByStatus(job.status, jobId))
      .set(keys.importJobsByStatus("applying", jobId), jobId)
      .set(keys.importJobs(jobId), claimed)
      .commit();
    if (result.ok) return { claimed: true, job: claimed, versionstamp: result.versionstamp };
  }
  return { claimed: false, result: { ok: false, reason: "in_progress", job: entry.value! } };
}

/** Why a job cannot be claimed now (or that it is applied already); null when it can. */
function claimRefusal(
  current: ImportJob | null,
  now: Date,
  options: ApplyOptions,
): ApplyResult | null {
  if (!current) return { ok: false, reason: "not_found" };
  if (current.status === "applied") return { ok: true, job: current, alreadyApplied: true };
  if (current.status === "expired") return { ok: false, reason: "expired", job: current };
  if (current.status === "applying" && !leaseExpired(current, now)) {
    return { ok: false, reason: "in_progress", job: current };
  }
  const first = current.status === "previewed";
  const applyValidOnly = first ? options.applyValidOnly : (current.applyValidOnly ?? false);
  if (first && current.counts.refused > 0 && !applyValidOnly) {
    return { ok: false, reason: "has_errors", job: current };
  }
  return null;
}

/** The job after one more chunk: its progress, the counts, the refusals, a longer lease. */
function afterChunk(
  job: ImportJob,
  rows: readonly StoredRow<unknown>[],
  outcome: ChunkOutcome,
  lease: { token: string; until: string },
): ImportJob {
  return {
    ...job,
    progress: {
      chunksDone: job.progress.chunksDone + 1,
      rowsDone: job.progress.rowsDone + rows.length,
      lastRowIndex: rows.length ? rows[rows.length - 1].index : job.progress.lastRowIndex,
    },
    applied: {
      added: job.applied.added + outcome.added,
      changed: job.applied.changed + outcome.changed,
      unchanged: job.applied.unchanged + outcome.unchanged,
      refused: job.applied.refused + outcome.refused.length,
    },
    applyRefused: withinBudget(
      [
        ...job.applyRefused,
        ...outcome.refused.map((r) => ({ line: r.line, reason: clip(r.reason, 500) })),
      ],
      APPLY_REFUSED_BUDGET,
    ),
    lease,
  };
}

/**
 * Applies a previewed job, or continues one a crash interrupted (once its lease ran out), or
 * retries a failed one from where it stopped. Refused while the preview found errors unless
 * `applyValidOnly`. Applying an applied job again does nothing and says so.
 */
export async function applyImport(
  kv: Deno.Kv,
  clock: Clock,
  jobId: string,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const token = randomToken(10);
  const claim = await claimJob(kv, clock, jobId, options, { token, ms: leaseMs });
  if (!claim.claimed) return claim.result;
  let { job, versionstamp } = claim;

  const def = importKindDefs[job.kind];
  try {
    while (job.progress.chunksDone < job.chunks) {
      const n = job.progress.chunksDone;
      const rows = await readChunk<StoredRow<unknown>>(kv, keys.importJobRows(jobId, n));
      if (!rows) throw new Error(`stored rows of chunk ${n} are missing`);
      const outcome: ChunkOutcome = await def.apply(kv, clock, rows as StoredRow<never>[]);
      const until = new Date(clock().getTime() + leaseMs).toISOString();
      const next = afterChunk(job, rows, outcome, { token, until });
      const saved = await kv.atomic()
        .check({ key: keys.importJobs(jobId), versionstamp })
        .set(keys.importJobs(jobId), next)
        .commit();
      if (!saved.ok) {
        // Only this holder of the lease writes the job while it is applying.
        const now2 = await getImportJob(kv, jobId);
        return { ok: false, reason: "in_progress", job: now2 ?? job };
      }
      versionstamp = saved.versionstamp;
      job = next;
      await options.onProgress?.(job);
    }
    return await finish(kv, clock, job, versionstamp);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const failed = await markFailed(kv, clock, jobId, token, message);
    return { ok: false, reason: "failed", job: failed ?? job, error: message };
  }
}

function historyRecord(job: ImportJob, at: string, result: ImportResult): ImportHistoryRecord {
  return {
    id: newId(new Date(at)),
    jobId: job.id,
    kind: job.kind,
    fileName: job.fileName,
    hash: job.hash,
    size: job.size,
    who: job.appliedBy ?? job.createdBy,
    at,
    startedAt: job.applyStartedAt ?? at,
    counts: job.counts,
    applied: job.applied,
    result,
    ...(job.error ? { error: job.error } : {}),
  };
}

function auditDetails(job: ImportJob): Record<string, string | number> {
  return {
    jobId: job.id,
    kind: job.kind,
    fileName: job.fileName,
    hash: job.hash,
    added: job.applied.added,
    changed: job.applied.changed,
    unchanged: job.applied.unchanged,
    refused: job.counts.refused + job.applied.refused,
  };
}

async function finish(
  kv: Deno.Kv,
  clock: Clock,
  job: ImportJob,
  versionstamp: string,
): Promise<ApplyResult> {
  const now = clock();
  const at = now.toISOString();
  const done: ImportJob = { ...job, status: "applied", finishedAt: at, lease: undefined };
  const result: ImportResult = job.applyValidOnly && job.counts.refused > 0
    ? "applied_valid_only"
    : "applied";
  const record = historyRecord(done, at, result);
  const freshness: DataFreshness = {
    asOf: at,
    source: `import: ${importKindDefs[job.kind].label} (${job.fileName})`,
  };
  const op = kv.atomic()
    .check({ key: keys.importJobs(job.id), versionstamp })
    .delete(keys.importJobsByStatus("applying", job.id))
    .set(keys.importJobsByStatus("applied", job.id), job.id)
    .set(keys.importJobs(job.id), done)
    .set(keys.importHistory(record.id), record)
    .set(keys.importHistoryByHash(job.hash, record.id), record.id)
    // The "data as of" date residents see (domain/backoffice/data_freshness.ts reads this key).
    .set(keys.settings("data_as_of"), freshness)
    .set(keys.siteSettingsStamp(), "data_as_of");
  addAudit(op, clock, {
    actor: done.appliedBy ?? done.createdBy,
    action: "import.applied",
    details: auditDetails(done),
  });
  if (!(await op.commit()).ok) {
    const current = await getImportJob(kv, job.id);
    if (current?.status === "applied") return { ok: true, job: current, alreadyApplied: true };
    return { ok: false, reason: "in_progress", job: current ?? job };
  }
  // The applied rows are not needed any more; the refused lines stay with the job.
  await deletePrefix(kv, keys.importJobRowsAll(job.id));
  return { ok: true, job: done, alreadyApplied: false };
}

async function markFailed(
  kv: Deno.Kv,
  clock: Clock,
  jobId: string,
  token: string,
  message: string,
): Promise<ImportJob | null> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get<ImportJob>(keys.importJobs(jobId));
    const current = entry.value;
    if (!current || current.status !== "applying" || current.lease?.token !== token) return current;
    const at = clock().toISOString();
    const failed: ImportJob = {
      ...current,
      status: "failed",
      lease: undefined,
      finishedAt: at,
      error: clip(message, 1000),
    };
    const record = historyRecord(failed, at, "failed");
    const op = kv.atomic()
      .check(entry)
      .delete(keys.importJobsByStatus("applying", jobId))
      .set(keys.importJobsByStatus("failed", jobId), jobId)
      .set(keys.importJobs(jobId), failed)
      .set(keys.importHistory(record.id), record)
      .set(keys.importHistoryByHash(failed.hash, record.id), record.id);
    addAudit(op, clock, {
      actor: failed.appliedBy ?? failed.createdBy,
      action: "import.failed",
      details: { ...auditDetails(failed), error: clip(message, 300) },
    });
    if ((await op.commit()).ok) return failed;
  }
  return null;
}

// --- Resume and clean up -----------------------------------------------------------------------

export type ResumeReport = {
  resumed: { jobId: string; result: ApplyResult }[];
  /** Previews older than PREVIEW_TTL_MS, dropped. */
  expired: number;
};

/**
 * Continues every import a crash left `applying` (once its lease ran out), as the staff member
 * who started it, and drops previews nobody applied within PREVIEW_TTL_MS. Call at start and
 * periodically.
 */
export async function resumeImports(
  kv: Deno.Kv,
  clock: Clock,
  options: { onProgress?: (job: ImportJob) => void | Promise<void> } = {},
): Promise<ResumeReport> {
  const report: ResumeReport = { resumed: [], expired: 0 };
  const now = clock();
  for (const job of await listImportJobs(kv, "applying", 1000)) {
    if (!leaseExpired(job, now)) continue;
    const result = await applyImport(kv, clock, job.id, {
      actor: job.appliedBy ?? job.createdBy,
      applyValidOnly: job.applyValidOnly ?? false,
      onProgress: options.onProgress,
    });
    report.resumed.push({ jobId: job.id, result });
  }
  for (const job of await listImportJobs(kv, "previewed", 1000)) {
    if (now.getTime() - Date.parse(job.createdAt) < PREVIEW_TTL_MS) continue;
    if (await expirePreview(kv, job.id)) report.expired++;
  }
  return report;
}

/** Drops a preview nobody will apply (a dry run): its stored rows go, the job says "expired". */
export async function discardPreview(kv: Deno.Kv, jobId: string): Promise<boolean> {
  return await expirePreview(kv, jobId);
}

async function expirePreview(kv: Deno.Kv, jobId: string): Promise<boolean> {
  const entry = await kv.get<ImportJob>(keys.importJobs(jobId));
  if (entry.value?.status !== "previewed") return false;
  const result = await kv.atomic()
    .check(entry)
    .delete(keys.importJobsByStatus("previewed", jobId))
    .set(keys.importJobsByStatus("expired", jobId), jobId)
    .set(keys.importJobs(jobId), { ...entry.value, status: "expired" })
    .commit();
  if (!result.ok) return false;
  await deletePrefix(kv, keys.importJobRowsAll(jobId));
  return true;
}

/** "Windows-1250", "UTF-8 (z BOM)", … */
export function encodingLabel(encoding: Encoding): string {
  return encodingLabels[encoding];
}
