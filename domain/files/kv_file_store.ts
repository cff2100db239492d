/**
 * The default FileStore: files in Deno KV.
 *
 *   ["file_pending", id]            {state: "uploading" | "removing", since}   while under way
 *   ["file_chunks", id, n]          Uint8Array of ≤ 60 000 bytes (KV values are capped at 64 KiB)
 *   ["files", id]                   StoredFile: the final record, written last
 *   ["files_by_owner", kind, ownerId, id]  id
 *
 * An upload writes its chunks in several atomic operations (one is capped at 800 KiB and 1000
 * mutations), each checking that the pending marker is still its own, then ONE operation that
 * sets the final record and deletes the marker. A crash leaves chunks and a marker but no
 * record: nothing is visible, and the sweep deletes them after an hour. The sweep first rewrites
 * the marker to "removing", so an upload it takes over cannot commit anything afterwards.
 */
import { createSHA256 } from "hash-wasm";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { CONTROL_CHARS } from "../shared/text.ts";
import { sniffFileType } from "./file_type.ts";
import {
  type FileInput,
  type FileOwner,
  type FileStore,
  MAX_FILE_BYTES,
  type PutResult,
  type RemoveResult,
  type StagedFile,
  type StageResult,
  type StoredFile,
  type SweepResult,
} from "./file_store.ts";

/** Bytes per stored chunk (a Uint8Array value carries a few bytes of overhead under 64 KiB). */
export const CHUNK_BYTES = 60_000;
/** Chunks per atomic operation: 10 × 60 000 bytes stays under Deno KV's 800 KiB per operation. */
const CHUNKS_PER_OP = 10;
/** Deletes per atomic operation when chunks are removed (keys only, far under the limits). */
const DELETES_PER_OP = 200;
/** An upload without its final record this long after it started is abandoned. */
export const ABANDONED_AFTER_MS = 60 * 60_000;
/** Longest stored file name, in characters. */
const MAX_NAME_CHARS = 200;

type Pending = { state: "uploading" | "removing"; since: string };

/** The default adapter over `kv`. */
export function kvFileStore(kv: Deno.Kv, clock: Clock): FileStore {
  return {
    put: (input) => putFile(kv, clock, input),
    stage: (input) => stageFile(kv, clock, input),
    complete: addFileCompletion,
    discard: (staged) => discardStagedFile(kv, clock, staged),
    get: (fileId) => getFile(kv, fileId),
    listByOwner: (owner) => listFilesByOwner(kv, owner),
    read: (file) => readFile(kv, file),
    readBytes: (file) => readFileBytes(kv, file),
    remove: (fileId) => removeFile(kv, clock, fileId),
    removeWithin: (op, file) => addFileRemoval(op, file, clock()),
    sweep: () => sweepFiles(kv, clock),
  };
}

/** The uploader's name without path parts or control characters; "plik" if nothing is left. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const cleaned = [...base.normalize("NFC")]
    .filter((ch) => !CONTROL_CHARS.test(ch) && ch !== "\n" && ch !== "\r" && ch !== "\t")
    .join("")
    .replace(/\s+/g, " ")
    .trim();
  const short = [...cleaned].slice(0, MAX_NAME_CHARS).join("").trim();
  return short === "" || short === "." || short === ".." ? "plik" : short;
}

/** Reads the body as pieces of any size. */
async function* piecesOf(body: FileInput["body"]): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  const stream = body instanceof Blob ? body.stream() : body;
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops a stream we leave early (too large, refused type); harmless after its end.
    await reader.cancel().catch(() => {});
  }
}

/** Writes the chunks of `input` (see the module comment); the file stays invisible. */
export async function stageFile(kv: Deno.Kv, clock: Clock, input: FileInput): Promise<StageResult> {
  if (input.body instanceof Blob && input.body.size > MAX_FILE_BYTES) {
    return { ok: false, reason: "too_large", maxBytes: MAX_FILE_BYTES };
  }
  const startedAt = clock();
  const id = newId(startedAt);
  const upload = new ChunkedUpload(kv, id, startedAt, await createSHA256());

  let refusal: StageResult | null = null;
  try {
    refusal = await upload.writeAll(input.body);
  } catch (error) {
    // The body failed (a dropped connection) or KV did: remove what was written, then rethrow.
    if (upload.pendingVersionstamp !== null) {
      await abandonUpload(kv, clock, id, upload.pendingVersionstamp).catch(() => null);
    }
    throw error;
  }
  if (refusal) {
    // Chunks already written go at once; if this fails too, the sweep finds the marker.
    if (upload.pendingVersionstamp !== null) {
      await abandonUpload(kv, clock, id, upload.pendingVersionstamp);
    }
    return refusal;
  }

  const file: StoredFile = {
    id,
    sha256: upload.hasher.digest("hex"),
    size: upload.size,
    type: upload.type!,
    name: cleanFileName(input.name),
    createdAt: startedAt.toISOString(),
    owner: { kind: input.owner.kind, id: input.owner.id },
    purpose: input.purpose ?? "",
    uploadedBy: input.uploadedBy ?? null,
    chunks: upload.chunkNo,
  };
  return { ok: true, staged: { file, pendingVersionstamp: upload.pendingVersionstamp! } };
}

