/**
 * `deno task admin backup …`: export and import the whole KV database as JSON Lines.
 *
 *   backup export <file.jsonl | file.jsonl.gz | ->
 *     Writes every non-transient entry (see domain/backoffice/backup.ts); `-` writes to stdout. A file is
 *     written under a temporary name, readable by its owner only, and renamed when complete.
 *     Verified: the database is read a second time (keys and versionstamps) and the export is
 *     kept only if nothing changed meanwhile — one consistent moment, also on Deno Deploy
 *     (`fingerprintKv`). A file export is repeated up to 5 times while traffic changes things.
 *   backup import <file.jsonl | file.jsonl.gz | -> [--overwrite]
 *     Refuses a database that holds anything unless --overwrite. A file is checked completely
 *     before the first write; `-` (stdin) is checked as it is written. Messages that were under
 *     way when the backup was taken are held (`holdMessagesAfterRestore`): never sent twice.
 *   backup snapshot <file.sqlite>
 *     One host: SQLite's own consistent copy of the KV file (the online backup API in one step:
 *     one read transaction; the service keeps running). Needs EBOK_KV_PATH to be a local file.
 *   backup restore-snapshot <file.sqlite> [--overwrite]
 *     With the service stopped: puts the copy in place of the KV file, drops sessions and other
 *     transient keys, and holds the messages that were under way.
 *
 * Prints one line of counts (to stderr when the backup itself goes to stdout).
 * Exit codes: 0 done; 2 usage, refusal, or a file that is not a complete eBOK backup; 3 the
 * database kept changing during an export (no consistent copy was made).
 */
import { parseArgs } from "node:util";
import { backup as sqliteBackup, DatabaseSync } from "node:sqlite";
import {
  BackupEncodingError,
  BackupFormatError,
  BackupRefusedError,
  exportKv,
  fingerprintKv,
  importKv,
  TRANSIENT_PREFIXES,
} from "../domain/backoffice/backup.ts";
import { holdMessagesAfterRestore } from "../domain/messaging/messages.ts";
import { type Clock, systemClock } from "../domain/shared/clock.ts";

export const backupUsage = [
  "usage: deno task admin backup export <file.jsonl|file.jsonl.gz|->",
  "       deno task admin backup import <file.jsonl|file.jsonl.gz|-> [--overwrite]",
  "       deno task admin backup snapshot <file.sqlite>",
  "       deno task admin backup restore-snapshot <file.sqlite> [--overwrite]",
].join("\n");

/** Attempts of a file export while the database keeps changing under it. */
export const EXPORT_ATTEMPTS = 5;

export type BackupOptions = {
  /** The configured KV path (EBOK_KV_PATH): snapshots need a local file. */
  kvPath?: string;
  clock?: Clock;
};

/** Where the command reads and writes; the real process by default, captured in tests. */
export type BackupIo = {
  stdin: ReadableStream<Uint8Array>;
  stdout: WritableStream<Uint8Array>;
  /** One line of report or error, without the newline. */
  report: (line: string) => void;
  error: (line: string) => void;
};

const processIo = (): BackupIo => ({
  stdin: Deno.stdin.readable,
  stdout: Deno.stdout.writable,
  report: (line) => console.log(line),
  error: (line) => console.error(line),
});

