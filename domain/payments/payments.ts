/**
 * Online payments: a resident pays (part of) the amount due through a payment gateway
 * (adapters/payment_gateway.ts; Przelewy24 first). The accounting system stays the truth: a
 * confirmed payment shows "w drodze" (in transit, see in_transit.ts) until the accounting import
 * brings the booked payment and matching.ts removes the in-transit entry in the same atomic op.
 *
 * The state machine, every transition one atomic op guarded by the record's versionstamp and
 * written with its audit entry (`payment.*`) and its state index:
 *
 *   created ──register ok──▶ pending ──signature + verify──▶ confirmed
 *      │                        │
 *      ├──register refused──▶ failed        (confirmation.ts)
 *      └──no answer in time─▶ expired ◀── pending, no notification in time
 *
 * A gateway may still confirm a payment we marked failed or expired (a bank transfer that took
 * its time): money received is never refused, so `confirmed` is reachable from those too
 * ("confirmed late", audited as such). Nothing leaves `confirmed`.
 *
 * The amount and the unit are decided here, never taken from the browser: the amount due is the
 * ledger's balance less what is already in transit; the resident may lower it, never raise it
 * above the amount due plus the cooperative's limit, nor go below its minimum (settings).
 */
import type { PaymentGateway } from "../../adapters/payment_gateway.ts";
import { type Actor, addAudit } from "../backoffice/audit.ts";
import type { AuditAction } from "../backoffice/audit_actions.ts";
import { getTotals } from "../balance/ledger.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { inTransitTotal, listInTransit } from "./in_transit.ts";

export type PaymentState = "created" | "pending" | "confirmed" | "failed" | "expired";

export const paymentStates: readonly PaymentState[] = [
  "created",
  "pending",
  "confirmed",
  "failed",
  "expired",
];

/** Words for staff pages (UX.md: words, not codes). */
export const paymentStateLabels: Record<PaymentState, string> = {
  created: "rozpoczęta",
  pending: "czeka na wpłatę",
  confirmed: "potwierdzona",
  failed: "nieudana",
  expired: "niedokończona",
};

/** Which states each state may move to (see the picture at the top). */
const transitions: Record<PaymentState, readonly PaymentState[]> = {
  created: ["pending", "failed", "expired", "confirmed"],
  pending: ["confirmed", "expired", "failed"],
  failed: ["confirmed"],
  expired: ["confirmed"],
  confirmed: [],
};

export function canMove(from: PaymentState, to: PaymentState): boolean {
  return transitions[from].includes(to);
}

/** How the booked payment from the accounting system was recognised as this one. */
export type MatchedBy = "reference" | "order_id" | "column";

export type OnlinePayment = {
  /** ULID; the gateway's session id. */
  id: string;
  unitId: string;
  /** The resident who started it. */
  accountId?: string;
  /** Integer grosze. */
  amount: number;
  currency: "PLN";
  /** The unit's transfer title, as the resident knows it. */
  title: string;
  gateway: string;
  state: PaymentState;
  createdAt: string;
  updatedAt: string;
  /** From the gateway's registration. */
  token?: string;
  redirectUrl?: string;
  /** The gateway's transaction id (Przelewy24 orderId), from the notification. */
  orderId?: number;
  methodId?: number;
  notifiedAt?: string;
  confirmedAt?: string;
  /** True when confirmed after we had marked it failed or expired. */
  confirmedLate?: boolean;
  failedAt?: string;
  failReason?: string;
  expiredAt?: string;
  /** The accounting system's booked entry this payment was matched with. */
  booked?: {
    entryId: string;
    documentNo: string;
    postedOn: string;
    amount: number;
    matchedAt: string;
    matchedBy: MatchedBy;
  };
};

// --- Settings -------------------------------------------------------------------------------

export type PaymentSettings = {
  /** The smallest online payment, grosze (unless less than that is due: then what is due). */
  minAmount: number;
  /** How much above the amount due a resident may pay, grosze (0: at most what is due). */
  overpaymentLimit: number;
  /** A confirmed payment not matched by the accounting import after this many days is listed for staff. */
  unmatchedAfterDays: number;
  /** A started payment with no confirmation after this many minutes is marked expired. */
  pendingExpiryMinutes: number;
};

export const defaultPaymentSettings: PaymentSettings = {
  minAmount: 100,
  overpaymentLimit: 0,
  unmatchedAfterDays: 7,
  pendingExpiryMinutes: 24 * 60,
};

