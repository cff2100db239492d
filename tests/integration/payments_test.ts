/**
 * The whole backend loop of an online payment against the fake Przelewy24 running as a separate
 * local HTTP server, with our notification endpoint served over HTTP too (a stand-in for the
 * route the lead wires: parse → receivePaymentNotification → 200/400):
 * register → the payer pays on the gateway's page → notification (the genuine one twice, one
 * with a wrong signature, one with a changed amount) → verify → "w drodze" → the booked payment
 * from the accounting system → matched, counted once.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { createPrzelewy24Gateway } from "../../adapters/przelewy24.ts";
import { startFakePrzelewy24Server } from "../../adapters/fake_przelewy24.ts";
import { createAccount } from "../../domain/accounts/accounts.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { getTotals, postEntry, recomputeTotals } from "../../domain/balance/ledger.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { getPayment, paymentOffer, startOnlinePayment } from "../../domain/payments/payments.ts";
import { receivePaymentNotification } from "../../domain/payments/confirmation.ts";
import { dueShown, listInTransit } from "../../domain/payments/in_transit.ts";
import { postEntriesMatchingPayments } from "../../domain/payments/matching.ts";
import { memoryLogger } from "../../platform/log.ts";

const CREDS = { merchantId: 200001, posId: 200001, crc: "int-crc-9f8e7d", apiKey: "int-key" };
const UNIT = "UNIT-NADODRZE-12-7";

Deno.test("online payment: pay → notifications (twice, forged, changed) → verify → w drodze → booked → counted once", async () => {
  const kv = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-12-04T09:30:00Z"));
  const log = memoryLogger();
  const fake = startFakePrzelewy24Server(CREDS);
  const gateway = createPrzelewy24Gateway({ ...CREDS, baseUrl: fake.url });

  // Our side, over HTTP: the notification endpoint and a return page.
  const ours = new Hono();
  const received: number[] = [];
  ours.post("/platnosci/powiadomienie", async (c) => {
    const r = await receivePaymentNotification(kv, clock, gateway, await c.req.text(), log);
    received.push(r.ok ? 200 : 400);
    return r.ok ? c.text("OK") : c.text(r.reason, 400);
  });
  ours.get("/ebok/platnosci/:id", (c) => c.text(`powrót ${c.req.param("id")}`));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, ours.fetch);
  const origin = `http://127.0.0.1:${server.addr.port}`;

  try {
    const account = (await createAccount(kv, clock, {
      firstName: "Jan",
      lastName: "Kowalski",
      email: "jan@example.pl",
      phone: "+48600100300",
      unitIds: [UNIT],
      passwordHash: null,
    }))!;
    assert.ok(
      (await postEntry(kv, clock, {
        unitId: UNIT,
        kind: "charge",
        postedOn: "2026-12-01",
        period: "2026-12",
        component: "eksploatacja",
        amount: 61_234,
        documentNo: "NAL/2026/12/0007",
        description: "Opłaty za grudzień 2026",
      })).ok,
    );
    const before = (await getTotals(kv, UNIT)).balance;
    assert.equal((await paymentOffer(kv, UNIT)).range?.proposed, 61_234);

    // 1. Start: the amount due is proposed and used.
    const started = await startOnlinePayment(kv, clock, gateway, {
      unitId: UNIT,
      accountId: account.id,
      actor: { kind: "resident", id: account.id, label: "Jan Kowalski" },
      email: account.email,
      title: "Opłaty 12.2026 lokal 12/7",
      returnUrl: (id) => `${origin}/ebok/platnosci/${id}`,
      notifyUrl: `${origin}/platnosci/powiadomienie`,
    });
    assert.ok(started.ok, JSON.stringify(started));
    const id = started.payment.id;
    assert.equal(started.payment.amount, 61_234);

    // 2. The payer on the gateway's page presses "Zapłać": the gateway notifies us, we verify,
    //    and the payer is sent back to our return page.
    const page = await (await fetch(started.redirectUrl)).text();
    assert.match(page, /Zapłać 612,34/);
    const back = await fetch(`${started.redirectUrl}/zaplac`, {
      method: "POST",
      redirect: "manual",
    });
    assert.equal(back.status, 303);
    assert.equal(back.headers.get("location"), `${origin}/ebok/platnosci/${id}`);
    await back.body?.cancel();
    assert.deepEqual(received, [200]);
    let p = (await getPayment(kv, id))!;
    assert.equal(p.state, "confirmed");

    // 3. The same notification again (Przelewy24 repeats them), then a forged and a changed one.
    const genuine = await fake.notificationFor(id);
    assert.equal(await fake.sendNotification(id, genuine), 200);
    assert.equal(await fake.sendNotification(id, { ...genuine, sign: "0".repeat(96) }), 400);
    assert.equal(
      await fake.sendNotification(id, await fake.notificationFor(id, { amount: 6_123 })),
      400,
    );
    assert.equal(fake.bySession(id)!.verifyCalls, 1, "verified once");
    p = (await getPayment(kv, id))!;
    assert.equal(p.state, "confirmed");
    assert.equal(p.amount, 61_234);

    // 4. "W drodze": the amount due shown is lowered by it, marked so; the ledger is untouched.
    const transit = await listInTransit(kv, UNIT);
    assert.equal(transit.length, 1);
    assert.deepEqual(dueShown((await getTotals(kv, UNIT)).balance, transit), {
      due: 0,
      inTransit: 61_234,
      lowered: true,
    });
    assert.equal((await getTotals(kv, UNIT)).balance, before);

    // 5. The accounting system books it (its title carries the Przelewy24 transaction number).
    const orderId = fake.bySession(id)!.orderId;
    const booked = await postEntriesMatchingPayments(kv, clock, UNIT, [{
      kind: "payment",
      postedOn: "2026-12-08",
      period: "2026-12",
      amount: 61_234,
      documentNo: "WB/2026/12/0311",
      description: `Przelewy24 zam. ${orderId}`,
    }]);
    assert.ok(booked.ok);
    assert.deepEqual(booked.matched, ["WB/2026/12/0311"]);

    // 6. Counted once: the ledger has it, nothing is on its way, the balance is as before less it.
    assert.deepEqual(await listInTransit(kv, UNIT), []);
    const totals = await getTotals(kv, UNIT);
    assert.equal(totals.balance, before - 61_234);
    assert.equal(totals.paid, 61_234);
    assert.deepEqual(dueShown(totals.balance, []), { due: 0, inTransit: 0, lowered: false });
    assert.ok((await recomputeTotals(kv, UNIT)).equal);
    // Importing the same statement again changes nothing.
    const again = await postEntriesMatchingPayments(kv, clock, UNIT, [{
      kind: "payment",
      postedOn: "2026-12-08",
      period: "2026-12",
      amount: 61_234,
      documentNo: "WB/2026/12/0311",
      description: `Przelewy24 zam. ${orderId}`,
    }]);
    assert.ok(again.ok && again.posted === 0);
    assert.equal((await getTotals(kv, UNIT)).balance, before - 61_234);

    const actions = (await listAudit(kv, 100)).map((e) => e.action).reverse();
    assert.deepEqual(actions, [
      "payment.created",
      "payment.pending",
      "payment.notified",
      "payment.confirmed",
      "payment.notification_refused",
      "payment.matched",
    ]);
  } finally {
    await server.shutdown();
    await fake.close();
    kv.close();
  }
});
