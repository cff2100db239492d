/**
 * From the gateway's notification to a confirmed payment: a payment counts only after its
 * notification's signature checked out AND the gateway's verify call said yes.
 *
 * Crash safety: a signed notification is first stored as a pending verification
 * (`["payment_verifications", sessionId]`) in one atomic op; the verify call and the
 * confirmation follow. A process that dies in between (kill -9) leaves that record behind; the
 * per-minute sweep (`paymentSweep`) — or the gateway's own repeated notification — takes it up
 * again once the dead process's lease ran out. The confirmation is one atomic op that checks the
 * payment's state, so however many processes and notifications race, it happens exactly once.
 *
 * Idempotency: the same notification ten times records one verification, makes at most one
 * verify call at a time (a lease in the record) and confirms once. A notification with a valid
 * signature but another amount or currency than we registered is refused and audited. A
 * verified payment for a session we do not know is kept as an orphan for staff, never dropped.
 */
import type {
  GatewayNotification,
  PaymentGateway,
  VerifyTransactionResult,
} from "../../adapters/payment_gateway.ts";
import type { Logger } from "../../platform/log.ts";
import { type Actor, addAudit } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import { keys } from "../shared/keys.ts";
import { addInTransit } from "./in_transit.ts";
import {
  expireStalePayments,
  movePayment,
  type OnlinePayment,
  paymentDetails,
} from "./payments.ts";

export type PendingVerification = {
  sessionId: string;
  gateway: string;
  notification: GatewayNotification;
  receivedAt: string;
  /** No payment of ours has this session id: once verified it is kept as an orphan. */
  orphan: boolean;
  attempts: number;
  /** A process is calling the gateway until then; after a crash the lease simply runs out. */
  leaseUntil?: string;
  /** Do not retry before (back-off after a failed verify call). */
  nextAttemptAt?: string;
  lastError?: string;
};

/** A payment the gateway confirmed for a session we do not know: staff decide what it is. */
export type OrphanPayment = {
  gateway: string;
  orderId: number;
  sessionId: string;
  amount: number;
  currency: string;
  statement?: string;
  methodId?: number;
  notifiedAt: string;
  confirmedAt: string;
};

export type NotificationResult =
  | {
    ok: true;
    outcome:
      | "confirmed"
      | "already_confirmed"
      | "orphan_kept"
      /** Recorded; the verify call failed or another process is making it: it will follow. */
      | "waiting_for_verify";
  }
  | { ok: false; reason: "malformed" | "bad_signature" }
  /** Signed, but not what we registered: another amount or currency, or another order. */
  | { ok: false; reason: "amount_mismatch" | "order_mismatch" }
  | { ok: false; reason: "conflict" };

/** How long one process may take over a verification before another may. */
const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 10;

const gatewayActor = (gateway: string): Actor => ({ kind: "system", label: gateway });

/**
 * Handles the raw body of a gateway notification (the notification route calls this and answers
 * 200 for `ok: true`, 400 otherwise). Checks the signature, records the notification, then
 * verifies and confirms.
 */
export async function receivePaymentNotification(
  kv: Deno.Kv,
  clock: Clock,
  gateway: PaymentGateway,
  body: string,
  log: Logger,
): Promise<NotificationResult> {
  const parsed = await gateway.parseNotification(body);
  if (!parsed.ok) {
    log.warn("payment notification refused", {
      gateway: gateway.name,
      reason: parsed.reason,
      detail: parsed.detail,
    });
    return { ok: false, reason: parsed.reason };
  }
  const recorded = await recordNotification(kv, clock, gateway.name, parsed.notification, log);
  if (recorded !== "recorded") return recorded;
  return await processVerification(kv, clock, gateway, parsed.notification.sessionId, log);
}

async function recordNotification(
  kv: Deno.Kv,
  clock: Clock,
  gatewayName: string,
  n: GatewayNotification,
  log: Logger,
): Promise<"recorded" | NotificationResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [paymentEntry, verificationEntry, orphanEntry] = await kv.getMany<
      [OnlinePayment, PendingVerification, OrphanPayment]
    >([
      keys.payments(n.sessionId),
      keys.paymentVerifications(n.sessionId),
      keys.paymentOrphans(gatewayName, n.orderId),
    ]);
    const p = paymentEntry.value;
    const v = verificationEntry.value;
    const now = clock().toISOString();

    if (!p) {
      if (orphanEntry.value) return { ok: true, outcome: "orphan_kept" };
      if (v) return v.notification.orderId === n.orderId ? "recorded" : orderMismatch(log, n);
      const op = kv.atomic().check(paymentEntry).check(verificationEntry).check(orphanEntry);
      addOrphanNotification(op, clock, gatewayName, n, now);
      if ((await op.commit()).ok) {
        log.warn("payment notification for an unknown session", {
          gateway: gatewayName,
          sessionId: n.sessionId,
          orderId: n.orderId,
        });
        return "recorded";
      }
      continue;
    }

    if (n.amount !== p.amount || n.currency !== p.currency || p.gateway !== gatewayName) {
      return await refuseOtherAmount(kv, clock, gatewayName, n, p, log);
    }
    if (p.orderId !== undefined && p.orderId !== n.orderId) return orderMismatch(log, n, p);
    if (p.state === "confirmed") return { ok: true, outcome: "already_confirmed" };
    if (v) return v.notification.orderId === n.orderId ? "recorded" : orderMismatch(log, n, p);

    const op = kv.atomic().check(paymentEntry).check(verificationEntry);
    addKnownNotification(op, clock, gatewayName, n, p, now);
    if ((await op.commit()).ok) return "recorded";
  }
  return { ok: false, reason: "conflict" };
}

