/**
 * domain/payments: amounts, the state machine, idempotent notifications, orphans, expiry and
 * matching with booked payments — on a real :memory: KV, with the real Przelewy24 adapter
 * talking to the fake gateway as a local HTTP server.
 */
import assert from "node:assert/strict";
import { createPrzelewy24Gateway } from "../../adapters/przelewy24.ts";
import { startFakePrzelewy24Server } from "../../adapters/fake_przelewy24.ts";
import type { PaymentGateway } from "../../adapters/payment_gateway.ts";
import { createAccount } from "../../domain/accounts/accounts.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { getTotals, postEntry, recomputeTotals } from "../../domain/balance/ledger.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { keys } from "../../domain/shared/keys.ts";
import {
  canMove,
  expireStalePayments,
  getPayment,
  listConfirmedPaymentsSince,
  paymentAmountRange,
  paymentOffer,
  type PaymentState,
  paymentStates,
  savePaymentSettings,
  startOnlinePayment,
} from "../../domain/payments/payments.ts";
import {
  listOrphanPayments,
  listPendingVerifications,
  paymentSweep,
  receivePaymentNotification,
} from "../../domain/payments/confirmation.ts";
import {
  dueShown,
  listInTransit,
  listUnmatchedPayments,
} from "../../domain/payments/in_transit.ts";
import {
  paymentReferencesIn,
  postEntriesMatchingPayments,
} from "../../domain/payments/matching.ts";
import { memoryLogger } from "../../platform/log.ts";

const CREDS = { merchantId: 123456, posId: 123456, crc: "test-crc-0123", apiKey: "test-api-key" };
const UNIT = "UNIT-KW12-7";
const staff = { kind: "staff" as const, id: "S1", label: "Anna (biuro)" };

Deno.test("amount range: proposed = due; lowered down to the minimum; never above due + limit", () => {
  const s = { minAmount: 1000, overpaymentLimit: 0 };
  assert.deepEqual(paymentAmountRange(45_678, s), {
    due: 45_678,
    min: 1000,
    max: 45_678,
    proposed: 45_678,
  });
  // Less due than the minimum: exactly what is due may be paid.
  assert.deepEqual(paymentAmountRange(500, s), { due: 500, min: 500, max: 500, proposed: 500 });
  // Nothing due, no overpayment allowed: nothing to pay.
  assert.equal(paymentAmountRange(0, s), undefined);
  assert.equal(paymentAmountRange(-2000, s), undefined);
  // With a limit: a little more than due, or something when nothing is due.
  assert.deepEqual(paymentAmountRange(45_678, { minAmount: 1000, overpaymentLimit: 50_000 }), {
    due: 45_678,
    min: 1000,
    max: 95_678,
    proposed: 45_678,
  });
  assert.deepEqual(paymentAmountRange(-2000, { minAmount: 1000, overpaymentLimit: 50_000 }), {
    due: -2000,
    min: 1000,
    max: 50_000,
    proposed: 1000,
  });
  assert.equal(paymentAmountRange(0, { minAmount: 1000, overpaymentLimit: 500 }), undefined);
});

