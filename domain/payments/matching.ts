/**
 * Matching the accounting system's booked payments with our online payments. When the ledger
 * import posts a payment whose title (description or document number) names one of the unit's
 * online payments — by our payment id (the gateway's session id, which we put in the gateway's
 * description) or by the gateway's transaction id (Przelewy24 orderId, which its payout reports
 * carry) — or whose explicit reference column does, the booked entry is posted and the payment's
 * "w drodze" entry deleted in ONE atomic op, with the totals and the audit entry. So the balance
 * counts the money once at every instant: in transit before, in the ledger after.
 *
 * A payment booked before we confirmed it (a slow verify) is marked booked, and its confirmation
 * then adds no in-transit entry (confirmation.ts).
 *
 * The hook for the import (domain/backoffice/import_kinds/ledger.ts, `apply`): call
 * `postEntriesMatchingPayments` where it calls `postEntries` — same arguments, same result.
 */
import { addAudit } from "../backoffice/audit.ts";
import {
  applyEntry,
  emptyTotals,
  type LedgerEntry,
  type LedgerTotals,
  type NewLedgerEntry,
  postEntries,
  type PostEntriesResult,
  validateEntry,
} from "../balance/ledger.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import type { InTransitPayment } from "./in_transit.ts";
import { listInTransit, removeInTransit } from "./in_transit.ts";
import { type MatchedBy, type OnlinePayment, paymentDetails } from "./payments.ts";

/** A ledger entry as the import gives it, with the optional explicit reference of a payment. */
export type BookedEntryDraft = Omit<NewLedgerEntry, "unitId"> & {
  /** A reference column: our payment id or the gateway's transaction id. */
  paymentReference?: string;
};

export type MatchingPostResult = PostEntriesResult & {
  /** Document numbers posted together with the removal of an online payment's "w drodze". */
  matched: string[];
};

/** Our payment ids are ULIDs (Crockford base32, 26 characters). */
const PAYMENT_ID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/gi;
/** Gateway transaction ids: whole numbers of 6 to 18 digits. */
const ORDER_ID = /\b\d{6,18}\b/g;

/** The payment ids and gateway transaction ids a text names (pure). */
export function paymentReferencesIn(text: string): { ids: string[]; orderIds: number[] } {
  const ids = [...new Set((text.match(PAYMENT_ID) ?? []).map((s) => s.toUpperCase()))];
  const orderIds = [...new Set((text.match(ORDER_ID) ?? []).map(Number))].filter(
    Number.isSafeInteger,
  );
  return { ids, orderIds };
}

type Match = { paymentId: string; matchedBy: MatchedBy };

async function findMatch(
  kv: Deno.Kv,
  unitId: string,
  draft: BookedEntryDraft,
  inTransit: InTransitPayment[],
  taken: Set<string>,
): Promise<Match | undefined> {
  const explicit = draft.paymentReference?.trim();
  const sources: { text: string; by: "column" | "title" }[] = [
    ...(explicit ? [{ text: explicit, by: "column" as const }] : []),
    { text: `${draft.documentNo} ${draft.description}`, by: "title" },
  ];
  for (const { text, by } of sources) {
    const refs = paymentReferencesIn(text);
    const free = (id: string) => !taken.has(id);
    for (const t of inTransit) {
      if (!free(t.paymentId)) continue;
      if (refs.ids.includes(t.paymentId)) {
        return { paymentId: t.paymentId, matchedBy: by === "column" ? "column" : "reference" };
      }
      if (refs.orderIds.includes(t.orderId)) {
        return { paymentId: t.paymentId, matchedBy: by === "column" ? "column" : "order_id" };
      }
    }
    // Not on its way: maybe not confirmed yet (booked before our verify call finished).
    const candidates: { id: string; by: MatchedBy }[] = refs.ids.map((id) => ({
      id,
      by: by === "column" ? "column" : "reference",
    }));
    for (const orderId of refs.orderIds.slice(0, 10)) {
      for (const gateway of new Set(inTransit.map((t) => t.gateway).concat("przelewy24"))) {
        const id = (await kv.get<string>(keys.paymentsByOrderId(gateway, orderId))).value;
        if (id) candidates.push({ id, by: by === "column" ? "column" : "order_id" });
      }
    }
    for (const c of candidates.slice(0, 10)) {
      if (!free(c.id)) continue;
      const p = (await kv.get<OnlinePayment>(keys.payments(c.id))).value;
      if (p && p.unitId === unitId && !p.booked) return { paymentId: p.id, matchedBy: c.by };
    }
  }
  return undefined;
}

const MAX_ATTEMPTS = 10;

type MatchedPostResult =
  | { ok: true; entry: LedgerEntry; totals: LedgerTotals }
  | { ok: false; reason: "duplicate" | "not_matchable" | "conflict" };

/**
 * Posts one booked payment and, in the same atomic op, marks the online payment booked and
 * deletes its "w drodze" entry.
 */
