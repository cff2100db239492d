/**
 * Water meters and their readings, in integer litres.
 *
 * A meter's readings never go down. A replaced meter (legalisation expired, a fault) is not
 * "reset": the replacement is a new meter linked to the old one (`replaces` / `replacedBy`), and
 * the swap records the old meter's final reading and the new meter's start reading on the same
 * day, so consumption stays continuous across it.
 *
 * Keys: `["meters", unitId, meterId]` → meter; `["meters_by_id", meterId]` → unitId;
 * `["readings", meterId, readOn, readingId]` → reading. Every reading written re-sets the
 * meter's `meters_by_id` entry under a versionstamp check, so two writers cannot both pass the
 * "not lower than the previous reading" check on the same meter. Every op that writes meters or
 * readings also writes the unit's water summary (water_summary.ts) the resident's page reads.
 */
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { daysBetween, isIsoDate } from "../shared/calendar.ts";
import { addWaterSummary } from "./water_summary.ts";

export type MeterKind = "cold" | "hot";

export const meterKindLabels: Record<MeterKind, string> = {
  cold: "zimna woda",
  hot: "ciepła woda",
};

export type Meter = {
  id: string;
  unitId: string;
  kind: MeterKind;
  serialNo: string;
  /** Where it is, e.g. "łazienka", "kuchnia". */
  location: string;
  installedOn: string;
  /** The end of its legalisation (metrological validity), "YYYY-MM-DD". */
  legalUntil: string;
  replacedBy?: string;
  replaces?: string;
  removedOn?: string;
};

export type NewMeter = Omit<Meter, "id" | "replacedBy" | "replaces" | "removedOn">;

export type ReadingSource = "radio" | "visit" | "resident" | "estimated";

export const readingSourceLabels: Record<ReadingSource, string> = {
  radio: "odczyt radiowy",
  visit: "odczyt inkasenta",
  resident: "podany przez mieszkańca",
  estimated: "szacunkowy",
};

export type Reading = {
  id: string;
  meterId: string;
  readOn: string;
  /** The meter's index in litres (1,234 m³ = 1234). */
  litres: number;
  source: ReadingSource;
  /** Who entered it: a staff login, "mieszkaniec", "import", … */
  enteredBy: string;
};

export type NewReading = Omit<Reading, "id">;

export type AddReadingResult =
  | { ok: true; reading: Reading }
  | { ok: false; reason: "unknown_meter" }
  | { ok: false; reason: "meter_removed"; removedOn: string }
  | { ok: false; reason: "before_installation"; installedOn: string }
  | { ok: false; reason: "lower_than_previous"; previous: Reading }
  | { ok: false; reason: "higher_than_next"; next: Reading }
  | { ok: false; reason: "conflict" };

export type SwapMeterInput = {
  oldMeterId: string;
  finalReadingLitres: number;
  /** The new meter; its unit and kind are the old one's, its location by default too. */
  newMeter: { serialNo: string; legalUntil: string; location?: string };
  startReadingLitres: number;
  /** The day of the swap: the old meter's removal, the new one's installation. */
  on: string;
  source?: Exclude<ReadingSource, "estimated">;
  enteredBy: string;
};

export type SwapMeterResult =
  | { ok: true; oldMeter: Meter; newMeter: Meter; finalReading: Reading; startReading: Reading }
  | { ok: false; reason: "unknown_meter" }
  | { ok: false; reason: "meter_removed"; removedOn: string }
  | { ok: false; reason: "before_installation"; installedOn: string }
  | { ok: false; reason: "lower_than_previous"; previous: Reading }
  | { ok: false; reason: "readings_after_swap"; next: Reading }
  | { ok: false; reason: "conflict" };

const MAX_ATTEMPTS = 10;
const sources: readonly ReadingSource[] = ["radio", "visit", "resident", "estimated"];