/** Adds to `op` the pending verification of a session we do not know, and its audit entry. */
function addOrphanNotification(
  op: Deno.AtomicOperation,
  clock: Clock,
  gatewayName: string,
  n: GatewayNotification,
  now: string,
): void {
  op.set(keys.paymentVerifications(n.sessionId), newVerification(gatewayName, n, now, true));
  addAudit(op, clock, {
    actor: gatewayActor(gatewayName),
    action: "payment.orphan_notified",
    details: {
      sessionId: n.sessionId,
      orderId: n.orderId,
      amount: n.amount,
      gateway: gatewayName,
    },
  });
}

/** Adds to `op` the pending verification of our payment, its notified order, and the audit. */
function addKnownNotification(
  op: Deno.AtomicOperation,
  clock: Clock,
  gatewayName: string,
  n: GatewayNotification,
  p: OnlinePayment,
  now: string,
): void {
  op
    .set(keys.paymentVerifications(n.sessionId), newVerification(gatewayName, n, now, false))
    .set(
      keys.payments(p.id),
      {
        ...p,
        orderId: n.orderId,
        methodId: n.methodId,
        notifiedAt: now,
        updatedAt: now,
      } satisfies OnlinePayment,
    );
  addAudit(op, clock, {
    actor: gatewayActor(gatewayName),
    action: "payment.notified",
    details: { ...paymentDetails(p), orderId: n.orderId, state: p.state },
  });
}

/** A signed notification with another amount, currency or gateway: audited and refused. */
async function refuseOtherAmount(
  kv: Deno.Kv,
  clock: Clock,
  gatewayName: string,
  n: GatewayNotification,
  p: OnlinePayment,
  log: Logger,
): Promise<NotificationResult> {
  const op = kv.atomic();
  addAudit(op, clock, {
    actor: gatewayActor(gatewayName),
    action: "payment.notification_refused",
    details: {
      ...paymentDetails(p),
      reason: "amount_mismatch",
      notifiedAmount: n.amount,
      notifiedCurrency: n.currency,
      orderId: n.orderId,
    },
  });
  await op.commit();
  log.error("signed payment notification with another amount refused", {
    paymentId: p.id,
    amount: p.amount,
    notifiedAmount: n.amount,
    currency: n.currency,
  });
  return { ok: false, reason: "amount_mismatch" };
}

function orderMismatch(
  log: Logger,
  n: GatewayNotification,
  p?: OnlinePayment,
): NotificationResult {
  log.error("signed payment notification for another order refused", {
    sessionId: n.sessionId,
    orderId: n.orderId,
    knownOrderId: p?.orderId,
  });
  return { ok: false, reason: "order_mismatch" };
}

function newVerification(
  gateway: string,
  notification: GatewayNotification,
  receivedAt: string,
  orphan: boolean,
): PendingVerification {
  return {
    sessionId: notification.sessionId,
    gateway,
    notification,
    receivedAt,
    orphan,
    attempts: 0,
  };
}

function backoffMs(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1)) * 60_000;
}

/**
 * Takes up the pending verification of a session: claims it (the lease), makes the verify call,
 * and confirms the payment (or keeps the orphan) in one atomic op. Safe to call any number of
 * times from any number of processes.
 */
export async function processVerification(
  kv: Deno.Kv,
  clock: Clock,
  gateway: PaymentGateway,
  sessionId: string,
  log: Logger,
  options: { ignoreBackoff?: boolean } = {},
): Promise<NotificationResult> {
  const claim = await claimVerification(kv, clock, sessionId, options);
  if (!("claimed" in claim)) return claim;
  const { claimed } = claim;
  const v = claimed.value;

  const { verified, via } = await askGateway(gateway, sessionId, v);
  if (!verified.ok) {
    await postponeVerification(kv, clock, sessionId, claimed, verified, log);
    return { ok: true, outcome: "waiting_for_verify" };
  }

  return v.orphan
    ? await keepOrphan(kv, clock, sessionId, claimed, via, log)
    : await confirmPayment(kv, clock, sessionId, claimed, via);
}

