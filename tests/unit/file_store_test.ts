import assert from "node:assert/strict";
import { encodeHexLowerCase } from "@oslojs/encoding";
import { MAX_FILE_BYTES } from "../../domain/files/file_store.ts";
import {
  CHUNK_BYTES,
  cleanFileName,
  kvFileStore,
  stageFile,
  sweepFiles,
} from "../../domain/files/kv_file_store.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { keys } from "../../domain/shared/keys.ts";
import { JPEG, pdfBytes, PNG } from "../file_fixtures.ts";

const owner = { kind: "matter", id: "01MATTER0000000000000000000" };

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return encodeHexLowerCase(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

async function fixture() {
  const kv = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-12-01T10:00:00Z"));
  return { kv, clock, store: kvFileStore(kv, clock) };
}

async function countPrefix(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

async function leftovers(kv: Deno.Kv) {
  return {
    chunks: await countPrefix(kv, ["file_chunks"]),
    pending: await countPrefix(kv, ["file_pending"]),
    files: await countPrefix(kv, ["files"]),
  };
}

/** A stream over `bytes` in pieces of `piece` bytes, calling `before(i)` before piece i. */
function streamOf(
  bytes: Uint8Array,
  piece: number,
  before: (i: number) => Promise<void> | void = () => {},
): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    async pull(controller) {
      if (i * piece >= bytes.length) return controller.close();
      await before(i);
      controller.enqueue(bytes.slice(i * piece, (i + 1) * piece));
      i++;
    },
  });
}

Deno.test("a 20 MB PDF round-trips byte for byte, in chunks under 64 KiB", async () => {
  const { kv, store } = await fixture();
  const bytes = pdfBytes(MAX_FILE_BYTES);
  const put = await store.put({
    name: "Rozliczenie ciepła 2026.pdf",
    body: new Blob([bytes]),
    owner,
    purpose: "attachment",
    uploadedBy: "01ACCOUNT000000000000000000",
  });
  assert.ok(put.ok, JSON.stringify(put));
  const file = put.file;
  assert.equal(file.size, MAX_FILE_BYTES);
  assert.equal(file.type, "application/pdf");
  assert.equal(file.sha256, await sha256Hex(bytes));
  assert.equal(file.chunks, Math.ceil(MAX_FILE_BYTES / CHUNK_BYTES));
  assert.equal(file.name, "Rozliczenie ciepła 2026.pdf");
  assert.equal(file.createdAt, "2026-12-01T10:00:00.000Z");
  assert.deepEqual(file.owner, owner);

  for await (const e of kv.list<Uint8Array>({ prefix: keys.fileChunksAll(file.id) })) {
    assert.ok(e.value.byteLength <= CHUNK_BYTES && e.value.byteLength < 65_536);
  }
  assert.deepEqual(await store.get(file.id), file);
  assert.deepEqual((await store.listByOwner(owner)).map((f) => f.id), [file.id]);

  // The stream hands out one stored chunk at a time and the bytes are identical.
  let offset = 0;
  let pieces = 0;
  for await (const chunk of store.read(file)) {
    assert.ok(chunk.byteLength <= CHUNK_BYTES);
    assert.ok(
      chunk.every((b, i) => b === bytes[offset + i]),
      `bytes differ in piece ${pieces}`,
    );
    offset += chunk.byteLength;
    pieces++;
  }
  assert.equal(offset, bytes.length);
  assert.equal(pieces, file.chunks);
  assert.deepEqual(await store.readBytes(file), bytes);
  assert.deepEqual(await leftovers(kv), { chunks: file.chunks, pending: 0, files: 1 });
  kv.close();
});

Deno.test("one byte over 20 MB is refused and leaves nothing behind", async () => {
  const { kv, store } = await fixture();
  const bytes = pdfBytes(MAX_FILE_BYTES + 1);
  // As a stream, the size is known only at the end: chunks were written and must go.
  const streamed = await store.put({ name: "duzy.pdf", body: streamOf(bytes, 1 << 20), owner });
  assert.deepEqual(streamed, { ok: false, reason: "too_large", maxBytes: MAX_FILE_BYTES });
  assert.deepEqual(await leftovers(kv), { chunks: 0, pending: 0, files: 0 });
  // A Blob (a form's File) says its size first.
  const blob = await store.put({ name: "duzy.pdf", body: new Blob([bytes]), owner });
  assert.deepEqual(blob, { ok: false, reason: "too_large", maxBytes: MAX_FILE_BYTES });
  assert.deepEqual(await leftovers(kv), { chunks: 0, pending: 0, files: 0 });
  kv.close();
});