function assertDate(name: string, value: string) {
  if (typeof value !== "string" || !isIsoDate(value)) {
    throw new RangeError(`${name}: not a date: ${value}`);
  }
}

function assertLitres(name: string, value: number) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name}: expected non-negative integer litres, got ${value}`);
  }
}

export async function addMeter(kv: Deno.Kv, clock: Clock, draft: NewMeter): Promise<Meter> {
  assertDate("installedOn", draft.installedOn);
  assertDate("legalUntil", draft.legalUntil);
  if (draft.kind !== "cold" && draft.kind !== "hot") throw new RangeError(`kind: ${draft.kind}`);
  const meter: Meter = { ...draft, id: newId(clock()) };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const taken = await kv.get(keys.metersById(meter.id));
    if (taken.versionstamp !== null) throw new Error(`meter id ${meter.id} already taken`);
    const op = kv.atomic()
      .check(taken)
      .set(keys.meters(meter.unitId, meter.id), meter)
      .set(keys.metersById(meter.id), meter.unitId);
    await addWaterSummary(op, kv, meter.unitId, { meters: [meter] });
    if ((await op.commit()).ok) return meter;
  }
  throw new Error(`meter ${meter.id}: the unit's water changed too often meanwhile`);
}

/**
 * Changes a meter's descriptive fields (location, legalisation) if `entry` is still current;
 * false when it changed meanwhile. The meter's index is left alone: no reading depends on them.
 */
export async function updateMeterDetails(
  kv: Deno.Kv,
  entry: Deno.KvEntry<Meter>,
  details: Pick<Meter, "location" | "legalUntil">,
): Promise<boolean> {
  const meter: Meter = { ...entry.value, ...details };
  const op = kv.atomic().check(entry).set(entry.key, meter);
  await addWaterSummary(op, kv, meter.unitId, { meters: [meter] });
  return (await op.commit()).ok;
}

/** A unit's meters, in the order they were added. */
export async function listMeters(kv: Deno.Kv, unitId: string): Promise<Meter[]> {
  const out: Meter[] = [];
  for await (const e of kv.list<Meter>({ prefix: keys.metersOfUnit(unitId) })) out.push(e.value);
  return out;
}

/** The meter with its index entry (whose versionstamp serializes writers of readings). */
async function loadMeter(
  kv: Deno.Kv,
  meterId: string,
): Promise<{ index: Deno.KvEntry<string>; meter: Deno.KvEntry<Meter> } | null> {
  const index = await kv.get<string>(keys.metersById(meterId));
  if (index.value === null) return null;
  const meter = await kv.get<Meter>(keys.meters(index.value, meterId));
  if (meter.value === null) return null;
  return { index: index as Deno.KvEntry<string>, meter: meter as Deno.KvEntry<Meter> };
}

export async function getMeter(kv: Deno.Kv, meterId: string): Promise<Meter | null> {
  return (await loadMeter(kv, meterId))?.meter.value ?? null;
}

/** The latest reading on or before `readOn`, and the earliest one after it. */
async function neighbours(
  kv: Deno.Kv,
  meterId: string,
  readOn: string,
): Promise<{ previous: Reading | null; next: Reading | null }> {
  const prefix = keys.readingsOfMeter(meterId);
  // "\0" sorts after the bare date, so this boundary falls after every reading of that day.
  const boundary = [...prefix, `${readOn}\0`];
  let previous: Reading | null = null;
  let next: Reading | null = null;
  for await (const e of kv.list<Reading>({ prefix, end: boundary }, { reverse: true, limit: 1 })) {
    previous = e.value;
  }
  for await (const e of kv.list<Reading>({ prefix, start: boundary }, { limit: 1 })) {
    next = e.value;
  }
  return { previous, next };
}

/**
 * Records a reading. Refuses one lower than the previous reading of the same meter (or higher
 * than a later one already recorded), and one outside the meter's installation.
 */
