/**
 * The balance of settlements of each unit: entries posted by the accounting system, and the
 * running totals kept beside them so the dashboard reads one key.
 *
 * Money is integer grosze, never floating point.
 *
 * Sign convention — everything is seen as "amount owed by the resident" (positive = the resident
 * owes the cooperative, negative = an overpayment):
 * - `opening_balance`: signed; positive = a debt brought forward, negative = an overpayment;
 * - `charge`, `interest`: positive amounts increase what is owed;
 * - `payment`: a positive amount is money received and decreases what is owed (a negative one
 *   would be a refund paid out to the resident);
 * - `correction`: signed; positive increases what is owed, negative decreases it.
 * `balanceEffect(entry)` applies exactly this, and `balance` in the totals is the sum of effects.
 *
 * Keys: `["ledger", unitId, postedOn, entryId]` → entry; `["ledger_by_document", unitId,
 * documentNo]` → the entry's key (unique: the accounting system's document number, so posting a
 * document twice is a no-op); `["ledger_totals", unitId]` → totals, written in the same atomic
 * op as the entries, guarded by its versionstamp.
 */
import { isIsoDate, isPeriod, nextPeriod } from "../shared/calendar.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";

export type EntryKind = "opening_balance" | "charge" | "payment" | "interest" | "correction";

export const entryKinds: readonly EntryKind[] = [
  "opening_balance",
  "charge",
  "payment",
  "interest",
  "correction",
];

export const entryKindLabels: Record<EntryKind, string> = {
  opening_balance: "Bilans otwarcia",
  charge: "Naliczenie",
  payment: "Wpłata",
  interest: "Odsetki",
  correction: "Korekta",
};

export type BasisUnit = "m²" | "os." | "m³" | "lokal";
const basisUnits: readonly BasisUnit[] = ["m²", "os.", "m³", "lokal"];

/**
 * How a charge was computed: `rate` grosze per one unit of the base (per m², person, m³ or
 * unit) times the base in thousandths (48,50 m² = 48500; 2 persons = 2000). See `basisAmount`.
 */
export type ChargeBasis = { rate: number; quantityMilli: number; unitLabel: BasisUnit };

export type LedgerEntry = {
  id: string;
  unitId: string;
  kind: EntryKind;
  /** The accounting date, "YYYY-MM-DD". */
  postedOn: string;
  /** The month the entry concerns, "YYYY-MM". */
  period: string;
  /** A charge component code (see `ChargeComponent`); required for charges. */
  component?: string;
  /** Integer grosze; its sign is read as described at the top of this module. */
  amount: number;
  /** The accounting system's document id, unique per unit. */
  documentNo: string;
  description: string;
  basis?: ChargeBasis;
};

export type NewLedgerEntry = Omit<LedgerEntry, "id">;

export type ComponentTotals = {
  /** Sum of the effects of charges, interest, corrections (and opening balances) with it. */
  charged: number;
  /** Payments assigned to the component, when the accounting system assigns them. */
  paid?: number;
};

export type LedgerTotals = {
  /** Sum of charge amounts. */
  charged: number;
  /** Sum of payment amounts (money received). */
  paid: number;
  interest: number;
  /** Sum of (signed) corrections. */
  corrections: number;
  /** Sum of (signed) opening balances. */
  opening: number;
  /** opening + charged + interest + corrections − paid: owed; negative = overpayment. */
  balance: number;
  byComponent: Record<string, ComponentTotals>;
  entryCount: number;
  lastPaymentOn?: string;
  lastPaymentAmount?: number;
  /** The entry id of the last payment; decides between payments posted on the same day. */
  lastPaymentId?: string;
  /** The latest postedOn of any entry. */
  lastPostedOn?: string;
};

/** A charge component: apartment fees are itemised by these (data, not code). */
export type ChargeComponent = { code: string; label: string };

export type PostEntryResult =
  | { ok: true; entry: LedgerEntry; totals: LedgerTotals }
  | { ok: false; reason: "duplicate"; existingKey: Deno.KvKey }
  | { ok: false; reason: "conflict" };

export type PostEntriesResult =
  | { ok: true; posted: number; duplicates: string[]; totals: LedgerTotals }
  /** Posted batches stay posted: posting the same entries again completes the job. */
  | { ok: false; reason: "conflict"; posted: number; duplicates: string[] };

