/**
 * Reading the CSV files the cooperative's accounting system (or a spreadsheet) exports, the way a
 * Polish spreadsheet writes them: `;` between columns, a decimal comma, UTF-8 with or without a
 * BOM — or Windows-1250, which Excel still writes for "CSV (rozdzielany średnikami)" on a
 * Polish Windows; that is recognised by its Polish letters and decoded, with a notice.
 *
 * Numbers are turned into integers by string arithmetic, never through floating point:
 * money into grosze, m³ into litres, m² into cm².
 */
import { isIsoDate, isPeriod } from "./calendar.ts";

// --- Bytes → text ---------------------------------------------------------------------------

export type Encoding = "utf-8" | "utf-8-bom" | "windows-1250";

export const encodingLabels: Record<Encoding, string> = {
  "utf-8": "UTF-8",
  "utf-8-bom": "UTF-8 (z BOM)",
  "windows-1250": "Windows-1250",
};

export type DecodeResult =
  | { ok: true; text: string; encoding: Encoding; notice?: string }
  | { ok: false; message: string };

/** The bytes of Polish letters in Windows-1250: ą ć ę ł ń ó ś ź ż and their capitals. */
const CP1250_POLISH = new Set([
  0xb9,
  0xe6,
  0xea,
  0xb3,
  0xf1,
  0xf3,
  0x9c,
  0x9f,
  0xbf, // ą ć ę ł ń ó ś ź ż
  0xa5,
  0xc6,
  0xca,
  0xa3,
  0xd1,
  0xd3,
  0x8c,
  0x8f,
  0xaf, // Ą Ć Ę Ł Ń Ó Ś Ź Ż
]);
/** Bytes Windows-1250 leaves undefined. */
const CP1250_UNDEFINED = new Set([0x81, 0x83, 0x88, 0x90, 0x98]);
/** Other Windows-1250 characters a Polish spreadsheet plausibly holds: „ ” – — § ° « » nbsp … */
const CP1250_PLAUSIBLE = new Set([
  0x84,
  0x94,
  0x93,
  0x96,
  0x97,
  0xa7,
  0xb0,
  0xab,
  0xbb,
  0xa0,
  0x85,
]);

const SAVE_AS_UTF8 =
  "Zapisz plik jako „CSV UTF-8 (rozdzielany przecinkami)” (Excel) albo w kodowaniu UTF-8 i wczytaj go ponownie.";

/**
 * UTF-8 (a BOM is dropped) is taken as it is. Bytes that are not UTF-8 but look like Windows-1250
 * Polish text (most of their non-ASCII bytes are Polish letters there, none is undefined there)
 * are decoded as Windows-1250, with a notice to check the letters in the preview. Anything else
 * (UTF-16, ISO-8859-2, binary) is refused with a message saying how to save the file.
 */
export function decodeCsvBytes(bytes: Uint8Array): DecodeResult {
  if (bytes.length === 0) return { ok: false, message: "Plik jest pusty." };
  if (
    (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)
  ) {
    return {
      ok: false,
      message:
        `Plik jest zapisany w kodowaniu UTF-16 („Tekst Unicode”), którego nie odczytujemy. ${SAVE_AS_UTF8}`,
    };
  }
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
      .decode(hasBom ? bytes.subarray(3) : bytes);
    if (text.includes("\u0000")) return { ok: false, message: notText() };
    return { ok: true, text, encoding: hasBom ? "utf-8-bom" : "utf-8" };
  } catch {
    // not UTF-8: try Windows-1250 below
  }
  let high = 0;
  let polish = 0;
  let plausible = 0;
  for (const b of bytes) {
    if (b === 0) return { ok: false, message: notText() };
    if (b < 0x80) continue;
    high++;
    if (CP1250_UNDEFINED.has(b)) {
      return { ok: false, message: `Nie rozpoznano kodowania pliku. ${SAVE_AS_UTF8}` };
    }
    if (CP1250_POLISH.has(b)) polish++;
    else if (CP1250_PLAUSIBLE.has(b)) plausible++;
  }
  // ISO-8859-2 writes ą ś ź as 0xB1 0xB6 0xBC (± ¶ ľ in Windows-1250): those fail this test.
  if (polish > 0 && (polish + plausible) / high >= 0.9) {
    return {
      ok: true,
      text: new TextDecoder("windows-1250").decode(bytes),
      encoding: "windows-1250",
      notice:
        "Plik był zapisany w kodowaniu Windows-1250 (starsze „CSV” Excela); odczytano go w tym kodowaniu. Sprawdź w podglądzie, czy polskie litery są poprawne.",
    };
  }
  return {
    ok: false,
    message:
      `Plik nie jest zapisany ani w UTF-8, ani w Windows-1250 (może to ISO-8859-2?). ${SAVE_AS_UTF8}`,
  };
}

