/**
 * What the resident's money pages (/ebok, /ebok/saldo, /ebok/naliczenia, /ebok/wplaty) need of
 * a unit, read in one `getMany` for all the units shown: the ledger totals, the stamp of the
 * payments "w drodze", the payment settings and the charge components. Everything longer (the
 * current month's entries, the newest entries behind arrears, the whole ledger, the list of
 * payments on their way) is remembered per process under the versionstamp of the record written
 * in the same atomic op as that data (the totals, the in-transit stamp) and read again only when
 * that versionstamp moved. So a page costs the same whatever the length of the history.
 */
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import type { ResidentUnit } from "../accounts/resident_units.ts";
import { createInTransitReader, dueShown, type InTransitPayment } from "../payments/in_transit.ts";
import {
  type AmountRange,
  defaultPaymentSettings,
  paymentAmountRange,
  type PaymentSettings,
} from "../payments/payments.ts";
import { keys } from "../shared/keys.ts";
import {
  type ChargeComponent,
  emptyTotals,
  type LedgerEntry,
  type LedgerTotals,
  listEntries,
} from "./ledger.ts";
import { createLedgerReader } from "./ledger_reader.ts";
import { type AmountDue, amountDue, type ArrearsOrigin, arrearsOrigin } from "./statement.ts";
import { transferFor } from "./unit_transfer.ts";

/** Enough of the newest entries to name a year of unpaid months (about ten entries a month). */
const ARREARS_ENTRIES = 120;

/** One unit's records as read in the page's getMany. */
export type UnitMoneyRecords = {
  totalsEntry: Deno.KvEntryMaybe<LedgerTotals>;
  totals: LedgerTotals;
  /** Online payments confirmed, not yet booked (empty without online payment). */
  inTransit: InTransitPayment[];
  /** The versionstamps of the totals, the in-transit stamp and the payment settings read. */
  version: string;
};

export type MoneyReader = ReturnType<typeof createMoneyReader>;

export function createMoneyReader(kv: Deno.Kv) {
  const inTransitOf = createInTransitReader(kv);
  const allEntries = createLedgerReader(kv);
  const records = (
    unitIds: readonly string[],
    opts: { online: boolean; components?: boolean },
  ) => readMoneyRecords(kv, inTransitOf, unitIds, opts);
  return { records, recentEntries: createRecentEntries(kv), allEntries, derived: createDerived() };
}

/**
 * One getMany (two from the fourth unit on): the units' totals and in-transit stamps, the
 * payment settings when online payment is on, the charge components when asked for.
 */
async function readMoneyRecords(
  kv: Deno.Kv,
  inTransitOf: ReturnType<typeof createInTransitReader>,
  unitIds: readonly string[],
  opts: { online: boolean; components?: boolean },
) {
  const wanted: Deno.KvKey[] = unitIds.flatMap((id) =>
    opts.online ? [keys.ledgerTotals(id), keys.paymentsInTransitStamp(id)] : [keys.ledgerTotals(id)]
  );
  const settingsAt = wanted.length;
  if (opts.online) wanted.push(keys.paymentSettings());
  const componentsAt = wanted.length;
  if (opts.components) wanted.push(keys.chargeComponents());
  const got: Deno.KvEntryMaybe<unknown>[] = [];
  const batches: Promise<Deno.KvEntryMaybe<unknown>[]>[] = [];
  for (let i = 0; i < wanted.length; i += 10) batches.push(kv.getMany(wanted.slice(i, i + 10)));
  for (const b of await Promise.all(batches)) got.push(...b);
  const step = opts.online ? 2 : 1;
  const units = await Promise.all(unitIds.map(async (id, i): Promise<UnitMoneyRecords> => {
    const totalsEntry = got[i * step] as Deno.KvEntryMaybe<LedgerTotals>;
    return {
      totalsEntry,
      totals: totalsEntry.value ?? emptyTotals(),
      inTransit: opts.online ? await inTransitOf(id, got[i * step + 1]) : [],
      version: `${totalsEntry.versionstamp ?? "empty"}|${
        opts.online ? got[i * step + 1].versionstamp ?? "none" : "-"
      }|${opts.online ? got[settingsAt].versionstamp ?? "none" : "-"}`,
    };
  }));
  return {
    units,
    settings: opts.online
      ? {
        ...defaultPaymentSettings,
        ...(got[settingsAt].value as Partial<PaymentSettings> | null),
      }
      : undefined,
    components: opts.components ? (got[componentsAt].value as ChargeComponent[] | null) ?? [] : [],
    /** The versionstamp of the charge components' record (their labels), when asked for. */
    componentsVersion: opts.components ? got[componentsAt].versionstamp ?? "none" : "",
  };
}

