/**
 * The files of a bulk upload of letters: loose files and ZIP archives (unpacked with `fflate`),
 * and the CSV that maps each file name to a unit code.
 *
 * A ZIP is read piece by piece with the streaming unzipper, counting the bytes it really
 * produces (the sizes an archive declares can lie): a zip bomb stops at BULK_MAX_TOTAL_BYTES,
 * and one entry over MAX_FILE_BYTES is cut off and refused, never held whole in memory.
 */
import { Unzip, UnzipInflate } from "fflate";
import { MAX_FILE_BYTES } from "../files/file_store.ts";
import {
  csvHeader,
  csvRecords,
  CsvSyntaxError,
  decodeCsvBytes,
  foldHeader,
} from "../shared/csv.ts";

/** Files in one upload (loose ones and ZIP entries together). */
export const BULK_MAX_FILES = 300;
/** Bytes of all files together, after unpacking. */
export const BULK_MAX_TOTAL_BYTES = 60 * 1024 * 1024;
/** Lines of the CSV (besides the header). */
export const BULK_MAX_CSV_LINES = 1000;
/** The ZIP is fed to the unzipper in pieces this big: one deflate step yields at most ~1000×. */
const PIECE_BYTES = 16 * 1024;

/** One file of the upload; `bytes` is null when it could not be read whole. */
export type BulkFile = {
  /** The name without folders, as the CSV names it. */
  name: string;
  /** "archiwum.zip/folder/x.pdf" for an entry, else the name. */
  origin: string;
  bytes: Uint8Array | null;
  problem?: "too_large" | "damaged";
};

export type UnpackResult = { ok: true; files: BulkFile[] } | { ok: false; message: string };

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // "PK\3\4"

export function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** Entries a packing program adds on its own (macOS resource forks, Windows thumbnails). */
function isClutter(path: string): boolean {
  const base = baseName(path);
  return path.startsWith("__MACOSX/") || base === ".DS_Store" || base === "Thumbs.db";
}

type Entry = BulkFile & { parts: Uint8Array[]; size: number; done: boolean };