function notText() {
  return "To nie jest plik tekstowy CSV. Wybierz plik CSV z danymi rozdzielanymi średnikami.";
}

// --- Text → records ---------------------------------------------------------------------------

export type CsvRecord = {
  /** The 1-based line of the file where the record starts (a quoted field may span lines). */
  line: number;
  cells: string[];
};

export type CsvParseResult =
  | { ok: true; header: string[]; headerLine: number; records: CsvRecord[] }
  | { ok: false; message: string; line?: number };

/** A file that is not CSV as described (an unclosed quote); `line` is where it went wrong. */
export class CsvSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
    this.name = "CsvSyntaxError";
  }
}

/**
 * The records of a CSV text, one at a time (a large file is never held as a list of records):
 * RFC 4180 style with `;` as the separator — fields may be quoted with `"`, a `""` inside quotes
 * is one quote, quoted fields may hold `;` and line breaks; CRLF and LF both end a record.
 * Records whose cells are all empty (a spreadsheet's trailing `;;;;` rows) are skipped.
 * Strict quoting: throws `CsvSyntaxError` (with the lines) on a quote left open, on text after
 * a closing quote (`"abc"def`), and — with `multiline: false`, for files whose values never
 * span lines — on a quoted field that runs over a line end: a stray `"` at the start of a
 * field would otherwise swallow the lines up to the next quote.
 */
export function* csvRecords(
  text: string,
  options: { multiline?: boolean } = {},
): Generator<CsvRecord> {
  const multiline = options.multiline ?? true;
  let cells: string[] = [];
  let line = 1;
  let recordLine = 1;
  const n = text.length;
  let i = 0;
  const nonEmpty = (c: string[]) => c.some((x) => x.trim() !== "");
  // One field per turn of the loop; unquoted fields are slices of the text (no copying).
  while (i <= n) {
    let field: string;
    if (text.charCodeAt(i) === 34 /* " */) {
      const quoted = readQuotedField(text, i, line, multiline);
      field = quoted.field;
      i = quoted.end;
      line = quoted.line;
    } else {
      const j = unquotedEnd(text, i);
      field = text.slice(i, j);
      i = j;
    }
    cells.push(field);
    if (i >= n) {
      if (nonEmpty(cells)) yield { line: recordLine, cells };
      return;
    }
    const c = text.charCodeAt(i);
    if (c === 59) {
      i++;
      if (i === n) {
        cells.push("");
        if (nonEmpty(cells)) yield { line: recordLine, cells };
        return;
      }
      continue;
    }
    // A line break ends the record.
    i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    if (nonEmpty(cells)) yield { line: recordLine, cells };
    cells = [];
    line++;
    recordLine = line;
    if (i === n) return;
  }
}

/**
 * Reads the quoted field that starts at `start` (the opening quote): its text with `""` made
 * one quote, where the text goes on after it (spaces after the closing quote skipped) and the
 * line reached. Throws `CsvSyntaxError` as described at `csvRecords`.
 */