export async function addReading(
  kv: Deno.Kv,
  clock: Clock,
  draft: NewReading,
): Promise<AddReadingResult> {
  assertDate("readOn", draft.readOn);
  assertLitres("litres", draft.litres);
  if (!sources.includes(draft.source)) throw new RangeError(`source: ${draft.source}`);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // A fresh id on every attempt: it sorts after any same-day reading that won a race, so
    // the key order stays the order in which the checks were passed.
    const reading: Reading = { ...draft, id: newId(clock()) };
    const loaded = await loadMeter(kv, reading.meterId);
    if (!loaded) return { ok: false, reason: "unknown_meter" };
    const meter = loaded.meter.value;
    if (reading.readOn < meter.installedOn) {
      return { ok: false, reason: "before_installation", installedOn: meter.installedOn };
    }
    if (meter.removedOn && reading.readOn > meter.removedOn) {
      return { ok: false, reason: "meter_removed", removedOn: meter.removedOn };
    }
    const { previous, next } = await neighbours(kv, reading.meterId, reading.readOn);
    if (previous && reading.litres < previous.litres) {
      return { ok: false, reason: "lower_than_previous", previous };
    }
    if (next && reading.litres > next.litres) {
      return { ok: false, reason: "higher_than_next", next };
    }
    const op = kv.atomic()
      .check(loaded.index, loaded.meter)
      .set(keys.metersById(meter.id), meter.unitId)
      .set(keys.readings(meter.id, reading.readOn, reading.id), reading);
    await addWaterSummary(op, kv, meter.unitId, { readings: [reading] });
    if ((await op.commit()).ok) return { ok: true, reading };
  }
  return { ok: false, reason: "conflict" };
}

export type AddReadingsResult =
  | { ok: true; readings: Reading[] }
  | { ok: false; reason: "unknown_meter" }
  | { ok: false; reason: "meter_removed"; removedOn: string }
  | { ok: false; reason: "before_installation"; installedOn: string }
  /** `previous` is a stored reading or an earlier one of the same call; `index` the refused one. */
  | { ok: false; reason: "lower_than_previous"; previous: Reading; index: number }
  /** The meter already has a reading after the earliest new one: use `addReading` for that. */
  | { ok: false; reason: "not_after_last"; next: Reading }
  | { ok: false; reason: "conflict" };

/** Readings per atomic op in `addReadings` (each is one mutation; far below the limits). */
const READINGS_PER_OP = 500;

/**
 * Appends many readings of one meter (an import from the radio reading system): the same rules
 * as `addReading`, checked against the stored readings and between the new ones, all or nothing
 * when they fit one atomic op (500 readings).
 */
export async function addReadings(
  kv: Deno.Kv,
  clock: Clock,
  meterId: string,
  drafts: readonly Omit<NewReading, "meterId">[],
): Promise<AddReadingsResult> {
  for (const d of drafts) {
    assertDate("readOn", d.readOn);
    assertLitres("litres", d.litres);
    if (!sources.includes(d.source)) throw new RangeError(`source: ${d.source}`);
  }
  const at = clock();
  const readings: Reading[] = drafts
    .map((d) => ({ ...d, meterId, id: newId(at) }))
    .sort(compareReadings);
  if (readings.length === 0) return { ok: true, readings };
  const first = readings[0];
  const last = readings[readings.length - 1];

  for (let i = 0; i < readings.length; i += READINGS_PER_OP) {
    const batch = readings.slice(i, i + READINGS_PER_OP);
    let done = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !done; attempt++) {
      const loaded = await loadMeter(kv, meterId);
      if (!loaded) return { ok: false, reason: "unknown_meter" };
      const meter = loaded.meter.value;
      if (first.readOn < meter.installedOn) {
        return { ok: false, reason: "before_installation", installedOn: meter.installedOn };
      }
      if (meter.removedOn && last.readOn > meter.removedOn) {
        return { ok: false, reason: "meter_removed", removedOn: meter.removedOn };
      }
      const { previous, next } = await neighbours(kv, meterId, batch[0].readOn);
      if (next) return { ok: false, reason: "not_after_last", next };
      let before = previous;
      for (const [j, r] of batch.entries()) {
        if (before && r.litres < before.litres) {
          return { ok: false, reason: "lower_than_previous", previous: before, index: i + j };
        }
        before = r;
      }
      const op = kv.atomic().check(loaded.index, loaded.meter)
        .set(keys.metersById(meterId), meter.unitId);
      for (const r of batch) op.set(keys.readings(meterId, r.readOn, r.id), r);
      await addWaterSummary(op, kv, meter.unitId, { readings: batch });
      done = (await op.commit()).ok;
    }
    if (!done) return { ok: false, reason: "conflict" };
  }
  return { ok: true, readings };
}