/** How many times a write is retried when another writer changed the totals meanwhile. */
const MAX_ATTEMPTS = 10;
/** Entries per atomic op: each costs 1 check + 2 mutations, the totals 1 check + 1 mutation. */
export const DEFAULT_BATCH_SIZE = 40;
/** ≤ 100 checks per atomic op (the totals take one). */
const MAX_BATCH_SIZE = 99;

export function emptyTotals(): LedgerTotals {
  return {
    charged: 0,
    paid: 0,
    interest: 0,
    corrections: 0,
    opening: 0,
    balance: 0,
    byComponent: {},
    entryCount: 0,
  };
}

/** The signed effect of an entry on the amount owed (positive = the resident owes more). */
export function balanceEffect(entry: Pick<LedgerEntry, "kind" | "amount">): number {
  return entry.kind === "payment" ? -entry.amount : entry.amount;
}

/** rate × quantityMilli / 1000, rounded half away from zero, in integer arithmetic. */
export function basisAmount(basis: Pick<ChargeBasis, "rate" | "quantityMilli">): number {
  assertSafeInteger("basis.rate", basis.rate);
  assertSafeInteger("basis.quantityMilli", basis.quantityMilli);
  const product = basis.rate * basis.quantityMilli;
  assertSafeInteger("rate × quantityMilli", product);
  const rounded = Math.floor((Math.abs(product) + 500) / 1000);
  return product < 0 ? -rounded : rounded;
}

function assertSafeInteger(name: string, value: unknown) {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new RangeError(`${name}: expected a safe integer, got ${value}`);
  }
}

/** Throws on malformed input: a bug in the caller (or the importer), not a user's mistake. */
export function validateEntry(entry: NewLedgerEntry): void {
  if (!entryKinds.includes(entry.kind)) throw new RangeError(`unknown entry kind: ${entry.kind}`);
  if (typeof entry.unitId !== "string" || entry.unitId === "") {
    throw new RangeError("unitId missing");
  }
  if (!isIsoDate(entry.postedOn)) throw new RangeError(`postedOn: not a date: ${entry.postedOn}`);
  if (!isPeriod(entry.period)) throw new RangeError(`period: not YYYY-MM: ${entry.period}`);
  assertSafeInteger("amount", entry.amount);
  if (typeof entry.documentNo !== "string" || entry.documentNo.trim() === "") {
    throw new RangeError("documentNo missing");
  }
  if (entry.documentNo.length > 200) throw new RangeError("documentNo longer than 200");
  if (entry.kind === "charge" && !entry.component) {
    throw new RangeError(`charge ${entry.documentNo} has no component`);
  }
  if (entry.basis) {
    assertSafeInteger("basis.rate", entry.basis.rate);
    assertSafeInteger("basis.quantityMilli", entry.basis.quantityMilli);
    if (!basisUnits.includes(entry.basis.unitLabel)) {
      throw new RangeError(`basis.unitLabel: ${entry.basis.unitLabel}`);
    }
  }
}

/** Adds one entry to the totals, in place (also used by domain/payments/matching.ts). */
export function applyEntry(t: LedgerTotals, e: LedgerEntry): void {
  const effect = balanceEffect(e);
  switch (e.kind) {
    case "opening_balance":
      t.opening += e.amount;
      break;
    case "charge":
      t.charged += e.amount;
      break;
    case "payment":
      t.paid += e.amount;
      break;
    case "interest":
      t.interest += e.amount;
      break;
    case "correction":
      t.corrections += e.amount;
      break;
  }
  t.balance += effect;
  if (e.component) {
    const c = t.byComponent[e.component] ?? { charged: 0 };
    if (e.kind === "payment") c.paid = (c.paid ?? 0) + e.amount;
    else c.charged += effect;
    t.byComponent[e.component] = c;
  }
  t.entryCount++;
  if (e.kind === "payment" && isLater(e.postedOn, e.id, t.lastPaymentOn, t.lastPaymentId)) {
    t.lastPaymentOn = e.postedOn;
    t.lastPaymentAmount = e.amount;
    t.lastPaymentId = e.id;
  }
  if (!t.lastPostedOn || e.postedOn > t.lastPostedOn) t.lastPostedOn = e.postedOn;
  assertSafeInteger("balance", t.balance);
}

/** Ordered as the keys are: by postedOn, then by entry id. */
function isLater(on: string, id: string, lastOn?: string, lastId?: string): boolean {
  if (lastOn === undefined) return true;
  return on > lastOn || (on === lastOn && id > (lastId ?? ""));
}