/** One upload on its way into KV: cuts the body into chunks, sniffs, hashes, writes in batches. */
class ChunkedUpload {
  pendingVersionstamp: string | null = null;
  type: StoredFile["type"] | null = null;
  size = 0;
  chunkNo = 0;
  private current = new Uint8Array(CHUNK_BYTES);
  private fill = 0;
  private batch: Uint8Array[] = [];

  constructor(
    private kv: Deno.Kv,
    private id: string,
    private startedAt: Date,
    readonly hasher: Awaited<ReturnType<typeof createSHA256>>,
  ) {
    hasher.init();
  }

  /** Writes the whole body; a refusal, or null when every chunk is written. */
  async writeAll(body: FileInput["body"]): Promise<StageResult | null> {
    for await (const piece of piecesOf(body)) {
      this.size += piece.byteLength;
      if (this.size > MAX_FILE_BYTES) {
        return { ok: false, reason: "too_large", maxBytes: MAX_FILE_BYTES };
      }
      const refusal = await this.add(piece);
      if (refusal) return refusal;
    }
    if (this.size === 0) return { ok: false, reason: "empty" };
    if (this.fill > 0) {
      const refusal = await this.seal();
      if (refusal) return refusal;
    }
    if (!(await this.flush())) return { ok: false, reason: "interrupted" };
    return null;
  }

  /** Copies a piece of the body into chunks, sealing each full one. */
  private async add(piece: Uint8Array): Promise<StageResult | null> {
    let offset = 0;
    while (offset < piece.byteLength) {
      const take = Math.min(CHUNK_BYTES - this.fill, piece.byteLength - offset);
      this.current.set(piece.subarray(offset, offset + take), this.fill);
      this.fill += take;
      offset += take;
      if (this.fill === CHUNK_BYTES) {
        const refusal = await this.seal();
        if (refusal) return refusal;
      }
    }
    return null;
  }

  /** Writes the batch; false when the sweep took the upload over. */
  private async flush(): Promise<boolean> {
    if (!this.batch.length) return true;
    const op = this.kv.atomic();
    const pendingKey = keys.filePending(this.id);
    if (this.pendingVersionstamp === null) {
      const pending: Pending = { state: "uploading", since: this.startedAt.toISOString() };
      op.check({ key: pendingKey, versionstamp: null }).set(pendingKey, pending);
    } else {
      op.check({ key: pendingKey, versionstamp: this.pendingVersionstamp });
    }
    for (const chunk of this.batch) op.set(keys.fileChunks(this.id, this.chunkNo++), chunk);
    const result = await op.commit();
    if (!result.ok) return false;
    if (this.pendingVersionstamp === null) this.pendingVersionstamp = result.versionstamp;
    this.batch = [];
    return true;
  }

  /** Seals the current chunk: sniffs the type from the first one, hashes, queues for writing. */
  private async seal(): Promise<StageResult | null> {
    // A partial last chunk is copied, so the stored value holds its bytes only.
    const chunk = this.fill === CHUNK_BYTES ? this.current : this.current.slice(0, this.fill);
    if (this.type === null) {
      const sniffed = await sniffFileType(chunk);
      if (!sniffed.ok) {
        return { ok: false, reason: "type_not_accepted", detected: sniffed.detected };
      }
      this.type = sniffed.type;
    }
    this.hasher.update(chunk);
    this.batch.push(chunk);
    this.current = new Uint8Array(CHUNK_BYTES);
    this.fill = 0;
    if (this.batch.length >= CHUNKS_PER_OP && !(await this.flush())) {
      return { ok: false, reason: "interrupted" };
    }
    return null;
  }
}

/** Adds the final record of a staged upload to `op` (fails if the sweep took it over). */
export function addFileCompletion(
  op: Deno.AtomicOperation,
  staged: StagedFile,
): Deno.AtomicOperation {
  const { file } = staged;
  return op
    .check({ key: keys.filePending(file.id), versionstamp: staged.pendingVersionstamp })
    .check({ key: keys.files(file.id), versionstamp: null })
    .set(keys.files(file.id), file)
    .set(keys.filesByOwner(file.owner.kind, file.owner.id, file.id), file.id)
    .delete(keys.filePending(file.id));
}

