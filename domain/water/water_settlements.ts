/**
 * Water settlements: for a period (usually a half-year), the advances the unit was charged for
 * water compared with what the water it actually used costs, and the difference to pay or to
 * credit.
 *
 * Units: water in integer litres, money in integer grosze, prices in grosze per m³.
 *
 * What is billed, and on what:
 * - "cold" is the component *water and sewage* ("zimna woda i ścieki"): every litre that came
 *   into the flat is also a litre of sewage, so it is billed on **all** water used — the cold
 *   meters plus the hot meters (hot water is cold water heated in the building). This is also
 *   how the advances are charged (on the declared total of water).
 * - "hot" is the component *heating of hot water* ("ciepła woda – podgrzanie"): billed on the
 *   hot meters only, and only where the cooperative bills it (`prices.hot` is null otherwise).
 *
 * Cost of a component = litres × price per m³ / 1000, rounded half up to the grosz, in integer
 * arithmetic: `floor((litres × price + 500) / 1000)` (litres are never negative).
 *
 * Which water belongs to [from, to] (both days inclusive): every interval between two
 * consecutive readings of one meter counts wholly in the settlement whose period contains the
 * interval's **end** reading. For one meter that is the index at the last reading on or before
 * `to` minus the index at the last reading before `from`. Consecutive settlements therefore
 * split the readings without counting a litre twice or losing one, as long as their periods
 * meet (an interval that spans a boundary counts in the later settlement — which is why
 * periods should end on reading days, as month-end radio readings do). A meter swap needs no
 * special case: the old meter's intervals end at its final reading on the swap day, the new
 * meter's start at its start reading that same day, and both meters' intervals are added.
 *
 * Estimated readings: interior estimated readings cancel out (the sum over consecutive
 * intervals telescopes to "last reading − first reading"), so the total is exact when the
 * readings at both ends are real. `estimated` says an estimated reading takes part at all;
 * `estimatedAtEnds` says the total itself rests on one (it is then trued up by the next
 * settlement, which starts at that same reading).
 *
 * Advances: the ledger's charges (and corrections of them) with the water components whose
 * `period` (the month they concern) lies within the months of [from, to]; the corrections this
 * module posts itself (document `ROZL-WODA/…`) are never counted as advances.
 *
 * Keys: `["water_settlements", id]` → settlement; `["water_settlements_by_unit", unitId, to]` →
 * id (unique: one settlement per unit and end date; listing it backwards gives newest first).
 */
import { daysBetween, formatIsoDate, isIsoDate, polishDate } from "../shared/calendar.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import {
  balanceEffect,
  type LedgerEntry,
  type NewLedgerEntry,
  postEntry,
} from "../balance/ledger.ts";
import {
  consumptionByPeriod,
  type Meter,
  type MeterKind,
  meterKindLabels,
  type Reading,
} from "./water.ts";

/** The component codes of the water advances in the cooperative's ledger (as in the demo). */
export const defaultWaterComponentCodes: WaterComponentCodes = {
  cold: "zw_scieki",
  hot: "cw_podgrzanie",
};

export type WaterComponentCodes = {
  /** "Zimna woda i ścieki – zaliczka". */
  cold: string;
  /** "Ciepła woda – zaliczka na podgrzanie". */
  hot: string;
};

export type WaterPrices = {
  /** Water and sewage, grosze per m³ of all water used (cold + hot meters). */
  cold: number;
  /** Heating of hot water, grosze per m³ of hot water; null where it is not billed. */
  hot: number | null;
};

export type SettlementPart = {
  /** The litres billed under this component. */
  litres: number;
  priceGroszePerM3: number;
  /** litres × price / 1000, rounded half up (grosze). */
  actualCost: number;
  /** The advances charged for the period under this component (grosze). */
  advances: number;
  /** An estimated reading takes part in these litres. */
  estimated: boolean;
};

export type WaterSettlement = {
  id: string;
  unitId: string;
  /** First day of the period, "YYYY-MM-DD". */
  from: string;
  /** Last day of the period, "YYYY-MM-DD" (inclusive). */
  to: string;
  /** Days in [from, to], both inclusive. */
  days: number;
  /** Water and sewage: `litres` = `coldLitres` + `hotLitres` (all water used). */
  cold: SettlementPart & { coldLitres: number; hotLitres: number };
  /** Heating of hot water; null where it is not billed. */
  hot: SettlementPart | null;
  totalActual: number;
  totalAdvances: number;
  /** totalActual − totalAdvances: positive = underpayment (to pay), negative = overpayment. */
  difference: number;
  /** An estimated reading takes part in the consumption. */
  estimated: boolean;
  /** The total rests on an estimated reading at the start or the end of the period. */
  estimatedAtEnds: boolean;
  /** Meters replaced within the period. */
  swaps: { kind: MeterKind; location: string; on: string }[];
  componentCodes: WaterComponentCodes;
  postedToLedger: { documentNo: string; postedOn: string } | null;
  createdAt: string;
};

