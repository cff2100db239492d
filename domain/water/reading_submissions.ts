/**
 * Meter readings submitted by residents in eBOK, and the office's decision on them.
 *
 * - The cooperative takes readings in a window each month (by default from the 20th to the end
 *   of the month and the 1st–5th of the next: `["settings", "reading_window"]`). A window
 *   belongs to the month it starts in: the 20 November – 5 December window is the reading for
 *   November.
 * - A submission holds the current index of one or more of the unit's meters, dated the day it
 *   was sent (in Poland). Each value is checked against the meter's last reading: never lower;
 *   a jump far beyond the usual daily use is a warning the resident must confirm.
 * - The submission is stored as `pending` and its confirmation e-mail is queued in the same
 *   atomic op. Staff accept it (the readings go into `water.ts` with source "resident") or
 *   reject it with a reason (the resident sees the reason in eBOK; no e-mail is sent).
 * - One submission per unit and day: sending again the same day while the first one is still
 *   pending replaces it in place (same id, `revision` + 1, a new confirmation e-mail saying
 *   so); once the day's submission was decided, a new one is created.
 *
 * Keys: `["reading_submissions", id]` → submission; `["reading_submissions_by_status", status,
 * id]` → id (staff's pending list, oldest first); `["reading_submissions_by_unit", unitId, id]`
 * → id; `["reading_submissions_by_unit_day", unitId, date]` → the day's latest submission id.
 */
import { type Actor, addAudit, addAuditBy, type AuditBy } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import {
  addDays,
  addMonths,
  dayOf,
  daysBetween,
  formatIsoDate,
  isIsoDate,
  polishDate,
} from "../shared/calendar.ts";
import { addMessage } from "../messaging/messages.ts";
import { readingSubmittedEmail } from "../messaging/notifications.ts";
import {
  type AddReadingResult,
  consumptionByPeriod,
  getUnitWater,
  type Meter,
  meterKindLabels,
  type Reading,
} from "./water.ts";
import { formatM3 } from "./water_settlements.ts";
import { addWaterSummary } from "./water_summary.ts";

// --- The reading window -------------------------------------------------------------------

/**
 * Days of the month when residents may submit readings. `fromDay` > `toDay` means the window
 * runs into the next month (20 → 5: the 20th to the month's end, then the 1st to the 5th). A
 * day beyond a month's length means its last day.
 */
export type ReadingWindow = { fromDay: number; toDay: number };

export const defaultReadingWindow: ReadingWindow = { fromDay: 20, toDay: 5 };

/** One concrete window: its first and last day (inclusive) and the month it is the reading of. */
export type ReadingWindowDates = { from: string; to: string; period: string; open: boolean };

function assertWindow(w: ReadingWindow) {
  for (const d of [w.fromDay, w.toDay]) {
    if (!Number.isSafeInteger(d) || d < 1 || d > 31) {
      throw new RangeError(`reading window day: ${d}`);
    }
  }
}

export async function getReadingWindow(kv: Deno.Kv): Promise<ReadingWindow> {
  return (await kv.get<ReadingWindow>(keys.readingWindow())).value ?? defaultReadingWindow;
}

export async function saveReadingWindow(
  kv: Deno.Kv,
  window: ReadingWindow,
  by?: AuditBy,
): Promise<void> {
  assertWindow(window);
  const op = kv.atomic().set(keys.readingWindow(), {
    fromDay: window.fromDay,
    toDay: window.toDay,
  });
  addAuditBy(op, by, { action: "settings.reading_window_changed" });
  await op.commit();
}

/** The window that starts in month `period`. */
function windowOf(period: string, w: ReadingWindow): { from: string; to: string } {
  const wraps = w.fromDay > w.toDay;
  return {
    from: dayOf(period, w.fromDay),
    to: dayOf(wraps ? addMonths(period, 1) : period, w.toDay),
  };
}