/**
 * The entries posted from `period` on, and (when asked) the newest ones behind arrears,
 * remembered under the totals' stamp.
 */
function createRecentEntries(kv: Deno.Kv) {
  const recent = new Map<
    string,
    { stamp: string; period: string; month: LedgerEntry[]; tail?: LedgerEntry[] }
  >();
  return async (unitId: string, r: UnitMoneyRecords, period: string, tail: boolean) => {
    const stamp = r.totalsEntry.versionstamp ?? "empty";
    let hit = recent.get(unitId);
    if (!hit || hit.stamp !== stamp || hit.period !== period) {
      hit = { stamp, period, month: (await listEntries(kv, unitId, { from: period })).entries };
      if (recent.size >= 10_000) recent.clear();
      recent.set(unitId, hit);
    }
    if (tail && !hit.tail) {
      hit.tail = (await listEntries(kv, unitId, { reverse: true, limit: ARREARS_ENTRIES }))
        .entries;
    }
    return { month: hit.month, tail: hit.tail ?? hit.month };
  };
}

/**
 * Figures computed from a unit's whole ledger (the statement, the monthly summary), under
 * the totals' versionstamp and the question asked (filter, day): a pure function of those,
 * so the next view of the same page costs no pass over the history.
 */
function createDerived() {
  const computed = new Map<string, unknown>();
  return <T>(unitId: string, r: UnitMoneyRecords, question: string, compute: () => T): T => {
    const key = `${unitId}|${r.totalsEntry.versionstamp ?? "empty"}|${question}`;
    if (computed.has(key)) {
      const hit = computed.get(key) as T;
      computed.delete(key);
      computed.set(key, hit);
      return hit;
    }
    const value = compute();
    computed.set(key, value);
    if (computed.size > 500) computed.delete(computed.keys().next().value!);
    return value;
  };
}

/** What is due, lowered by the payments on their way ("w drodze"), as every money page shows it. */
export function shownTotals(r: UnitMoneyRecords) {
  const shown = dueShown(r.totals.balance, r.inTransit);
  return { totals: { ...r.totals, balance: shown.due }, inTransit: shown.inTransit };
}

export type DashboardUnit = ResidentUnit & {
  totals: LedgerTotals;
  due: AmountDue;
  origin: ArrearsOrigin;
  monthCharge: number;
  inTransit: number;
  payOffer?: AmountRange & { unitId: string };
  /** The transfer details and QR code: made when the unit's card is rendered, not before. */
  transfer: () => ReturnType<typeof transferFor>;
  /**
   * Changes whenever the records behind these figures change (see `UnitMoneyRecords.version`):
   * with the unit, the day and the month, it names everything the card shows.
   */
  version: string;
};

/**
 * The dashboard's figures for each unit: the balance (less payments "w drodze"), what is due
 * and by when, where arrears come from, this month's fee, the online payment offer, the
 * transfer details. Costs one getMany for all the units once the process has seen their
 * current ledger.
 */
export async function dashboardUnits(
  money: MoneyReader,
  units: ResidentUnit[],
  at: { today: string; period: string; coop: CooperativeProfile; online: boolean },
): Promise<DashboardUnit[]> {
  const read = await money.records(units.map((u) => u.unit.id), { online: at.online });
  return await Promise.all(units.map(async (u, i) => {
    const r = read.units[i];
    const { totals, inTransit } = shownTotals(r);
    const { month } = await money.recentEntries(u.unit.id, r, at.period, false);
    // Pure functions of the entries (under the totals' stamp), the day and the shown balance.
    const asked = `${at.today}|${at.period}|${totals.balance}`;
    const due = money.derived(
      u.unit.id,
      r,
      `due|${asked}`,
      () => amountDue(totals, month, at.today),
    );
    // Only a unit with arrears needs older entries, to name the months they come from.
    const older = due.arrears > 0
      ? (await money.recentEntries(u.unit.id, r, at.period, true)).tail
      : month;
    const range = at.online && due.dueNow > 0 && read.settings
      ? paymentAmountRange(totals.balance, read.settings)
      : undefined;
    return {
      ...u,
      totals,
      due,
      origin: money.derived(
        u.unit.id,
        r,
        `origin|${asked}`,
        () => arrearsOrigin(older, { balance: totals.balance, due, today: at.today }),
      ),
      monthCharge: money.derived(u.unit.id, r, `monthCharge|${at.period}`, () =>
        month
          .filter((e) => e.period === at.period && (e.kind === "charge" || e.kind === "correction"))
          .reduce((sum, e) => sum + e.amount, 0)),
      inTransit,
      payOffer: range ? { unitId: u.unit.id, ...range } : undefined,
      transfer: () => transferFor(at.coop, u, at.period, due.dueNow),
      version: r.version,
    };
  }));
}
