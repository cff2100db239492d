/**
 * `deno task admin backup …`: export and import the whole KV database as JSON Lines.
 *
 *   backup export <file.jsonl | file.jsonl.gz | ->
 *     Writes every non-transient entry (see domain/backoffice/backup.ts); `-` writes to stdout. A file is
 *     written under a temporary name, readable by its owner only, and renamed when complete.
 *   backup import <file.jsonl | file.jsonl.gz | -> [--overwrite]
 *     Refuses a database that holds anything unless --overwrite. A file is checked completely
 *     before the first write; `-` (stdin) is checked as it is written.
 *
 * Prints one line of counts (to stderr when the backup itself goes to stdout).
 * Exit codes: 0 done; 2 usage, refusal, or a file that is not a complete eBOK backup.
 */
import { parseArgs } from "node:util";
import {
  BackupEncodingError,
  BackupFormatError,
  BackupRefusedError,
  exportKv,
  importKv,
} from "../domain/backoffice/backup.ts";

export const backupUsage = [
  "usage: deno task admin backup export <file.jsonl|file.jsonl.gz|->",
  "       deno task admin backup import <file.jsonl|file.jsonl.gz|-> [--overwrite]",
].join("\n");

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
): Promise<number> {
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
  if (!file || extra.length || (action !== "export" && action !== "import")) {
    io.error(backupUsage);
    return 2;
  }
  if (action === "export" && parsed.values.overwrite) {
    io.error(`--overwrite applies to import only\n${backupUsage}`);
    return 2;
  }

  try {
    return action === "export"
      ? await exportCommand(file, openKv, io)
      : await importCommand(file, parsed.values.overwrite ?? false, openKv, io);
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

async function exportCommand(file: string, openKv: () => Promise<Deno.Kv>, io: BackupIo) {
  const kv = await openKv();
  try {
    if (file === "-") {
      const result = await writeLines(io.stdout, false, (write) => exportKv(kv, write), true);
      io.error(`exported=${result.entries} skipped_transient=${result.skipped}`);
      return 0;
    }
    // The file holds personal data: owner-only, and complete or absent under its final name.
    const partial = `${file}.partial`;
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
    await Deno.rename(partial, file);
    io.report(`exported=${result.entries} skipped_transient=${result.skipped} file=${file}`);
    return 0;
  } finally {
    kv.close();
  }
}

async function importCommand(
  file: string,
  overwrite: boolean,
  openKv: () => Promise<Deno.Kv>,
  io: BackupIo,
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
    const report = `imported=${result.entries} batches=${result.batches} mode=${mode}` +
      (overwrite ? ` keys_before=${result.existingBefore}` : "");
    io.report(report);
    return 0;
  } finally {
    kv.close();
  }
}

async function withFile<T>(path: string, use: (s: ReadableStream<Uint8Array>) => Promise<T>) {
  const handle = await Deno.open(path, { read: true });
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