/** Whether residents may submit readings on `date` ("YYYY-MM-DD"). */
export function isWithinReadingWindow(date: string, window: ReadingWindow): boolean {
  return nextReadingWindow(date, window).open;
}

/** The window open on `date`, or else the next one to open. */
export function nextReadingWindow(date: string, window: ReadingWindow): ReadingWindowDates {
  if (!isIsoDate(date)) throw new RangeError(`date: ${date}`);
  assertWindow(window);
  const month = date.slice(0, 7);
  for (const period of [addMonths(month, -1), month, addMonths(month, 1)]) {
    const { from, to } = windowOf(period, window);
    if (to >= date) return { from, to, period, open: from <= date };
  }
  // Unreachable: next month's window always ends after `date`.
  throw new Error("no reading window");
}

// --- Checking one value -------------------------------------------------------------------

/** A jump is implausible when the daily use implied is more than this many times the usual. */
export const PLAUSIBILITY_FACTOR = 3;
/** …and more than this many litres in all (smaller jumps are never worth a question). */
export const PLAUSIBILITY_FLOOR_LITRES = 1000;
/** Without a history, a meter using more than this a day is questioned. */
export const PLAUSIBILITY_NO_HISTORY_LITRES_PER_DAY = 600;
/** The largest index a flat's meter shows: 99 999,999 m³. */
const MAX_LITRES = 99_999_999;

export type SubmissionCheck =
  | { kind: "ok"; litresUsed: number; days: number; litresPerDay: number | null }
  | { kind: "warning"; message: string; litresUsed: number; days: number; litresPerDay: number }
  | { kind: "error"; message: string };

function daysPhrase(days: number): string {
  return days === 1 ? "1\u00a0dnia" : `${days}\u00a0dni`;
}

/** 885264 → "885 264" (non-breaking spaces group the thousands). */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
}

/**
 * How many times the usual use, said as a number: exact below 100, then to two significant
 * digits ("8 000 razy", not "ponad trzy razy"). Only used above the threshold (3 times).
 */
export function timesMore(litresPerDay: number, usual: number): string {
  const ratio = Math.round(litresPerDay / usual);
  if (ratio < 100) return grouped(ratio);
  const scale = 10 ** (String(ratio).length - 2);
  return grouped(Math.round(ratio / scale) * scale);
}

/**
 * Checks one submitted index against the meter's last reading. Errors: not a whole number of
 * litres, out of range, a removed meter, lower than the last reading. Warning: the daily use
 * since the last reading exceeds `PLAUSIBILITY_FACTOR` × the usual (or, without a history,
 * `PLAUSIBILITY_NO_HISTORY_LITRES_PER_DAY`) and the jump exceeds `PLAUSIBILITY_FLOOR_LITRES`.
 */
