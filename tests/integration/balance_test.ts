import assert from "node:assert/strict";
import { createAccount } from "../../domain/accounts/accounts.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { saveCooperativeProfile } from "../../domain/backoffice/cooperative.ts";
import { type NewLedgerEntry, postEntries } from "../../domain/balance/ledger.ts";
import { makeNrb } from "../../domain/shared/nrb.ts";
import { createBuilding, createUnit } from "../../domain/backoffice/register.ts";
import { demoProfile } from "../../domain/demo/demo_data.ts";
import { testApp } from "../helpers.ts";

const PASSWORD = "Moje-Haslo-1";

async function fixture(start = new Date("2026-11-25T10:00:00Z")) {
  const t = await testApp({ start });
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const r = coop.demoResident;
  const hash = await t.hasher.hash(PASSWORD);
  const resident = await createAccount(t.kv, t.clock, {
    firstName: r.firstName,
    lastName: r.lastName,
    email: r.email,
    phone: r.phone,
    unitIds: [r.flatUnitId, r.garageUnitId],
    passwordHash: hash,
  });
  const neighbourUnit = coop.units.find((u) => u.kind === "flat" && u.id !== r.flatUnitId)!;
  const neighbour = await createAccount(t.kv, t.clock, {
    firstName: "Jan",
    lastName: "Sąsiad",
    email: "jan@example.pl",
    phone: "+48600999888",
    unitIds: [neighbourUnit.id],
    passwordHash: hash,
  });
  const login = async (identifier: string) => {
    const c = t.client();
    const res = await c.post("/logowanie", { identifier, password: PASSWORD });
    assert.equal(res.status, 303);
    return c;
  };
  return { t, coop, resident: resident!, neighbourUnit, neighbour: neighbour!, login };
}

/** A unit of its own with exactly the entries given, and an account holding it. */
async function unitWith(
  t: Awaited<ReturnType<typeof testApp>>,
  entries: Omit<NewLedgerEntry, "unitId">[],
) {
  const building = await createBuilding(t.kv, t.clock, {
    street: "Testowa",
    number: String(Math.floor(Math.random() * 1000)),
    postalCode: "67-200",
    city: "Głogów",
  });
  const unit = await createUnit(t.kv, t.clock, {
    buildingId: building.id,
    number: "1",
    kind: "flat",
    areaCm2: 500000,
    persons: 2,
    bankAccount: makeNrb("99900012", "4600000000000999"),
    occupants: ["Test"],
  });
  assert.ok(unit.ok);
  const posted = await postEntries(
    t.kv,
    t.clock,
    unit.unit.id,
    entries.map((e) => ({ ...e, unitId: unit.unit.id })),
  );
  assert.ok(posted.ok);
  const account = await createAccount(t.kv, t.clock, {
    firstName: "Ola",
    lastName: "Test",
    email: `ola${unit.unit.id}@example.pl`,
    phone: "+48600111333",
    unitIds: [unit.unit.id],
    passwordHash: await t.hasher.hash(PASSWORD),
  });
  const c = t.client();
  await c.post("/logowanie", { identifier: account!.identifier, password: PASSWORD });
  return { unit: unit.unit, client: c };
}

const charge = (
  period: string,
  amount: number,
  documentNo: string,
): Omit<NewLedgerEntry, "unitId"> => ({
  kind: "charge",
  postedOn: `${period}-01`,
  period,
  component: "eksploatacja",
  amount,
  documentNo,
  description: "Eksploatacja",
});
const payment = (
  postedOn: string,
  amount: number,
  documentNo: string,
): Omit<NewLedgerEntry, "unitId"> => ({
  kind: "payment",
  postedOn,
  period: postedOn.slice(0, 7),
  amount,
  documentNo,
  description: "Wpłata",
});

Deno.test("dashboard: the balance in plain words — owed, overpaid, settled, no entries", async () => {
  const { t } = await fixture();
  await using _ = t;
  const owed = await unitWith(t, [
    charge("2026-10", 50000, "N1"),
    charge("2026-11", 50000, "N2"),
    payment("2026-10-10", 50000, "W1"),
  ]);
  const owedHtml = await (await owed.client.get("/ebok")).text();
  assert.match(owedHtml, /Do zapłaty 500,00\u00a0zł/);
  assert.match(
    owedHtml,
    /Zapłać <strong class="amount">500,00\u00a0zł<\/strong> <strong>jak najszybciej<\/strong> — termin zapłaty minął\. To zaległość: opłaty za listopad\u00a02026\./,
    "due by 16.11 (the 15th was a Sunday), so overdue on the 25th, and its month named",
  );

  const over = await unitWith(t, [
    charge("2026-11", 50000, "N1"),
    payment("2026-11-05", 62345, "W1"),
  ]);
  assert.match(await (await over.client.get("/ebok")).text(), /Nadpłata 123,45\u00a0zł/);

  const settled = await unitWith(t, [
    charge("2026-11", 50000, "N1"),
    payment("2026-11-05", 50000, "W1"),
  ]);
  assert.match(await (await settled.client.get("/ebok")).text(), /Rozliczone/);

  const empty = await unitWith(t, []);
  const emptyHtml = await (await empty.client.get("/ebok")).text();
  assert.match(emptyHtml, /Rozliczone/);
  assert.match(emptyHtml, /Ostatnia wpłata<\/dt><dd>brak/);
  const emptySaldo = await (await empty.client.get("/ebok/saldo")).text();
  assert.match(emptySaldo, /Brak operacji spełniających wybrane warunki/);
});

