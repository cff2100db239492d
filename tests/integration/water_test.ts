import assert from "node:assert/strict";
import { createAccount } from "../../domain/accounts/accounts.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { listMessages } from "../../domain/messaging/messages.ts";
import { getUnitWater, listReadings } from "../../domain/water/water.ts";
import { parseM3 } from "../../routes/resident/water.tsx";
import { testApp } from "../helpers.ts";

const PASSWORD = "Moje-Haslo-1";

async function fixture(start = new Date("2026-11-25T10:00:00Z")) {
  const t = await testApp({ start });
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const r = coop.demoResident;
  const account = await createAccount(t.kv, t.clock, {
    firstName: r.firstName,
    lastName: r.lastName,
    email: r.email,
    phone: r.phone,
    unitIds: [r.flatUnitId, r.garageUnitId],
    passwordHash: await t.hasher.hash(PASSWORD),
  });
  const c = t.client();
  assert.equal(
    (await c.post("/logowanie", { identifier: account!.identifier, password: PASSWORD })).status,
    303,
  );
  return { t, coop, c, flat: r.flatUnitId, garage: r.garageUnitId };
}

Deno.test("m³ as typed on the meter become whole litres", () => {
  assert.equal(parseM3("123,456"), 123456);
  assert.equal(parseM3("123.4"), 123400);
  assert.equal(parseM3(" 1 234,5 "), 1234500);
  assert.equal(parseM3("7"), 7000);
  for (const bad of ["", "abc", "12,3456", "-5", "1e3", "12,3,4"]) {
    assert.equal(parseM3(bad), null, bad);
  }
});