Deno.test("state machine: created → pending → confirmed / failed / expired; confirmed is final", () => {
  const allowed = paymentStates.flatMap((from) =>
    paymentStates.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`)
  );
  assert.deepEqual(allowed.sort(), [
    "created→confirmed",
    "created→expired",
    "created→failed",
    "created→pending",
    "expired→confirmed",
    "failed→confirmed",
    "pending→confirmed",
    "pending→expired",
    "pending→failed",
  ]);
  for (const to of paymentStates) assert.equal(canMove("confirmed", to as PaymentState), false);
});

Deno.test("matching: references in a title", () => {
  assert.deepEqual(
    paymentReferencesIn("Przelewy24 zam. 316742895 eBOK 01kbx8zq5n3w7t0v9y2h4m6p8r/12"),
    { ids: ["01KBX8ZQ5N3W7T0V9Y2H4M6P8R"], orderIds: [316742895] },
  );
  assert.deepEqual(paymentReferencesIn("Opłaty 11.2026 lokal 12/7"), { ids: [], orderIds: [] });
});

async function setup(options: { gateway?: PaymentGateway } = {}) {
  const kv = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-12-04T10:00:00Z"));
  const account = (await createAccount(kv, clock, {
    firstName: "Anna",
    lastName: "Nowak",
    email: "anna@example.pl",
    phone: "+48600100200",
    unitIds: [UNIT],
    passwordHash: null,
  }))!;
  const charged = await postEntry(kv, clock, {
    unitId: UNIT,
    kind: "charge",
    postedOn: "2026-12-01",
    period: "2026-12",
    component: "eksploatacja",
    amount: 45_678,
    documentNo: "NAL/2026/12/7",
    description: "Opłaty za grudzień 2026",
  });
  assert.ok(charged.ok);
  const fake = startFakePrzelewy24Server(CREDS);
  const gateway = options.gateway ?? createPrzelewy24Gateway({ ...CREDS, baseUrl: fake.url });
  const log = memoryLogger();
  const start = (amount?: number) =>
    startOnlinePayment(kv, clock, gateway, {
      unitId: UNIT,
      accountId: account.id,
      actor: { kind: "resident", id: account.id, label: "Anna Nowak" },
      email: account.email,
      title: "Opłaty 12.2026 lokal 12/7",
      amount,
      returnUrl: (id) => `http://localhost:8000/ebok/platnosci/${id}`,
      notifyUrl: "http://127.0.0.1:9/platnosci/powiadomienie",
    });
  /** The payer pays at the gateway; returns the signed notification body Przelewy24 would send. */
  const paid = async (sessionId: string, changes = {}) => {
    fake.bySession(sessionId)!.status = 1;
    return JSON.stringify(await fake.notificationFor(sessionId, changes));
  };
  const notify = (body: string) => receivePaymentNotification(kv, clock, gateway, body, log);
  return {
    kv,
    clock,
    account,
    fake,
    gateway,
    log,
    start,
    paid,
    notify,
    async [Symbol.asyncDispose]() {
      kv.close();
      await fake.close();
    },
  };
}

async function auditActions(kv: Deno.Kv): Promise<string[]> {
  return (await listAudit(kv, 1000)).map((e) => e.action).reverse();
}

