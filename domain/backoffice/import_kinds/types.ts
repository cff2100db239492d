/**
 * What every import kind provides to `domain/backoffice/imports.ts`: its columns, a zod schema of one row
 * (with Polish messages), a plan step that compares valid rows with what is stored, and an
 * apply step for a chunk of planned rows. Plus the field parsers the schemas share.
 */
import { z } from "zod";
import type { Clock } from "../../shared/clock.ts";
import {
  parseCount,
  parseCubicMetres,
  type Parsed,
  parseDate,
  parseMoney,
  parsePeriod,
  parseSquareMetres,
} from "../../shared/csv.ts";
import { CONTROL_CHARS } from "../../shared/text.ts";
import type { BasisUnit } from "../../balance/ledger.ts";

export type ImportKind = "units" | "ledger" | "meters" | "readings" | "settlements" | "fee_rates";

export const importKinds: readonly ImportKind[] = [
  "units",
  "ledger",
  "meters",
  "readings",
  "settlements",
  "fee_rates",
];

export type ImportAction = "add" | "change" | "unchanged" | "refused";

export type ColumnDef = {
  /** The field of the row object. */
  key: string;
  /** The column's name in the file, as documented (Polish). Compared folded (see `foldHeader`). */
  header: string;
  /** Other names accepted for it. */
  aliases?: readonly string[];
  /** The column must be in the header (its cells may still be empty where the format allows). */
  required: boolean;
  /** What it means, for the documentation and the upload page. */
  meaning: string;
  /** How it is written, e.g. "kwota w zł, np. 1 234,56". */
  format: string;
};

/** A row of the file that passed its schema. `index` counts data rows from 0, `line` is 1-based. */
export type SourceRow<T> = { index: number; line: number; data: T };

export type PlannedRow<A> = {
  index: number;
  line: number;
  action: ImportAction;
  /** Why a row is refused (Polish). */
  reason?: string;
  /** What a change changes (Polish), e.g. "osoby: 3 → 4". */
  note?: string;
  /** What applying needs (ids resolved, values parsed); for "add" and "change" rows. */
  apply?: A;
};

/** A planned row as stored for applying. */
export type StoredRow<A> = { index: number; line: number; action: "add" | "change"; apply: A };

export type ChunkOutcome = {
  added: number;
  changed: number;
  /** Rows found already applied (e.g. written before a crash, or by another import meanwhile). */
  unchanged: number;
  /** Rows refused when applying: what is stored changed since the preview. */
  refused: { line: number; reason: string }[];
};

export function emptyOutcome(): ChunkOutcome {
  return { added: 0, changed: 0, unchanged: 0, refused: [] };
}

export type ImportKindDef<T, A> = {
  kind: ImportKind;
  /** Polish name, e.g. "Lokale". */
  label: string;
  /** One sentence on what the file holds. */
  description: string;
  columns: readonly ColumnDef[];
  /**
   * A quoted cell may hold line breaks. Off for every kind today: each physical line is one
   * record, so a stray quote cannot swallow the lines after it (strict CSV).
   */
  multilineFields?: boolean;
  /** Column headings of the preview's sample rows. */
  sampleHeaders: readonly string[];
  /** Parses one record (column key → trimmed cell text; absent columns are ""). */
  schema: z.ZodType<T, Record<string, string>>;
  /** The row's identity within the file: a second row with it is refused as a duplicate. */
  identity(row: T): { key: string; label: string };
  /** Shows a row that passed its schema in the preview's sample (see `sampleHeaders`). */
  cells(row: T): string[];
  /** Classifies valid, non-duplicate rows against what is stored; returns them in any order. */
  plan(kv: Deno.Kv, clock: Clock, rows: SourceRow<T>[]): Promise<PlannedRow<A>[]>;
  /**
   * Applies stored rows (a chunk), checking again what a crash or a concurrent writer may have
   * done since the preview: a row already applied counts as unchanged. Throws only on
   * unexpected failures (the job then fails and can be resumed).
   */
  apply(kv: Deno.Kv, clock: Clock, rows: StoredRow<A>[]): Promise<ChunkOutcome>;
  /** Sort key of rows for applying (rows of one unit or meter together), or none. */
  applyOrder?(row: A): string;
};

// --- Field parsers for the schemas -------------------------------------------------------------

export { CONTROL_CHARS };

/** How accounting systems write the base of a charge (m², persons, m³, the unit itself). */
export const basisUnitWords: Record<string, BasisUnit> = {
  "m²": "m²",
  "m2": "m²",
  "m.kw.": "m²",
  "os.": "os.",
  "os": "os.",
  "osoba": "os.",
  "osoby": "os.",
  "m³": "m³",
  "m3": "m³",
  "lokal": "lokal",
  "szt.": "lokal",
  "szt": "lokal",
};

