/**
 * Issue 17: the KV operations one resident page costs, counted by a wrapper around the app's KV
 * (`countKvOps` in tests/helpers.ts: a get, a getMany, a commit or a plain write is one
 * operation; a list is one per page it fetched). The budgets hold whatever the number of units an
 * account holds, up to three: /ebok ≤ 3, /ebok/saldo ≤ 4, /ebok/woda ≤ 5.
 *
 * Each page is asked twice and the second request is counted: the first may fill the process's
 * caches of immutable data (which unit lies in which building, which account a session belongs
 * to), which every later request checks against what it reads. The cooperative's settings
 * (profile, data freshness, the announcements' stamp) come in the getMany of the session and its
 * account; the water page shows the building's average, kept under the building's water stamp.
 */
import assert from "node:assert/strict";
import { createAccount } from "../../domain/accounts/accounts.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { createPrzelewy24Gateway } from "../../adapters/przelewy24.ts";
import { setBuildingAverageEnabled } from "../../domain/water/water_comparison.ts";
import { countKvOps, testApp } from "../helpers.ts";

const PASSWORD = "Moje-Haslo-1";
const BUDGET = { "/ebok": 3, "/ebok/saldo": 4, "/ebok/woda": 5 } as const;

async function fixture(unitCount: number) {
  let counter: ReturnType<typeof countKvOps> | undefined;
  const t = await testApp({
    start: new Date("2026-11-25T10:00:00Z"),
    wrapKv: (kv) => (counter = countKvOps(kv)).kv,
    // Never called on these pages; with a gateway /ebok also shows payments "w drodze".
    paymentGateway: createPrzelewy24Gateway({
      merchantId: 1,
      posId: 1,
      crc: "crc",
      apiKey: "key",
      baseUrl: "http://127.0.0.1:9",
    }),
  });
  const coop = await seedDemoCooperative(t.kv, t.clock);
  await setBuildingAverageEnabled(t.kv, true);
  const r = coop.demoResident;
  const otherFlat = coop.units.find((u) =>
    u.kind === "flat" && u.id !== r.flatUnitId &&
    u.buildingId !== coop.units.find((x) => x.id === r.flatUnitId)!.buildingId
  )!;
  const unitIds = [r.flatUnitId, r.garageUnitId, otherFlat.id].slice(0, unitCount);
  const account = await createAccount(t.kv, t.clock, {
    firstName: r.firstName,
    lastName: r.lastName,
    email: r.email,
    phone: r.phone,
    unitIds,
    passwordHash: await t.hasher.hash(PASSWORD),
  });
  const c = t.client();
  const login = await c.post("/logowanie", { identifier: account!.identifier, password: PASSWORD });
  assert.equal(login.status, 303);
  return { t, c, counter: counter! };
}

for (const unitCount of [1, 2, 3]) {
  Deno.test(`KV operations per resident page stay within budget with ${unitCount} unit(s)`, async () => {
    const { t, c, counter } = await fixture(unitCount);
    await using _ = t;
    const over: string[] = [];
    for (const [path, budget] of Object.entries(BUDGET)) {
      assert.equal((await c.get(path)).status, 200, path);
      counter.reset();
      const res = await c.get(path);
      assert.equal(res.status, 200, path);
      await res.text();
      const ops = counter.operations();
      if (Deno.env.get("KV_BUDGET_VERBOSE")) {
        console.log(`${unitCount} unit(s) ${path}: ${ops}\n${counter.describe()}`);
      }
      if (ops > budget) {
        over.push(`${path}: ${ops} KV operations (budget ${budget}):\n${counter.describe()}`);
      }
    }
    assert.deepEqual(over, [], over.join("\n"));
  });
}