function readQuotedField(
  text: string,
  start: number,
  line: number,
  multiline: boolean,
): { field: string; end: number; line: number } {
  const n = text.length;
  let i = start;
  const openedAt = line;
  let out = "";
  let from = i + 1;
  i = from;
  while (true) {
    const q = text.indexOf('"', i);
    if (q < 0) {
      throw new CsvSyntaxError(
        `Wiersz ${openedAt}: cudzysłów otwarty i niezamknięty do końca pliku. Sprawdź, czy każde pole w cudzysłowie kończy się cudzysłowem.`,
        openedAt,
      );
    }
    if (text.charCodeAt(q + 1) === 34) {
      out += text.slice(from, q + 1);
      i = from = q + 2;
      continue;
    }
    out += text.slice(from, q);
    i = q + 1;
    break;
  }
  const breaks = countLineBreaks(out);
  line += breaks;
  if (breaks > 0 && !multiline) {
    throw new CsvSyntaxError(
      `W wierszach ${openedAt}–${line} pliku: pole zaczyna się cudzysłowem, który zamyka dopiero cudzysłów w wierszu ${line}, więc wiersze zlałyby się w jeden. Usuń zbędny cudzysłów (cudzysłów wewnątrz pola zapisuje się podwójnie: "") albo zamknij pole cudzysłowem w tym samym wierszu.`,
      openedAt,
    );
  }
  // Only spaces may follow a closing quote before the separator or the line's end.
  let j = i;
  while (j < n && (text[j] === " " || text[j] === "\t")) j++;
  if (j < n && text[j] !== ";" && text[j] !== "\n" && text[j] !== "\r") {
    let end = j;
    while (end < n && text[end] !== ";" && text[end] !== "\n" && text[end] !== "\r") end++;
    throw new CsvSyntaxError(
      `${
        line > openedAt ? `W wierszach ${openedAt}–${line}` : `W wierszu ${line}`
      } pliku: po cudzysłowie zamykającym pole stoi jeszcze tekst („${
        text.slice(j, Math.min(end, j + 30))
      }”). Cudzysłów wewnątrz pola zapisuje się podwójnie ("") albo całe pole ujmuje się w cudzysłów.`,
      openedAt,
    );
  }
  return { field: out, end: j, line };
}

/** Where the unquoted field that starts at `i` ends: at `;`, a line break or the text's end. */
function unquotedEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 59 /* ; */ || c === 10 || c === 13) break;
    j++;
  }
  return j;
}

/**
 * The header of a CSV (its first record, after an Excel "sep=;" line) as trimmed names, or why
 * it cannot be one (columns separated by commas or tabs instead of semicolons).
 */
export function csvHeader(
  records: Iterator<CsvRecord>,
): { ok: true; header: string[]; line: number } | { ok: false; message: string; line?: number } {
  let first = records.next();
  if (!first.done && /^sep=.?$/i.test(first.value.cells.join(";").trim())) first = records.next();
  if (first.done) return { ok: false, message: "Plik nie zawiera żadnych wierszy." };
  const header = first.value.cells.map((c) => c.trim());
  if (header.length === 1 && /[,\t]/.test(header[0])) {
    return {
      ok: false,
      line: first.value.line,
      message: `Kolumny muszą być rozdzielone średnikiem (;), a w pliku ${
        header[0].includes("\t") ? "są tabulatory" : "są przecinki"
      }. Zapisz plik jako CSV rozdzielany średnikami.`,
    };
  }
  return { ok: true, header, line: first.value.line };
}

/** The whole CSV at once: the header and the records after it (see `csvRecords`). */
export function parseCsv(text: string): CsvParseResult {
  try {
    const records = csvRecords(text);
    const head = csvHeader(records);
    if (!head.ok) return head;
    return { ok: true, header: head.header, headerLine: head.line, records: [...records] };
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      return { ok: false, message: error.message, line: error.line };
    }
    throw error;
  }
}

