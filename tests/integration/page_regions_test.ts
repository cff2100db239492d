/**
 * The resident pages' cached regions (routes/page_regions.ts) follow the data at once: each
 * page is seen first (so its regions are cached), then the data behind it changes the way the
 * office's tools change it, and the next view shows the change — plain and gzipped alike.
 */
import assert from "node:assert/strict";
import {
  getChargeComponents,
  postEntry,
  saveChargeComponents,
} from "../../domain/balance/ledger.ts";
import { addReading, listMeters } from "../../domain/water/water.ts";
import {
  DEMO_RESIDENT_PASSWORD,
  signInDemoResident,
  testApp,
  type TestClient,
} from "../helpers.ts";

/** The page as a browser gets it: asked with gzip, decoded as the browser would. */
async function both(c: TestClient, path: string): Promise<string[]> {
  const plain = await (await c.get(path)).text();
  const res = await c.get(path, { "Accept-Encoding": "gzip" });
  assert.equal(res.headers.get("Content-Encoding"), "gzip", path);
  const stream = res.body!.pipeThrough(new DecompressionStream("gzip"));
  const gzipped = await new Response(stream).text();
  assert.equal(gzipped, plain, `${path}: gzipped and plain pages differ`);
  return [plain];
}

Deno.test("cached page regions show a change of the data on the next view", async (t) => {
  await using app = await testApp({ start: new Date("2026-11-25T10:00:00Z") });
  const { resident: r, account, client: c } = await signInDemoResident(app);
  for (const p of ["/ebok", "/ebok/saldo", "/ebok/woda"]) {
    const [html] = await both(c, p);
    assert.doesNotMatch(html, /4\s321,09\szł|Opłata za śmieci|999,999\sm³/, p);
  }

  await t.step("a payment booked: the statement and the dashboard's card", async () => {
    const posted = await postEntry(app.kv, app.clock, {
      unitId: r.flatUnitId,
      kind: "payment",
      postedOn: "2026-11-25",
      period: "2026-11",
      amount: 4321_09,
      documentNo: "TEST-WPLATA-1",
      description: "Wpłata testowa",
    });
    assert.ok(posted.ok);
    const [saldo] = await both(c, "/ebok/saldo");
    assert.match(saldo, /Wpłata testowa/);
    assert.match(saldo, /4\s321,09\szł/);
    const [dashboard] = await both(c, "/ebok");
    assert.match(dashboard, /4\s321,09\szł, 25\.11\.2026/); // "Ostatnia wpłata"
  });

  await t.step("a component renamed: the statement's filter and lines", async () => {
    const components = await getChargeComponents(app.kv);
    assert.ok(components.length > 0);
    await saveChargeComponents(
      app.kv,
      components.map((x, i) => i === 0 ? { ...x, label: "Opłata za śmieci" } : x),
    );
    const [saldo] = await both(c, "/ebok/saldo");
    assert.match(saldo, /<option value="[a-z0-9_]+"\s*>Opłata za śmieci<\/option>/);
  });

  await t.step("a reading added: the meters and the usage", async () => {
    const meters = await listMeters(app.kv, r.flatUnitId);
    const cold = meters.find((m) => m.kind === "cold" && !m.removedOn)!;
    const [before] = await both(c, "/ebok/woda");
    const added = await addReading(app.kv, app.clock, {
      meterId: cold.id,
      readOn: "2026-11-25",
      litres: 999_999,
      source: "visit",
      enteredBy: "test",
    });
    assert.ok(added.ok, JSON.stringify(added));
    const [after] = await both(c, "/ebok/woda");
    assert.doesNotMatch(before, /999,999\sm³/);
    assert.match(after, /999,999\sm³/);
  });

  await t.step("days later: the reading window closed, legalisation days moved", async () => {
    const [today] = await both(c, "/ebok/woda");
    assert.match(today, /Trwa okres podawania odczytów/);
    assert.match(today, /kończy się za 50\sdni/);
    app.clock.advance(11 * 24 * 3600_000);
    await c.post("/logowanie", {
      identifier: account.identifier,
      password: DEMO_RESIDENT_PASSWORD,
    });
    const [later] = await both(c, "/ebok/woda");
    assert.doesNotMatch(later, /Trwa okres podawania odczytów/);
    assert.match(later, /kończy się za 39\sdni/);
  });
});
