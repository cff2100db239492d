/**
 * Online payment through the app's own routes, as a resident's browser and the gateway drive it:
 * /ebok offers "Zapłać online" → POST /ebok/platnosci → 303 to the fake Przelewy24's page →
 * its "Zapłać" sends the signed notification to POST /platnosci/przelewy24 → verify → /ebok
 * shows the payment "w drodze" and the amount due lowered → the ledger import brings the booked
 * payment → matched, counted once. Another resident's unit or payment: 404.
 */
import assert from "node:assert/strict";
import { createAccount } from "../../domain/accounts/accounts.ts";
import { createApiToken } from "../../domain/backoffice/api_tokens.ts";
import { createBuilding, createUnit } from "../../domain/backoffice/register.ts";
import { applyImport, previewImport } from "../../domain/backoffice/imports.ts";
import { getTotals, postEntry, saveChargeComponents } from "../../domain/balance/ledger.ts";
import { listInTransit } from "../../domain/payments/in_transit.ts";
import { getPayment } from "../../domain/payments/payments.ts";
import { makeNrb, makeSortCode } from "../../domain/shared/nrb.ts";
import { startInProcessGateway } from "../fakes/in_process_gateway.ts";
import { testApp, TestClient } from "../helpers.ts";

const CREDS = { merchantId: 200002, posId: 200002, crc: "http-crc-1a2b3c", apiKey: "http-key" };
const PASSWORD = "Moje-Haslo-2026";
const sortCode = makeSortCode("9990001");
const nrb = (n: number) => makeNrb(sortCode, `4600${String(n).padStart(12, "0")}`);