/** Bounds of each setting; a value outside them is refused with these words. */
const settingBounds: Record<keyof PaymentSettings, [number, number, string]> = {
  minAmount: [1, 100_000_00, "od 0,01 zł do 100 000,00 zł"],
  overpaymentLimit: [0, 100_000_00, "od 0,00 zł do 100 000,00 zł"],
  unmatchedAfterDays: [1, 90, "od 1 do 90 dni"],
  pendingExpiryMinutes: [15, 14 * 24 * 60, "od 15 minut do 14 dni"],
};

export async function getPaymentSettings(kv: Deno.Kv): Promise<PaymentSettings> {
  const stored = (await kv.get<Partial<PaymentSettings>>(keys.paymentSettings())).value;
  return { ...defaultPaymentSettings, ...stored };
}

export type SavePaymentSettingsResult =
  | { ok: true; settings: PaymentSettings }
  | { ok: false; errors: Partial<Record<keyof PaymentSettings, string>> };

export async function savePaymentSettings(
  kv: Deno.Kv,
  clock: Clock,
  actor: Actor,
  settings: PaymentSettings,
): Promise<SavePaymentSettingsResult> {
  const errors: Partial<Record<keyof PaymentSettings, string>> = {};
  for (const [name, [min, max, words]] of Object.entries(settingBounds)) {
    const v = settings[name as keyof PaymentSettings];
    if (!Number.isSafeInteger(v) || v < min || v > max) {
      errors[name as keyof PaymentSettings] = `Podaj wartość ${words}.`;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const op = kv.atomic().set(keys.paymentSettings(), settings);
  addAudit(op, clock, {
    actor,
    action: "payment.settings_changed",
    details: { ...settings },
  });
  await op.commit();
  return { ok: true, settings };
}

// --- The amount ------------------------------------------------------------------------------

export type AmountRange = {
  /** What the unit owes less what is already on its way; negative: an overpayment. */
  due: number;
  min: number;
  max: number;
  /** What the form proposes: the amount due (or the minimum when nothing is due). */
  proposed: number;
};

/**
 * The amounts a resident may pay online (pure). Undefined when there is nothing to pay: nothing
 * due and no overpayment allowed. The minimum never exceeds the amount due, so paying exactly
 * what is due is always possible.
 */
export function paymentAmountRange(
  due: number,
  settings: Pick<PaymentSettings, "minAmount" | "overpaymentLimit">,
): AmountRange | undefined {
  const max = Math.max(0, due) + settings.overpaymentLimit;
  const min = due > 0 ? Math.min(settings.minAmount, due) : settings.minAmount;
  if (max < 1 || min > max) return undefined;
  return { due, min, max, proposed: due > 0 ? due : min };
}

/** What the unit owes now, less the payments on their way; with the allowed range. */
export async function paymentOffer(
  kv: Deno.Kv,
  unitId: string,
): Promise<{ due: number; inTransit: number; range: AmountRange | undefined }> {
  const [totals, inTransit, settings] = await Promise.all([
    getTotals(kv, unitId),
    listInTransit(kv, unitId),
    getPaymentSettings(kv),
  ]);
  const transit = inTransitTotal(inTransit);
  const due = totals.balance - transit;
  return { due, inTransit: transit, range: paymentAmountRange(due, settings) };
}

// --- Records and transitions ------------------------------------------------------------------

export async function getPayment(kv: Deno.Kv, paymentId: string): Promise<OnlinePayment | null> {
  return (await kv.get<OnlinePayment>(keys.payments(paymentId))).value;
}

const MAX_ATTEMPTS = 10;

export type TransitionResult =
  | { ok: true; payment: OnlinePayment }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "wrong_state"; payment: OnlinePayment }
  | { ok: false; reason: "conflict" };

/** Audit details every payment entry carries, so the log can be searched by payment or unit. */
export function paymentDetails(p: OnlinePayment): Record<string, string | number | boolean> {
  return { paymentId: p.id, unitId: p.unitId, amount: p.amount, gateway: p.gateway };
}

/**
 * Moves a payment to `to` when its state allows it: one atomic op with the record (checked by
 * versionstamp), its state index, the audit entry and whatever `extra` adds. Retried when
 * another writer changed the record meanwhile; the state is checked again each time.
 */
export async function movePayment(
  kv: Deno.Kv,
  clock: Clock,
  paymentId: string,
  to: PaymentState,
  change: {
    actor: Actor;
    action: AuditAction;
    update?: (p: OnlinePayment, now: string) => Partial<OnlinePayment>;
    details?: Record<string, string | number | boolean>;
    /** Further mutations (and checks) of the same op. */
    extra?: (op: Deno.AtomicOperation, next: OnlinePayment) => void;
    /** Extra state the caller requires besides the transition table (e.g. only from pending). */
    from?: readonly PaymentState[];
  },
): Promise<TransitionResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get<OnlinePayment>(keys.payments(paymentId));
    const p = entry.value;
    if (!p) return { ok: false, reason: "not_found" };
    if (!canMove(p.state, to) || (change.from && !change.from.includes(p.state))) {
      return { ok: false, reason: "wrong_state", payment: p };
    }
    const now = clock().toISOString();
    const next: OnlinePayment = { ...p, ...change.update?.(p, now), state: to, updatedAt: now };
    const op = kv.atomic()
      .check(entry)
      .set(keys.payments(p.id), next)
      .delete(keys.paymentsByState(p.state, p.id))
      .set(keys.paymentsByState(to, p.id), p.id);
    addAudit(op, clock, {
      actor: change.actor,
      action: change.action,
      details: { ...paymentDetails(next), from: p.state, to, ...change.details },
    });
    change.extra?.(op, next);
    if ((await op.commit()).ok) return { ok: true, payment: next };
  }
  return { ok: false, reason: "conflict" };
}