export function validateSubmission(input: {
  meter: Meter;
  lastReading: Reading | null;
  litres: number;
  today: string;
  /** The meter's usual use (see `usualLitresPerDay`); null without a history. */
  usualLitresPerDay: number | null;
}): SubmissionCheck {
  const { meter, lastReading, litres, today } = input;
  if (!Number.isSafeInteger(litres) || litres < 0) {
    return { kind: "error", message: "Podaj stan wodomierza jako liczbę nieujemną, np. 123,456." };
  }
  if (litres > MAX_LITRES) {
    return { kind: "error", message: "Stan wodomierza jest za duży. Sprawdź, czy nie ma pomyłki." };
  }
  if (meter.removedOn && meter.removedOn <= today) {
    return {
      kind: "error",
      message: `Ten wodomierz wymieniono ${
        formatIsoDate(meter.removedOn)
      }. Podaj stan nowego wodomierza.`,
    };
  }
  if (!lastReading) return { kind: "ok", litresUsed: 0, days: 0, litresPerDay: null };
  if (lastReading.readOn > today) {
    return {
      kind: "error",
      message: `Wodomierz ma już odczyt z dnia ${
        formatIsoDate(lastReading.readOn)
      }. Skontaktuj się z biurem spółdzielni.`,
    };
  }
  if (litres < lastReading.litres) {
    return {
      kind: "error",
      message: `Odczyt nie może być niższy niż poprzedni (${formatM3(lastReading.litres)} z dnia ${
        formatIsoDate(lastReading.readOn)
      }).`,
    };
  }
  const litresUsed = litres - lastReading.litres;
  const days = Math.max(1, daysBetween(lastReading.readOn, today));
  const litresPerDay = Math.floor(litresUsed / days);
  const usual = input.usualLitresPerDay;
  const threshold = usual !== null && usual > 0
    ? PLAUSIBILITY_FACTOR * usual
    : PLAUSIBILITY_NO_HISTORY_LITRES_PER_DAY;
  if (litresPerDay > threshold && litresUsed > PLAUSIBILITY_FLOOR_LITRES) {
    const compared = usual !== null && usual > 0
      ? `około ${timesMore(litresPerDay, usual)} razy więcej niż zwykle (około ${
        grouped(usual)
      }\u00a0l na dobę)`
      : "bardzo dużo jak na jeden wodomierz";
    return {
      kind: "warning",
      message: `Od ostatniego odczytu (${formatIsoDate(lastReading.readOn)}) zużycie wyniosłoby ${
        formatM3(litresUsed)
      } w ciągu ${daysPhrase(days)}, czyli około ${
        grouped(litresPerDay)
      }\u00a0l na dobę — ${compared}. Sprawdź stan wodomierza; jeśli jest poprawny, potwierdź go.`,
      litresUsed,
      days,
      litresPerDay,
    };
  }
  return { kind: "ok", litresUsed, days, litresPerDay };
}

/**
 * The usual daily use of the measuring point `meterId` belongs to (across swaps): litres over
 * days of its readings in the year before `today`, estimated periods left out, rounded down;
 * null without such readings.
 */
export function usualLitresPerDay(
  meters: readonly Meter[],
  readingsByMeter: Readonly<Record<string, readonly Reading[]>>,
  meterId: string,
  today: string,
): number | null {
  const byId = new Map(meters.map((m) => [m.id, m]));
  let chainId = meterId;
  for (let m = byId.get(meterId); m?.replaces && byId.has(m.replaces);) {
    chainId = m.replaces;
    m = byId.get(m.replaces);
    if (chainId === meterId) break;
  }
  const periods = consumptionByPeriod(meters, readingsByMeter);
  const yearAgo = addDays(today, -365);
  let litres = 0;
  let days = 0;
  for (const p of periods) {
    if (p.chainId !== chainId || p.estimated || p.from < yearAgo || p.to > today) continue;
    litres += p.litres;
    days += p.days;
  }
  return days > 0 ? Math.floor(litres / days) : null;
}

/** The meter's latest reading on or before `date`. */
function lastReadingOn(readings: readonly Reading[], date: string): Reading | null {
  let last: Reading | null = null;
  for (const r of readings) {
    if (r.readOn > date) continue;
    if (!last || r.readOn > last.readOn || (r.readOn === last.readOn && r.id > last.id)) last = r;
  }
  return last;
}

/** "zimna woda, łazienka (nr ZW-2112345)". */
export function meterLabel(meter: Meter): string {
  return `${meterKindLabels[meter.kind]}, ${meter.location} (nr ${meter.serialNo})`;
}

// --- Submissions --------------------------------------------------------------------------

export type SubmissionStatus = "pending" | "accepted" | "rejected";

export type SubmissionEntry = {
  meterId: string;
  litres: number;
  /** The meter's last reading when submitted; null for a meter without readings. */
  previousLitres: number | null;
  previousOn: string | null;
  /** The plausibility warning the resident confirmed, if any. */
  warning?: string;
  /** Set once the reading is stored (on acceptance). */
  readingId?: string;
};