Deno.test("dashboard: both units with totals together, account number, QR code and data date", async () => {
  const { t, resident, login } = await fixture();
  await using _ = t;
  await saveCooperativeProfile(t.kv, demoProfile);
  const c = await login(resident.identifier);
  const res = await c.get("/ebok");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const html = await res.text();
  assert.match(html, /Razem za wszystkie lokale/);
  assert.equal((html.match(/class="unit-card"/g) ?? []).length, 2);
  assert.equal((html.match(/<svg[^>]*class="transfer-qr"[^>]*role="img"/g) ?? []).length, 2);
  assert.match(html, /<code class="nrb-value" id="nrb-[^"]+">\d{2}( \d{4}){6}<\/code>/);
  assert.match(html, /Opłaty 11\.2026 lokal 12\/7/);
});

Deno.test("access control: another resident's unit is 404 on every view, by URL manipulation too", async () => {
  const { t, resident, neighbourUnit, login } = await fixture();
  await using _ = t;
  const c = await login(resident.identifier);
  for (const path of ["/ebok/saldo", "/ebok/saldo.csv", "/ebok/naliczenia", "/ebok/wplaty"]) {
    const res = await c.get(`${path}?lokal=${neighbourUnit.id}`);
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(await res.text(), /Sąsiad|WB\//, path);
  }
  assert.equal((await c.get("/ebok/saldo?lokal=../../x")).status, 404);
  const own = await c.get(`/ebok/saldo?lokal=${resident.unitIds[1]}`);
  assert.equal(own.status, 200);
  // Without a session nothing opens.
  for (const path of ["/ebok", "/ebok/saldo", "/ebok/saldo.csv", "/ebok/wplaty"]) {
    const anon = await t.app.request(path);
    assert.equal(anon.status, 303, path);
    assert.equal(anon.headers.get("location"), "/logowanie");
  }
});

Deno.test("statement: filters by kind, month and component, keeping the true running balance", async () => {
  const { t, resident, login } = await fixture();
  await using _ = t;
  const c = await login(resident.identifier);
  const payments = await (await c.get("/ebok/saldo?rodzaj=payment")).text();
  assert.match(payments, /<strong>Wpłata<\/strong>/);
  assert.doesNotMatch(payments, /Opłaty za /, "no charge lines");
  const may = await (await c.get("/ebok/saldo?okres=2026-05")).text();
  const periods = [...may.matchAll(/za (\p{L}+ \d{4})/gu)].map((m) => m[1]);
  assert.ok(periods.length > 0);
  assert.ok(periods.every((p) => p === "maj 2026"), periods.join());
  const component = await (await c.get("/ebok/saldo?skladnik=domofon&rodzaj=charge")).text();
  assert.match(component, /Opłata<\/strong>: Domofon/);

  const bad = await c.get("/ebok/saldo?okres=2026-13&rodzaj=kradziez");
  assert.equal(bad.status, 422);
  assert.match(await bad.text(), /Nieprawidłowy filtr/);
});

Deno.test("statement: htmx gets only the table region; paging", async () => {
  const { t, resident, login } = await fixture();
  await using _ = t;
  const c = await login(resident.identifier);
  const res = await c.get("/ebok/saldo?rok=2026", { "hx-request": "true" });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("vary") ?? "", /HX-Request/);
  const html = await res.text();
  assert.match(html, /^<section id="wyciag"/);
  assert.doesNotMatch(html, /<html/);
  const boosted = await (await c.get("/ebok/saldo", { "hx-request": "true", "hx-boosted": "true" }))
    .text();
  assert.match(boosted, /<html lang="pl">/, "a boosted navigation gets the whole page");

  const first = await (await c.get("/ebok/saldo")).text();
  assert.match(first, /Strona 1 z (\d+)/);
  const second = await c.get("/ebok/saldo?strona=2");
  assert.match(await second.text(), /Strona 2 z/);
});

Deno.test("CSV export: Polish spreadsheet format of the filtered statement", async () => {
  const { t, resident, login } = await fixture();
  await using _ = t;
  const c = await login(resident.identifier);
  const res = await c.get("/ebok/saldo.csv?rodzaj=payment&rok=2026");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.match(
    res.headers.get("content-disposition") ?? "",
    /^attachment; filename="saldo-[a-z0-9-]+\.csv"$/,
  );
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 BOM");
  const text = new TextDecoder().decode(bytes.slice(3));
  const lines = text.split("\r\n").filter(Boolean);
  assert.equal(
    lines[0],
    "Data księgowania;Okres;Rodzaj;Składnik;Nr dokumentu;Opis;Kwota;Saldo po operacji",
  );
  assert.ok(lines.length > 5);
  for (const line of lines.slice(1)) {
    const cells = line.split(";");
    assert.equal(cells[2], "Wpłata");
    assert.match(cells[0], /^\d{2}\.\d{2}\.2026$/);
    assert.match(cells[6], /^-\d+,\d{2}$/, "payments lower the balance, decimal comma");
  }
});