/** The physical lines of a text as an editor counts them (a last line without a break counts). */
export function countPhysicalLines(text: string): number {
  if (text === "") return 0;
  const last = text.charCodeAt(text.length - 1);
  return countLineBreaks(text) + (last === 10 || last === 13 ? 0 : 1);
}

function countLineBreaks(s: string): number {
  let count = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 10 || (c === 13 && s.charCodeAt(k + 1) !== 10)) count++;
  }
  return count;
}

/**
 * A column name as compared: lower case, no diacritics (ł → l), anything else than letters and
 * digits as one "_" — so "Data montażu", "data_montazu" and "DATA MONTAŻU" are one column.
 */
export function foldHeader(name: string): string {
  return name.normalize("NFD").replace(/\p{M}/gu, "").replace(/[łŁ]/g, "l").toLowerCase()
    .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/** A value as compared with a list of words (kinds, sources): folded like a column name. */
export const foldWord = foldHeader;

// --- Polish numbers and dates -----------------------------------------------------------------

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const SPACES = /[ \u00a0\u202f\u2009]/;
const MINUS = /^[-\u2212\u2013]/;

/**
 * A decimal number written the Polish way, as an integer in units of 10^-`decimals`:
 * "1 234,56" / "1234,56" / "1.234,56" / "-12,5" / "−12,50" → (decimals 2) 123456 / … / -1250.
 * Thousands may be grouped by spaces (also non-breaking) or dots, the decimal separator is a
 * comma. A lone decimal dot ("12.5") is refused: in Polish files "1.234" means a thousand.
 * `suffixes` (e.g. "zł", "m³") may follow the number.
 */
export function parseDecimal(
  raw: string,
  decimals: number,
  options: { suffixes?: readonly string[]; allowNegative?: boolean; what?: string } = {},
): Parsed<number> {
  let s = raw.trim();
  for (const suffix of options.suffixes ?? []) {
    if (s.toLowerCase().endsWith(suffix)) {
      s = s.slice(0, -suffix.length).trim();
      break;
    }
  }
  const example = decimals === 0 ? "np. 12" : decimals === 2 ? "np. 1 234,56" : "np. 12,345";
  if (s === "") return { ok: false, message: "brak wartości" };
  let negative = false;
  if (MINUS.test(s)) {
    negative = true;
    s = s.slice(1).trim();
  } else if (s.startsWith("+")) {
    s = s.slice(1).trim();
  }
  let whole: string;
  let frac = "";
  const comma = s.indexOf(",");
  if (comma !== s.lastIndexOf(",")) {
    return { ok: false, message: `„${raw.trim()}” to nie liczba (${example})` };
  }
  whole = comma >= 0 ? s.slice(0, comma) : s;
  if (comma >= 0) frac = s.slice(comma + 1);
  if (whole.includes(".")) {
    // Dots are thousands separators only in the full "1.234,56" form.
    if (comma < 0 || !/^\d{1,3}(\.\d{3})+$/.test(whole)) {
      return {
        ok: false,
        message: `„${raw.trim()}”: użyj przecinka jako separatora dziesiętnego (${example})`,
      };
    }
    whole = whole.replaceAll(".", "");
  } else if (SPACES.test(whole)) {
    if (!/^\d{1,3}([ \u00a0\u202f\u2009]\d{3})+$/.test(whole)) {
      return { ok: false, message: `„${raw.trim()}” to nie liczba (${example})` };
    }
    whole = whole.replace(/[ \u00a0\u202f\u2009]/g, "");
  }
  if (!/^\d+$/.test(whole) || (comma >= 0 && !/^\d+$/.test(frac))) {
    return { ok: false, message: `„${raw.trim()}” to nie liczba (${example})` };
  }
  const trimmedFrac = frac.replace(/0+$/, "");
  if (trimmedFrac.length > decimals) {
    return {
      ok: false,
      message: decimals === 0
        ? `„${raw.trim()}”: oczekiwano liczby całkowitej`
        : `„${raw.trim()}”: najwyżej ${decimals} ${
          decimals === 1 ? "cyfra" : decimals < 5 ? "cyfry" : "cyfr"
        } po przecinku`,
    };
  }
  const digits = (whole.replace(/^0+(?=\d)/, "") + trimmedFrac.padEnd(decimals, "0"))
    .replace(/^0+(?=\d)/, "");
  if (digits.length > 15) return { ok: false, message: `„${raw.trim()}”: liczba za duża` };
  const value = Number(digits);
  if (negative && value !== 0) {
    if (options.allowNegative === false) {
      return { ok: false, message: `„${raw.trim()}”: wartość nie może być ujemna` };
    }
    return { ok: true, value: -value };
  }
  return { ok: true, value };
}

/** Money in złoty ("1 234,56", "-12,5", "100 zł") → integer grosze. */
export function parseMoney(raw: string, options: { allowNegative?: boolean } = {}) {
  return parseDecimal(raw, 2, { suffixes: ["zł", "zl", "pln"], ...options });
}

/** Water in m³ ("12,345") → integer litres. Never negative. */
export function parseCubicMetres(raw: string): Parsed<number> {
  return parseDecimal(raw, 3, { suffixes: ["m³", "m3"], allowNegative: false });
}

/** An area in m² ("48,50") → integer cm². Never negative. */
export function parseSquareMetres(raw: string): Parsed<number> {
  return parseDecimal(raw, 4, { suffixes: ["m²", "m2"], allowNegative: false });
}

/** A non-negative whole number ("3"). */
export function parseCount(raw: string): Parsed<number> {
  return parseDecimal(raw, 0, { allowNegative: false });
}

/** "25.11.2026", "5.1.2026" or "2026-11-25" (a time of "0:00" after it is ignored) → "2026-11-25". */
export function parseDate(raw: string): Parsed<string> {
  const s = raw.trim().replace(/\s+0?0:00(:00)?$/, "");
  if (s === "") return { ok: false, message: "brak wartości" };
  let iso: string | null = null;
  let m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s);
  if (m) iso = `${m[3]}-${m[2].padStart(2, "0")}-${m[1].padStart(2, "0")}`;
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) iso = s;
  if (!iso) {
    return { ok: false, message: `„${raw.trim()}” to nie data (np. 25.11.2026 albo 2026-11-25)` };
  }
  if (!isIsoDate(iso)) return { ok: false, message: `„${raw.trim()}”: nie ma takiego dnia` };
  return { ok: true, value: iso };
}

