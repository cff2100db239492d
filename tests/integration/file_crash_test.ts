import assert from "node:assert/strict";
import { Hono } from "hono";
import { kvFileStore } from "../../domain/files/kv_file_store.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { keys } from "../../domain/shared/keys.ts";
import { fileResponse } from "../../routes/files.ts";

const fixture = new URL("../fixtures/file_upload_crash.ts", import.meta.url).pathname;

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("an upload killed mid-way is never visible; the sweep removes its chunks an hour later", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ebok-file-crash-" });
  const kvPath = `${dir}/kv.sqlite`;
  const start = new Date("2026-12-01T10:00:00Z");
  try {
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", fixture, kvPath, start.toISOString()],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(child.stdout);
    assert.equal(child.success, false, "the upload process was killed");
    assert.equal(child.signal, "SIGKILL");
    assert.match(out, /crash/);
    assert.doesNotMatch(out, /finished/);

    const kv = await Deno.openKv(kvPath);
    const clock = manualClock(start);
    const store = kvFileStore(kv, clock);
    const pending = await Array.fromAsync(kv.list({ prefix: keys.filePendingAll() }));
    assert.equal(pending.length, 1);
    const fileId = pending[0].key[1] as string;
    const written = await count(kv, keys.fileChunksAll(fileId));
    assert.ok(written >= 20 && written < 40, `${written} of 40 chunks were written`);

    // Not visible: no record, not listed, the download route answers 404.
    assert.equal(await store.get(fileId), null);
    assert.deepEqual(await store.listByOwner({ kind: "document", id: "d1" }), []);
    const app = new Hono();
    app.get("/plik/:id", async (c) => {
      const file = await store.get(c.req.param("id"));
      return file ? fileResponse(store, file, c.req.raw) : c.text("Nie ma takiego pliku.", 404);
    });
    assert.equal((await app.request(`/plik/${fileId}`)).status, 404);

    clock.advance(30 * 60_000);
    assert.equal((await store.sweep()).abandonedUploads, 0, "within the hour it is left alone");
    clock.advance(31 * 60_000);
    assert.deepEqual(await store.sweep(), {
      abandonedUploads: 1,
      finishedRemovals: 0,
      chunksDeleted: written,
    });
    assert.equal(await count(kv, ["file_chunks"]), 0);
    assert.equal(await count(kv, ["file_pending"]), 0);
    kv.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
