/**
 * Issue 17: an in-process cache holds only what is immutable or checked against a versionstamp
 * read in the same request. Two apps on the same KV stand for two processes (Deno Deploy runs
 * many): what one process — or an import, a staff member — writes, the other shows at its very
 * next request, with no time to wait for.
 */
import assert from "node:assert/strict";
import { createAnnouncement, withdrawAnnouncement } from "../../domain/backoffice/announcements.ts";
import {
  getCooperativeProfile,
  saveCooperativeProfile,
} from "../../domain/backoffice/cooperative.ts";
import { setDataFreshness } from "../../domain/backoffice/data_freshness.ts";
import { getUnit, updateUnit } from "../../domain/backoffice/register.ts";
import { addMeter, addReadings } from "../../domain/water/water.ts";
import { setBuildingAverageEnabled } from "../../domain/water/water_comparison.ts";
import { createApp } from "../../routes/app.tsx";
import { countKvOps, signInDemoResident, testAdmin, testApp, TestClient } from "../helpers.ts";

/** The app of `t` (process A) and a second app on the same KV (process B), both signed in. */
async function twoProcesses() {
  const t = await testApp({ start: new Date("2026-11-25T10:00:00Z") });
  const { resident: r, client: a } = await signInDemoResident(t);
  // A KV object of its own, so B shares no per-KV state with A either (as another process).
  const b = createApp({
    config: t.config,
    kv: countKvOps(t.kv).kv,
    clock: t.clock,
    log: t.log,
    hasher: t.hasher,
  });
  // The same browser (the same cookies), its requests answered by either process.
  const onB = new TestClient(b);
  onB.cookies = a.cookies;
  const getB = async (path: string) => {
    const res = await onB.get(path);
    assert.equal(res.status, 200, path);
    return await res.text();
  };
  return { t, a, getB, flat: r.flatUnitId };
}

Deno.test("another process shows a changed cooperative profile and data date at once", async () => {
  const { t, getB } = await twoProcesses();
  await using _ = t;
  const before = await getCooperativeProfile(t.kv, t.config.cooperativeName);
  assert.match(await getB("/"), new RegExp(before.name));
  assert.match(await getB("/ebok"), new RegExp(before.name));

  await saveCooperativeProfile(t.kv, {
    ...before,
    name: "Spółdzielnia Mieszkaniowa Nowa Nazwa",
    emergencyPhone: "22 999 88 77",
  });
  await setDataFreshness(t.kv, { asOf: "2026-11-24T21:30:00.000Z", source: "test" });
  const publicPage = await getB("/");
  assert.match(publicPage, /Spółdzielnia Mieszkaniowa Nowa Nazwa/);
  const dashboard = await getB("/ebok");
  assert.match(dashboard, /Spółdzielnia Mieszkaniowa Nowa Nazwa/);
  assert.match(dashboard, /tel:229998877/);
  assert.match(dashboard, /24\.11\.2026/);
  assert.match(await getB("/ebok/saldo"), /Spółdzielnia Mieszkaniowa Nowa Nazwa/);
});

Deno.test("another process shows a new and a withdrawn announcement at once, old data too", async () => {
  const { t, getB } = await twoProcesses();
  await using _ = t;
  // Data from before the stamp existed: B lists the announcements once and keeps them.
  await t.kv.delete(["site_settings_stamp"]);
  assert.doesNotMatch(await getB("/ebok"), /Przerwa w dostawie ciepłej wody/);

  const published = await createAnnouncement(t.kv, t.clock, {
    title: "Przerwa w dostawie ciepłej wody",
    body: "W czwartek od 8:00 do 14:00.",
    audience: { kind: "all" },
  }, {
    staff: testAdmin,
    email: false,
    ctx: { coop: await getCooperativeProfile(t.kv, "SM"), baseUrl: t.config.baseUrl },
  });
  assert.ok(published.ok);
  assert.match(await getB("/ebok"), /Przerwa w dostawie ciepłej wody/);

  assert.ok((await withdrawAnnouncement(t.kv, t.clock, published.announcement.id, testAdmin)).ok);
  assert.doesNotMatch(await getB("/ebok"), /Przerwa w dostawie ciepłej wody/);
});

/** The building's average per person (the first figure of the comparison), as shown. */
function buildingAverage(html: string): string {
  const m = html.match(/Średnie zużycie wody w Twoim budynku[^<]*<strong>([^<]+)<\/strong>/);
  assert.ok(m, "the building's average is shown");
  return m[1];
}

Deno.test("another process shows the building's average after new readings or persons at once", async () => {
  const { t, getB, flat } = await twoProcesses();
  await using _ = t;
  await setBuildingAverageEnabled(t.kv, true);
  const first = buildingAverage(await getB(`/ebok/woda?lokal=${flat}`));
  assert.equal(buildingAverage(await getB(`/ebok/woda?lokal=${flat}`)), first);

  // A new meter of a flat of the building, with a year of heavy use.
  const meter = await addMeter(t.kv, t.clock, {
    unitId: flat,
    kind: "cold",
    serialNo: "TEST-1",
    location: "ogród",
    installedOn: "2025-10-01",
    legalUntil: "2030-10-01",
  });
  const added = await addReadings(t.kv, t.clock, meter.id, [
    { readOn: "2025-10-31", litres: 0, source: "visit", enteredBy: "test" },
    { readOn: "2026-10-31", litres: 600_000, source: "visit", enteredBy: "test" },
  ]);
  assert.ok(added.ok);
  const afterReadings = buildingAverage(await getB(`/ebok/woda?lokal=${flat}`));
  assert.notEqual(afterReadings, first);

  // More persons in that flat: less water per person.
  const unit = (await getUnit(t.kv, flat))!;
  assert.ok((await updateUnit(t.kv, flat, { persons: unit.persons + 5 })).ok);
  assert.notEqual(buildingAverage(await getB(`/ebok/woda?lokal=${flat}`)), afterReadings);
});

Deno.test("error pages on eBOK paths, before the guard reads the settings, show the cooperative", async () => {
  const { t, a } = await twoProcesses();
  await using _ = t;
  const name = (await getCooperativeProfile(t.kv, t.config.cooperativeName)).name;
  const cases: [string, RequestInit, number][] = [
    ["/ebok/%2e%2e/x", {}, 404],
    ["/ebok/konto", { method: "POST", headers: { origin: "https://evil.example" } }, 403],
  ];
  for (const [path, init, status] of cases) {
    const res = await t.app.request(path, init);
    assert.equal(res.status, status, path);
    assert.match(await res.text(), new RegExp(name), path);
  }
  // Signed in: the guard read them, the page is not found.
  const missing = await a.get("/ebok/nie-ma-takiej");
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), new RegExp(name));
});