function fromParsed<T>(parse: (s: string) => Parsed<T>) {
  return (s: string, ctx: z.RefinementCtx<string>): T => {
    const r = parse(s);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.message });
      return z.NEVER;
    }
    return r.value;
  };
}

function optionalOf<T>(parse: (s: string) => Parsed<T>) {
  return (s: string, ctx: z.RefinementCtx<string>): T | undefined =>
    s.trim() === "" ? undefined : fromParsed(parse)(s, ctx);
}

/** Text: trimmed, inner whitespace (line breaks too) collapsed to one space. */
export function textField(options: { required: boolean; max: number }) {
  return z.string().transform((s, ctx) => {
    const t = s.trim().replace(/\s+/g, " ");
    if (options.required && t === "") {
      ctx.addIssue({ code: "custom", message: "brak wartości" });
      return z.NEVER;
    }
    if (t.length > options.max) {
      ctx.addIssue({ code: "custom", message: `najwyżej ${options.max} znaków` });
      return z.NEVER;
    }
    if (CONTROL_CHARS.test(t)) {
      ctx.addIssue({ code: "custom", message: "niedozwolone znaki sterujące" });
      return z.NEVER;
    }
    return t;
  });
}

export const optionalText = (max: number) =>
  textField({ required: false, max }).transform((t) => (t === "" ? undefined : t));

/** An accounting code (unit, building, document, serial number): 1–40 characters, as written. */
export const codeField = (max = 40) => textField({ required: true, max });

export const moneyField = z.string().transform(fromParsed((s) => parseMoney(s)));
export const optionalMoneyField = z.string().transform(optionalOf((s) => parseMoney(s)));
export const nonNegativeMoneyField = z.string().transform(
  fromParsed((s) => parseMoney(s, { allowNegative: false })),
);
export const optionalNonNegativeMoneyField = z.string().transform(
  optionalOf((s) => parseMoney(s, { allowNegative: false })),
);
export const litresField = z.string().transform(fromParsed(parseCubicMetres));
export const optionalLitresField = z.string().transform(optionalOf(parseCubicMetres));
export const areaField = z.string().transform(fromParsed(parseSquareMetres));
export const countField = z.string().transform(fromParsed(parseCount));
export const dateField = z.string().transform(fromParsed(parseDate));
export const optionalDateField = z.string().transform(optionalOf(parseDate));
export const periodField = z.string().transform(fromParsed(parsePeriod));
export const optionalPeriodField = z.string().transform(optionalOf(parsePeriod));

/** One of a few words (compared folded: case and diacritics do not matter). */
export function wordField<T extends string>(
  words: Record<string, T>,
  options: { required: boolean; expected: string },
) {
  return z.string().transform((s, ctx): T | undefined => {
    const folded = foldValue(s);
    if (folded === "") {
      if (!options.required) return undefined;
      ctx.addIssue({ code: "custom", message: `brak wartości (${options.expected})` });
      return z.NEVER;
    }
    const value = words[folded];
    if (value === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `„${s.trim()}” — oczekiwano: ${options.expected}`,
      });
      return z.NEVER;
    }
    return value;
  });
}

/** Lower case, no diacritics, spaces collapsed: how words in cells are compared. */
export function foldValue(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").replace(/[łŁ]/g, "l").toLowerCase()
    .replace(/\s+/g, " ").trim();
}

/** "tak"/"nie" (also 1/0, t/n, yes/no); empty = `fallback`. */
export function yesNoField(fallback: boolean) {
  return z.string().transform((s, ctx) => {
    const f = foldValue(s);
    if (f === "") return fallback;
    if (["tak", "t", "1", "yes", "y", "x"].includes(f)) return true;
    if (["nie", "n", "0", "no"].includes(f)) return false;
    ctx.addIssue({ code: "custom", message: `„${s.trim()}” — oczekiwano „tak” albo „nie”` });
    return z.NEVER;
  });
}

/** Splits an array into runs of `size`. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Values of many keys, 10 keys per `getMany` (the API's limit), in the order asked. */
export async function getManyValues<T>(
  kv: Deno.Kv,
  keyList: readonly Deno.KvKey[],
): Promise<(T | null)[]> {
  const out: (T | null)[] = [];
  for (const slice of chunked(keyList, 10)) {
    const got = await kv.getMany<T[]>(slice);
    for (const e of got) out.push(e.value);
  }
  return out;
}
