/**
 * Payments "w drodze" (on their way): confirmed by the gateway, not yet booked by the accounting
 * system. Each is one key per unit (`["payments_in_transit", unitId, paymentId]`), written in the
 * op that confirms the payment and deleted in the op that posts the booked entry (matching.ts),
 * so a payment is counted either in transit or in the ledger — never both, never neither. Both
 * ops also re-set the unit's stamp (`addInTransit`, `removeInTransit`), so the resident pages
 * read one key per unit and list the payments again only when it moved.
 */
import type { Clock } from "../shared/clock.ts";
import { keys } from "../shared/keys.ts";

export type InTransitPayment = {
  paymentId: string;
  unitId: string;
  /** Integer grosze. */
  amount: number;
  confirmedAt: string;
  /** The gateway's transaction id, as the accounting system may see it in a title. */
  orderId: number;
  gateway: string;
  title: string;
};

/** Adds a payment on its way to the caller's op, with the unit's stamp. */
export function addInTransit(op: Deno.AtomicOperation, payment: InTransitPayment) {
  op.set(keys.paymentsInTransit(payment.unitId, payment.paymentId), payment)
    .set(keys.paymentsInTransitStamp(payment.unitId), payment.paymentId);
}

/** Removes a payment on its way (booked now) in the caller's op, with the unit's stamp. */
export function removeInTransit(op: Deno.AtomicOperation, unitId: string, paymentId: string) {
  op.delete(keys.paymentsInTransit(unitId, paymentId))
    .set(keys.paymentsInTransitStamp(unitId), paymentId);
}

/**
 * A unit's payments on their way, remembered per process: the caller reads the unit's stamp
 * (`keys.paymentsInTransitStamp`) in its own getMany and passes the entry; the list is read
 * again only when the stamp moved since (every op that changes the list moves it). A list read
 * after a newer stamp can only be newer than the stamp it is kept under, so the next request
 * lists again at worst: never an old list under a new stamp.
 */
export function createInTransitReader(kv: Deno.Kv, maxUnits = 10_000) {
  const cache = new Map<string, { stamp: string; list: InTransitPayment[] }>();
  return async (unitId: string, stamp: Deno.KvEntryMaybe<unknown>) => {
    const seen = stamp.versionstamp ?? "none";
    const hit = cache.get(unitId);
    if (hit && hit.stamp === seen) return hit.list;
    const list = await listInTransit(kv, unitId);
    if (cache.size >= maxUnits) cache.clear();
    cache.set(unitId, { stamp: seen, list });
    return list;
  };
}

/** A unit's payments on their way, oldest first (one KV list). */
export async function listInTransit(kv: Deno.Kv, unitId: string): Promise<InTransitPayment[]> {
  const out: InTransitPayment[] = [];
  for await (
    const e of kv.list<InTransitPayment>({ prefix: keys.paymentsInTransitOfUnit(unitId) })
  ) out.push(e.value);
  return out;
}

export function inTransitTotal(entries: readonly InTransitPayment[]): number {
  return entries.reduce((sum, e) => sum + e.amount, 0);
}

/**
 * What the resident sees as due (pure): the ledger's balance less the payments on their way.
 * `lowered` says the figure was lowered by them, so the page marks it ("w tym … w drodze").
 */
export function dueShown(
  balance: number,
  inTransit: readonly InTransitPayment[],
): { due: number; inTransit: number; lowered: boolean } {
  const transit = inTransitTotal(inTransit);
  return { due: balance - transit, inTransit: transit, lowered: transit !== 0 };
}

/**
 * Payments on their way for longer than the cooperative's setting (`days`): the accounting import
 * has not brought them, staff should look. Oldest first.
 */
export async function listUnmatchedPayments(
  kv: Deno.Kv,
  clock: Clock,
  days: number,
): Promise<InTransitPayment[]> {
  const cutoff = clock().getTime() - days * 86_400_000;
  const out: InTransitPayment[] = [];
  for await (const e of kv.list<InTransitPayment>({ prefix: keys.paymentsInTransitAll() })) {
    if (Date.parse(e.value.confirmedAt) <= cutoff) out.push(e.value);
  }
  return out.sort((a, b) => a.confirmedAt.localeCompare(b.confirmedAt));
}
