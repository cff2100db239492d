/**
 * Backup and restore of the whole Deno KV database as JSON Lines (`deno task admin backup …`).
 *
 * File layout, one JSON object per line (UTF-8, `\n` between lines):
 *
 *   {"format":"ebok-kv-backup","version":1,"exportedAt":"…","skippedPrefixes":[…]}   header
 *   {"key":[…],"value":…}                                                             one per entry,
 *   {"key":[…],"value":…,"expireIn":7776000000}                                       in KV order
 *   {"end":true,"entries":1234}                                                       trailer
 *
 * The trailer makes a truncated file (disk full, interrupted copy) detectable: an import refuses
 * a file without it, or whose count differs.
 *
 * Keys and values are encoded losslessly. Plain JSON stands for itself (strings, finite numbers
 * other than -0, booleans, null, arrays without holes, plain objects); everything else is an
 * object with exactly one member whose name starts with `$`:
 *
 *   {"$undefined":true}                 undefined (also as an object member or array item)
 *   {"$number":"NaN"|"Infinity"|"-Infinity"|"-0"}
 *   {"$bigint":"-123"}                  bigint
 *   {"$u64":"5"}                        Deno.KvU64
 *   {"$bytes":"<base64>"}               Uint8Array
 *   {"$view":["Int16Array","<base64>"]} any other typed array or DataView (its bytes)
 *   {"$arraybuffer":"<base64>"}         ArrayBuffer
 *   {"$date":"2026-11-25T10:00:00.000Z"} Date ("Invalid Date" for an invalid one)
 *   {"$regexp":["source","flags"]}
 *   {"$map":[[k,v],…]}  {"$set":[v,…]}   entries in insertion order, each encoded
 *   {"$array":{"length":n,"items":[[i,v],…],"props":{…}}}   an array with holes or extra members
 *   {"$error":{"name":"TypeError","message":"…","stack":"…","cause":…}}
 *   {"$boxed":v}                        new Number(…), new String(…), Object(1n), …
 *   {"$object":{…}}                     a plain object with a member whose name starts with `$`
 *
 * Key parts use the same encoding (strings, numbers incl. -0/NaN/±Infinity, bigints, booleans,
 * Uint8Array). Versionstamps are not kept: the import writes new ones. Shared references inside
 * one value come back as copies (eBOK stores plain data, never shared or cyclic structures; a
 * cycle is refused at export).
 *
 * Transient keys are skipped at export (see TRANSIENT_PREFIXES): they are short-lived, their
 * expiry cannot be read back from KV, and restoring them would bring back sessions that were
 * ended after the backup. Keys that expire but matter (announcement e-mail markers) are exported
 * with their full expiry re-applied from the moment of import (REAPPLIED_EXPIRY).
 */
import { decodeBase64, encodeBase64, encodeHexLowerCase } from "@oslojs/encoding";
import { SHA256 } from "@oslojs/crypto/sha2";

export const BACKUP_FORMAT = "ebok-kv-backup";
export const BACKUP_VERSION = 1;

/**
 * First key parts skipped at export: sessions, their indexes, rate-limit windows, login
 * lockouts, the TOTP replay guard and the development outbox. After a restore every user logs in
 * again and lockouts start afresh.
 */
export const TRANSIENT_PREFIXES: readonly string[] = [
  "sessions",
  "sessions_by_account",
  "staff_sessions",
  "staff_sessions_by_staff",
  "rate_limits",
  "lockouts",
  "staff_totp_last_used",
  "dev_outbox",
  // Replays of API calls are kept 24 h only; a restore need not bring them back.
  "api_idempotency",
  // /health's write probe (expires after a minute).
  "health_probe",
];

/**
 * First key parts that are written with an expiry and are kept: the import sets this expiry
 * (counted from the import) again. Mirrors MARKER_TTL_MS in domain/backoffice/announcements.ts.
 */
export const REAPPLIED_EXPIRY: Readonly<Record<string, number>> = {
  announcement_emails: 90 * 24 * 60 * 60_000,
};

/** At most this many mutations per atomic operation (Deno KV's limit is 1000). */
const MAX_BATCH_ENTRIES = 1000;
/**
 * Deno KV refuses an atomic operation over 800 KiB of keys and values (serialized). A line's
 * UTF-16 length × 2 over-estimates that for eBOK's data; a batch that still proves too large is
 * split in two and retried.
 */
