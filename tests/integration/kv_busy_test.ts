/**
 * "database is locked": the server and the operator's commands (imports, backups) share one
 * SQLite file. Another process holding the write lock longer than SQLite's busy timeout (~5 s)
 * must make a write wait and retry, not fail.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openConfiguredKv } from "../../platform/kv.ts";

Deno.test("database is locked: writes wait while another process holds the write lock, then succeed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ebok-busy-" });
  const path = join(dir, "ebok.kv");
  const kv = await openConfiguredKv({ kvPath: path });
  const other = new DatabaseSync(path);
  try {
    await kv.set(["before"], 1);
    // Another process (an operator command, a backup) holds the write lock for 6 s.
    other.exec("BEGIN IMMEDIATE");
    const released = new Promise<void>((resolve) =>
      setTimeout(() => {
        other.exec("ROLLBACK");
        resolve();
      }, 6_000)
    );
    const started = performance.now();
    const [set, committed] = await Promise.all([
      kv.set(["during", "set"], 1),
      kv.atomic().check({ key: ["during", "atomic"], versionstamp: null })
        .set(["during", "atomic"], 2).sum(["during", "count"], 1n).commit(),
    ]);
    await released;
    assert.ok(set.ok);
    assert.ok(committed.ok);
    assert.ok(performance.now() - started >= 5_000, "it did wait for the lock");
    assert.equal((await kv.get(["during", "atomic"])).value, 2);
    assert.equal((await kv.get<Deno.KvU64>(["during", "count"])).value?.value, 1n);
  } finally {
    other.close();
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