/** Runs `backup export|import …`; returns the exit code (the caller exits with it). */
export async function backupCommand(
  args: string[],
  openKv: () => Promise<Deno.Kv>,
  io: BackupIo = processIo(),
  options: BackupOptions = {},
): Promise<number> {
  const clock = options.clock ?? systemClock;
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { overwrite: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.error(`${(error as Error).message}\n${backupUsage}`);
    return 2;
  }
  const [action, file, ...extra] = parsed.positionals;
  const actions = ["export", "import", "snapshot", "restore-snapshot"];
  if (!file || extra.length || !actions.includes(action)) {
    io.error(backupUsage);
    return 2;
  }
  if ((action === "export" || action === "snapshot") && parsed.values.overwrite) {
    io.error(`--overwrite applies to import and restore-snapshot only\n${backupUsage}`);
    return 2;
  }

  try {
    switch (action) {
      case "export":
        return await exportCommand(file, openKv, io, options.kvPath);
      case "import":
        return await importCommand(file, parsed.values.overwrite ?? false, openKv, io, clock);
      case "snapshot":
        return await snapshotCommand(file, options.kvPath, io);
      default:
        return await restoreSnapshotCommand(
          file,
          parsed.values.overwrite ?? false,
          options.kvPath,
          openKv,
          io,
          clock,
        );
    }
  } catch (error) {
    if (
      error instanceof BackupRefusedError || error instanceof BackupFormatError ||
      error instanceof BackupEncodingError
    ) {
      io.error(`backup ${action}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

async function exportCommand(
  file: string,
  openLiveKv: () => Promise<Deno.Kv>,
  io: BackupIo,
  kvPath: string | undefined,
) {
  // One host: export from SQLite's own consistent copy of the file, so traffic cannot make the
  // export wait or fail. Deno Deploy (no file): read the live KV and verify (fingerprintKv).
  let copyDir: string | undefined;
  let openKv = openLiveKv;
  if (isLocalFile(kvPath)) {
    copyDir = await Deno.makeTempDir({ prefix: "ebok-export-" });
    const copy = `${copyDir}/copy.kv`;
    await copyKvFile(kvPath!, copy);
    openKv = () => Deno.openKv(copy);
  }
  const kv = await openKv();
  try {
    if (file === "-") {
      const result = await writeLines(io.stdout, false, (write) => exportKv(kv, write), true);
      // Already streamed: a change meanwhile can only be reported, not repeated.
      if (await fingerprintKv(kv) !== result.fingerprint) {
        io.error(
          "backup export: the database changed during the export, so the output is not one consistent moment; export to a file (it repeats itself) or use backup snapshot",
        );
        return 3;
      }
      io.error(`exported=${result.entries} skipped_transient=${result.skipped} verified=yes`);
      return 0;
    }
    // The file holds personal data: owner-only, and complete or absent under its final name.
    const partial = `${file}.partial`;
    for (let attempt = 1; attempt <= EXPORT_ATTEMPTS; attempt++) {
      const handle = await Deno.open(partial, {
        write: true,
        create: true,
        truncate: true,
        mode: 0o600,
      });
      let result;
      try {
        result = await writeLines(handle.writable, file.endsWith(".gz"), (w) => exportKv(kv, w));
      } catch (error) {
        await Deno.remove(partial).catch(() => {});
        throw error;
      }
      if (await fingerprintKv(kv) === result.fingerprint) {
        await Deno.rename(partial, file);
        io.report(
          `exported=${result.entries} skipped_transient=${result.skipped} verified=yes attempts=${attempt} file=${file}`,
        );
        return 0;
      }
      io.error(`backup export: the database changed during attempt ${attempt}; reading again`);
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
    await Deno.remove(partial).catch(() => {});
    io.error(
      `backup export: the database kept changing during ${EXPORT_ATTEMPTS} attempts; no backup was written. Try at a quieter time, or use backup snapshot on one host`,
    );
    return 3;
  } finally {
    kv.close();
    if (copyDir) await Deno.remove(copyDir, { recursive: true }).catch(() => {});
  }
}

function isLocalFile(kvPath: string | undefined): boolean {
  return !!kvPath && kvPath !== ":memory:" && !/^https?:\/\//.test(kvPath);
}

/**
 * SQLite's online backup API, every page in ONE step (rate -1): a single read transaction, so
 * the copy is one consistent moment while the service keeps writing (WAL). (VACUUM INTO would
 * do the same, but Deno's node:sqlite forbids ATTACH without --allow-all.)
 */
async function copyKvFile(source: string, target: string) {
  const db = new DatabaseSync(source, { readOnly: true });
  try {
    db.exec("PRAGMA busy_timeout = 15000"); // wait, rather than fail, for another's lock
    await sqliteBackup(db, target, { rate: -1 });
  } finally {
    db.close();
  }
  await Deno.chmod(target, 0o600).catch(() => {}); // personal data: owner only
}

async function importCommand(
  file: string,
  overwrite: boolean,
  openKv: () => Promise<Deno.Kv>,
  io: BackupIo,
  clock: Clock,
) {
  const mode = overwrite ? "overwrite" : "empty-only";
  const gz = file.endsWith(".gz");
  const kv = await openKv();
  try {
    let result;
    if (file === "-") {
      result = await importKv(kv, readLines(io.stdin, false), { mode });
    } else {
      // Check the whole file first, so a truncated or foreign file writes nothing.
      await withFile(file, (s) => importKv(kv, readLines(s, gz), { mode, dryRun: true }));
      result = await withFile(file, (s) => importKv(kv, readLines(s, gz), { mode }));
    }
    // What was under way when the backup was taken may have gone out since: never twice.
    const held = await holdMessagesAfterRestore(kv, clock, result.exportedAt ?? new Date(0));
    const report = `imported=${result.entries} batches=${result.batches} mode=${mode}` +
      (overwrite ? ` keys_before=${result.existingBefore}` : "") +
      ` messages_requeued=${held.requeued} messages_uncertain=${held.uncertain}`;
    io.report(report);
    return 0;
  } finally {
    kv.close();
  }
}

function localKvPath(kvPath: string | undefined): string {
  if (!isLocalFile(kvPath)) {
    throw new BackupRefusedError(
      "a snapshot needs EBOK_KV_PATH to be a local KV file; on Deno Deploy use backup export",
    );
  }
  return kvPath!;
}

/** SQLite's own consistent copy of the live KV file: one read transaction, writers go on. */
async function snapshotCommand(file: string, kvPath: string | undefined, io: BackupIo) {
  const source = localKvPath(kvPath);
  const partial = `${file}.partial`;
  await Deno.remove(partial).catch(() => {});
  await copyKvFile(source, partial);
  const copy = new DatabaseSync(partial, { readOnly: true });
  let entries: number;
  try {
    const check = copy.prepare("PRAGMA integrity_check").get() as Record<string, unknown>;
    if (Object.values(check)[0] !== "ok") {
      throw new BackupFormatError(
        `the copy fails SQLite's integrity check: ${JSON.stringify(check)}`,
      );
    }
    entries = Number((copy.prepare("SELECT count(*) AS n FROM kv").get() as { n: number }).n);
  } finally {
    copy.close();
  }
  await Deno.rename(partial, file);
  io.report(`snapshot=${file} entries=${entries} (all keys, transient ones included)`);
  return 0;
}