const MAX_BATCH_ESTIMATE = 600 * 1024;

type Json = null | boolean | number | string | Json[] | { [member: string]: Json };

/** The file is not a complete eBOK backup, or a line cannot be decoded. */
export class BackupFormatError extends Error {}
/** The import would overwrite data and overwriting was not asked for. */
export class BackupRefusedError extends Error {}
/** A value cannot be written as JSON losslessly (a cycle, a function, a symbol). */
export class BackupEncodingError extends Error {}

export type ExportResult = {
  entries: number;
  skipped: number;
  /** SHA-256 over every exported key and its versionstamp, in KV order (see `fingerprintKv`). */
  fingerprint: string;
};
export type ImportMode = "empty-only" | "overwrite";
export type ImportOptions = {
  mode: ImportMode;
  /** Read and check every line, refuse as a real import would, but write nothing. */
  dryRun?: boolean;
};
export type ImportResult = {
  entries: number;
  batches: number;
  existingBefore: number;
  /** When the backup was taken (its header), for the messages that were under way then. */
  exportedAt: Date | null;
};

// ---------------------------------------------------------------------------------------------
// Export

/**
 * Writes every entry of `kv` in KV order as JSON Lines (see the module comment) through `write`,
 * one call per line, without the trailing newline. Reads in batches: on a database that is being
 * written to meanwhile the result is consistent per batch only, so stop the service (or accept
 * that) for an exact snapshot.
 */
export async function exportKv(
  kv: Deno.Kv,
  write: (line: string) => Promise<void>,
  options: { skipPrefixes?: readonly string[]; now?: Date } = {},
): Promise<ExportResult> {
  const skip = new Set(options.skipPrefixes ?? TRANSIENT_PREFIXES);
  await write(JSON.stringify({
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    exportedAt: (options.now ?? new Date()).toISOString(),
    skippedPrefixes: [...skip],
  }));
  let entries = 0;
  let skipped = 0;
  const hash = new SHA256();
  for await (const entry of kv.list({ prefix: [] }, { batchSize: 500 })) {
    const first = entry.key[0];
    if (typeof first === "string" && skip.has(first)) {
      skipped++;
      continue;
    }
    const line = encodeEntry(entry.key, entry.value);
    await write(line);
    hashEntry(hash, entry);
    entries++;
  }
  await write(JSON.stringify({ end: true, entries }));
  return { entries, skipped, fingerprint: encodeHexLowerCase(hash.digest()) };
}

const utf8 = new TextEncoder();

function hashEntry(hash: SHA256, entry: Deno.KvEntry<unknown>) {
  hash.update(
    utf8.encode(
      `${JSON.stringify(entry.key.map((part) => encodeValue(part)))}@${entry.versionstamp}\n`,
    ),
  );
}

/**
 * SHA-256 over every key (transient ones skipped) and its versionstamp, in KV order: a second
 * read of the whole database, without the values.
 *
 * Why two equal fingerprints make an export one consistent moment: a commit during the export
 * that touched a key the export had already passed changes that key's versionstamp (or removes
 * it) for the second read, so the fingerprints differ. A commit the export does not reveal so
 * touched only keys the export read after it: the export holds all of it. So with equal
 * fingerprints every commit is in the export entirely or not at all — the state at its end.
 * Works on Deno Deploy as on one host (no file to copy there).
 */
export async function fingerprintKv(
  kv: Deno.Kv,
  options: { skipPrefixes?: readonly string[] } = {},
): Promise<string> {
  const skip = new Set(options.skipPrefixes ?? TRANSIENT_PREFIXES);
  const hash = new SHA256();
  for await (const entry of kv.list({ prefix: [] }, { batchSize: 1000 })) {
    const first = entry.key[0];
    if (typeof first === "string" && skip.has(first)) continue;
    hashEntry(hash, entry);
  }
  return encodeHexLowerCase(hash.digest());
}

