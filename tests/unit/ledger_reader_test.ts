import assert from "node:assert/strict";
import { manualClock } from "../../domain/shared/clock.ts";
import { postEntry } from "../../domain/balance/ledger.ts";
import { createLedgerReader } from "../../domain/balance/ledger_reader.ts";

Deno.test("the remembered ledger follows every new entry", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
    const read = createLedgerReader(kv, 2);
    assert.deepEqual(await read("u1"), []);
    const charge = (n: number) => ({
      unitId: "u1",
      kind: "charge" as const,
      postedOn: "2026-11-01",
      period: "2026-11",
      component: "eksploatacja",
      amount: 1000 + n,
      documentNo: `N/${n}`,
      description: "Eksploatacja",
    });
    assert.ok((await postEntry(kv, clock, charge(1))).ok);
    assert.equal((await read("u1")).length, 1);
    const first = await read("u1");
    assert.equal(await read("u1"), first, "unchanged ledger: the same list, no re-reading");
    assert.ok((await postEntry(kv, clock, charge(2))).ok);
    assert.equal((await read("u1")).length, 2, "a new entry is seen at once");
    // Evicted units are read again.
    await read("u2");
    await read("u3");
    assert.equal((await read("u1")).length, 2);
  } finally {
    kv.close();
  }
});