Deno.test("charges view: each month's components and how they were computed", async () => {
  const { t, resident, login } = await fixture();
  await using _ = t;
  const c = await login(resident.identifier);
  const html = await (await c.get("/ebok/naliczenia?rok=2025")).text();
  assert.match(html, /grudzień 2025/);
  assert.match(html, /\d+,\d{2}\u00a0m² × \d+,\d{2}\u00a0zł\/m²/);
  assert.match(html, /Razem za miesiąc/);
  const payments = await (await c.get("/ebok/wplaty")).text();
  assert.match(payments, /Wpłaty w kolejnych latach/);
  assert.match(payments, /Kod QR przelewu/);
});

Deno.test("/ebok/saldo: the balance as a sum with signs, said in words, with what is due and where to pay", async () => {
  // The 11th: the demo flat's two previous months are unpaid, with an interest note.
  const { t, resident, login } = await fixture(new Date("2026-11-11T10:00:00Z"));
  await using _ = t;
  const c = await login(resident.identifier);
  const html = await (await c.get("/ebok/saldo")).text();
  const sum = html.match(/<dl class="equation">(.*?)<\/dl>/s)?.[1] ?? "";
  const terms = [...sum.matchAll(/<div(?: class="result")?><dt>(.*?)<\/dt><dd>(.*?)<\/dd><\/div>/g)]
    .map(([, dt, dd]) => [dt.replace(/<[^>]+>/g, "").trim(), dd]);
  assert.deepEqual(terms.map(([dt]) => dt.slice(0, 20)), [
    "Saldo na 01.12.2024k",
    "+ opłatynaliczone za",
    "+ odsetki za zwłokę",
    "+ korektyzwiększenia",
    "− wpłaty",
    "= do zapłaty",
  ]);
  const grosze = (s: string) => Number(s.replace(/\D/g, ""));
  const [opening, charged, interest, corrections, paid, result] = terms.map(([, dd]) => grosze(dd));
  assert.equal(opening + charged + interest + corrections - paid, result, "the sum adds up");
  // What is due and by when, the overdue months by name, the account number and a way to pay.
  assert.match(
    html,
    /Zapłać <strong class="amount">[\d\u00a0]+,\d{2}\u00a0zł<\/strong> do <strong class="due-date">16\.11\.2026<\/strong>\. W tym zaległość <strong>[\d\u00a0]+,\d{2}\u00a0zł<\/strong>: opłaty za wrzesień, październik\u00a02026 i odsetki za zwłokę/,
  );
  assert.match(html, /<code class="nrb-value">\d{2}( \d{4}){6}<\/code>/);
  assert.match(html, /href="\/ebok\/wplaty\?lokal=[^"#]+#jak-zaplacic"/);
  // The month filter offers the months as a list.
  assert.match(
    html,
    /<select id="okres" name="okres"[^>]*><option value="">wszystkie<\/option><option value="2026-11" >listopad 2026<\/option>/,
  );
  // The tabs of "Moje saldo", at today's URLs.
  for (const path of ["/ebok/saldo", "/ebok/naliczenia", "/ebok/wplaty"]) {
    assert.match(
      html,
      new RegExp(`<nav class="tabs"[^]*?href="${path.replaceAll("/", "\\/")}\\?lokal=`),
    );
  }
});

Deno.test("/ebok/saldo: an overpayment is said in words, never only a sign", async () => {
  // The 25th: the demo flat paid this month with a round sum above its fees.
  const { t, resident, login } = await fixture();
  await using _ = t;
  const c = await login(resident.identifier);
  const html = await (await c.get("/ebok/saldo")).text();
  assert.match(
    html,
    /<div class="result"><dt><span class="op" aria-hidden="true">=<\/span> nadpłata — nic nie musisz płacić<\/dt><dd>[\d\u00a0]+,\d{2}\u00a0zł<\/dd>/,
  );
  assert.match(html, /Nadpłata — <strong>nic nie musisz płacić<\/strong>/);
});

Deno.test("logout: the browser is told to drop its cache and storage; the pages close", async () => {
  const { t, resident, login } = await fixture();
  await using _ = t;
  const c = await login(resident.identifier);
  assert.equal((await c.get("/ebok/saldo")).status, 200);
  const out = await c.post("/wyloguj", {});
  assert.equal(out.status, 303);
  assert.equal(out.headers.get("clear-site-data"), '"cache", "storage"');
  const after = await c.get("/ebok/saldo");
  assert.equal(after.status, 303);
  assert.equal(after.headers.get("location"), "/logowanie");
});