/** One entry's line. */
export function encodeEntry(key: Deno.KvKey, value: unknown): string {
  let encodedValue: Json;
  try {
    encodedValue = encodeValue(value);
  } catch (error) {
    if (error instanceof BackupEncodingError) {
      throw new BackupEncodingError(`${error.message} (key ${Deno.inspect(key)})`);
    }
    throw error;
  }
  const line: { key: Json[]; value: Json; expireIn?: number } = {
    key: key.map((part) => encodeValue(part)),
    value: encodedValue,
  };
  const first = key[0];
  if (typeof first === "string" && Object.hasOwn(REAPPLIED_EXPIRY, first)) {
    line.expireIn = REAPPLIED_EXPIRY[first];
  }
  return JSON.stringify(line);
}

const tag = (name: string, payload: Json): Json => ({ [name]: payload });

/** Encodes any value Deno KV can hold as JSON, losslessly (see the module comment). */
export function encodeValue(value: unknown, seen: Set<object> = new Set()): Json {
  switch (typeof value) {
    case "undefined":
      return tag("$undefined", true);
    case "boolean":
    case "string":
      return value;
    case "number":
      if (Number.isNaN(value)) return tag("$number", "NaN");
      if (value === Infinity) return tag("$number", "Infinity");
      if (value === -Infinity) return tag("$number", "-Infinity");
      if (Object.is(value, -0)) return tag("$number", "-0");
      return value;
    case "bigint":
      return tag("$bigint", value.toString());
    case "object":
      if (value === null) return null;
      if (seen.has(value)) throw new BackupEncodingError("a value contains itself");
      seen.add(value);
      try {
        return encodeObject(value, seen);
      } finally {
        seen.delete(value);
      }
    default:
      throw new BackupEncodingError(`a ${typeof value} cannot be stored`);
  }
}

const VIEW_TYPES = [
  "Int8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float16Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "DataView",
] as const;

const ERROR_TYPES: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function encodeObject(value: object, seen: Set<object>): Json {
  const enc = (v: unknown) => encodeValue(v, seen);
  if (value instanceof Deno.KvU64) return tag("$u64", value.value.toString());
  if (value instanceof Uint8Array && value.constructor === Uint8Array) {
    return tag("$bytes", encodeBase64(value));
  }
  if (ArrayBuffer.isView(value)) {
    const type = VIEW_TYPES.find((name) => value.constructor.name === name);
    if (!type) throw new BackupEncodingError(`${value.constructor.name} cannot be stored`);
    return tag("$view", [type, encodeBase64(bytesOf(value))]);
  }
  if (value instanceof ArrayBuffer) {
    return tag("$arraybuffer", encodeBase64(new Uint8Array(value)));
  }
  if (value instanceof Date) {
    return tag("$date", Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString());
  }
  if (value instanceof RegExp) return tag("$regexp", [value.source, value.flags]);
  if (value instanceof Map) return tag("$map", [...value].map(([k, v]) => [enc(k), enc(v)]));
  if (value instanceof Set) return tag("$set", [...value].map(enc));
  if (value instanceof Error) {
    const out: Record<string, Json> = { name: value.name };
    for (const member of ["message", "stack", "cause"] as const) {
      if (Object.hasOwn(value, member)) out[member] = enc(value[member]);
    }
    return tag("$error", out);
  }
  if (
    value instanceof Number || value instanceof String || value instanceof Boolean ||
    value instanceof BigInt
  ) {
    return tag("$boxed", enc(value.valueOf()));
  }
  if (Array.isArray(value)) {
    const names = Object.keys(value);
    const dense = names.length === value.length && names.every((n, i) => n === String(i));
    if (dense) return value.map(enc);
    const items: Json[] = [];
    const props: Record<string, Json> = {};
    for (const name of names) {
      const index = Number(name);
      if (Number.isInteger(index) && index >= 0 && String(index) === name) {
        items.push([index, enc(value[index])]);
      } else put(props, name, enc((value as unknown as Record<string, unknown>)[name]));
    }
    return tag("$array", { length: value.length, items, props });
  }
  const out: Record<string, Json> = {};
  let needsWrapper = false;
  for (const [name, member] of Object.entries(value)) {
    if (name.startsWith("$")) needsWrapper = true;
    put(out, name, enc(member));
  }
  return needsWrapper ? tag("$object", out) : out;
}

