/**
 * Fee rates: what a unit is charged each month for each component, from a given month on, as
 * the accounting system sets them (the "karta opłat" of a unit). The ledger holds what was
 * charged; the rates say what will be charged and why.
 *
 * Keys: `["fee_rates", unitId, period, component]` → rate (period "YYYY-MM": the first month it
 * applies). Listing a unit's prefix gives its rates oldest first.
 */
import { keys } from "../shared/keys.ts";
import { basisAmount, type BasisUnit } from "./ledger.ts";
import { isPeriod } from "../shared/calendar.ts";

export type FeeRate = {
  unitId: string;
  /** The first month the rate applies, "YYYY-MM". */
  period: string;
  /** A charge component code (see `ChargeComponent`). */
  component: string;
  /** Grosze per one unit of the base (per m², person, m³ or unit). */
  rate: number;
  /** The base in thousandths (48,50 m² = 48500; 2 persons = 2000). */
  quantityMilli: number;
  unitLabel: BasisUnit;
  /** The monthly amount in grosze: `basisAmount({ rate, quantityMilli })`. */
  amount: number;
};

export const basisUnitsList: readonly BasisUnit[] = ["m²", "os.", "m³", "lokal"];

/** Throws on malformed input: a bug in the caller (or the importer), not a user's mistake. */
export function validateFeeRate(r: FeeRate): void {
  if (typeof r.unitId !== "string" || r.unitId === "") throw new RangeError("unitId missing");
  if (!isPeriod(r.period)) throw new RangeError(`period: ${r.period}`);
  if (!/^[a-z0-9_]{1,40}$/.test(r.component)) throw new RangeError(`component: ${r.component}`);
  if (!basisUnitsList.includes(r.unitLabel)) throw new RangeError(`unitLabel: ${r.unitLabel}`);
  if (r.amount !== basisAmount(r)) throw new RangeError(`amount ≠ rate × quantity: ${r.amount}`);
}

export function sameFeeRate(a: FeeRate, b: FeeRate): boolean {
  return a.unitId === b.unitId && a.period === b.period && a.component === b.component &&
    a.rate === b.rate && a.quantityMilli === b.quantityMilli && a.unitLabel === b.unitLabel &&
    a.amount === b.amount;
}

/** Rates by key, for many at once (10 keys per read); missing ones are left out. */
export async function getFeeRates(
  kv: Deno.Kv,
  ids: readonly { unitId: string; period: string; component: string }[],
): Promise<FeeRate[]> {
  const out: FeeRate[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<FeeRate[]>(
      ids.slice(i, i + 10).map((r) => keys.feeRate(r.unitId, r.period, r.component)),
    );
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

/**
 * Stores rates (new or changed), up to 300 per atomic op. A rate is its key's only value, so
 * storing the same rate twice changes nothing.
 */
export async function saveFeeRates(kv: Deno.Kv, rates: readonly FeeRate[]): Promise<void> {
  for (const r of rates) validateFeeRate(r);
  for (let i = 0; i < rates.length; i += 300) {
    const op = kv.atomic();
    for (const r of rates.slice(i, i + 300)) {
      op.set(keys.feeRate(r.unitId, r.period, r.component), { ...r });
    }
    const result = await op.commit();
    if (!result.ok) throw new Error("fee rates not saved");
  }
}

/** A unit's rates, oldest period first (components in code order within a period). */
export async function listFeeRates(kv: Deno.Kv, unitId: string): Promise<FeeRate[]> {
  const out: FeeRate[] = [];
  for await (const e of kv.list<FeeRate>({ prefix: keys.feeRatesOfUnit(unitId) })) {
    out.push(e.value);
  }
  return out;
}

/** The rate of each component that applies in `period`: the latest from that month or before. */
export async function currentFeeRates(
  kv: Deno.Kv,
  unitId: string,
  period: string,
): Promise<FeeRate[]> {
  const byComponent = new Map<string, FeeRate>();
  for (const r of await listFeeRates(kv, unitId)) {
    if (r.period <= period) byComponent.set(r.component, r);
  }
  return [...byComponent.values()];
}