function cloneTotals(t: LedgerTotals): LedgerTotals {
  return structuredClone(t);
}

/** Totals of a list of entries (pure): e.g. for a period shown on a page. */
export function computeTotals(entries: Iterable<LedgerEntry>): LedgerTotals {
  const t = emptyTotals();
  for (const e of entries) applyEntry(t, e);
  return t;
}

/** Structural equality of totals, independent of property order. */
export function sameTotals(a: LedgerTotals, b: LedgerTotals): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
        : v,
  );
}

export async function getTotals(kv: Deno.Kv, unitId: string): Promise<LedgerTotals> {
  return (await kv.get<LedgerTotals>(keys.ledgerTotals(unitId))).value ?? emptyTotals();
}

/** Posts one entry and updates the totals in the same atomic op. */
export async function postEntry(
  kv: Deno.Kv,
  clock: Clock,
  draft: NewLedgerEntry,
): Promise<PostEntryResult> {
  validateEntry(draft);
  const entry: LedgerEntry = { ...draft, id: newId(clock()) };
  const entryKey = keys.ledger(entry.unitId, entry.postedOn, entry.id);
  const totalsKey = keys.ledgerTotals(entry.unitId);
  const docKey = keys.ledgerByDocument(entry.unitId, entry.documentNo);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [totalsEntry, docEntry] = await kv.getMany<[LedgerTotals, Deno.KvKey]>([
      totalsKey,
      docKey,
    ]);
    if (docEntry.value) return { ok: false, reason: "duplicate", existingKey: docEntry.value };
    const totals = cloneTotals(totalsEntry.value ?? emptyTotals());
    applyEntry(totals, entry);
    const result = await kv.atomic()
      .check(totalsEntry)
      .check({ key: docKey, versionstamp: null })
      .set(entryKey, entry)
      .set(docKey, entryKey)
      .set(totalsKey, totals)
      .commit();
    if (result.ok) return { ok: true, entry, totals };
  }
  return { ok: false, reason: "conflict" };
}

/**
 * Posts many entries of one unit, `batchSize` entries (and the totals) per atomic op, so the
 * totals stay exact after every op. Entries whose documentNo is already posted (or repeated
 * in the input) are skipped and reported in `duplicates`: importing the same file twice is a
 * no-op.
 */
