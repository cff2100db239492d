/**
 * The `FileStore` port: documents, letters and attachments go through it, so the features that
 * keep files (documents, matters) do not care where the bytes live. The default adapter keeps
 * them in Deno KV (kv_file_store.ts), which works alike on Deno Deploy and on one host and puts
 * files in the ordinary backup.
 *
 * A file is visible (get, list, read) only once its final record exists; that record is written
 * after every chunk, in one atomic operation, either by `put` or — when the file must appear
 * together with the record that refers to it (a document, a matter's reply) — by the caller's
 * own atomic operation through `complete(op, staged)`.
 */
import type { AcceptedType } from "./file_type.ts";

/** Files up to 20 MiB. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** What a file belongs to, e.g. `{ kind: "matter", id: matterId }`; files are listed per owner. */
export type FileOwner = { kind: string; id: string };

/** The final record of a stored file. */
export type StoredFile = {
  /** ULID: files list in upload order. */
  id: string;
  /** SHA-256 of the content, lower-case hex; also the download's ETag. */
  sha256: string;
  size: number;
  type: AcceptedType;
  /** The name the uploader gave (path parts and control characters removed). */
  name: string;
  /** ISO instant the upload started. */
  createdAt: string;
  owner: FileOwner;
  /** What the file is for, free text chosen by the feature ("attachment", "letter", …). */
  purpose: string;
  /** Account or staff id of the uploader; null for files the system made (generated PDFs). */
  uploadedBy: string | null;
  /** Number of stored chunks. */
  chunks: number;
};

export type FileInput = {
  name: string;
  /** The content: a Blob (a form's File), bytes, or a stream read once. */
  body: Blob | Uint8Array | ReadableStream<Uint8Array>;
  owner: FileOwner;
  purpose?: string;
  uploadedBy?: string | null;
};

/** Why a file was not stored; nothing of it stays visible. */
export type FileRefusal =
  | { ok: false; reason: "empty" }
  | { ok: false; reason: "too_large"; maxBytes: number }
  /** Not a PDF, JPEG or PNG by content; `detected` is what it looks like, if known. */
  | { ok: false; reason: "type_not_accepted"; detected: string | null }
  /** The sweep took the upload over (it ran for over an hour); try again. */
  | { ok: false; reason: "interrupted" };

/** Chunks written, not yet visible: pass to `complete` inside the caller's atomic operation. */
export type StagedFile = { file: StoredFile; pendingVersionstamp: string };

export type PutResult = { ok: true; file: StoredFile } | FileRefusal;
export type StageResult = { ok: true; staged: StagedFile } | FileRefusal;
export type RemoveResult = { ok: true } | { ok: false; reason: "not_found" };
export type SweepResult = {
  /** Uploads older than the limit that never got their final record. */
  abandonedUploads: number;
  /** Removals that were interrupted (or left to the sweep) and are now finished. */
  finishedRemovals: number;
  chunksDeleted: number;
};

export interface FileStore {
  /** Checks the type, writes the chunks and the final record: the file is visible on success. */
  put(input: FileInput): Promise<PutResult>;
  /** Checks the type and writes the chunks only; the file stays invisible until `complete`. */
  stage(input: FileInput): Promise<StageResult>;
  /**
   * Adds the final record of a staged file to the caller's atomic operation. The operation fails
   * (commit → ok: false) when the sweep took the upload over meanwhile.
   */
  complete(op: Deno.AtomicOperation, staged: StagedFile): Deno.AtomicOperation;
  /** Deletes a staged file's chunks when the caller's operation failed (else the sweep would). */
  discard(staged: StagedFile): Promise<void>;
  get(fileId: string): Promise<StoredFile | null>;
  listByOwner(owner: FileOwner): Promise<StoredFile[]>;
  /** The content as a stream that reads one chunk at a time; errors if the file was removed. */
  read(file: StoredFile): ReadableStream<Uint8Array>;
  /** The whole content in memory (for merging into a PDF or a ZIP); prefer `read` for HTTP. */
  readBytes(file: StoredFile): Promise<Uint8Array>;
  /** Makes the file invisible at once, then deletes its chunks. */
  remove(fileId: string): Promise<RemoveResult>;
  /**
   * Adds the file's removal to the caller's atomic operation (with the caller's checks): the file
   * disappears with the record that referred to it; the sweep deletes the chunks later.
   */
  removeWithin(op: Deno.AtomicOperation, file: StoredFile): Deno.AtomicOperation;
  /** Deletes chunks of uploads abandoned over an hour ago and finishes removals. */
  sweep(): Promise<SweepResult>;
}