/** A meter's readings, oldest first. */
export async function listReadings(kv: Deno.Kv, meterId: string): Promise<Reading[]> {
  const out: Reading[] = [];
  for await (const e of kv.list<Reading>({ prefix: keys.readingsOfMeter(meterId) })) {
    out.push(e.value);
  }
  return out;
}

/** Everything the water page needs: the unit's meters and each meter's readings. */
export async function getUnitWater(
  kv: Deno.Kv,
  unitId: string,
): Promise<{ meters: Meter[]; readingsByMeter: Record<string, Reading[]> }> {
  const meters = await listMeters(kv, unitId);
  const lists = await Promise.all(meters.map((m) => listReadings(kv, m.id)));
  return { meters, readingsByMeter: Object.fromEntries(meters.map((m, i) => [m.id, lists[i]])) };
}

/**
 * Replaces a meter in one atomic op: the old meter's final reading and removal, the new
 * meter (same unit and kind, linked both ways) and its start reading, all on `on`.
 */
export async function swapMeter(
  kv: Deno.Kv,
  clock: Clock,
  input: SwapMeterInput,
): Promise<SwapMeterResult> {
  assertDate("on", input.on);
  assertDate("newMeter.legalUntil", input.newMeter.legalUntil);
  assertLitres("finalReadingLitres", input.finalReadingLitres);
  assertLitres("startReadingLitres", input.startReadingLitres);
  const source = input.source ?? "visit";
  if (!sources.includes(source)) throw new RangeError(`source: ${source}`);
  const at = clock();
  const newMeterId = newId(at);
  const finalReadingId = newId(at);
  const startReadingId = newId(at);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const loaded = await loadMeter(kv, input.oldMeterId);
    if (!loaded) return { ok: false, reason: "unknown_meter" };
    const old = loaded.meter.value;
    if (old.removedOn) return { ok: false, reason: "meter_removed", removedOn: old.removedOn };
    if (input.on < old.installedOn) {
      return { ok: false, reason: "before_installation", installedOn: old.installedOn };
    }
    const { previous, next } = await neighbours(kv, old.id, input.on);
    if (next) return { ok: false, reason: "readings_after_swap", next };
    if (previous && input.finalReadingLitres < previous.litres) {
      return { ok: false, reason: "lower_than_previous", previous };
    }
    const oldMeter: Meter = { ...old, removedOn: input.on, replacedBy: newMeterId };
    const newMeter: Meter = {
      id: newMeterId,
      unitId: old.unitId,
      kind: old.kind,
      serialNo: input.newMeter.serialNo,
      location: input.newMeter.location ?? old.location,
      installedOn: input.on,
      legalUntil: input.newMeter.legalUntil,
      replaces: old.id,
    };
    const finalReading: Reading = {
      id: finalReadingId,
      meterId: old.id,
      readOn: input.on,
      litres: input.finalReadingLitres,
      source,
      enteredBy: input.enteredBy,
    };
    const startReading: Reading = {
      id: startReadingId,
      meterId: newMeterId,
      readOn: input.on,
      litres: input.startReadingLitres,
      source,
      enteredBy: input.enteredBy,
    };
    const op = kv.atomic()
      .check(loaded.index, loaded.meter)
      .check({ key: keys.metersById(newMeterId), versionstamp: null })
      .set(keys.meters(old.unitId, old.id), oldMeter)
      .set(keys.metersById(old.id), old.unitId)
      .set(keys.meters(old.unitId, newMeterId), newMeter)
      .set(keys.metersById(newMeterId), old.unitId)
      .set(keys.readings(old.id, input.on, finalReadingId), finalReading)
      .set(keys.readings(newMeterId, input.on, startReadingId), startReading);
    await addWaterSummary(op, kv, old.unitId, {
      meters: [oldMeter, newMeter],
      readings: [finalReading, startReading],
    });
    if ((await op.commit()).ok) return { ok: true, oldMeter, newMeter, finalReading, startReading };
  }
  return { ok: false, reason: "conflict" };
}

