import assert from "node:assert/strict";
import { exportKv, importKv, TRANSIENT_PREFIXES } from "../../domain/backoffice/backup.ts";
import { checkFiles, kvFileStore } from "../../domain/files/kv_file_store.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { keys } from "../../domain/shared/keys.ts";
import { pdfBytes, PNG } from "../file_fixtures.ts";

const owner = { kind: "document", id: "01DOC000000000000000000000" };
const FILE_PREFIXES = ["files", "files_by_owner", "file_chunks", "file_pending"];

Deno.test("stored files survive a backup and a restore byte for byte", async () => {
  const clock = manualClock(new Date("2026-12-01T10:00:00Z"));
  const source = await Deno.openKv(":memory:");
  const store = kvFileStore(source, clock);
  const pdf = pdfBytes(2_500_000);
  const a = await store.put({ name: "Sprawozdanie finansowe 2025.pdf", body: pdf, owner });
  const b = await store.put({ name: "plan osiedla.png", body: PNG, owner });
  assert.ok(a.ok && b.ok);

  // No file key is skipped as transient.
  for (const prefix of FILE_PREFIXES) assert.ok(!TRANSIENT_PREFIXES.includes(prefix), prefix);

  const lines: string[] = [];
  const exported = await exportKv(source, (line) => {
    lines.push(line);
    return Promise.resolve();
  }, { now: clock() });
  const chunkLines = lines.filter((l) => l.startsWith('{"key":["file_chunks"'));
  assert.equal(chunkLines.length, a.file.chunks + b.file.chunks);
  // Chunks are Uint8Array values, written as base64 bytes (not as an object of numbers).
  assert.ok(chunkLines.every((l) => l.includes('"value":{"$bytes":"')));

  const target = await Deno.openKv(":memory:");
  const imported = await importKv(target, lines, { mode: "empty-only" });
  assert.equal(imported.entries, exported.entries);
  assert.ok(imported.batches > 1, "chunks spread over several import batches");

  const restored = kvFileStore(target, clock);
  assert.deepEqual(await restored.get(a.file.id), a.file);
  assert.deepEqual(await restored.readBytes(a.file), pdf);
  assert.deepEqual(await restored.readBytes(b.file), PNG);
  assert.deepEqual(
    (await restored.listByOwner(owner)).map((f) => f.id),
    [a.file.id, b.file.id],
  );
  // Each restored chunk is a Uint8Array again, under the 64 KiB value limit.
  for await (const e of target.list({ prefix: keys.fileChunksAll(a.file.id) })) {
    assert.ok(e.value instanceof Uint8Array && e.value.byteLength <= 60_000);
  }
  source.close();
  target.close();
});

Deno.test("an unfinished upload in a backup is swept after the restore", async () => {
  const clock = manualClock(new Date("2026-12-01T10:00:00Z"));
  const source = await Deno.openKv(":memory:");
  const staged = await kvFileStore(source, clock).stage({
    name: "w toku.pdf",
    body: pdfBytes(200_000),
    owner,
  });
  assert.ok(staged.ok);
  const lines: string[] = [];
  await exportKv(source, (line) => {
    lines.push(line);
    return Promise.resolve();
  });
  const target = await Deno.openKv(":memory:");
  await importKv(target, lines, { mode: "empty-only" });
  const restored = kvFileStore(target, clock);
  assert.equal(await restored.get(staged.staged.file.id), null);
  clock.advance(2 * 60 * 60_000);
  const swept = await restored.sweep();
  assert.deepEqual(swept, { abandonedUploads: 1, finishedRemovals: 0, chunksDeleted: 4 });
  source.close();
  target.close();
});

Deno.test("after restoring a backup taken mid-upload, checkFiles finds incomplete and orphaned files", async () => {
  const clock = manualClock(new Date("2026-12-01T10:00:00Z"));
  const source = await Deno.openKv(":memory:");
  const store = kvFileStore(source, clock);
  const a = await store.put({ name: "a.pdf", body: pdfBytes(300_000), owner });
  const b = await store.put({ name: "b.pdf", body: pdfBytes(300_000), owner });
  const c = await store.put({ name: "c.pdf", body: pdfBytes(300_000), owner });
  assert.ok(a.ok && b.ok && c.ok);
  const lines: string[] = [];
  await exportKv(source, (line) => {
    lines.push(line);
    return Promise.resolve();
  });
  // What a live export can produce: a's last chunk missed (written after the export passed it),
  // b's record missed (removed after its chunks were exported).
  const kept = lines.filter((l) =>
    !l.startsWith(`{"key":["file_chunks","${a.file.id}",4]`) &&
    !l.startsWith(`{"key":["files","${b.file.id}"]`) &&
    !l.startsWith(`{"key":["files_by_owner","document","${owner.id}","${b.file.id}"]`) &&
    !l.startsWith('{"end":true')
  );
  kept.push(JSON.stringify({ end: true, entries: kept.length - 1 }));
  const target = await Deno.openKv(":memory:");
  await importKv(target, kept, { mode: "empty-only" });

  assert.deepEqual(await checkFiles(target, clock), {
    files: 2,
    incomplete: [a.file.id],
    orphaned: [b.file.id],
  });
  const restored = kvFileStore(target, clock);
  await assert.rejects(restored.readBytes(a.file), /incomplete/);
  assert.equal((await restored.readBytes(c.file)).length, 300_000);

  await checkFiles(target, clock, { repair: true });
  assert.deepEqual(await restored.sweep(), {
    abandonedUploads: 0,
    finishedRemovals: 1,
    chunksDeleted: 5,
  });
  assert.deepEqual(await checkFiles(target, clock), {
    files: 2,
    incomplete: [a.file.id],
    orphaned: [],
  });
  source.close();
  target.close();
});