/** Deletes the chunks of a staged file that will not be completed. */
export async function discardStagedFile(
  kv: Deno.Kv,
  clock: Clock,
  staged: StagedFile,
): Promise<void> {
  await abandonUpload(kv, clock, staged.file.id, staged.pendingVersionstamp);
}

/** Stores a file and makes it visible. */
export async function putFile(kv: Deno.Kv, clock: Clock, input: FileInput): Promise<PutResult> {
  const staged = await stageFile(kv, clock, input);
  if (!staged.ok) return staged;
  const result = await addFileCompletion(kv.atomic(), staged.staged).commit();
  if (!result.ok) return { ok: false, reason: "interrupted" };
  return { ok: true, file: staged.staged.file };
}

export async function getFile(kv: Deno.Kv, fileId: string): Promise<StoredFile | null> {
  return (await kv.get<StoredFile>(keys.files(fileId))).value;
}

/** The owner's files, oldest first. */
export async function listFilesByOwner(kv: Deno.Kv, owner: FileOwner): Promise<StoredFile[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: keys.filesByOwnerAll(owner.kind, owner.id) })) {
    ids.push(e.value);
  }
  const out: StoredFile[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<StoredFile[]>(ids.slice(i, i + 10).map((id) => keys.files(id)));
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

/** Streams the content chunk by chunk; errors when a chunk is missing or the size differs. */
export function readFile(kv: Deno.Kv, file: StoredFile): ReadableStream<Uint8Array> {
  let iterator: Deno.KvListIterator<Uint8Array> | null = null;
  let expected = 0;
  let bytes = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      iterator ??= kv.list<Uint8Array>({ prefix: keys.fileChunksAll(file.id) }, { batchSize: 4 });
      const next = await iterator.next();
      if (next.done) {
        if (expected !== file.chunks || bytes !== file.size) {
          controller.error(new Error(`file ${file.id} is incomplete (removed while read?)`));
        } else controller.close();
        return;
      }
      const { key, value } = next.value;
      if (key[2] !== expected || !(value instanceof Uint8Array)) {
        controller.error(new Error(`file ${file.id}: chunk ${expected} is missing`));
        return;
      }
      expected++;
      bytes += value.byteLength;
      if (bytes > file.size) {
        controller.error(new Error(`file ${file.id} holds more bytes than its record says`));
        return;
      }
      controller.enqueue(value);
    },
  }, { highWaterMark: 1 });
}

export async function readFileBytes(kv: Deno.Kv, file: StoredFile): Promise<Uint8Array> {
  const out = new Uint8Array(file.size);
  let offset = 0;
  for await (const chunk of readFile(kv, file)) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Adds a file's removal to `op`: the file is invisible once `op` commits; chunks go later. */
export function addFileRemoval(
  op: Deno.AtomicOperation,
  file: StoredFile,
  at: Date,
): Deno.AtomicOperation {
  const pending: Pending = { state: "removing", since: at.toISOString() };
  return op
    .delete(keys.files(file.id))
    .delete(keys.filesByOwner(file.owner.kind, file.owner.id, file.id))
    .set(keys.filePending(file.id), pending);
}

/** Removes a file: invisible at once, then its chunks deleted. */
export async function removeFile(
  kv: Deno.Kv,
  clock: Clock,
  fileId: string,
): Promise<RemoveResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const record = await kv.get<StoredFile>(keys.files(fileId));
    if (!record.value) return { ok: false, reason: "not_found" };
    const op = addFileRemoval(kv.atomic().check(record), record.value, clock());
    const result = await op.commit();
    if (result.ok) {
      await finishRemoval(kv, fileId, result.versionstamp);
      return { ok: true };
    }
  }
  throw new Error(`file ${fileId}: removal kept conflicting`);
}

/** Deletes every chunk of a file; returns how many. */
async function deleteChunks(kv: Deno.Kv, fileId: string): Promise<number> {
  let deleted = 0;
  let batch: Deno.KvKey[] = [];
  const commit = async () => {
    if (!batch.length) return;
    const op = kv.atomic();
    for (const key of batch) op.delete(key);
    await op.commit();
    deleted += batch.length;
    batch = [];
  };
  // Keys first, deletes after, so the list never runs over keys this function removes.
  const all: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix: keys.fileChunksAll(fileId) }, { batchSize: 500 })) {
    all.push(e.key);
  }
  for (const key of all) {
    batch.push(key);
    if (batch.length >= DELETES_PER_OP) await commit();
  }
  await commit();
  return deleted;
}