export async function postEntries(
  kv: Deno.Kv,
  clock: Clock,
  unitId: string,
  drafts: readonly Omit<NewLedgerEntry, "unitId">[],
  options: { batchSize?: number } = {},
): Promise<PostEntriesResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize: 1..${MAX_BATCH_SIZE}`);
  }
  const duplicates: string[] = [];
  const seen = new Set<string>();
  const entries: LedgerEntry[] = [];
  for (const draft of drafts) {
    const full: NewLedgerEntry = { ...draft, unitId };
    validateEntry(full);
    if (seen.has(full.documentNo)) {
      duplicates.push(full.documentNo);
      continue;
    }
    seen.add(full.documentNo);
    entries.push({ ...full, id: newId(clock()) });
  }

  const totalsKey = keys.ledgerTotals(unitId);
  let posted = 0;
  let totals: LedgerTotals | null = null;
  for (let i = 0; i < entries.length; i += batchSize) {
    let pending = entries.slice(i, i + batchSize);
    let done = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !done; attempt++) {
      if (attempt > 0) {
        // The op failed: some documents may be posted already (or the totals moved).
        const existing = await existingDocuments(kv, unitId, pending.map((e) => e.documentNo));
        if (existing.size > 0) {
          duplicates.push(
            ...pending.filter((e) => existing.has(e.documentNo)).map((e) => e.documentNo),
          );
          pending = pending.filter((e) => !existing.has(e.documentNo));
        }
      }
      const totalsEntry = await kv.get<LedgerTotals>(totalsKey);
      const next = cloneTotals(totalsEntry.value ?? emptyTotals());
      if (pending.length === 0) {
        totals = next;
        done = true;
        break;
      }
      const op = kv.atomic().check(totalsEntry);
      for (const e of pending) {
        const entryKey = keys.ledger(unitId, e.postedOn, e.id);
        const docKey = keys.ledgerByDocument(unitId, e.documentNo);
        op.check({ key: docKey, versionstamp: null }).set(entryKey, e).set(docKey, entryKey);
        applyEntry(next, e);
      }
      op.set(totalsKey, next);
      if ((await op.commit()).ok) {
        posted += pending.length;
        totals = next;
        done = true;
      }
    }
    if (!done) return { ok: false, reason: "conflict", posted, duplicates };
  }
  return { ok: true, posted, duplicates, totals: totals ?? await getTotals(kv, unitId) };
}

async function existingDocuments(
  kv: Deno.Kv,
  unitId: string,
  documentNos: string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < documentNos.length; i += 10) {
    const slice = documentNos.slice(i, i + 10);
    const got = await kv.getMany(slice.map((d) => keys.ledgerByDocument(unitId, d)));
    got.forEach((e, j) => {
      if (e.versionstamp !== null) found.add(slice[j]);
    });
  }
  return found;
}

/**
 * Entries of a unit in key order (by posting date, oldest first; `reverse` for newest first).
 * `from` / `to` are posting months "YYYY-MM", both inclusive. Pass the returned `cursor` (with
 * the same other options) for the next page; it is null when the listing ended.
 */
export async function listEntries(
  kv: Deno.Kv,
  unitId: string,
  options: { from?: string; to?: string; limit?: number; cursor?: string; reverse?: boolean } = {},
): Promise<{ entries: LedgerEntry[]; cursor: string | null }> {
  const prefix = keys.ledgerOfUnit(unitId);
  if (options.from !== undefined && !isPeriod(options.from)) throw new RangeError("from");
  if (options.to !== undefined && !isPeriod(options.to)) throw new RangeError("to");
  if (options.from && options.to && options.from > options.to) return { entries: [], cursor: null };
  const start = options.from ? [...prefix, `${options.from}-01`] : undefined;
  const end = options.to ? [...prefix, `${nextPeriod(options.to)}-01`] : undefined;
  const selector: Deno.KvListSelector = start && end
    ? { start, end }
    : start
    ? { prefix, start }
    : end
    ? { prefix, end }
    : { prefix };
  const iter = kv.list<LedgerEntry>(selector, {
    limit: options.limit,
    cursor: options.cursor,
    reverse: options.reverse,
  });
  const entries: LedgerEntry[] = [];
  for await (const e of iter) entries.push(e.value);
  const more = options.limit !== undefined && entries.length === options.limit;
  return { entries, cursor: more ? iter.cursor : null };
}

/**
 * Sums every entry of a unit again and compares the result with the stored totals: the check
 * that the running totals were kept exact. Retries when the totals moved during the reading.
 */
export async function recomputeTotals(
  kv: Deno.Kv,
  unitId: string,
): Promise<{ stored: LedgerTotals; computed: LedgerTotals; equal: boolean }> {
  const totalsKey = keys.ledgerTotals(unitId);
  for (let attempt = 0;; attempt++) {
    const before = await kv.get<LedgerTotals>(totalsKey);
    const computed = emptyTotals();
    for await (const e of kv.list<LedgerEntry>({ prefix: keys.ledgerOfUnit(unitId) })) {
      applyEntry(computed, e.value);
    }
    const after = await kv.get<LedgerTotals>(totalsKey);
    if (before.versionstamp === after.versionstamp || attempt >= MAX_ATTEMPTS - 1) {
      const stored = after.value ?? emptyTotals();
      return { stored, computed, equal: sameTotals(stored, computed) };
    }
  }
}

/** The cooperative's charge components, in the order they are shown; empty when none saved. */
export async function getChargeComponents(kv: Deno.Kv): Promise<ChargeComponent[]> {
  return (await kv.get<ChargeComponent[]>(keys.chargeComponents())).value ?? [];
}

export async function saveChargeComponents(
  kv: Deno.Kv,
  components: readonly ChargeComponent[],
): Promise<void> {
  const codes = new Set<string>();
  for (const c of components) {
    if (!/^[a-z0-9_]{1,40}$/.test(c.code)) throw new RangeError(`component code: ${c.code}`);
    if (codes.has(c.code)) throw new RangeError(`component code repeated: ${c.code}`);
    if (c.label.trim() === "") throw new RangeError(`component ${c.code} has no label`);
    codes.add(c.code);
  }
  await kv.set(keys.chargeComponents(), components.map((c) => ({ code: c.code, label: c.label })));
}

/** The label of a component code, or the code itself when it is not (or no longer) listed. */
export function componentLabel(components: readonly ChargeComponent[], code: string): string {
  return components.find((c) => c.code === code)?.label ?? code;
}