export type ReadingSubmission = {
  id: string;
  accountId: string;
  unitId: string;
  /** When it was sent (ISO instant). */
  submittedAt: string;
  /** The readings' date: the day it was sent, in Poland. */
  readOn: string;
  entries: SubmissionEntry[];
  status: SubmissionStatus;
  /** 1, or more when it replaced a pending submission of the same day. */
  revision: number;
  decidedBy?: string;
  decidedAt?: string;
  /** Why it was rejected. */
  reason?: string;
};

type MessageCtx = { coop: CooperativeProfile; baseUrl: string };

export type EntryCheck = { meterId: string; litres: number; check: SubmissionCheck };

export type SubmitReadingsResult =
  | { ok: true; submission: ReadingSubmission; replaced: boolean; checks: EntryCheck[] }
  | { ok: false; reason: "outside_window"; window: ReadingWindowDates }
  /** At least one entry has an error (or there are no entries): see each `check`. */
  | { ok: false; reason: "invalid"; checks: EntryCheck[] }
  /** No errors, but warnings the resident has to confirm (`confirmed: true`). */
  | { ok: false; reason: "needs_confirmation"; checks: EntryCheck[] }
  | { ok: false; reason: "conflict" };

const MAX_ATTEMPTS = 10;

/** What `submitReadings` is given: the resident, the unit, the values typed. */
type SubmitInput = {
  accountId: string;
  unitId: string;
  entries: { meterId: string; litres: number }[];
  /** The resident confirmed the plausibility warnings shown to them. */
  confirmed: boolean;
  email: string;
  firstName: string;
  /** The account's identifier, for the audit log. */
  identifier?: string;
  /** The unit's address for the e-mail, e.g. "ul. Kazimierza Wielkiego 12/7". */
  unitLabel?: string;
  ctx: MessageCtx;
};

/**
 * Checks and stores a resident's readings, queueing the confirmation e-mail and an audit entry
 * in the same atomic op. The caller has checked that the account holds the unit. Any subset
 * of the unit's current meters may be given (each at most once).
 */
export async function submitReadings(
  kv: Deno.Kv,
  clock: Clock,
  input: SubmitInput,
): Promise<SubmitReadingsResult> {
  const now = clock();
  const today = polishDate(now);
  const window = nextReadingWindow(today, await getReadingWindow(kv));
  if (!window.open) return { ok: false, reason: "outside_window", window };

  const { meters, readingsByMeter } = await getUnitWater(kv, input.unitId);
  const byId = new Map(meters.map((m) => [m.id, m]));
  const checks = checkEntries(input.entries, meters, readingsByMeter, today);
  if (checks.length === 0 || checks.some((c) => c.check.kind === "error")) {
    return { ok: false, reason: "invalid", checks };
  }
  if (!input.confirmed && checks.some((c) => c.check.kind === "warning")) {
    return { ok: false, reason: "needs_confirmation", checks };
  }

  const entries: SubmissionEntry[] = checks.map((c) => {
    const last = lastReadingOn(readingsByMeter[c.meterId] ?? [], "9999-12-31");
    const entry: SubmissionEntry = {
      meterId: c.meterId,
      litres: c.litres,
      previousLitres: last?.litres ?? null,
      previousOn: last?.readOn ?? null,
    };
    if (c.check.kind === "warning") entry.warning = c.check.message;
    return entry;
  });
  return await storeSubmission(kv, clock, input, { today, entries, checks, byId });
}