/** What `computeSettlement` returns: a settlement not yet saved. */
export type WaterSettlementDraft = Omit<WaterSettlement, "id" | "createdAt" | "postedToLedger">;

export type ComputeSettlementInput = {
  unitId: string;
  from: string;
  to: string;
  meters: readonly Meter[];
  readingsByMeter: Readonly<Record<string, readonly Reading[]>>;
  /** The unit's ledger entries covering at least the months of [from, to]. */
  ledgerEntries: readonly LedgerEntry[];
  prices: WaterPrices;
  componentCodes?: WaterComponentCodes;
};

/** The document number of the ledger correction that books a settlement. */
export function settlementDocumentNo(to: string): string {
  return `ROZL-WODA/${to}`;
}

const SETTLEMENT_DOCUMENT_PREFIX = "ROZL-WODA/";
function daysInclusive(from: string, to: string): number {
  return daysBetween(from, to) + 1;
}

function assertPrice(name: string, value: number) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name}: expected non-negative integer grosze per m³, got ${value}`);
  }
}

/** litres × grosze per m³ / 1000, rounded half up, in integer arithmetic. */
export function waterCost(litres: number, priceGroszePerM3: number): number {
  if (!Number.isSafeInteger(litres) || litres < 0) throw new RangeError(`litres: ${litres}`);
  assertPrice("price", priceGroszePerM3);
  const product = litres * priceGroszePerM3;
  if (!Number.isSafeInteger(product)) throw new RangeError("litres × price too large");
  return Math.floor((product + 500) / 1000);
}

/** Pure: the settlement of [from, to] from the readings and the ledger. See the module notes. */
export function computeSettlement(input: ComputeSettlementInput): WaterSettlementDraft {
  const { from, to, prices } = input;
  if (!isIsoDate(from) || !isIsoDate(to) || from > to) {
    throw new RangeError(`period: ${from}…${to}`);
  }
  assertPrice("prices.cold", prices.cold);
  if (prices.hot !== null) assertPrice("prices.hot", prices.hot);
  const codes = input.componentCodes ?? defaultWaterComponentCodes;

  const { litres, estimated, estimatedAtEnds } = countedConsumption(input);
  const advances = paidAdvances(input, codes);
  if (prices.hot === null && advances.hot !== 0) {
    throw new RangeError("hot-water heating advances were charged, but no heating price given");
  }

  const coldLitres = litres.cold + litres.hot;
  const cold = {
    litres: coldLitres,
    coldLitres: litres.cold,
    hotLitres: litres.hot,
    priceGroszePerM3: prices.cold,
    actualCost: waterCost(coldLitres, prices.cold),
    advances: advances.cold,
    estimated: estimated.cold || estimated.hot,
  };
  const hot: SettlementPart | null = prices.hot === null ? null : {
    litres: litres.hot,
    priceGroszePerM3: prices.hot,
    actualCost: waterCost(litres.hot, prices.hot),
    advances: advances.hot,
    estimated: estimated.hot,
  };
  const totalActual = cold.actualCost + (hot?.actualCost ?? 0);
  const totalAdvances = cold.advances + (hot?.advances ?? 0);

  const swaps = input.meters
    .filter((m) => m.replacedBy && m.removedOn && m.removedOn >= from && m.removedOn <= to)
    .map((m) => ({ kind: m.kind, location: m.location, on: m.removedOn! }))
    .sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));

  return {
    unitId: input.unitId,
    from,
    to,
    days: daysInclusive(from, to),
    cold,
    hot,
    totalActual,
    totalAdvances,
    difference: totalActual - totalAdvances,
    estimated: estimated.cold || estimated.hot,
    estimatedAtEnds,
    swaps,
    componentCodes: { cold: codes.cold, hot: codes.hot },
  };
}

/** Consumption: intervals whose end reading falls in [from, to], per kind, and estimate flags. */
function countedConsumption(input: ComputeSettlementInput): {
  litres: Record<MeterKind, number>;
  estimated: Record<MeterKind, boolean>;
  estimatedAtEnds: boolean;
} {
  const { from, to } = input;
  const counted = consumptionByPeriod(input.meters, input.readingsByMeter)
    .filter((p) => p.to >= from && p.to <= to);
  const litres: Record<MeterKind, number> = { cold: 0, hot: 0 };
  const estimated: Record<MeterKind, boolean> = { cold: false, hot: false };
  let estimatedAtEnds = false;
  const isEstimated = (meterId: string, readOn: string, value: number) =>
    (input.readingsByMeter[meterId] ?? []).some((r) =>
      r.readOn === readOn && r.litres === value && r.source === "estimated"
    );
  const byMeter = new Map<string, typeof counted>();
  for (const p of counted) {
    litres[p.kind] += p.litres;
    if (p.estimated) estimated[p.kind] = true;
    const list = byMeter.get(p.meterId);
    if (list) list.push(p);
    else byMeter.set(p.meterId, [p]);
  }
  for (const [meterId, list] of byMeter) {
    // consumptionByPeriod returns a meter's periods oldest first.
    const first = list[0];
    const last = list[list.length - 1];
    if (
      isEstimated(meterId, first.from, first.startLitres) ||
      isEstimated(meterId, last.to, last.endLitres)
    ) estimatedAtEnds = true;
  }

  return { litres, estimated, estimatedAtEnds };
}

/** Advances: water-component charges and corrections of the months of [from, to]. */
function paidAdvances(
  input: ComputeSettlementInput,
  codes: WaterComponentCodes,
): Record<MeterKind, number> {
  const { from, to } = input;
  const fromMonth = from.slice(0, 7);
  const toMonth = to.slice(0, 7);
  const advances: Record<MeterKind, number> = { cold: 0, hot: 0 };
  for (const e of input.ledgerEntries) {
    if (e.unitId !== input.unitId) continue;
    if (e.kind !== "charge" && e.kind !== "correction") continue;
    if (e.documentNo.startsWith(SETTLEMENT_DOCUMENT_PREFIX)) continue;
    if (e.period < fromMonth || e.period > toMonth) continue;
    if (e.component === codes.cold) advances.cold += balanceEffect(e);
    else if (e.component === codes.hot) advances.hot += balanceEffect(e);
  }
  return advances;
}

// --- Storage ------------------------------------------------------------------------------

export type SaveSettlementResult =
  | { ok: true; settlement: WaterSettlement; created: boolean }
  /** The unit already has a settlement ending on that day. */
  | { ok: false; reason: "period_taken"; existing: WaterSettlement }
  | { ok: false; reason: "conflict" };

const MAX_ATTEMPTS = 10;

/**
 * Stores a settlement: one atomic op that checks both the id and the unit's end date are
 * free. Saving again with the same `id` is a no-op returning what is stored (`created: false`);
 * without an `id` a new one is made. A new settlement is never stored as posted.
 */
export async function saveSettlement(
  kv: Deno.Kv,
  clock: Clock,
  draft: WaterSettlementDraft & { id?: string },
): Promise<SaveSettlementResult> {
  if (!isIsoDate(draft.from) || !isIsoDate(draft.to) || draft.from > draft.to) {
    throw new RangeError(`period: ${draft.from}…${draft.to}`);
  }
  for (const v of [draft.totalActual, draft.totalAdvances, draft.difference]) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`not integer grosze: ${v}`);
  }
  const now = clock();
  const settlement: WaterSettlement = {
    ...draft,
    id: draft.id ?? newId(now),
    createdAt: now.toISOString(),
    postedToLedger: null,
  };
  const recordKey = keys.waterSettlements(settlement.id);
  const periodKey = keys.waterSettlementsByUnit(settlement.unitId, settlement.to);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [record, period] = await kv.getMany<[WaterSettlement, string]>([recordKey, periodKey]);
    if (record.value) return { ok: true, settlement: record.value, created: false };
    if (period.value) {
      const existing = await getSettlement(kv, period.value);
      if (existing) return { ok: false, reason: "period_taken", existing };
    }
    const result = await kv.atomic()
      .check(record)
      .check(period)
      .set(recordKey, settlement)
      .set(periodKey, settlement.id)
      .set(keys.waterStamp(settlement.unitId), settlement.id)
      .commit();
    if (result.ok) return { ok: true, settlement, created: true };
  }
  return { ok: false, reason: "conflict" };
}

export async function getSettlement(kv: Deno.Kv, id: string): Promise<WaterSettlement | null> {
  return (await kv.get<WaterSettlement>(keys.waterSettlements(id))).value;
}

/** A unit's settlements, newest (latest end date) first. */
export async function listSettlements(kv: Deno.Kv, unitId: string): Promise<WaterSettlement[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.waterSettlementsByUnitAll(unitId) }, {
      reverse: true,
    })
  ) ids.push(e.value);
  const out: WaterSettlement[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<WaterSettlement[]>(
      ids.slice(i, i + 10).map((id) => keys.waterSettlements(id)),
    );
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

export type PostSettlementResult =
  | {
    ok: true;
    settlement: WaterSettlement;
    /** The correction posted now; absent when it was posted before. */
    entry?: LedgerEntry;
    alreadyPosted: boolean;
  }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "conflict" };

/**
 * Books a settlement's result on the unit's ledger: a `correction` of `difference` grosze (an
 * underpayment raises what is owed, an overpayment lowers it) under the water-and-sewage
 * component, document `ROZL-WODA/<to>`, posted on today's date (in Poland) for today's month.
 * `postEntry` keeps the totals exact and makes the document unique per unit; then the
 * settlement is marked posted. Two atomic ops, one logical step: if the first succeeded and the
 * second did not (a crash), calling again finds the document already posted and only marks the
 * settlement. Posting a posted settlement is a no-op.
 */
export async function postSettlementToLedger(
  kv: Deno.Kv,
  clock: Clock,
  settlementId: string,
): Promise<PostSettlementResult> {
  const current = await getSettlement(kv, settlementId);
  if (!current) return { ok: false, reason: "not_found" };
  if (current.postedToLedger) return { ok: true, settlement: current, alreadyPosted: true };

  const postedOn = polishDate(clock());
  const documentNo = settlementDocumentNo(current.to);
  const draft: NewLedgerEntry = {
    unitId: current.unitId,
    kind: "correction",
    postedOn,
    period: postedOn.slice(0, 7),
    component: current.componentCodes.cold,
    amount: current.difference,
    documentNo,
    description: `Rozliczenie wody ${formatIsoDate(current.from)}–${formatIsoDate(current.to)}: ${
      current.difference > 0
        ? "dopłata"
        : current.difference < 0
        ? "nadpłata"
        : "bez dopłaty i bez nadpłaty"
    }`,
  };
  const posted = await postEntry(kv, clock, draft);
  let entry: LedgerEntry | undefined;
  let bookedOn = postedOn;
  if (posted.ok) {
    entry = posted.entry;
  } else if (posted.reason === "duplicate") {
    // ["ledger", unitId, postedOn, entryId]
    bookedOn = String(posted.existingKey[2]);
  } else {
    return { ok: false, reason: "conflict" };
  }

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = await kv.get<WaterSettlement>(keys.waterSettlements(settlementId));
    if (!record.value) return { ok: false, reason: "not_found" };
    if (record.value.postedToLedger) {
      return { ok: true, settlement: record.value, entry, alreadyPosted: !entry };
    }
    const settlement: WaterSettlement = {
      ...record.value,
      postedToLedger: { documentNo, postedOn: bookedOn },
    };
    const result = await kv.atomic().check(record).set(record.key, settlement)
      .set(keys.waterStamp(settlement.unitId), settlement.id).commit();
    if (result.ok) return { ok: true, settlement, entry, alreadyPosted: !entry };
  }
  return { ok: false, reason: "conflict" };
}

// --- Words for the resident ---------------------------------------------------------------

function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
}

/** 18400 litres → "18,400 m³" (three decimals, a decimal comma, non-breaking spaces). */
export function formatM3(litres: number): string {
  if (!Number.isSafeInteger(litres)) throw new RangeError(`not integer litres: ${litres}`);
  const abs = Math.abs(litres);
  return `${litres < 0 ? "−" : ""}${groupThousands(Math.floor(abs / 1000))},${
    String(abs % 1000).padStart(3, "0")
  }\u00a0m³`;
}

/** 32384 grosze → "323,84 zł"; 123456 → "1 234,56 zł" (non-breaking spaces). */
export function formatZloty(grosze: number): string {
  if (!Number.isSafeInteger(grosze)) throw new RangeError(`not integer grosze: ${grosze}`);
  const abs = Math.abs(grosze);
  return `${grosze < 0 ? "−" : ""}${groupThousands(Math.floor(abs / 100))},${
    String(abs % 100).padStart(2, "0")
  }\u00a0zł`;
}

const kindGenitive: Record<MeterKind, string> = { cold: "zimnej wody", hot: "ciepłej wody" };

/**
 * The settlement in sentences a resident understands: the consumption, each component as
 * quantity × price = cost, the advances, the result, and notes on swaps, estimated readings
 * and the posting.
 */
export function explainSettlement(s: WaterSettlement): string[] {
  const period = `od ${formatIsoDate(s.from)} do ${formatIsoDate(s.to)}`;
  const lines: string[] = [];
  const { cold, hot } = s;
  if (cold.hotLitres > 0 || hot) {
    lines.push(
      `Zużycie wody ${period} (${s.days} dni): zimnej ${formatM3(cold.coldLitres)}, ciepłej ${
        formatM3(cold.hotLitres)
      }, razem ${formatM3(cold.litres)}.`,
    );
    lines.push(
      `Woda i ścieki: ${formatM3(cold.litres)} × ${formatZloty(cold.priceGroszePerM3)}/m³ = ${
        formatZloty(cold.actualCost)
      } (za wodę i ścieki płaci się od całej zużytej wody, także tej, która została potem podgrzana).`,
    );
  } else {
    lines.push(
      `Zużycie zimnej wody ${period}: ${formatM3(cold.litres)} × ${
        formatZloty(cold.priceGroszePerM3)
      }/m³ = ${formatZloty(cold.actualCost)} (woda i ścieki).`,
    );
  }
  if (hot) {
    lines.push(
      `Podgrzanie ciepłej wody: ${formatM3(hot.litres)} × ${
        formatZloty(hot.priceGroszePerM3)
      }/m³ = ${formatZloty(hot.actualCost)}.`,
    );
    lines.push(`Koszt rzeczywisty razem: ${formatZloty(s.totalActual)}.`);
    lines.push(
      `Zaliczki naliczone w tym okresie: ${formatZloty(s.totalAdvances)} (woda i ścieki ${
        formatZloty(cold.advances)
      }, podgrzanie wody ${formatZloty(hot.advances)}).`,
    );
  } else {
    lines.push(`Zaliczki naliczone w tym okresie: ${formatZloty(s.totalAdvances)}.`);
  }
  const sum = `${formatZloty(s.totalActual)} − ${formatZloty(s.totalAdvances)}`;
  if (s.difference > 0) {
    lines.push(`Do dopłaty: ${formatZloty(s.difference)} (koszt rzeczywisty − zaliczki: ${sum}).`);
  } else if (s.difference < 0) {
    lines.push(
      `Nadpłata: ${
        formatZloty(-s.difference)
      } — zostanie zaliczona na poczet opłat (koszt rzeczywisty − zaliczki: ${sum}).`,
    );
  } else {
    lines.push("Zaliczki pokryły koszt dokładnie: nie ma ani dopłaty, ani nadpłaty.");
  }
  for (const swap of s.swaps) {
    lines.push(
      `${formatIsoDate(swap.on)} wymieniono wodomierz ${
        kindGenitive[swap.kind]
      } (${swap.location}): ` +
        "zużycie policzono ze starego wodomierza do dnia wymiany i z nowego od dnia wymiany.",
    );
  }
  if (s.estimatedAtEnds) {
    lines.push(
      "Odczyt na początku lub na końcu okresu był szacunkowy (wodomierza nie odczytano): " +
        "różnicę wyrówna następne rozliczenie, liczone od tego samego odczytu.",
    );
  } else if (s.estimated) {
    lines.push(
      "Jeden z odczytów w trakcie okresu był szacunkowy. Nie zmienia to wyniku: zużycie za cały " +
        "okres to różnica między rzeczywistymi odczytami z początku i z końca okresu.",
    );
  }
  if (s.postedToLedger) {
    lines.push(
      `Wynik rozliczenia zaksięgowano na koncie lokalu ${
        formatIsoDate(s.postedToLedger.postedOn)
      } (dokument ${s.postedToLedger.documentNo}).`,
    );
  } else {
    lines.push("Wynik rozliczenia nie został jeszcze zaksięgowany na koncie lokalu.");
  }
  return lines;
}

/** Labels of a settlement's parts: "zimna woda i ścieki", "podgrzanie ciepłej wody". */
export const settlementPartLabels: Record<MeterKind, string> = {
  cold: `${meterKindLabels.cold} i ścieki`,
  hot: "podgrzanie ciepłej wody",
};