/** The files of one ZIP archive, within the limits left (`budget`) of the whole upload. */
function unzip(
  archiveName: string,
  zip: Uint8Array,
  budget: { files: number; bytes: number },
): UnpackResult {
  const entries: Entry[] = [];
  let failure: string | null = null;
  const unzipper = new Unzip((file) => {
    if (failure || file.name.endsWith("/") || isClutter(file.name)) return;
    if (--budget.files < 0) {
      failure = `W przesłanych plikach jest więcej niż ${BULK_MAX_FILES} plików.`;
      return;
    }
    const entry: Entry = {
      name: baseName(file.name),
      origin: `${archiveName}/${file.name}`,
      bytes: null,
      parts: [],
      size: 0,
      done: false,
    };
    entries.push(entry);
    file.ondata = (err, chunk, final) => {
      if (err) {
        entry.problem = "damaged";
        return;
      }
      entry.size += chunk.length;
      budget.bytes -= chunk.length;
      if (budget.bytes < 0) {
        failure = `Po rozpakowaniu pliki mają razem więcej niż ${
          BULK_MAX_TOTAL_BYTES / (1024 * 1024)
        } MB. Podziel wysyłkę na mniejsze części.`;
        file.terminate();
        return;
      }
      if (entry.size > MAX_FILE_BYTES) {
        entry.problem = "too_large";
        entry.parts = [];
        file.terminate();
        return;
      }
      entry.parts.push(chunk);
      if (final) entry.done = true;
    };
    try {
      file.start();
    } catch {
      entry.problem = "damaged"; // a compression method other than stored or deflate
    }
  });
  unzipper.register(UnzipInflate);
  try {
    for (let i = 0; i < zip.length && !failure; i += PIECE_BYTES) {
      unzipper.push(zip.subarray(i, i + PIECE_BYTES), i + PIECE_BYTES >= zip.length);
    }
  } catch {
    return { ok: false, message: `Archiwum „${archiveName}” jest uszkodzone albo nie jest ZIP.` };
  }
  if (failure) return { ok: false, message: failure };
  return {
    ok: true,
    files: entries.map((e): BulkFile => {
      const problem = e.problem ?? (e.done ? undefined : "damaged");
      return {
        name: e.name,
        origin: e.origin,
        bytes: problem ? null : concat(e.parts, e.size),
        ...(problem ? { problem } : {}),
      };
    }),
  };
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Loose files as they are and the entries of every ZIP among them (recognised by content). */
export function unpackUpload(uploaded: { name: string; bytes: Uint8Array }[]): UnpackResult {
  const budget = { files: BULK_MAX_FILES, bytes: BULK_MAX_TOTAL_BYTES };
  const files: BulkFile[] = [];
  for (const u of uploaded) {
    if (isZip(u.bytes)) {
      const got = unzip(baseName(u.name), u.bytes, budget);
      if (!got.ok) return got;
      files.push(...got.files);
      continue;
    }
    budget.bytes -= u.bytes.length;
    if (--budget.files < 0) {
      return {
        ok: false,
        message: `W przesłanych plikach jest więcej niż ${BULK_MAX_FILES} plików.`,
      };
    }
    if (budget.bytes < 0) {
      return {
        ok: false,
        message: `Pliki mają razem więcej niż ${
          BULK_MAX_TOTAL_BYTES / (1024 * 1024)
        } MB. Podziel wysyłkę na mniejsze części.`,
      };
    }
    const name = baseName(u.name);
    files.push(
      u.bytes.length > MAX_FILE_BYTES
        ? { name, origin: name, bytes: null, problem: "too_large" }
        : { name, origin: name, bytes: u.bytes },
    );
  }
  return { ok: true, files };
}

/** One line of the mapping CSV. */
export type MappingLine = {
  line: number;
  fileName: string;
  unitCode: string;
  /** Empty: the title given in the form. */
  title: string;
  /** Empty: the kind chosen in the form. */
  category: string;
};

export type MappingResult = { ok: true; lines: MappingLine[] } | { ok: false; message: string };

/** Column names as folded by `foldHeader`, with the spellings staff may use. */
const COLUMNS = {
  fileName: ["plik", "nazwa_pliku", "file"],
  unitCode: ["lokal", "kod_lokalu", "kod", "unit"],
  title: ["tytul", "tytul_pisma"],
  category: ["rodzaj"],
} as const;

/**
 * The CSV: `;`-separated with a header; columns `plik` and `lokal` required, `tytul` and `rodzaj`
 * optional (see docs/documents_bulk.md).
 */
export function parseMapping(bytes: Uint8Array): MappingResult {
  const decoded = decodeCsvBytes(bytes);
  if (!decoded.ok) return { ok: false, message: `Plik CSV: ${decoded.message}` };
  try {
    const records = csvRecords(decoded.text, { multiline: false });
    const head = csvHeader(records);
    if (!head.ok) return { ok: false, message: `Plik CSV: ${head.message}` };
    const folded = head.header.map(foldHeader);
    const col = (names: readonly string[]) => folded.findIndex((h) => names.includes(h));
    const at = {
      fileName: col(COLUMNS.fileName),
      unitCode: col(COLUMNS.unitCode),
      title: col(COLUMNS.title),
      category: col(COLUMNS.category),
    };
    if (at.fileName < 0 || at.unitCode < 0) {
      return {
        ok: false,
        message:
          "Plik CSV: pierwszy wiersz musi nazywać kolumny, co najmniej „plik” i „lokal” (np. plik;lokal;tytul).",
      };
    }
    const cell = (cells: string[], i: number) => (i < 0 ? "" : (cells[i] ?? "").trim());
    const lines: MappingLine[] = [];
    for (const r of records) {
      if (lines.length >= BULK_MAX_CSV_LINES) {
        return {
          ok: false,
          message: `Plik CSV ma więcej niż ${BULK_MAX_CSV_LINES} wierszy. Podziel wysyłkę.`,
        };
      }
      lines.push({
        line: r.line,
        fileName: baseName(cell(r.cells, at.fileName)),
        unitCode: cell(r.cells, at.unitCode),
        title: cell(r.cells, at.title).replace(/\s+/g, " "),
        category: cell(r.cells, at.category),
      });
    }
    if (lines.length === 0) return { ok: false, message: "Plik CSV nie ma wierszy z plikami." };
    return { ok: true, lines };
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      return { ok: false, message: `Plik CSV: ${error.message}` };
    }
    throw error;
  }
}