Deno.test("type is judged by content: a renamed executable is refused, PNG and JPEG pass", async () => {
  const { kv, store } = await fixture();
  const elf = new Uint8Array(8192);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  const pe = new Uint8Array(8192);
  pe.set([0x4d, 0x5a, 0x90, 0x00, 0x03]);
  pe.set([0x50, 0x45, 0, 0], 0x80);
  new DataView(pe.buffer).setUint32(0x3c, 0x80, true);

  const refusedElf = await store.put({ name: "x.pdf", body: elf, owner });
  assert.deepEqual(refusedElf, {
    ok: false,
    reason: "type_not_accepted",
    detected: "application/x-elf",
  });
  const refusedPe = await store.put({ name: "x.pdf", body: pe, owner });
  assert.equal(refusedPe.ok, false);
  assert.equal(!refusedPe.ok && refusedPe.reason, "type_not_accepted");
  assert.equal(
    !refusedPe.ok && refusedPe.reason === "type_not_accepted" && refusedPe.detected,
    "application/x-msdownload",
  );
  const text = await store.put({
    name: "list.pdf",
    body: new TextEncoder().encode("Szanowni Państwo, …"),
    owner,
  });
  assert.deepEqual(text, { ok: false, reason: "type_not_accepted", detected: null });
  // A large executable is refused before any chunk is written.
  const bigElf = new Uint8Array(3 * CHUNK_BYTES);
  bigElf.set(elf);
  assert.equal((await store.put({ name: "x.pdf", body: bigElf, owner })).ok, false);
  assert.deepEqual(await leftovers(kv), { chunks: 0, pending: 0, files: 0 });

  const empty = await store.put({ name: "pusty.pdf", body: new Uint8Array(0), owner });
  assert.deepEqual(empty, { ok: false, reason: "empty" });

  // Names do not matter either way: a PNG called .pdf is a PNG.
  const png = await store.put({ name: "skan.pdf", body: PNG, owner });
  assert.ok(png.ok && png.file.type === "image/png");
  const jpeg = await store.put({ name: "zdjęcie", body: new Blob([JPEG]), owner });
  assert.ok(jpeg.ok && jpeg.file.type === "image/jpeg");
  assert.deepEqual(await leftovers(kv), { chunks: 2, pending: 0, files: 2 });
  kv.close();
});

Deno.test("an upload under way is invisible; a body that fails leaves nothing behind", async () => {
  const { kv, clock, store } = await fixture();
  const bytes = pdfBytes(40 * CHUNK_BYTES);
  // After 25 chunks the body stalls (a slow connection), then fails (the connection drops).
  const stalled = Promise.withResolvers<void>();
  const resume = Promise.withResolvers<void>();
  const body = streamOf(bytes, CHUNK_BYTES, async (i) => {
    if (i !== 25) return;
    stalled.resolve();
    await resume.promise;
    throw new Error("connection lost");
  });
  const upload = store.put({ name: "uchwała.pdf", body, owner });
  await stalled.promise;

  const pending = await Array.fromAsync(kv.list({ prefix: keys.filePendingAll() }));
  assert.equal(pending.length, 1);
  const fileId = pending[0].key[1] as string;
  assert.equal(await countPrefix(kv, keys.fileChunksAll(fileId)), 20, "two operations written");
  assert.equal(await store.get(fileId), null);
  assert.deepEqual(await store.listByOwner(owner), []);
  // Within the hour the upload may still be running: the sweep leaves it.
  clock.advance(59 * 60_000);
  assert.deepEqual(await store.sweep(), {
    abandonedUploads: 0,
    finishedRemovals: 0,
    chunksDeleted: 0,
  });

  resume.resolve();
  await assert.rejects(upload, /connection lost/);
  assert.deepEqual(await leftovers(kv), { chunks: 0, pending: 0, files: 0 });
  kv.close();
});

Deno.test("a staged file appears with the caller's record, in the caller's atomic operation", async () => {
  const { kv, clock, store } = await fixture();
  const staged = await store.stage({ name: "odpowiedź.pdf", body: pdfBytes(150_000), owner });
  assert.ok(staged.ok);
  const { file } = staged.staged;
  assert.equal(await store.get(file.id), null, "chunks written, not yet visible");
  assert.deepEqual(await store.listByOwner(owner), []);

  const op = store.complete(kv.atomic(), staged.staged).set(["replies", "r1"], { fileId: file.id });
  assert.ok((await op.commit()).ok);
  assert.deepEqual(await store.get(file.id), file);
  assert.deepEqual(await kv.get(keys.filePending(file.id)).then((e) => e.value), null);

  // The caller's operation failed (its own check): the staged chunks can go at once.
  const failed = await store.stage({ name: "drugi.pdf", body: pdfBytes(130_000), owner });
  assert.ok(failed.ok);
  const taken = store.complete(kv.atomic(), failed.staged)
    .check({ key: ["replies", "r1"], versionstamp: null });
  assert.equal((await taken.commit()).ok, false);
  await store.discard(failed.staged);
  assert.equal(await countPrefix(kv, keys.fileChunksAll(failed.staged.file.id)), 0);
  assert.equal((await kv.get(keys.filePending(failed.staged.file.id))).value, null);

  // A staged file never completed is swept after an hour, and cannot be completed after that.
  const late = await store.stage({ name: "porzucony.pdf", body: pdfBytes(70_000), owner });
  assert.ok(late.ok);
  clock.advance(61 * 60_000);
  assert.equal((await store.sweep()).abandonedUploads, 1);
  assert.equal((await store.complete(kv.atomic(), late.staged).commit()).ok, false);
  assert.equal(await store.get(late.staged.file.id), null);
  assert.equal(await countPrefix(kv, keys.fileChunksAll(late.staged.file.id)), 0);
  kv.close();
});