/** Deletes the chunks of a file marked "removing" at `versionstamp`, then the marker. */
async function finishRemoval(kv: Deno.Kv, fileId: string, versionstamp: string): Promise<number> {
  const deleted = await deleteChunks(kv, fileId);
  await kv.atomic()
    .check({ key: keys.filePending(fileId), versionstamp })
    .delete(keys.filePending(fileId))
    .commit();
  return deleted;
}

/** Turns an upload's marker into a removal (only if still `versionstamp`) and finishes it. */
async function abandonUpload(
  kv: Deno.Kv,
  clock: Clock,
  fileId: string,
  versionstamp: string,
): Promise<number | null> {
  const pending: Pending = { state: "removing", since: clock().toISOString() };
  const taken = await kv.atomic()
    .check({ key: keys.filePending(fileId), versionstamp })
    .check({ key: keys.files(fileId), versionstamp: null })
    .set(keys.filePending(fileId), pending)
    .commit();
  if (!taken.ok) return null;
  return await finishRemoval(kv, fileId, taken.versionstamp);
}

/**
 * Deletes what uploads left behind when they never got their final record (started over
 * `olderThanMs` ago, an hour by default) and finishes removals. Safe beside live uploads and
 * other sweeps: each marker is taken over with a versionstamp check.
 */
export async function sweepFiles(
  kv: Deno.Kv,
  clock: Clock,
  olderThanMs = ABANDONED_AFTER_MS,
): Promise<SweepResult> {
  const out: SweepResult = { abandonedUploads: 0, finishedRemovals: 0, chunksDeleted: 0 };
  const now = clock().getTime();
  const markers: Deno.KvEntry<Pending>[] = [];
  for await (const e of kv.list<Pending>({ prefix: keys.filePendingAll() })) markers.push(e);
  for (const marker of markers) {
    const fileId = marker.key[1] as string;
    if (marker.value.state === "uploading") {
      if (now - Date.parse(marker.value.since) < olderThanMs) continue;
      const deleted = await abandonUpload(kv, clock, fileId, marker.versionstamp);
      if (deleted === null) continue;
      out.abandonedUploads++;
      out.chunksDeleted += deleted;
    } else {
      out.chunksDeleted += await finishRemoval(kv, fileId, marker.versionstamp);
      out.finishedRemovals++;
    }
  }
  return out;
}

export type FileCheck = {
  /** Final records checked. */
  files: number;
  /** Files whose chunks do not add up to their record (count or bytes): they cannot be read. */
  incomplete: string[];
  /** Ids with chunks but neither a final record nor a pending marker. */
  orphaned: string[];
};

/**
 * Checks every final record against its chunks and finds chunks no record or marker accounts
 * for. A backup taken while files were uploaded or removed can hold either; run this after a
 * restore. With `repair`, orphaned chunks are marked for removal (the next sweep deletes them);
 * incomplete files are only reported (their content is lost: upload them again).
 */
export async function checkFiles(
  kv: Deno.Kv,
  clock: Clock,
  options: { repair?: boolean } = {},
): Promise<FileCheck> {
  const stored = new Map<string, { chunks: number; bytes: number; contiguous: boolean }>();
  for await (const e of kv.list<Uint8Array>({ prefix: ["file_chunks"] }, { batchSize: 50 })) {
    const fileId = e.key[1] as string;
    const seen = stored.get(fileId) ?? { chunks: 0, bytes: 0, contiguous: true };
    if (e.key[2] !== seen.chunks) seen.contiguous = false;
    seen.chunks++;
    seen.bytes += e.value instanceof Uint8Array ? e.value.byteLength : 0;
    stored.set(fileId, seen);
  }
  const out: FileCheck = { files: 0, incomplete: [], orphaned: [] };
  const accounted = new Set<string>();
  for await (const e of kv.list<StoredFile>({ prefix: ["files"] })) {
    const file = e.value;
    out.files++;
    accounted.add(file.id);
    const seen = stored.get(file.id);
    if (
      !seen || !seen.contiguous || seen.chunks !== file.chunks || seen.bytes !== file.size
    ) out.incomplete.push(file.id);
  }
  for await (const e of kv.list({ prefix: keys.filePendingAll() })) {
    accounted.add(e.key[1] as string);
  }
  for (const fileId of stored.keys()) {
    if (accounted.has(fileId)) continue;
    out.orphaned.push(fileId);
    if (options.repair) {
      const pending: Pending = { state: "removing", since: clock().toISOString() };
      await kv.atomic()
        .check({ key: keys.filePending(fileId), versionstamp: null })
        .check({ key: keys.files(fileId), versionstamp: null })
        .set(keys.filePending(fileId), pending)
        .commit();
    }
  }
  return out;
}