/** 1. Claims the pending verification (the lease), or says why it is not ours to take now. */
async function claimVerification(
  kv: Deno.Kv,
  clock: Clock,
  sessionId: string,
  options: { ignoreBackoff?: boolean },
): Promise<{ claimed: Deno.KvEntry<PendingVerification> } | NotificationResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get<PendingVerification>(keys.paymentVerifications(sessionId));
    const v = entry.value;
    if (!v) return await settledOutcome(kv, sessionId);
    const now = clock().getTime();
    if (v.leaseUntil && Date.parse(v.leaseUntil) > now) {
      return { ok: true, outcome: "waiting_for_verify" };
    }
    if (!options.ignoreBackoff && v.nextAttemptAt && Date.parse(v.nextAttemptAt) > now) {
      return { ok: true, outcome: "waiting_for_verify" };
    }
    const next: PendingVerification = {
      ...v,
      attempts: v.attempts + 1,
      leaseUntil: new Date(now + LEASE_MS).toISOString(),
    };
    const result = await kv.atomic().check(entry).set(entry.key, next).commit();
    if (result.ok) {
      return { claimed: { ...entry, value: next, versionstamp: result.versionstamp } };
    }
  }
  return { ok: false, reason: "conflict" };
}

/** 2. Asks the gateway; `via` says whether the verify call or the transaction lookup said yes. */
async function askGateway(
  gateway: PaymentGateway,
  sessionId: string,
  v: PendingVerification,
): Promise<{ verified: VerifyTransactionResult; via: string }> {
  const verified = await gateway.verifyTransaction(v.notification);
  if (verified.ok || verified.reason !== "refused") return { verified, via: "verify" };
  // Refused may mean "verified already" (our previous process died after the call): the
  // gateway's own record decides.
  const found = await gateway.getTransaction(sessionId);
  const t = found.ok ? found.transaction : undefined;
  if (
    t && t.status === "paid" && t.orderId === v.notification.orderId &&
    t.amount === v.notification.amount && t.currency === v.notification.currency
  ) {
    return { verified: { ok: true }, via: "lookup" };
  }
  return { verified, via: "verify" };
}

/** A failed verify call: releases the lease and backs off before the next attempt. */
async function postponeVerification(
  kv: Deno.Kv,
  clock: Clock,
  sessionId: string,
  claimed: Deno.KvEntry<PendingVerification>,
  failed: Extract<VerifyTransactionResult, { ok: false }>,
  log: Logger,
): Promise<void> {
  const v = claimed.value;
  const now = clock().getTime();
  await kv.atomic().check(claimed).set(
    claimed.key,
    {
      ...v,
      leaseUntil: undefined,
      nextAttemptAt: new Date(now + backoffMs(v.attempts)).toISOString(),
      lastError: `${failed.reason}: ${failed.detail}`,
    } satisfies PendingVerification,
  ).commit();
  log.warn("payment verify failed; will retry", {
    sessionId,
    attempts: v.attempts,
    reason: failed.reason,
    detail: failed.detail,
  });
}

/** 3a. A verified payment for a session we do not know: kept for staff, exactly once. */
async function keepOrphan(
  kv: Deno.Kv,
  clock: Clock,
  sessionId: string,
  claimed: Deno.KvEntry<PendingVerification>,
  via: string,
  log: Logger,
): Promise<NotificationResult> {
  const v = claimed.value;
  const n = v.notification;
  const now = clock().toISOString();
  const orphan: OrphanPayment = {
    gateway: v.gateway,
    orderId: n.orderId,
    sessionId: n.sessionId,
    amount: n.amount,
    currency: n.currency,
    statement: n.statement,
    methodId: n.methodId,
    notifiedAt: v.receivedAt,
    confirmedAt: now,
  };
  const op = kv.atomic()
    .check(claimed)
    .check({ key: keys.paymentOrphans(v.gateway, n.orderId), versionstamp: null })
    .check({ key: keys.payments(sessionId), versionstamp: null })
    .set(keys.paymentOrphans(v.gateway, n.orderId), orphan)
    .delete(claimed.key);
  addAudit(op, clock, {
    actor: gatewayActor(v.gateway),
    action: "payment.orphan_kept",
    details: {
      sessionId: n.sessionId,
      orderId: n.orderId,
      amount: n.amount,
      gateway: v.gateway,
      via,
    },
  });
  if ((await op.commit()).ok) {
    log.warn("verified payment for an unknown session kept for staff", {
      sessionId,
      orderId: n.orderId,
      amount: n.amount,
    });
    return { ok: true, outcome: "orphan_kept" };
  }
  return await settledOutcome(kv, sessionId);
}