/** Sets a member even when its name is `__proto__`. */
function put(target: Record<string, unknown>, name: string, value: unknown) {
  Object.defineProperty(target, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

// ---------------------------------------------------------------------------------------------
// Import

/** Decodes what encodeValue wrote. Throws BackupFormatError on anything it did not write. */
export function decodeValue(json: unknown): unknown {
  if (json === null || typeof json === "boolean" || typeof json === "string") return json;
  if (typeof json === "number") return json;
  if (Array.isArray(json)) return json.map(decodeValue);
  if (typeof json !== "object") throw new BackupFormatError(`unexpected ${typeof json}`);
  const names = Object.keys(json);
  if (names.length === 1 && names[0].startsWith("$")) {
    return decodeTagged(names[0], (json as Record<string, unknown>)[names[0]]);
  }
  return decodeMembers(json as Record<string, unknown>);
}

function decodeMembers(json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(json)) put(out, name, decodeValue(member));
  return out;
}

function expect<T>(ok: boolean, value: T, what: string): T {
  if (!ok) throw new BackupFormatError(`malformed ${what}`);
  return value;
}

function base64(payload: unknown, what: string): Uint8Array {
  if (typeof payload !== "string") throw new BackupFormatError(`malformed ${what}`);
  try {
    return decodeBase64(payload);
  } catch {
    throw new BackupFormatError(`malformed ${what}`);
  }
}

function copyToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}

const specialNumbers: Record<string, number> = {
  NaN: NaN,
  Infinity: Infinity,
  "-Infinity": -Infinity,
  "-0": -0,
};

function decodeInteger(name: string, payload: unknown): bigint | Deno.KvU64 {
  if (typeof payload !== "string" || !/^-?\d+$/.test(payload)) {
    throw new BackupFormatError(`malformed ${name}`);
  }
  const n = BigInt(payload);
  if (name === "$bigint") return n;
  if (n < 0n || n > 0xffff_ffff_ffff_ffffn) throw new BackupFormatError("malformed $u64");
  return new Deno.KvU64(n);
}

function decodeView(name: string, payload: unknown): unknown {
  const [type, data] = Array.isArray(payload) ? payload : [];
  if (!VIEW_TYPES.includes(type) || !(type in globalThis)) {
    throw new BackupFormatError(`malformed $view (${String(type)})`);
  }
  const buffer = copyToArrayBuffer(base64(data, name));
  const Ctor = (globalThis as unknown as Record<string, new (b: ArrayBuffer) => unknown>)[type];
  return new Ctor(buffer);
}

function decodeDate(name: string, payload: unknown): Date {
  if (payload === "Invalid Date") return new Date(NaN);
  const time = typeof payload === "string" ? Date.parse(payload) : NaN;
  return expect(!Number.isNaN(time), new Date(time), name);
}

function decodeRegExp(payload: unknown): RegExp {
  const [source, flags] = Array.isArray(payload) ? payload : [];
  if (typeof source !== "string" || typeof flags !== "string") {
    throw new BackupFormatError("malformed $regexp");
  }
  return new RegExp(source, flags);
}

function decodeMap(payload: unknown): Map<unknown, unknown> {
  if (!Array.isArray(payload)) throw new BackupFormatError("malformed $map");
  return new Map(payload.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new BackupFormatError("malformed $map");
    }
    return [decodeValue(pair[0]), decodeValue(pair[1])];
  }));
}

/** A sparse array, or one with extra properties: its length, the items present, the props. */
function decodeArray(payload: unknown): unknown[] {
  const p = payload as { length?: unknown; items?: unknown; props?: unknown } | null;
  if (
    !p || typeof p !== "object" || !Number.isInteger(p.length) ||
    !Array.isArray(p.items) || !p.props || typeof p.props !== "object"
  ) throw new BackupFormatError("malformed $array");
  const length = p.length as number;
  if (length < 0 || length > 2 ** 32 - 1) throw new BackupFormatError("malformed $array");
  const out: unknown[] = new Array(length);
  for (const item of p.items) {
    if (
      !Array.isArray(item) || !Number.isInteger(item[0]) || item[0] < 0 || item[0] >= length
    ) throw new BackupFormatError("malformed $array");
    out[item[0]] = decodeValue(item[1]);
  }
  for (const [k, v] of Object.entries(p.props)) put(out as never, k, decodeValue(v));
  return out;
}