Deno.test("start: amount decided on the server; refusals; the payment is pending at the gateway", async () => {
  await using t = await setup();
  const stranger = await startOnlinePayment(t.kv, t.clock, t.gateway, {
    unitId: "SOMEONE-ELSES",
    accountId: t.account.id,
    actor: { kind: "resident", id: t.account.id, label: "Anna Nowak" },
    email: "anna@example.pl",
    title: "x",
    returnUrl: () => "http://x/",
    notifyUrl: "http://x/",
  });
  assert.deepEqual(stranger, { ok: false, reason: "not_your_unit" });
  const tooMuch = await t.start(45_679);
  assert.equal(!tooMuch.ok && tooMuch.reason, "amount_out_of_range");
  const tooLittle = await t.start(99);
  assert.equal(!tooLittle.ok && tooLittle.reason, "amount_out_of_range");

  const started = await t.start(20_000);
  assert.ok(started.ok);
  assert.equal(started.payment.state, "pending");
  assert.equal(started.payment.amount, 20_000);
  assert.match(started.redirectUrl, /\/trnRequest\//);
  assert.equal(t.fake.bySession(started.payment.id)!.amount, 20_000);
  assert.deepEqual(await auditActions(t.kv), ["payment.created", "payment.pending"]);
  // Nothing counts before the gateway confirms.
  assert.equal((await paymentOffer(t.kv, UNIT)).due, 45_678);
});

Deno.test("start: the gateway refuses → the payment is recorded as failed", async () => {
  await using t = await setup();
  const wrong = createPrzelewy24Gateway({ ...CREDS, apiKey: "wrong", baseUrl: t.fake.url });
  const r = await startOnlinePayment(t.kv, t.clock, wrong, {
    unitId: UNIT,
    accountId: t.account.id,
    actor: { kind: "resident", id: t.account.id, label: "Anna Nowak" },
    email: t.account.email,
    title: "Opłaty",
    returnUrl: () => "http://x/",
    notifyUrl: "http://x/",
  });
  assert.equal(!r.ok && r.reason, "gateway_failed");
  const p = !r.ok && r.reason === "gateway_failed" ? r.payment : undefined;
  assert.equal(p?.state, "failed");
  assert.deepEqual(await auditActions(t.kv), ["payment.created", "payment.failed"]);
});

Deno.test("10 concurrent identical notifications = one confirmed payment, one in-transit entry", async () => {
  await using t = await setup();
  const started = await t.start();
  assert.ok(started.ok);
  const body = await t.paid(started.payment.id);
  const results = await Promise.all(Array.from({ length: 10 }, () => t.notify(body)));
  assert.ok(results.every((r) => r.ok), JSON.stringify(results));
  assert.equal(results.filter((r) => r.ok && r.outcome === "confirmed").length, 1);

  // Some were told "waiting" while another process held the lease: the sweep finds nothing left.
  t.clock.advance(120_000);
  const swept = await paymentSweep(t.kv, t.clock, t.gateway, t.log);
  assert.equal(swept.confirmed, 0);

  const p = (await getPayment(t.kv, started.payment.id))!;
  assert.equal(p.state, "confirmed");
  assert.equal(p.orderId, t.fake.bySession(p.id)!.orderId);
  const transit = await listInTransit(t.kv, UNIT);
  assert.equal(transit.length, 1);
  assert.equal(transit[0].amount, 45_678);
  assert.deepEqual(dueShown((await getTotals(t.kv, UNIT)).balance, transit), {
    due: 0,
    inTransit: 45_678,
    lowered: true,
  });
  const actions = await auditActions(t.kv);
  assert.equal(actions.filter((a) => a === "payment.confirmed").length, 1);
  assert.equal(actions.filter((a) => a === "payment.notified").length, 1);
  assert.equal(t.fake.bySession(p.id)!.verifyCalls, 1, "one verify call");
  assert.deepEqual(await listPendingVerifications(t.kv), []);
  // The eleventh, later: still one.
  assert.deepEqual(await t.notify(body), { ok: true, outcome: "already_confirmed" });
  const since = await listConfirmedPaymentsSince(t.kv, "2026-12-01T00:00:00Z", { limit: 10 });
  assert.deepEqual(since.payments.map((x) => x.id), [p.id]);
  assert.equal(
    (await listConfirmedPaymentsSince(t.kv, "2026-12-05T00:00:00Z", { limit: 10 })).payments
      .length,
    0,
  );
});

Deno.test("a wrong signature and a (signed) changed amount are refused, logged, and change nothing", async () => {
  await using t = await setup();
  const started = await t.start();
  assert.ok(started.ok);
  const good = JSON.parse(await t.paid(started.payment.id));
  const forged = JSON.stringify({ ...good, amount: 1 }); // amount edited, sign kept
  assert.deepEqual(await t.notify(forged), { ok: false, reason: "bad_signature" });
  const changed = JSON.stringify(await t.fake.notificationFor(started.payment.id, { amount: 100 }));
  assert.deepEqual(await t.notify(changed), { ok: false, reason: "amount_mismatch" });
  assert.equal((await getPayment(t.kv, started.payment.id))!.state, "pending");
  assert.equal((await listInTransit(t.kv, UNIT)).length, 0);
  assert.equal(t.fake.bySession(started.payment.id)!.verifyCalls, 0, "no verify for either");
  assert.ok(t.log.lines.some((l) => l.msg === "payment notification refused"));
  assert.ok(t.log.lines.some((l) => String(l.msg).includes("another amount")));
  assert.ok((await auditActions(t.kv)).includes("payment.notification_refused"));
  // The genuine one still confirms.
  assert.deepEqual(await t.notify(JSON.stringify(good)), { ok: true, outcome: "confirmed" });
});

Deno.test("verify unavailable: recorded, not confirmed; the sweep confirms later; expiry spares it", async () => {
  let down = true;
  const fake = startFakePrzelewy24Server(CREDS);
  const real = createPrzelewy24Gateway({ ...CREDS, baseUrl: fake.url });
  const flaky: PaymentGateway = {
    ...real,
    name: real.name,
    verifyTransaction: (n) =>
      down
        ? Promise.resolve({ ok: false, reason: "unavailable", detail: "test: down" })
        : real.verifyTransaction(n),
  };
  await using t = await setup({ gateway: flaky });
  // setup made its own fake; use ours for this gateway.
  t.fake.close();
  const started = await startOnlinePayment(t.kv, t.clock, flaky, {
    unitId: UNIT,
    accountId: t.account.id,
    actor: { kind: "resident", id: t.account.id, label: "Anna Nowak" },
    email: t.account.email,
    title: "Opłaty",
    returnUrl: () => "http://x/",
    notifyUrl: "http://x/",
  });
  assert.ok(started.ok);
  fake.bySession(started.payment.id)!.status = 1;
  const body = JSON.stringify(await fake.notificationFor(started.payment.id));
  assert.deepEqual(await t.notify(body), { ok: true, outcome: "waiting_for_verify" });
  assert.equal((await getPayment(t.kv, started.payment.id))!.state, "pending");
  assert.equal((await listInTransit(t.kv, UNIT)).length, 0, "nothing counts before verify");
  // A day passes with the gateway down: the payment is not expired, its notification waits.
  t.clock.advance(2 * 86_400_000);
  assert.deepEqual(await expireStalePayments(t.kv, t.clock), { expired: 0 });
  down = false;
  const swept = await paymentSweep(t.kv, t.clock, flaky, t.log);
  assert.equal(swept.confirmed, 1);
  assert.equal((await getPayment(t.kv, started.payment.id))!.state, "confirmed");
  await fake.close();
});

Deno.test("expiry: a started payment never paid expires; a late verified notification still confirms", async () => {
  await using t = await setup();
  const started = await t.start(10_000);
  assert.ok(started.ok);
  t.clock.advance(23 * 3_600_000);
  assert.deepEqual(await expireStalePayments(t.kv, t.clock), { expired: 0 });
  t.clock.advance(2 * 3_600_000);
  assert.deepEqual(await expireStalePayments(t.kv, t.clock), { expired: 1 });
  assert.equal((await getPayment(t.kv, started.payment.id))!.state, "expired");
  const body = await t.paid(started.payment.id);
  assert.deepEqual(await t.notify(body), { ok: true, outcome: "confirmed" });
  const p = (await getPayment(t.kv, started.payment.id))!;
  assert.equal(p.state, "confirmed");
  assert.equal(p.confirmedLate, true);
  assert.equal((await listInTransit(t.kv, UNIT)).length, 1);
});

Deno.test("orphan: a verified payment for an unknown session is kept once, never dropped", async () => {
  await using t = await setup();
  // A transaction registered at the gateway by someone else's system with our credentials,
  // or whose record we lost: the gateway knows it, we do not.
  const other = createPrzelewy24Gateway({ ...CREDS, baseUrl: t.fake.url });
  const reg = await other.registerTransaction({
    sessionId: "LOST-SESSION-1",
    amount: 5000,
    currency: "PLN",
    description: "?",
    email: "x@example.pl",
    returnUrl: "http://x/",
    notifyUrl: "http://x/",
  });
  assert.ok(reg.ok);
  const body = await t.paid("LOST-SESSION-1");
  const results = await Promise.all([t.notify(body), t.notify(body), t.notify(body)]);
  assert.ok(results.every((r) => r.ok));
  const orphans = await listOrphanPayments(t.kv);
  assert.equal(orphans.length, 1);
  assert.equal(orphans[0].amount, 5000);
  assert.equal(orphans[0].sessionId, "LOST-SESSION-1");
  assert.equal(t.fake.bySession("LOST-SESSION-1")!.status, 2, "verified: the money is collected");
  assert.deepEqual(await t.notify(body), { ok: true, outcome: "orphan_kept" });
  const actions = await auditActions(t.kv);
  assert.equal(actions.filter((a) => a === "payment.orphan_kept").length, 1);
});

Deno.test("matching: the booked payment replaces the in-transit entry in one op; counted once", async () => {
  await using t = await setup();
  const started = await t.start(30_000);
  assert.ok(started.ok);
  await t.notify(await t.paid(started.payment.id));
  const orderId = t.fake.bySession(started.payment.id)!.orderId;
  assert.equal((await paymentOffer(t.kv, UNIT)).due, 15_678);

  const result = await postEntriesMatchingPayments(t.kv, t.clock, UNIT, [
    {
      kind: "payment",
      postedOn: "2026-12-07",
      period: "2026-12",
      amount: 30_000,
      documentNo: "WB/2026/12/0042",
      description: `Przelewy24 ${orderId} wpłata za lokal`,
    },
    {
      kind: "charge",
      postedOn: "2026-12-07",
      period: "2026-12",
      component: "eksploatacja",
      amount: 1000,
      documentNo: "NAL/2026/12/8",
      description: "Korekta zaliczki",
    },
  ]);
  assert.ok(result.ok);
  assert.deepEqual(result.matched, ["WB/2026/12/0042"]);
  assert.equal(result.posted, 2);
  assert.equal(result.totals.balance, 45_678 - 30_000 + 1000);
  assert.deepEqual(await listInTransit(t.kv, UNIT), []);
  assert.equal((await paymentOffer(t.kv, UNIT)).due, 16_678, "the payment counted once");
  assert.ok((await recomputeTotals(t.kv, UNIT)).equal);
  const p = (await getPayment(t.kv, started.payment.id))!;
  assert.equal(p.booked?.documentNo, "WB/2026/12/0042");
  assert.equal(p.booked?.matchedBy, "order_id");

  // The same file again: nothing new, nothing matched twice.
  const again = await postEntriesMatchingPayments(t.kv, t.clock, UNIT, [{
    kind: "payment",
    postedOn: "2026-12-07",
    period: "2026-12",
    amount: 30_000,
    documentNo: "WB/2026/12/0042",
    description: `Przelewy24 ${orderId} wpłata za lokal`,
  }]);
  assert.ok(again.ok);
  assert.equal(again.posted, 0);
  assert.deepEqual(again.duplicates, ["WB/2026/12/0042"]);
  assert.equal((await getTotals(t.kv, UNIT)).balance, 16_678);
});

Deno.test("matching: by explicit reference column; booked before confirmation; unmatched listed after N days", async () => {
  await using t = await setup();
  await savePaymentSettings(t.kv, t.clock, staff, {
    minAmount: 100,
    overpaymentLimit: 0,
    unmatchedAfterDays: 3,
    pendingExpiryMinutes: 1440,
  });
  const a = await t.start(10_000);
  const b = await t.start(5_000);
  assert.ok(a.ok && b.ok);
  await t.notify(await t.paid(a.payment.id));
  // b is booked by the accounting system before its notification arrives (slow verify).
  const early = await postEntriesMatchingPayments(t.kv, t.clock, UNIT, [{
    kind: "payment",
    postedOn: "2026-12-05",
    period: "2026-12",
    amount: 5_000,
    documentNo: "WB/2026/12/0050",
    description: "Wpłata",
    paymentReference: b.payment.id,
  }]);
  assert.ok(early.ok);
  assert.deepEqual(early.matched, ["WB/2026/12/0050"]);
  assert.equal((await getPayment(t.kv, b.payment.id))!.booked?.matchedBy, "column");
  await t.notify(await t.paid(b.payment.id));
  assert.equal((await getPayment(t.kv, b.payment.id))!.state, "confirmed");
  const transit = await listInTransit(t.kv, UNIT);
  assert.deepEqual(transit.map((x) => x.paymentId), [a.payment.id], "b not in transit: booked");
  assert.equal((await paymentOffer(t.kv, UNIT)).due, 45_678 - 5_000 - 10_000);

  t.clock.advance(2 * 86_400_000);
  assert.deepEqual(await listUnmatchedPayments(t.kv, t.clock, 3), []);
  t.clock.advance(86_400_000);
  assert.deepEqual(
    (await listUnmatchedPayments(t.kv, t.clock, 3)).map((x) => x.paymentId),
    [a.payment.id],
  );
  // A payment with no reference is posted as it is, and matches nothing.
  const plain = await postEntriesMatchingPayments(t.kv, t.clock, UNIT, [{
    kind: "payment",
    postedOn: "2026-12-06",
    period: "2026-12",
    amount: 10_000,
    documentNo: "WB/2026/12/0051",
    description: "Wpłata gotówką w kasie",
  }]);
  assert.ok(plain.ok);
  assert.deepEqual(plain.matched, []);
  assert.equal((await listInTransit(t.kv, UNIT)).length, 1);
  assert.ok(
    (await t.kv.get(keys.paymentSettings())).value,
    "settings stored",
  );
});