/** Each entry checked against the meter's readings: unknown meter, repeated, implausible. */
function checkEntries(
  given: readonly { meterId: string; litres: number }[],
  meters: Meter[],
  readingsByMeter: Record<string, Reading[]>,
  today: string,
): EntryCheck[] {
  const byId = new Map(meters.map((m) => [m.id, m]));
  const seen = new Set<string>();
  return given.map(({ meterId, litres }) => {
    const meter = byId.get(meterId);
    let check: SubmissionCheck;
    if (!meter) {
      check = { kind: "error", message: "Ten wodomierz nie należy do lokalu." };
    } else if (seen.has(meterId)) {
      check = { kind: "error", message: "Stan tego wodomierza podano dwa razy." };
    } else {
      const readings = readingsByMeter[meterId] ?? [];
      check = validateSubmission({
        meter,
        lastReading: lastReadingOn(readings, "9999-12-31"),
        litres,
        today,
        usualLitresPerDay: usualLitresPerDay(meters, readingsByMeter, meterId, today),
      });
    }
    seen.add(meterId);
    return { meterId, litres, check };
  });
}

/**
 * Stores the checked submission (a new one, or today's pending one replaced), its e-mail and
 * its audit entry in one atomic op; the same values again are a no-op.
 */
async function storeSubmission(
  kv: Deno.Kv,
  clock: Clock,
  input: SubmitInput,
  checked: {
    today: string;
    entries: SubmissionEntry[];
    checks: EntryCheck[];
    byId: Map<string, Meter>;
  },
): Promise<SubmitReadingsResult> {
  const { today, entries, checks, byId } = checked;
  const now = clock();
  const dayKey = keys.readingSubmissionsByUnitDay(input.unitId, today);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const day = await kv.get<string>(dayKey);
    const earlier = day.value
      ? await kv.get<ReadingSubmission>(keys.readingSubmissions(day.value))
      : null;
    const replacing = earlier?.value?.status === "pending" ? earlier.value : null;
    // The same values again (a double-click, a resent form): already stored and confirmed.
    if (replacing && sameEntries(replacing.entries, entries)) {
      return { ok: true, submission: replacing, replaced: false, checks };
    }
    const submission: ReadingSubmission = replacing
      ? {
        ...replacing,
        submittedAt: now.toISOString(),
        entries,
        revision: replacing.revision + 1,
      }
      : {
        id: newId(now),
        accountId: input.accountId,
        unitId: input.unitId,
        submittedAt: now.toISOString(),
        readOn: today,
        entries,
        status: "pending",
        revision: 1,
      };
    const op = kv.atomic().check(day).set(keys.readingSubmissions(submission.id), submission)
      .set(keys.waterStamp(submission.unitId), submission.id);
    if (replacing && earlier) {
      op.check(earlier);
    } else {
      op.check({ key: keys.readingSubmissions(submission.id), versionstamp: null })
        .set(keys.readingSubmissionsByStatus("pending", submission.id), submission.id)
        .set(keys.readingSubmissionsByUnit(submission.unitId, submission.id), submission.id)
        .set(dayKey, submission.id);
    }
    addMessage(
      op,
      clock,
      readingSubmittedEmail(input.ctx, {
        email: input.email,
        firstName: input.firstName,
        accountId: input.accountId,
        readOn: today,
        unitLabel: input.unitLabel,
        lines: entries.map((e) => `${meterLabel(byId.get(e.meterId)!)}: ${formatM3(e.litres)}`),
        replaced: replacing !== null,
      }),
    );
    addAudit(op, clock, {
      actor: { kind: "resident", id: input.accountId, label: input.identifier ?? input.accountId },
      action: replacing ? "reading.resubmitted" : "reading.submitted",
      target: { kind: "account", id: input.accountId },
      details: { submissionId: submission.id, unitId: submission.unitId, meters: entries.length },
    });
    if ((await op.commit()).ok) {
      return { ok: true, submission, replaced: replacing !== null, checks };
    }
  }
  return { ok: false, reason: "conflict" };
}

export async function getSubmission(kv: Deno.Kv, id: string): Promise<ReadingSubmission | null> {
  return (await kv.get<ReadingSubmission>(keys.readingSubmissions(id))).value;
}