function decodeError(payload: unknown): Error {
  const p = payload as Record<string, unknown> | null;
  if (!p || typeof p !== "object" || typeof p.name !== "string") {
    throw new BackupFormatError("malformed $error");
  }
  const Ctor = Object.hasOwn(ERROR_TYPES, p.name) ? ERROR_TYPES[p.name] : Error;
  const error = new Ctor();
  for (const member of ["message", "stack", "cause"]) {
    if (!Object.hasOwn(p, member)) continue;
    Object.defineProperty(error, member, {
      value: decodeValue(p[member]),
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
  return error;
}

function decodeTagged(name: string, payload: unknown): unknown {
  switch (name) {
    case "$undefined":
      return expect(payload === true, undefined, name);
    case "$number":
      return expect(
        typeof payload === "string" && Object.hasOwn(specialNumbers, payload),
        specialNumbers[payload as string],
        name,
      );
    case "$bigint":
    case "$u64":
      return decodeInteger(name, payload);
    case "$bytes":
      return base64(payload, name);
    case "$view":
      return decodeView(name, payload);
    case "$arraybuffer":
      return copyToArrayBuffer(base64(payload, name));
    case "$date":
      return decodeDate(name, payload);
    case "$regexp":
      return decodeRegExp(payload);
    case "$map":
      return decodeMap(payload);
    case "$set":
      if (!Array.isArray(payload)) throw new BackupFormatError("malformed $set");
      return new Set(payload.map(decodeValue));
    case "$array":
      return decodeArray(payload);
    case "$error":
      return decodeError(payload);
    case "$boxed": {
      const inner = decodeValue(payload);
      return expect(
        ["number", "string", "boolean", "bigint"].includes(typeof inner),
        Object(inner),
        name,
      );
    }
    case "$object":
      if (!payload || typeof payload !== "object" || Array.isArray(payload)) {
        throw new BackupFormatError("malformed $object");
      }
      return decodeMembers(payload as Record<string, unknown>);
    default:
      throw new BackupFormatError(`unknown type tag ${name}`);
  }
}

function decodeKey(json: unknown): Deno.KvKey {
  if (!Array.isArray(json) || json.length === 0) throw new BackupFormatError("malformed key");
  return json.map((part) => {
    const value = decodeValue(part);
    const ok = typeof value === "string" || typeof value === "number" ||
      typeof value === "bigint" || typeof value === "boolean" ||
      (value instanceof Uint8Array && value.constructor === Uint8Array);
    if (!ok) throw new BackupFormatError("malformed key part");
    return value as Deno.KvKeyPart;
  });
}

type Decoded = { key: Deno.KvKey; value: unknown; expireIn?: number; size: number };

/**
 * Reads a backup written by exportKv and writes it into `kv` in atomic batches. `empty-only`
 * refuses a database holding any key; `overwrite` writes every entry of the file over what is
 * there and leaves other keys alone. Throws BackupRefusedError (nothing written) or
 * BackupFormatError (with dryRun or on a bad header: nothing written; otherwise the batches
 * before the bad line are written, and the message says how many entries).
 */
export async function importKv(
  kv: Deno.Kv,
  lines: AsyncIterable<string> | Iterable<string>,
  options: ImportOptions,
): Promise<ImportResult> {
  const existingBefore = await countExisting(kv, options.mode);
  const writer = batchWriter(kv, options.dryRun ?? false);
  try {
    const { entries, exportedAt } = await readEntries(lines, writer);
    return { entries, batches: writer.batches, existingBefore, exportedAt };
  } catch (error) {
    if (error instanceof BackupFormatError && writer.written > 0) {
      throw new BackupFormatError(
        `${error.message} (${writer.written} entries were already written)`,
      );
    }
    throw error;
  }
}

/** How many keys the database holds; refused at the first one when it must be empty. */
async function countExisting(kv: Deno.Kv, mode: ImportOptions["mode"]): Promise<number> {
  let existing = 0;
  for await (const _ of kv.list({ prefix: [] }, { batchSize: 1000 })) {
    existing++;
    if (mode === "empty-only") {
      throw new BackupRefusedError(
        "the database is not empty: restore into an empty one, or ask for overwrite",
      );
    }
  }
  return existing;
}

type BatchWriter = {
  add(entry: Decoded): Promise<void>;
  flush(): Promise<void>;
  readonly written: number;
  readonly batches: number;
};

/** Collects entries into atomic batches within Deno KV's limits; with dryRun writes nothing. */
function batchWriter(kv: Deno.Kv, dryRun: boolean): BatchWriter {
  let batch: Decoded[] = [];
  let estimate = 0;
  let written = 0;
  let batches = 0;
  const flush = async () => {
    if (!batch.length) return;
    if (!dryRun) {
      await commitBatch(kv, batch);
      written += batch.length;
    }
    batches++;
    batch = [];
    estimate = 0;
  };
  return {
    async add(entry) {
      if (
        batch.length >= MAX_BATCH_ENTRIES ||
        (batch.length && estimate + entry.size > MAX_BATCH_ESTIMATE)
      ) await flush();
      batch.push(entry);
      estimate += entry.size;
    },
    flush,
    get written() {
      return written;
    },
    get batches() {
      return batches;
    },
  };
}

function parseJsonLine(line: string, lineNo: number): Record<string, unknown> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(line);
  } catch {
    throw new BackupFormatError(`line ${lineNo} is not JSON`);
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    throw new BackupFormatError(`line ${lineNo} is not a JSON object`);
  }
  return json;
}

/** The first line: the format and version checked, the time of the export (if readable). */
function readHeader(json: Record<string, unknown>): Date | null {
  if (json.format !== BACKUP_FORMAT) {
    throw new BackupFormatError("not an eBOK backup (the first line has no format header)");
  }
  if (json.version !== BACKUP_VERSION) {
    throw new BackupFormatError(`backup version ${json.version} is not supported`);
  }
  const at = typeof json.exportedAt === "string" ? new Date(json.exportedAt) : null;
  return at && !Number.isNaN(at.getTime()) ? at : null;
}

/** The header, the entries (handed to the writer) and the closing line that counts them. */
async function readEntries(
  lines: AsyncIterable<string> | Iterable<string>,
  writer: BatchWriter,
): Promise<{ entries: number; exportedAt: Date | null }> {
  let lineNo = 0;
  let header = false;
  let exportedAt: Date | null = null;
  let trailer: number | undefined;
  let entries = 0;
  for await (const raw of lines) {
    lineNo++;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    const json = parseJsonLine(line, lineNo);
    if (!header) {
      exportedAt = readHeader(json);
      header = true;
      continue;
    }
    if (trailer !== undefined) {
      throw new BackupFormatError(`line ${lineNo} follows the closing line`);
    }
    if (json.end === true) {
      trailer = Number(json.entries);
      if (trailer !== entries) {
        throw new BackupFormatError(
          `the closing line counts ${json.entries} entries, the file holds ${entries}`,
        );
      }
      continue;
    }
    let decoded: Decoded;
    try {
      decoded = decodeLine(json, line.length * 2);
    } catch (error) {
      if (error instanceof BackupFormatError) {
        throw new BackupFormatError(`line ${lineNo}: ${error.message}`);
      }
      throw error;
    }
    await writer.add(decoded);
    entries++;
  }
  if (!header) throw new BackupFormatError("the file is empty");
  if (trailer === undefined) {
    throw new BackupFormatError(
      "the file ends without its closing line: the backup is incomplete",
    );
  }
  await writer.flush();
  return { entries, exportedAt };
}

function decodeLine(json: Record<string, unknown>, size: number): Decoded {
  if (!("key" in json) || !("value" in json)) throw new BackupFormatError("no key or value");
  const expireIn = json.expireIn;
  if (
    expireIn !== undefined &&
    (typeof expireIn !== "number" || !Number.isInteger(expireIn) || expireIn <= 0)
  ) throw new BackupFormatError("malformed expireIn");
  return { key: decodeKey(json.key), value: decodeValue(json.value), expireIn, size };
}

async function commitBatch(kv: Deno.Kv, batch: Decoded[]): Promise<void> {
  const op = kv.atomic();
  for (const e of batch) op.set(e.key, e.value, e.expireIn ? { expireIn: e.expireIn } : undefined);
  try {
    const result = await op.commit();
    if (!result.ok) throw new Error("an atomic write without checks failed");
  } catch (error) {
    // Over Deno KV's total size limit: write the halves separately.
    if (batch.length > 1 && error instanceof TypeError && /too large/i.test(error.message)) {
      const half = Math.ceil(batch.length / 2);
      await commitBatch(kv, batch.slice(0, half));
      await commitBatch(kv, batch.slice(half));
      return;
    }
    throw error;
  }
}