// --- Starting a payment ------------------------------------------------------------------------

export type StartPaymentInput = {
  unitId: string;
  accountId: string;
  /** For the audit log: the resident, as the session knows them. */
  actor: Actor;
  /** The payer's e-mail, which the gateway requires (its receipt goes there). */
  email: string;
  /** The unit's transfer title (domain/balance/unit_transfer.ts). */
  title: string;
  /** What the resident asked to pay, grosze; undefined: the proposed amount. */
  amount?: number;
  /** Where the payer comes back to: the app's return page of this payment. */
  returnUrl: (paymentId: string) => string;
  /** Where the gateway sends its notification. */
  notifyUrl: string;
};

export type StartPaymentResult =
  | { ok: true; payment: OnlinePayment; redirectUrl: string }
  | { ok: false; reason: "not_your_unit" }
  | { ok: false; reason: "nothing_to_pay" }
  | { ok: false; reason: "amount_out_of_range"; range: AmountRange }
  | { ok: false; reason: "invalid_email" }
  /** The gateway refused or did not answer; the payment is recorded as failed. */
  | { ok: false; reason: "gateway_failed"; payment: OnlinePayment; detail: string };

/**
 * Starts an online payment of a unit the account holds: decides the amount, records the payment
 * (created) before asking the gateway — so no gateway transaction exists without our record —
 * registers it, and moves it to pending (or failed). The caller redirects to `redirectUrl`.
 */
export async function startOnlinePayment(
  kv: Deno.Kv,
  clock: Clock,
  gateway: PaymentGateway,
  input: StartPaymentInput,
): Promise<StartPaymentResult> {
  const holds = await kv.get(keys.accountsByUnit(input.unitId, input.accountId));
  if (holds.versionstamp === null) return { ok: false, reason: "not_your_unit" };
  // Przelewy24 takes at most 50 characters of e-mail.
  if (!/^[^\s@]+@[^\s@]+$/.test(input.email) || input.email.length > 50) {
    return { ok: false, reason: "invalid_email" };
  }
  const { range } = await paymentOffer(kv, input.unitId);
  if (!range) return { ok: false, reason: "nothing_to_pay" };
  const amount = input.amount ?? range.proposed;
  if (!Number.isSafeInteger(amount) || amount < range.min || amount > range.max) {
    return { ok: false, reason: "amount_out_of_range", range };
  }

  const now = clock();
  const payment: OnlinePayment = {
    id: newId(now),
    unitId: input.unitId,
    accountId: input.accountId,
    amount,
    currency: "PLN",
    title: input.title,
    gateway: gateway.name,
    state: "created",
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const op = kv.atomic()
    .check({ key: keys.payments(payment.id), versionstamp: null })
    .check(holds)
    .set(keys.payments(payment.id), payment)
    .set(keys.paymentsByUnit(payment.unitId, payment.id), payment.id)
    .set(keys.paymentsByState(payment.state, payment.id), payment.id);
  addAudit(op, clock, {
    actor: input.actor,
    action: "payment.created",
    details: { ...paymentDetails(payment), due: range.due },
  });
  if (!(await op.commit()).ok) return { ok: false, reason: "not_your_unit" };

  const registered = await gateway.registerTransaction({
    sessionId: payment.id,
    amount,
    currency: "PLN",
    description: `${input.title} (eBOK ${payment.id})`,
    email: input.email,
    returnUrl: input.returnUrl(payment.id),
    notifyUrl: input.notifyUrl,
  });
  const system: Actor = { kind: "system", label: gateway.name };
  if (!registered.ok) {
    const moved = await movePayment(kv, clock, payment.id, "failed", {
      actor: system,
      action: "payment.failed",
      update: (_p, at) => ({ failedAt: at, failReason: `register: ${registered.detail}` }),
      details: { reason: registered.reason },
    });
    return {
      ok: false,
      reason: "gateway_failed",
      payment: moved.ok ? moved.payment : payment,
      detail: registered.detail,
    };
  }
  const moved = await movePayment(kv, clock, payment.id, "pending", {
    actor: system,
    action: "payment.pending",
    from: ["created"],
    update: () => ({ token: registered.token, redirectUrl: registered.redirectUrl }),
  });
  // Confirmed already (a very fast notification)? Then the payer still goes to the gateway's
  // page, which says so; nothing to undo.
  const current = moved.ok ? moved.payment : (await getPayment(kv, payment.id)) ?? payment;
  return { ok: true, payment: current, redirectUrl: registered.redirectUrl };
}

// --- Reading -----------------------------------------------------------------------------------

/** A unit's payments, newest first. */
export async function listPaymentsOfUnit(
  kv: Deno.Kv,
  unitId: string,
  limit = 50,
): Promise<OnlinePayment[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.paymentsByUnitAll(unitId) }, {
      limit,
      reverse: true,
    })
  ) ids.push(e.value);
  return await getPayments(kv, ids);
}