async function loadAll(kv: Deno.Kv, ids: string[]): Promise<ReadingSubmission[]> {
  const out: ReadingSubmission[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<ReadingSubmission[]>(
      ids.slice(i, i + 10).map((id) => keys.readingSubmissions(id)),
    );
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

/** Submissions waiting for the office, oldest first. */
export async function listPendingSubmissions(
  kv: Deno.Kv,
  options: { limit?: number } = {},
): Promise<ReadingSubmission[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.readingSubmissionsByStatusAll("pending") }, {
      limit: options.limit ?? 200,
    })
  ) ids.push(e.value);
  return await loadAll(kv, ids);
}

/** A unit's submissions, newest first. */
export async function listUnitSubmissions(
  kv: Deno.Kv,
  unitId: string,
  options: { limit?: number } = {},
): Promise<ReadingSubmission[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.readingSubmissionsByUnitAll(unitId) }, {
      reverse: true,
      limit: options.limit ?? 50,
    })
  ) ids.push(e.value);
  return await loadAll(kv, ids);
}

type RefusedReading = Exclude<AddReadingResult, { ok: true }>;

export type AcceptSubmissionResult =
  | { ok: true; submission: ReadingSubmission; readings: Reading[] }
  | { ok: false; reason: "not_found" | "not_pending" | "conflict" }
  /** A value no longer fits the meter's readings (e.g. a later reading came in meanwhile). */
  | { ok: false; reason: "reading_refused"; meterId: string; refusal: RefusedReading };

/** Where a new reading of `litres` on `readOn` would not fit, as addReading would say. */
function wouldRefuse(
  meter: Meter | undefined,
  readings: readonly Reading[],
  readOn: string,
  litres: number,
): RefusedReading | null {
  if (!meter) return { ok: false, reason: "unknown_meter" };
  if (readOn < meter.installedOn) {
    return { ok: false, reason: "before_installation", installedOn: meter.installedOn };
  }
  if (meter.removedOn && readOn > meter.removedOn) {
    return { ok: false, reason: "meter_removed", removedOn: meter.removedOn };
  }
  const previous = lastReadingOn(readings, readOn);
  if (previous && litres < previous.litres) {
    return { ok: false, reason: "lower_than_previous", previous };
  }
  const next = readings.filter((r) => r.readOn > readOn)
    .sort((a, b) => (a.readOn < b.readOn ? -1 : a.readOn > b.readOn ? 1 : 0))[0];
  if (next && litres > next.litres) return { ok: false, reason: "higher_than_next", next };
  return null;
}

/**
 * Staff accept a submission: each value becomes a reading (source "resident", dated the day it
 * was sent, `enteredBy` the staff member's label), then the submission is marked accepted with
 * an audit entry. All values are checked first, so a value that no longer fits refuses the
 * whole submission with nothing written. A value already stored (same meter, day, index,
 * source) is not stored twice, so accepting again after an interruption completes the job.
 */