export async function postMatchedPayment(
  kv: Deno.Kv,
  clock: Clock,
  unitId: string,
  draft: Omit<NewLedgerEntry, "unitId">,
  match: Match,
): Promise<MatchedPostResult> {
  const full: NewLedgerEntry = { ...draft, unitId };
  validateEntry(full);
  const entry: LedgerEntry = { ...full, id: newId(clock()) };
  const entryKey = keys.ledger(unitId, entry.postedOn, entry.id);
  const docKey = keys.ledgerByDocument(unitId, entry.documentNo);
  const totalsKey = keys.ledgerTotals(unitId);
  const paymentKey = keys.payments(match.paymentId);
  const transitKey = keys.paymentsInTransit(unitId, match.paymentId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [totalsEntry, docEntry, paymentEntry, transitEntry] = await kv.getMany<
      [LedgerTotals, Deno.KvKey, OnlinePayment, InTransitPayment]
    >([totalsKey, docKey, paymentKey, transitKey]);
    if (docEntry.value) return { ok: false, reason: "duplicate" };
    const p = paymentEntry.value;
    if (!p || p.unitId !== unitId || p.booked) return { ok: false, reason: "not_matchable" };
    const totals = structuredClone(totalsEntry.value ?? emptyTotals());
    applyEntry(totals, entry);
    const now = clock().toISOString();
    const next: OnlinePayment = {
      ...p,
      updatedAt: now,
      booked: {
        entryId: entry.id,
        documentNo: entry.documentNo,
        postedOn: entry.postedOn,
        amount: entry.amount,
        matchedAt: now,
        matchedBy: match.matchedBy,
      },
    };
    const op = kv.atomic()
      .check(totalsEntry)
      .check({ key: docKey, versionstamp: null })
      .check(paymentEntry)
      .check(transitEntry)
      .set(entryKey, entry)
      .set(docKey, entryKey)
      .set(totalsKey, totals)
      .set(paymentKey, next);
    if (transitEntry.value) removeInTransit(op, unitId, match.paymentId);
    addAudit(op, clock, {
      actor: { kind: "system", label: "import z systemu księgowego" },
      action: "payment.matched",
      details: {
        ...paymentDetails(p),
        documentNo: entry.documentNo,
        bookedAmount: entry.amount,
        matchedBy: match.matchedBy,
        wasInTransit: transitEntry.value !== null,
        state: p.state,
      },
    });
    if ((await op.commit()).ok) return { ok: true, entry, totals };
  }
  return { ok: false, reason: "conflict" };
}

/**
 * `postEntries` for the ledger import, with matching: booked payments that name one of the
 * unit's online payments go through `postMatchedPayment` (entry + removal of "w drodze" in one
 * op); everything else through `postEntries` unchanged. Idempotent as `postEntries` is: a
 * document posted before is reported in `duplicates`.
 */
export async function postEntriesMatchingPayments(
  kv: Deno.Kv,
  clock: Clock,
  unitId: string,
  drafts: readonly BookedEntryDraft[],
  options: { batchSize?: number } = {},
): Promise<MatchingPostResult> {
  const strip = ({ paymentReference: _ref, ...rest }: BookedEntryDraft) => rest;
  const payments = drafts.filter((d) => d.kind === "payment" && d.amount > 0);
  if (payments.length === 0) {
    return { ...await postEntries(kv, clock, unitId, drafts.map(strip), options), matched: [] };
  }
  const inTransit = await listInTransit(kv, unitId);
  const taken = new Set<string>();
  const matches = new Map<BookedEntryDraft, Match>();
  const seenDocs = new Set<string>();
  for (const d of payments) {
    if (seenDocs.has(d.documentNo)) continue; // a repeated row: postEntries reports it
    seenDocs.add(d.documentNo);
    const m = await findMatch(kv, unitId, d, inTransit, taken);
    if (m) {
      taken.add(m.paymentId);
      matches.set(d, m);
    }
  }

  const plain = drafts.filter((d) => !matches.has(d));
  const matched: string[] = [];
  const duplicates: string[] = [];
  let posted = 0;
  const late: BookedEntryDraft[] = [];
  for (const [draft, m] of matches) {
    const r = await postMatchedPayment(kv, clock, unitId, strip(draft), m);
    if (r.ok) {
      posted++;
      matched.push(draft.documentNo);
    } else if (r.reason === "duplicate") duplicates.push(draft.documentNo);
    else if (r.reason === "not_matchable") late.push(draft); // matched meanwhile elsewhere
    else return { ok: false, reason: "conflict", posted, duplicates, matched };
  }
  const rest = await postEntries(kv, clock, unitId, [...plain, ...late].map(strip), options);
  if (!rest.ok) {
    return {
      ok: false,
      reason: "conflict",
      posted: posted + rest.posted,
      duplicates: [...duplicates, ...rest.duplicates],
      matched,
    };
  }
  return {
    ok: true,
    posted: posted + rest.posted,
    duplicates: [...duplicates, ...rest.duplicates],
    // Read after the matched posts: exact.
    totals: rest.totals,
    matched,
  };
}