/** Puts a snapshot in place of the KV file (service stopped), then makes it safe to start. */
async function restoreSnapshotCommand(
  file: string,
  overwrite: boolean,
  kvPath: string | undefined,
  openKv: () => Promise<Deno.Kv>,
  io: BackupIo,
  clock: Clock,
) {
  const target = localKvPath(kvPath);
  const takenAt = (await Deno.stat(file)).mtime ?? new Date(0);
  const check = new DatabaseSync(file, { readOnly: true });
  try {
    const ok = check.prepare("SELECT name FROM sqlite_master WHERE name = 'kv'").get();
    if (!ok) throw new BackupFormatError("not a Deno KV snapshot (no kv table)");
  } finally {
    check.close();
  }
  const exists = await Deno.stat(target).then(() => true, () => false);
  if (exists && !overwrite) {
    throw new BackupRefusedError(
      `${target} exists: stop the service and ask for --overwrite to replace it`,
    );
  }
  for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(target + suffix).catch(() => {});
  await Deno.copyFile(file, target);
  await Deno.chmod(target, 0o600).catch(() => {});
  const kv = await openKv();
  try {
    // Sessions ended after the snapshot must not come back, nor stale lockouts.
    let dropped = 0;
    for (const prefix of TRANSIENT_PREFIXES) {
      for await (const e of kv.list({ prefix: [prefix] })) {
        await kv.delete(e.key);
        dropped++;
      }
    }
    const held = await holdMessagesAfterRestore(kv, clock, takenAt);
    io.report(
      `restored=${target} from=${file} transient_dropped=${dropped} messages_requeued=${held.requeued} messages_uncertain=${held.uncertain}`,
    );
    return 0;
  } finally {
    kv.close();
  }
}

async function withFile<T>(path: string, use: (s: ReadableStream<Uint8Array>) => Promise<T>) {
  const handle = await Deno.open(path, { read: true }).catch((error) => {
    if (error instanceof Deno.errors.NotFound) {
      throw new BackupRefusedError(`${path} does not exist`);
    }
    throw error;
  });
  const stream = handle.readable;
  try {
    return await use(stream);
  } finally {
    // `readable` closes the file when read to the end; close it if `use` stopped early.
    await stream.cancel().catch(() => {});
  }
}

/** Streams lines out of `produce` into `sink`, optionally gzip-compressed. */
async function writeLines<T>(
  sink: WritableStream<Uint8Array>,
  gzip: boolean,
  produce: (write: (line: string) => Promise<void>) => Promise<T>,
  keepOpen = false,
): Promise<T> {
  const encoder = new TextEncoder();
  let target: WritableStream<Uint8Array> = sink;
  let piped: Promise<void> | undefined;
  if (gzip) {
    const compress = new CompressionStream("gzip");
    piped = compress.readable.pipeTo(sink);
    target = compress.writable as WritableStream<Uint8Array>;
  }
  const writer = target.getWriter();
  // Lines are gathered into chunks of ~64 KiB: one write per line would be slow.
  let buffer = "";
  const write = async (line: string) => {
    buffer += line + "\n";
    if (buffer.length >= 65_536) {
      await writer.write(encoder.encode(buffer));
      buffer = "";
    }
  };
  try {
    const result = await produce(write);
    if (buffer) await writer.write(encoder.encode(buffer));
    if (keepOpen && !gzip) writer.releaseLock();
    else await writer.close();
    await piped;
    return result;
  } catch (error) {
    await writer.abort(error).catch(() => {});
    await piped?.catch(() => {});
    throw error;
  }
}

/** The lines of a UTF-8 byte stream (optionally gzip-compressed), without their newlines. */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  gzip = false,
): AsyncGenerator<string> {
  let bytes: ReadableStream<Uint8Array> = stream;
  if (gzip) {
    bytes = stream.pipeThrough(
      new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
    );
  }
  let rest = "";
  try {
    for await (const text of bytes.pipeThrough(new TextDecoderStream("utf-8", { fatal: true }))) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      yield* parts;
    }
  } catch (error) {
    // Not gzip, or not UTF-8 text.
    if (error instanceof TypeError) {
      throw new BackupFormatError(`the file cannot be read: ${error.message}`);
    }
    throw error;
  }
  if (rest) yield rest;
}
