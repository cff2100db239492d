/**
 * Payments "w drodze" (confirmed online, not yet booked) on the money tabs, not only on /ebok:
 * /ebok/saldo lowers the balance by them (a term of its own in the sum), /ebok/naliczenia and
 * /ebok/wplaty list them marked "w drodze". Each page was already seen before the payment came,
 * so this also shows the remembered list follows the in-transit stamp.
 */
import assert from "node:assert/strict";
import { getTotals } from "../../domain/balance/ledger.ts";
import { addInTransit, removeInTransit } from "../../domain/payments/in_transit.ts";
import { createPrzelewy24Gateway } from "../../adapters/przelewy24.ts";
import { formatMoney } from "../../views/format.ts";
import { signInDemoResident, testApp } from "../helpers.ts";

Deno.test("money tabs show payments w drodze and lower the balance; booked, they go", async () => {
  await using t = await testApp({
    start: new Date("2026-11-25T10:00:00Z"),
    paymentGateway: createPrzelewy24Gateway({
      merchantId: 1,
      posId: 1,
      crc: "crc",
      apiKey: "key",
      baseUrl: "http://127.0.0.1:9",
    }),
  });
  const { resident: r, client: c } = await signInDemoResident(t);
  const pages = ["/ebok/saldo", "/ebok/naliczenia", "/ebok/wplaty"];
  for (const p of pages) {
    const html = await (await c.get(p)).text();
    assert.doesNotMatch(html, /w drodze/, p);
  }

  const op = t.kv.atomic();
  addInTransit(op, {
    paymentId: "01PAYMENT",
    unitId: r.flatUnitId,
    amount: 123_45,
    confirmedAt: "2026-11-24T18:00:00Z",
    orderId: 42,
    gateway: "przelewy24",
    title: "Opłaty",
  });
  await op.commit();
  for (const p of pages) {
    const html = await (await c.get(p)).text();
    assert.match(html, /Wpłaty w drodze/, p);
    assert.match(html, /w drodze<\/span>: 123,45\u00a0zł, płatność online z\s+24\.11\.2026/, p);
  }
  const balance = (await getTotals(t.kv, r.flatUnitId)).balance;
  const saldo = await (await c.get("/ebok/saldo")).text();
  assert.match(saldo, /wpłaty w drodze/);
  assert.ok(
    saldo.includes(formatMoney(Math.abs(balance - 123_45))),
    "the balance shown is lowered by the payment on its way",
  );

  const booked = t.kv.atomic();
  removeInTransit(booked, r.flatUnitId, "01PAYMENT");
  await booked.commit();
  for (const p of pages) {
    assert.doesNotMatch(await (await c.get(p)).text(), /w drodze/, p);
  }
});