/** A month: "2026-11", "11.2026" or "11/2026" → "2026-11". */
export function parsePeriod(raw: string): Parsed<string> {
  const s = raw.trim();
  if (s === "") return { ok: false, message: "brak wartości" };
  let period: string | null = null;
  let m = /^(\d{4})-(\d{1,2})$/.exec(s);
  if (m) period = `${m[1]}-${m[2].padStart(2, "0")}`;
  m = /^(\d{1,2})[./](\d{4})$/.exec(s);
  if (m) period = `${m[2]}-${m[1].padStart(2, "0")}`;
  if (!period || !isPeriod(period)) {
    return { ok: false, message: `„${s}” to nie miesiąc (np. 11.2026 albo 2026-11)` };
  }
  return { ok: true, value: period };
}

// --- Writing numbers back (previews, examples) ---------------------------------------------------

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/** An integer in units of 10^-decimals written the Polish way: 123456, 2 → "1 234,56". */
export function formatDecimal(value: number, decimals: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  const sign = value < 0 ? "-" : "";
  const digits = String(Math.abs(value)).padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals);
  return `${sign}${group(whole)}${decimals > 0 ? "," + frac : ""}`;
}

/** "2026-11-25" → "25.11.2026". */
export function formatDatePl(iso: string): string {
  return `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
}

// --- Hashing ------------------------------------------------------------------------------------

/** SHA-256 of the bytes, lower-case hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