Deno.test("an upload the sweep took over stops writing and reports it was interrupted", async () => {
  const { kv, clock } = await fixture();
  const bytes = pdfBytes(30 * CHUNK_BYTES);
  const result = await stageFile(kv, clock, {
    name: "wolny.pdf",
    owner,
    // Halfway through, the upload stalls for two hours and the sweep runs meanwhile.
    body: streamOf(bytes, CHUNK_BYTES, async (i) => {
      if (i === 15) {
        clock.advance(2 * 60 * 60_000);
        const swept = await sweepFiles(kv, clock);
        assert.equal(swept.abandonedUploads, 1);
      }
    }),
  });
  assert.deepEqual(result, { ok: false, reason: "interrupted" });
  assert.deepEqual(await leftovers(kv), { chunks: 0, pending: 0, files: 0 });
  kv.close();
});

Deno.test("concurrent uploads of the same content are separate, intact files", async () => {
  const { kv, store } = await fixture();
  const bytes = pdfBytes(700_000);
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      store.put({
        name: `kopia ${i}.pdf`,
        // Different piece sizes interleave the writers' atomic operations differently.
        body: streamOf(bytes, 10_000 * (i + 1)),
        owner,
      })),
  );
  const files = results.map((r) => {
    assert.ok(r.ok);
    return r.file;
  });
  assert.equal(new Set(files.map((f) => f.id)).size, 6);
  const hash = await sha256Hex(bytes);
  for (const file of files) {
    assert.equal(file.sha256, hash);
    assert.deepEqual(await store.readBytes(file), bytes);
  }
  assert.equal((await store.listByOwner(owner)).length, 6);
  kv.close();
});

Deno.test("removal: gone at once, chunks deleted; a removal inside another operation is finished by the sweep", async () => {
  const { kv, store } = await fixture();
  const a = await store.put({ name: "a.pdf", body: pdfBytes(200_000), owner });
  const b = await store.put({ name: "b.pdf", body: pdfBytes(200_000), owner });
  assert.ok(a.ok && b.ok);

  assert.deepEqual(await store.remove(a.file.id), { ok: true });
  assert.equal(await store.get(a.file.id), null);
  assert.equal(await countPrefix(kv, keys.fileChunksAll(a.file.id)), 0);
  assert.deepEqual(await store.remove(a.file.id), { ok: false, reason: "not_found" });

  // A document withdrawn together with its file: invisible on commit; chunks wait for the sweep.
  const op = store.removeWithin(kv.atomic(), b.file).delete(["documents", "d1"]);
  assert.ok((await op.commit()).ok);
  assert.equal(await store.get(b.file.id), null);
  assert.deepEqual(await store.listByOwner(owner), []);
  const swept = await store.sweep();
  assert.equal(swept.finishedRemovals, 1);
  assert.equal(swept.chunksDeleted, 4);
  // A reader holding the old record now gets an error, never a short file.
  await assert.rejects(store.readBytes(b.file), /chunk 0 is missing|incomplete/);
  assert.deepEqual(await leftovers(kv), { chunks: 0, pending: 0, files: 0 });
  kv.close();
});

Deno.test("cleanFileName keeps the name, drops paths and control characters", () => {
  assert.equal(cleanFileName("C:\\fakepath\\Uchwała nr 5.pdf"), "Uchwała nr 5.pdf");
  assert.equal(cleanFileName("../../etc/passwd"), "passwd");
  assert.equal(cleanFileName("a\u0000b\u0007c\n.pdf"), "abc.pdf");
  assert.equal(cleanFileName("  "), "plik");
  assert.equal(cleanFileName(".."), "plik");
  // Decomposed letters (macOS) come back composed.
  assert.equal(cleanFileName("zaświadczenie.pdf".normalize("NFD")), "zaświadczenie.pdf");
  assert.equal([...cleanFileName("ż".repeat(500))].length, 200);
});