Deno.test("online payment over HTTP: /ebok → gateway page → Zapłać → w drodze, due lowered → booked by import, counted once", async () => {
  const { fake, gateway, deliverTo } = startInProcessGateway(CREDS);
  await using t = await testApp({
    paymentGateway: gateway,
    start: new Date("2026-12-04T09:30:00Z"),
  });
  deliverTo(t.app);
  try {
    await saveChargeComponents(t.kv, [{ code: "eksploatacja", label: "Eksploatacja" }]);
    const building = await createBuilding(t.kv, t.clock, {
      street: "Kazimierza Wielkiego",
      number: "12",
      postalCode: "67-200",
      city: "Głogów",
      externalId: "KW12",
    });
    const units: string[] = [];
    for (const n of [7, 8]) {
      const u = await createUnit(t.kv, t.clock, {
        buildingId: building.id,
        number: String(n),
        kind: "flat",
        areaCm2: 485000,
        persons: 2,
        bankAccount: nrb(n),
        occupants: [],
        externalId: `KW12/${n}`,
      });
      assert.ok(u.ok);
      units.push(u.unit.id);
    }
    const [mine, theirs] = units;
    const passwordHash = await t.hasher.hash(PASSWORD);
    const person = async (firstName: string, unitId: string) =>
      (await createAccount(t.kv, t.clock, {
        firstName,
        lastName: "Kowalska",
        email: `${firstName.toLowerCase()}@example.pl`,
        phone: "+48600100300",
        unitIds: [unitId],
        passwordHash,
      }))!;
    const anna = await person("Anna", mine);
    const ewa = await person("Ewa", theirs);
    for (const unitId of units) {
      assert.ok(
        (await postEntry(t.kv, t.clock, {
          unitId,
          kind: "charge",
          postedOn: "2026-12-01",
          period: "2026-12",
          component: "eksploatacja",
          amount: 61_234,
          documentNo: `NAL/2026/12/${unitId.slice(-4)}`,
          description: "Opłaty za grudzień 2026",
        })).ok,
      );
    }
    const signIn = async (identifier: string) => {
      const c = new TestClient(t.app);
      const res = await c.post("/logowanie", { identifier, password: PASSWORD });
      assert.equal(res.status, 303);
      return c;
    };
    const browser = await signIn(anna.identifier);

    // /ebok offers the payment, the amount due proposed.
    const homeRes = await browser.get("/ebok");
    // The form's answer redirects to the gateway: the CSP's form-action must allow its origin.
    assert.match(
      homeRes.headers.get("content-security-policy") ?? "",
      new RegExp(`form-action 'self' ${fake.url.replace(/[.]/g, "\\.")}(;|$)`),
    );
    let home = await homeRes.text();
    assert.match(
      home,
      /<form method="post" action="\/ebok\/platnosci" class="pay-online" hx-boost="false"/,
    );
    assert.match(home, new RegExp(`name="lokal" value="${mine}"`));
    assert.match(home, /name="kwota"[^>]*value="612,34"/);
    assert.doesNotMatch(home, /w drodze/);

    // Another resident's unit: 404, nothing registered at the gateway.
    assert.equal((await browser.post("/ebok/platnosci", { lokal: theirs })).status, 404);
    assert.equal((await browser.post("/ebok/platnosci", { lokal: "nieznany" })).status, 404);
    // Above the amount due, below the minimum, not a number: 422 with the form again.
    for (const kwota of ["700,00", "0,50", "dużo"]) {
      const res = await browser.post("/ebok/platnosci", { lokal: mine, kwota });
      assert.equal(res.status, 422, kwota);
      const html = await res.text();
      assert.match(html, /aria-invalid="true"/);
      assert.ok(html.includes(`value="${kwota}"`), `typed amount kept: ${kwota}`);
    }
    assert.equal(fake.transactions.size, 0);

    // Part of it, 500,00 zł: 303 to the gateway's page.
    const started = await browser.post("/ebok/platnosci", { lokal: mine, kwota: "500,00" });
    assert.equal(started.status, 303);
    const payPage = started.headers.get("location")!;
    assert.ok(payPage.startsWith(`${fake.url}/trnRequest/`), payPage);
    const [tx] = [...fake.transactions.values()];
    assert.equal(tx.amount, 50_000);
    const paymentId = tx.sessionId;
    assert.equal(tx.urlStatus, `${t.config.baseUrl}/platnosci/przelewy24`);

    // Back before paying: honest, nothing claimed.
    let back = await (await browser.get(`/ebok/platnosci/${paymentId}`)).text();
    assert.match(back, /Czekamy na potwierdzenie/);
    assert.doesNotMatch(back, /potwierdzona/);
    // Someone else's payment: 404.
    const other = await signIn(ewa.identifier);
    assert.equal((await other.get(`/ebok/platnosci/${paymentId}`)).status, 404);

    // A forged notification: 400, nothing confirmed.
    const forged = await fake.notificationFor(paymentId);
    assert.equal(
      (await t.app.request("/platnosci/przelewy24", {
        method: "POST",
        body: JSON.stringify({ ...forged, sign: "0".repeat(96) }),
        headers: { "content-type": "application/json", origin: "https://p24.example" },
      })).status,
      400,
    );
    assert.equal((await getPayment(t.kv, paymentId))?.state, "pending");

    // The payer presses "Zapłać" on the gateway's page: the notification reaches our route.
    const paid = await fetch(`${payPage}/zaplac`, { method: "POST", redirect: "manual" });
    await paid.body?.cancel();
    assert.equal(paid.status, 303);
    assert.equal(paid.headers.get("location"), `${t.config.baseUrl}/ebok/platnosci/${paymentId}`);
    const payment = (await getPayment(t.kv, paymentId))!;
    assert.equal(payment.state, "confirmed");
    assert.equal(tx.verifyCalls, 1);

    back = await (await browser.get(`/ebok/platnosci/${paymentId}`)).text();
    assert.match(back, /Płatność potwierdzona/);
    home = await (await browser.get("/ebok")).text();
    assert.match(home, /Uwzględniono 500,00\u00a0zł\s+w drodze \(płatność online\)/);
    assert.match(home, /Do zapłaty 112,34\u00a0zł/);
    assert.match(home, /name="kwota"[^>]*value="112,34"/);
    assert.equal((await getTotals(t.kv, mine)).balance, 61_234, "the ledger is untouched");

    // The accounting system books it; the import matches it by the gateway's order id.
    const csv = [
      "lokal;dokument;rodzaj;data;okres;składnik;kwota;opis;stawka;ilość;jednostka",
      `KW12/7;WB/2026/12/0042;wpłata;04.12.2026;12.2026;;500,00;Przelewy24 ${payment.orderId};;;`,
      "",
    ].join("\r\n");
    const actor = { kind: "staff" as const, id: "s1", label: "Anna Biurowa (biuro)" };
    const preview = await previewImport(t.kv, t.clock, {
      kind: "ledger",
      bytes: new TextEncoder().encode(csv),
      fileName: "ledger.csv",
      actor,
    });
    assert.ok(preview.ok, JSON.stringify(preview));
    await applyImport(t.kv, t.clock, preview.job.id, { actor, applyValidOnly: false });
    assert.equal((await getPayment(t.kv, paymentId))?.booked?.documentNo, "WB/2026/12/0042");
    assert.deepEqual(await listInTransit(t.kv, mine), []);
    assert.equal((await getTotals(t.kv, mine)).balance, 11_234, "counted once");
    home = await (await browser.get("/ebok")).text();
    assert.doesNotMatch(home, /w drodze/);
    assert.match(home, /Do zapłaty 112,34\u00a0zł/);

    // The accounting system reads confirmed payments through the API, with its own scope.
    const token = async (name: string, scopes: string[]) => {
      const r = await createApiToken(t.kv, t.clock, { name, scopes, actor });
      assert.ok(r.ok);
      return { authorization: `Bearer ${r.secret}` };
    };
    const reader = await token("System księgowy", ["read:payments"]);
    const importer = await token("Importer", ["ledger"]);
    const api = (query: string, headers: Record<string, string>) =>
      t.app.request(`/api/v1/payments${query}`, { headers });
    const listed = await api("?since=2026-12-01", reader);
    assert.equal(listed.status, 200);
    const body = await listed.json();
    assert.equal(body.payments.length, 1);
    assert.equal(body.payments[0].id, paymentId);
    assert.equal(body.payments[0].amount, 50_000);
    assert.equal(body.payments[0].booked.documentNo, "WB/2026/12/0042");
    assert.deepEqual((await (await api("?since=2026-12-05", reader)).json()).payments, []);
    assert.equal((await api("?since=2026-12-01", importer)).status, 403);
    assert.equal((await api("?since=wczoraj", reader)).status, 422);

    // Staff see it on /admin/platnosci, booked.
    const office = await t.staffClient("office", "biuro");
    const list = await office.get("/admin/platnosci?stan=confirmed");
    assert.equal(list.status, 200);
    assert.match(await list.text(), /WB\/2026\/12\/0042/);
  } finally {
    await fake.close();
  }
});