Deno.test("water page: meters with a legalisation warning, consumption, both settlements explained", async () => {
  const { t, c, flat, garage } = await fixture();
  await using _ = t;
  const res = await c.get(`/ebok/woda?lokal=${flat}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<h1>Woda<\/h1>/);
  assert.match(html, /zimna woda, kuchnia/);
  assert.match(
    html,
    /kończy się za \d+\u00a0dni/,
    "the demo kitchen meter nears the end of its legalisation",
  );
  assert.match(html, /<svg[^>]*id="wykres-wody"[^>]*role="img"/);
  assert.match(html, /Rok wcześniej/);
  assert.match(html, /dopłata 160,58\u00a0zł/);
  assert.match(html, /nadpłata 257,04\u00a0zł/);
  assert.match(html, /Jak to policzyliśmy/);
  assert.match(html, /m³ × 18,10 zł\/m³|18,10/);
  assert.match(html, /zaksięgowany na koncie lokalu 20\.01\.2026/);
  assert.match(html, /Podaj odczyt wodomierzy/, "the reading window is open on 25 November");

  const garagePage = await (await c.get(`/ebok/woda?lokal=${garage}`)).text();
  assert.match(garagePage, /W tym lokalu nie ma wodomierzy/);
});

Deno.test("water page: another unit is 404, also the reading form", async () => {
  const { t, coop, c } = await fixture();
  await using _ = t;
  const other = coop.units.find((u) => u.kind === "flat" && u.id !== coop.demoResident.flatUnitId)!;
  assert.equal((await c.get(`/ebok/woda?lokal=${other.id}`)).status, 404);
  assert.equal((await c.get(`/ebok/woda/odczyt?lokal=${other.id}`)).status, 404);
  assert.equal((await c.post(`/ebok/woda/odczyt?lokal=${other.id}`, {})).status, 404);
});

Deno.test("submit a reading without JavaScript: format, lower value, implausible jump confirmed, e-mail, staff acceptance", async () => {
  const { t, c, flat } = await fixture();
  await using _ = t;
  const { meters, readingsByMeter } = await getUnitWater(t.kv, flat);
  const cold = meters.find((m) => m.kind === "cold" && m.location === "łazienka" && !m.removedOn)!;
  const last = readingsByMeter[cold.id].at(-1)!;
  const field = `m_${cold.id}`;
  const m3 = (litres: number) =>
    `${Math.floor(litres / 1000)},${String(litres % 1000).padStart(3, "0")}`;

  const form = await (await c.get(`/ebok/woda/odczyt?lokal=${flat}`)).text();
  assert.match(form, new RegExp(`name="${field}"`));
  assert.match(form, /Poprzedni odczyt: /);

  const badFormat = await c.post(`/ebok/woda/odczyt?lokal=${flat}`, { [field]: "dużo" });
  assert.equal(badFormat.status, 422);
  const badHtml = await badFormat.text();
  assert.match(badHtml, /Wpisz stan licznika w m³/);
  assert.match(badHtml, new RegExp(`aria-describedby="${field}-error`));
  assert.match(badHtml, /value="dużo"/, "what was typed comes back");

  const lower = await c.post(`/ebok/woda/odczyt?lokal=${flat}`, {
    [field]: m3(last.litres - 1000),
  });
  assert.equal(lower.status, 422);
  assert.match(await lower.text(), /nie może być niższy niż poprzedni/);

  const jump = await c.post(`/ebok/woda/odczyt?lokal=${flat}`, {
    [field]: m3(last.litres + 80_000),
  });
  assert.equal(jump.status, 422);
  const jumpHtml = await jump.text();
  assert.match(jumpHtml, /class="warning-text"/);
  assert.match(jumpHtml, /name="potwierdzam"/);
  assert.equal((await listMessages(t.kv)).length, 0, "nothing stored before confirmation");

  const confirmed = await c.post(`/ebok/woda/odczyt?lokal=${flat}`, {
    [field]: m3(last.litres + 80_000),
    potwierdzam: "1",
  });
  assert.equal(confirmed.status, 303);
  assert.match(confirmed.headers.get("location") ?? "", /odczyt=wyslany/);
  const page = await (await c.get(confirmed.headers.get("location")!)).text();
  assert.match(page, /czeka na sprawdzenie przez biuro/);
  const mail = (await listMessages(t.kv)).find((m) => m.channel === "email");
  assert.ok(mail, "a confirmation e-mail is queued with the submission");

  // Staff accept it; it becomes a reading from the resident.
  const s = await t.staffClient();
  const list = await (await s.get("/admin/odczyty")).text();
  assert.match(list, /ul\. Kazimierza Wielkiego 12\/7/);
  const id = list.match(/\/admin\/odczyty\/([0-9A-Z]{26})\/przyjmij/)![1];
  assert.equal((await s.post(`/admin/odczyty/${id}/przyjmij`, {})).status, 303);
  const readings = await listReadings(t.kv, cold.id);
  const stored = readings.at(-1)!;
  assert.equal(stored.litres, last.litres + 80_000);
  assert.equal(stored.source, "resident");
  const after = await (await c.get(`/ebok/woda?lokal=${flat}`)).text();
  assert.match(after, /podany przez mieszkańca/);
});

Deno.test("outside the reading window the form says when the next one opens", async () => {
  const { t, c, flat } = await fixture(new Date("2026-11-10T10:00:00Z"));
  await using _ = t;
  const page = await (await c.get(`/ebok/woda/odczyt?lokal=${flat}`)).text();
  assert.match(page, /Teraz nie można podawać odczytów/);
  assert.match(page, /od 20\.11\.2026/);
  const water = await (await c.get(`/ebok/woda?lokal=${flat}`)).text();
  assert.match(water, /Odczyty można podawać od 20\.11\.2026/);
});

Deno.test("the building's average per person is shown only when the cooperative enables it", async () => {
  const { t, c, flat } = await fixture();
  await using _ = t;
  const { setBuildingAverageEnabled } = await import("../../domain/water/water_comparison.ts");
  assert.doesNotMatch(
    await (await c.get(`/ebok/woda?lokal=${flat}`)).text(),
    /Średnie zużycie wody/,
  );
  await setBuildingAverageEnabled(t.kv, true);
  const html = await (await c.get(`/ebok/woda?lokal=${flat}`)).text();
  assert.match(
    html,
    /Średnie zużycie wody w Twoim budynku w ostatnich 12 miesiącach: <strong>\d+,\d{3}\u00a0m³<\/strong> na osobę miesięcznie\. W Twoim lokalu: <strong>\d+,\d{3}\u00a0m³<\/strong> na osobę \(\d+(?:\u00a0|&nbsp;)os\.\)/,
  );
});