/** 3b. Confirms our payment, exactly once, with its order index and "in transit" record. */
async function confirmPayment(
  kv: Deno.Kv,
  clock: Clock,
  sessionId: string,
  claimed: Deno.KvEntry<PendingVerification>,
  via: string,
): Promise<NotificationResult> {
  const v = claimed.value;
  const n = v.notification;
  const moved = await movePayment(kv, clock, sessionId, "confirmed", {
    actor: gatewayActor(v.gateway),
    action: "payment.confirmed",
    update: (p, at) => ({
      confirmedAt: at,
      orderId: n.orderId,
      methodId: n.methodId,
      ...(p.state === "failed" || p.state === "expired" ? { confirmedLate: true } : {}),
    }),
    details: { orderId: n.orderId, via },
    extra: (op, next) => {
      op.check(claimed).delete(claimed.key)
        .check({ key: keys.paymentsByOrderId(next.gateway, n.orderId), versionstamp: null })
        .set(keys.paymentsByOrderId(next.gateway, n.orderId), next.id)
        .set(keys.paymentsByConfirmedAt(next.confirmedAt!, next.id), next.id);
      // Booked by the accounting system already (matched before we confirmed): nothing is on
      // its way any more.
      if (!next.booked) {
        addInTransit(op, {
          paymentId: next.id,
          unitId: next.unitId,
          amount: next.amount,
          confirmedAt: next.confirmedAt!,
          orderId: n.orderId,
          gateway: next.gateway,
          title: next.title,
        });
      }
    },
  });
  if (moved.ok) return { ok: true, outcome: "confirmed" };
  if (moved.reason === "wrong_state" && moved.payment.state === "confirmed") {
    // Confirmed by another process meanwhile: the record we hold is a leftover.
    await kv.atomic().check(claimed).delete(claimed.key).commit();
    return { ok: true, outcome: "already_confirmed" };
  }
  return await settledOutcome(kv, sessionId);
}

/** What is true of a session once no verification of it is pending. */
async function settledOutcome(kv: Deno.Kv, sessionId: string): Promise<NotificationResult> {
  const [p, v] = await kv.getMany<[OnlinePayment, PendingVerification]>([
    keys.payments(sessionId),
    keys.paymentVerifications(sessionId),
  ]);
  if (p.value?.state === "confirmed") return { ok: true, outcome: "already_confirmed" };
  if (v.value) return { ok: true, outcome: "waiting_for_verify" };
  if (!p.value) return { ok: true, outcome: "orphan_kept" };
  return { ok: false, reason: "conflict" };
}

/**
 * Takes up every pending verification whose lease and back-off ran out: what a crash left
 * behind. Run it from the per-minute cron with the configured gateway.
 */
export async function processPendingVerifications(
  kv: Deno.Kv,
  clock: Clock,
  gateway: PaymentGateway,
  log: Logger,
): Promise<{ confirmed: number; orphans: number; waiting: number }> {
  const counts = { confirmed: 0, orphans: 0, waiting: 0 };
  const sessions: string[] = [];
  for await (
    const e of kv.list<PendingVerification>({ prefix: keys.paymentVerificationsAll() })
  ) {
    if (e.value.gateway === gateway.name) sessions.push(e.value.sessionId);
  }
  for (const sessionId of sessions) {
    const r = await processVerification(kv, clock, gateway, sessionId, log);
    if (r.ok && r.outcome === "confirmed") counts.confirmed++;
    else if (r.ok && r.outcome === "orphan_kept") counts.orphans++;
    else counts.waiting++;
  }
  return counts;
}

/** The per-minute payment housekeeping: pending verifications, then stale payments. */
export async function paymentSweep(
  kv: Deno.Kv,
  clock: Clock,
  gateway: PaymentGateway,
  log: Logger,
) {
  const verifications = await processPendingVerifications(kv, clock, gateway, log);
  const { expired } = await expireStalePayments(kv, clock);
  return { ...verifications, expired };
}

/** Verifications still waiting (for staff: a gateway that keeps refusing shows here). */
export async function listPendingVerifications(kv: Deno.Kv): Promise<PendingVerification[]> {
  const out: PendingVerification[] = [];
  for await (
    const e of kv.list<PendingVerification>({ prefix: keys.paymentVerificationsAll() })
  ) out.push(e.value);
  return out;
}

export async function listOrphanPayments(kv: Deno.Kv): Promise<OrphanPayment[]> {
  const out: OrphanPayment[] = [];
  for await (const e of kv.list<OrphanPayment>({ prefix: keys.paymentOrphansAll() })) {
    out.push(e.value);
  }
  return out.sort((a, b) => a.confirmedAt.localeCompare(b.confirmedAt));
}
