import assert from "node:assert/strict";
import { manualClock } from "../../domain/shared/clock.ts";
import { getImportJob, listImportHistory, resumeImports } from "../../domain/backoffice/imports.ts";
import { type LedgerEntry, listEntries, recomputeTotals } from "../../domain/balance/ledger.ts";
import { getUnitIdsByExternalIds } from "../../domain/backoffice/register.ts";

const ENTRIES = 30_000;
const UNITS = 100;
const fixture = new URL("../fixtures/import_crash.ts", import.meta.url).pathname;

Deno.test("crash: an import killed mid-way (SIGKILL) is resumed; every document once, totals exact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ebok-import-crash-" });
  const kvPath = `${dir}/ebok.kv`;
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", fixture, kvPath, String(ENTRIES), String(UNITS)],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let jobId = "";
    let chunks = 0;
    let seen = 0;
    let buffer = "";
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    read: while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const [word, a, b] = line.split(" ");
        if (word === "job") [jobId, chunks] = [a, Number(b)];
        if (word === "progress") seen = Number(a);
        if (word === "done") break read;
        if (seen >= 3) {
          // A few milliseconds into the next chunk: some of its rows are written, its progress
          // is not — the case resuming must get right.
          await new Promise((r) => setTimeout(r, 5));
          child.kill("SIGKILL");
          break read;
        }
      }
    }
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    const status = await child.status;
    const stderr = new TextDecoder().decode(
      await new Response(child.stderr).arrayBuffer(),
    );
    assert.equal(status.signal, "SIGKILL", `the process was killed mid-way; stderr: ${stderr}`);
    assert.ok(jobId, "the job was previewed");

    const kv = await Deno.openKv(kvPath);
    try {
      const stopped = (await getImportJob(kv, jobId))!;
      assert.equal(stopped.status, "applying", "left applying by the crash");
      assert.ok(stopped.progress.chunksDone >= 3 && stopped.progress.chunksDone < chunks);
      const unitIds = [...(await getUnitIdsByExternalIds(
        kv,
        Array.from({ length: UNITS }, (_, i) => `C/${i + 1}`),
      )).values()];
      assert.equal(unitIds.length, UNITS);
      let before = 0;
      for (const id of unitIds) {
        before += (await listEntries(kv, id)).entries.length;
        assert.ok((await recomputeTotals(kv, id)).equal, "totals exact even mid-way");
      }
      assert.ok(before > 0 && before < ENTRIES, `${before} entries posted before the crash`);
      console.log(
        `killed after ${stopped.progress.rowsDone} rows recorded, ${before} entries posted`,
      );

      // The restarted server: its clock is past the dead process's lease.
      const clock = manualClock(new Date(Date.now() + 60_000));
      const report = await resumeImports(kv, clock);
      assert.equal(report.resumed.length, 1);
      assert.ok(report.resumed[0].result.ok);
      const done = (await getImportJob(kv, jobId))!;
      assert.equal(done.status, "applied");
      assert.equal(done.progress.chunksDone, chunks);
      assert.equal(
        done.applied.added + done.applied.unchanged,
        ENTRIES,
        "every row accounted for (rows posted before the crash count as already there)",
      );

      const documents = new Set<string>();
      let total = 0;
      for (const id of unitIds) {
        const entries: LedgerEntry[] = (await listEntries(kv, id)).entries;
        total += entries.length;
        for (const e of entries) {
          assert.ok(!documents.has(e.documentNo), `${e.documentNo} posted twice`);
          documents.add(e.documentNo);
        }
        const check = await recomputeTotals(kv, id);
        assert.ok(check.equal, "totals equal the recount");
        assert.equal(check.stored.entryCount, entries.length);
      }
      assert.equal(total, ENTRIES);
      assert.equal(documents.size, ENTRIES, "every document exactly once");
      const [history] = await listImportHistory(kv);
      assert.equal(history.jobId, jobId);
      assert.equal(history.result, "applied");
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