async function getPayments(kv: Deno.Kv, ids: string[]): Promise<OnlinePayment[]> {
  const out: OnlinePayment[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<OnlinePayment[]>(ids.slice(i, i + 10).map(keys.payments));
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

export type PaymentQuery = { state?: PaymentState; limit: number; cursor?: string };

/** Payments for staff, newest first, optionally of one state; a page at a time. */
export async function listPayments(
  kv: Deno.Kv,
  query: PaymentQuery,
): Promise<{ payments: OnlinePayment[]; cursor: string | null }> {
  if (query.state) {
    const iter = kv.list<string>({ prefix: keys.paymentsByStateAll(query.state) }, {
      limit: query.limit,
      cursor: query.cursor,
      reverse: true,
    });
    const ids: string[] = [];
    for await (const e of iter) ids.push(e.value);
    return {
      payments: await getPayments(kv, ids),
      cursor: ids.length === query.limit ? iter.cursor : null,
    };
  }
  const iter = kv.list<OnlinePayment>({ prefix: keys.paymentsAll() }, {
    limit: query.limit,
    cursor: query.cursor,
    reverse: true,
  });
  const payments: OnlinePayment[] = [];
  for await (const e of iter) payments.push(e.value);
  return { payments, cursor: payments.length === query.limit ? iter.cursor : null };
}

/**
 * Confirmed payments confirmed at or after `since` (ISO), oldest first: what the accounting
 * system fetches (the planned GET /api/v1/payments?since=…). Pass the returned cursor to go on.
 */
export async function listConfirmedPaymentsSince(
  kv: Deno.Kv,
  since: string,
  options: { limit: number; cursor?: string },
): Promise<{ payments: OnlinePayment[]; cursor: string | null }> {
  const iter = kv.list<string>({
    start: keys.paymentsByConfirmedAt(since, ""),
    end: [...keys.paymentsByConfirmedAtAll(), "\uffff"],
  }, { limit: options.limit, cursor: options.cursor });
  const ids: string[] = [];
  for await (const e of iter) ids.push(e.value);
  return {
    payments: await getPayments(kv, ids),
    cursor: ids.length === options.limit ? iter.cursor : null,
  };
}

// --- Expiry ------------------------------------------------------------------------------------

/**
 * Marks expired the payments started (created or pending) longer ago than the setting allows
 * with no confirmation. A later verified notification still confirms them ("late").
 */
export async function expireStalePayments(
  kv: Deno.Kv,
  clock: Clock,
): Promise<{ expired: number }> {
  const settings = await getPaymentSettings(kv);
  const cutoff = clock().getTime() - settings.pendingExpiryMinutes * 60_000;
  let expired = 0;
  for (const state of ["created", "pending"] as const) {
    const ids: string[] = [];
    for await (const e of kv.list<string>({ prefix: keys.paymentsByStateAll(state) })) {
      ids.push(e.value);
    }
    for (const p of await getPayments(kv, ids)) {
      if (Date.parse(p.createdAt) > cutoff) continue;
      // A notification waits for its verify call: not stale, only slow.
      const waiting = await kv.get(keys.paymentVerifications(p.id));
      if (waiting.versionstamp !== null) continue;
      const moved = await movePayment(kv, clock, p.id, "expired", {
        actor: { kind: "system", label: "eBOK" },
        action: "payment.expired",
        from: ["created", "pending"],
        update: (_p, at) => ({ expiredAt: at }),
        extra: (op) => op.check(waiting),
      });
      if (moved.ok) expired++;
    }
  }
  return { expired };
}