export async function acceptSubmission(
  kv: Deno.Kv,
  clock: Clock,
  input: { id: string; staff: Actor },
): Promise<AcceptSubmissionResult> {
  // The readings, the decision and the audit entry commit in ONE atomic op that checks the
  // submission and each meter's index (every reading write bumps it): of two staff accepting
  // at once exactly one commits, the other finds the submission decided.
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get<ReadingSubmission>(keys.readingSubmissions(input.id));
    if (!entry.value) return { ok: false, reason: "not_found" };
    if (entry.value.status !== "pending") return { ok: false, reason: "not_pending" };
    const first = entry.value;
    const meterIds = [...new Set(first.entries.map((e) => e.meterId))];
    const indexes = await kv.getMany<string[]>(meterIds.map((id) => keys.metersById(id)));
    const { meters, readingsByMeter } = await getUnitWater(kv, first.unitId);
    const byId = new Map(meters.map((m) => [m.id, m]));

    const op = kv.atomic().check(entry, ...indexes);
    const stored = new Map<string, Reading>();
    const fresh: Reading[] = [];
    const at = clock();
    for (const e of first.entries) {
      const readings = readingsByMeter[e.meterId] ?? [];
      const already = readings.find((r) =>
        r.readOn === first.readOn && r.litres === e.litres && r.source === "resident"
      );
      if (already) {
        stored.set(e.meterId, already);
        continue;
      }
      const refusal = wouldRefuse(byId.get(e.meterId), readings, first.readOn, e.litres);
      if (refusal) return { ok: false, reason: "reading_refused", meterId: e.meterId, refusal };
      const meter = byId.get(e.meterId)!;
      const reading: Reading = {
        id: newId(at),
        meterId: e.meterId,
        readOn: first.readOn,
        litres: e.litres,
        source: "resident",
        enteredBy: input.staff.label,
      };
      op.set(keys.metersById(meter.id), meter.unitId)
        .set(keys.readings(meter.id, reading.readOn, reading.id), reading);
      stored.set(e.meterId, reading);
      fresh.push(reading);
    }
    const submission: ReadingSubmission = {
      ...first,
      status: "accepted",
      decidedBy: input.staff.label,
      decidedAt: at.toISOString(),
      entries: first.entries.map((e) => ({
        ...e,
        readingId: stored.get(e.meterId)?.id ?? e.readingId,
      })),
    };
    decide(op, submission);
    await addWaterSummary(op, kv, first.unitId, { readings: fresh });
    addAudit(op, clock, {
      actor: input.staff,
      action: "reading.accepted",
      target: { kind: "account", id: submission.accountId },
      details: { submissionId: submission.id, unitId: submission.unitId },
    });
    if ((await op.commit()).ok) {
      return {
        ok: true,
        submission,
        readings: submission.entries.map((e) => stored.get(e.meterId)).filter((r) =>
          r !== undefined
        ),
      };
    }
  }
  return { ok: false, reason: "conflict" };
}

export type RejectSubmissionResult =
  | { ok: true; submission: ReadingSubmission }
  | { ok: false; reason: "not_found" | "not_pending" | "conflict" | "no_reason" };

/**
 * Staff reject a submission with a reason the resident sees in eBOK (no e-mail: the resident
 * already has the confirmation, and the decision shows where they submitted). Audited.
 */
export async function rejectSubmission(
  kv: Deno.Kv,
  clock: Clock,
  input: { id: string; reason: string; staff: Actor },
): Promise<RejectSubmissionResult> {
  const reason = input.reason.trim().slice(0, 500);
  if (reason === "") return { ok: false, reason: "no_reason" };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get<ReadingSubmission>(keys.readingSubmissions(input.id));
    if (!entry.value) return { ok: false, reason: "not_found" };
    if (entry.value.status !== "pending") return { ok: false, reason: "not_pending" };
    const submission: ReadingSubmission = {
      ...entry.value,
      status: "rejected",
      decidedBy: input.staff.label,
      decidedAt: clock().toISOString(),
      reason,
    };
    const op = decide(kv.atomic().check(entry), submission);
    addAudit(op, clock, {
      actor: input.staff,
      action: "reading.rejected",
      target: { kind: "account", id: submission.accountId },
      details: { submissionId: submission.id, unitId: submission.unitId },
    });
    if ((await op.commit()).ok) return { ok: true, submission };
  }
  return { ok: false, reason: "conflict" };
}

function sameEntries(a: readonly SubmissionEntry[], b: readonly SubmissionEntry[]): boolean {
  const key = (e: SubmissionEntry) => `${e.meterId}=${e.litres}`;
  const x = a.map(key).sort();
  const y = b.map(key).sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Writes a decided submission and moves it from the pending index to its status index. */
function decide(op: Deno.AtomicOperation, s: ReadingSubmission): Deno.AtomicOperation {
  return op.set(keys.readingSubmissions(s.id), s)
    .set(keys.waterStamp(s.unitId), s.id)
    .delete(keys.readingSubmissionsByStatus("pending", s.id))
    .set(keys.readingSubmissionsByStatus(s.status, s.id), s.id);
}