export type ConsumptionPeriod = {
  meterId: string;
  /** The first meter of the chain of replacements this meter belongs to (the measuring point). */
  chainId: string;
  kind: MeterKind;
  location: string;
  from: string;
  to: string;
  startLitres: number;
  endLitres: number;
  litres: number;
  days: number;
  /** litres ÷ days rounded down (integer division); null when both readings are of one day. */
  litresPerDay: number | null;
  /** Either end is an estimated reading. */
  estimated: boolean;
};

function compareReadings(a: Reading, b: Reading): number {
  return a.readOn < b.readOn
    ? -1
    : a.readOn > b.readOn
    ? 1
    : a.id < b.id
    ? -1
    : a.id > b.id
    ? 1
    : 0;
}

/**
 * Consumption between consecutive readings of each meter (pure). A swap leaves no gap: the old
 * meter's last period ends at its final reading on the day of the swap and the new meter's first
 * period starts at its start reading on that same day, so nothing is lost and nothing goes
 * negative. Periods are grouped by measuring point (chain of replacements, in the order of
 * `meters`), oldest first within each.
 */
export function consumptionByPeriod(
  meters: readonly Meter[],
  readingsByMeter: Readonly<Record<string, readonly Reading[]>>,
): ConsumptionPeriod[] {
  const byId = new Map(meters.map((m) => [m.id, m]));
  const chainOf = (meter: Meter): string => {
    let current = meter;
    const seen = new Set<string>([meter.id]);
    while (current.replaces && byId.has(current.replaces) && !seen.has(current.replaces)) {
      current = byId.get(current.replaces)!;
      seen.add(current.id);
    }
    return current.id;
  };
  const chainOrder = new Map<string, number>();
  for (const m of meters) {
    const chain = chainOf(m);
    if (!chainOrder.has(chain)) chainOrder.set(chain, chainOrder.size);
  }

  const periods: ConsumptionPeriod[] = [];
  for (const meter of meters) {
    const readings = [...(readingsByMeter[meter.id] ?? [])].sort(compareReadings);
    const chainId = chainOf(meter);
    for (let i = 1; i < readings.length; i++) {
      const a = readings[i - 1];
      const b = readings[i];
      const days = daysBetween(a.readOn, b.readOn);
      const litres = b.litres - a.litres;
      periods.push({
        meterId: meter.id,
        chainId,
        kind: meter.kind,
        location: meter.location,
        from: a.readOn,
        to: b.readOn,
        startLitres: a.litres,
        endLitres: b.litres,
        litres,
        days,
        litresPerDay: days > 0 ? Math.floor(litres / days) : null,
        estimated: a.source === "estimated" || b.source === "estimated",
      });
    }
  }
  return periods.sort((x, y) =>
    chainOrder.get(x.chainId)! - chainOrder.get(y.chainId)! ||
    (x.from < y.from ? -1 : x.from > y.from ? 1 : 0) ||
    (x.to < y.to ? -1 : x.to > y.to ? 1 : 0)
  );
}
