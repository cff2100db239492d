/**
 * Fee-change notices generated from the data (art. 4 ust. 7 and 7¹ of the act on housing
 * cooperatives). Staff import the new fee rates with the usual import ("Stawki opłat", the month
 * from which they apply), then prepare a run here: the effective month, which components are
 * external costs, the justification and the payment day. For every unit whose charge changes in
 * that month the notice lists each component's old and new charge (rate × base), the totals, the
 * effective date and the justification; it is shown as HTML and sent as a PDF letter to the unit.
 *
 *   ["fee_notice_runs", runId]              FeeNoticeRun
 *   ["fee_notice_letters", runId, unitId]   document id of the unit's letter (one per unit)
 *
 * Sending checks the statutory notice periods (notice_period.ts) and refuses the whole run when
 * any unit still to be notified is late. Each unit's letter is published in its own atomic
 * operation together with its `fee_notice_letters` key, so sending again (after a failure or a
 * double click) skips the units that already have their letter.
 */
import { type Actor, addAudit } from "../backoffice/audit.ts";
import {
  type Building,
  getBuilding,
  getUnit,
  getUnits,
  type Unit,
  unitAddress,
} from "../backoffice/register.ts";
import { type FeeRate, listFeeRates } from "../balance/fee_rates.ts";
import { type ChargeComponent, componentLabel, getChargeComponents } from "../balance/ledger.ts";
import type { FileStore } from "../files/file_store.ts";
import { addMonths, isPeriod, polishDate } from "../shared/calendar.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { foldText } from "../shared/text.ts";
import { type MessageCtx, publishDocument } from "./documents.ts";
import { externalCostDeadline, noticeDeadline, threeMonthDeadline } from "./notice_period.ts";
import { renderFeeNoticePdf } from "./notice_pdf.ts";

export const JUSTIFICATION_MIN = 20;
export const JUSTIFICATION_MAX = 3000;

export type FeeNoticeRun = {
  id: string;
  /** The first month of the new fees, "YYYY-MM": they apply from its first day. */
  period: string;
  /** Component codes marked as external costs (energy, heat, gas, water, sewage, waste). */
  externalComponents: string[];
  /** Why the fees change, written by staff; printed on every notice. */
  justification: string;
  /** The day of the month fees are due (10 by default). */
  paymentDay: number;
  createdAt: string;
  createdBy: string;
  /** Set when every unit has its letter. */
  sentAt?: string;
  sentBy?: string;
  letters?: number;
};

export type FeeRunDraft = {
  period: string;
  externalComponents: string[];
  justification: string;
  paymentDay: number;
};

/** One component on a notice: the charge until now and from the effective month. */
export type NoticeLine = {
  component: string;
  label: string;
  external: boolean;
  /** null: the component is new for the unit. */
  old: FeeRate | null;
  new: FeeRate;
  changed: boolean;
};

export type FeeNotice = {
  unitId: string;
  unitCode: string;
  address: string;
  occupants: string[];
  period: string;
  /** "1 stycznia 2027 r." */
  effectiveDate: string;
  paymentDay: number;
  justification: string;
  lines: NoticeLine[];
  oldTotal: number;
  newTotal: number;
};

/** Words that mark a component as an external cost, to preselect it on the form. */
const EXTERNAL_WORDS = [
  "energi",
  "prad",
  "ciep",
  "gaz",
  "wod",
  "scie",
  "kanaliz",
  "odpad",
  "smieci",
];

/** Whether a component's code or label suggests a cost outside the cooperative's control. */
export function looksExternal(c: ChargeComponent): boolean {
  const text = foldText(`${c.code} ${c.label}`);
  return EXTERNAL_WORDS.some((w) => text.includes(w));
}

const MONTHS_GENITIVE = [
  "stycznia",
  "lutego",
  "marca",
  "kwietnia",
  "maja",
  "czerwca",
  "lipca",
  "sierpnia",
  "września",
  "października",
  "listopada",
  "grudnia",
];

/** "2026-09-30" → "30 września 2026 r." */
export function longDate(date: string): string {
  return `${Number(date.slice(8, 10))} ${MONTHS_GENITIVE[Number(date.slice(5, 7)) - 1]} ${
    date.slice(0, 4)
  } r.`;
}

export type PrepareResult =
  | { ok: true; run: FeeNoticeRun; units: number }
  | { ok: false; reason: "no_changes" | "unknown_component" };

/**
 * Stores a run after checking that some unit's charge changes in the month; the audit entry is
 * in the same operation. The run can be previewed and sent afterwards.
 */
export async function prepareFeeNoticeRun(
  kv: Deno.Kv,
  clock: Clock,
  draft: FeeRunDraft,
  staff: Actor,
): Promise<PrepareResult> {
  if (!isPeriod(draft.period)) throw new RangeError(`period: ${draft.period}`);
  const justification = draft.justification.trim();
  if (justification.length < JUSTIFICATION_MIN || justification.length > JUSTIFICATION_MAX) {
    throw new RangeError("justification length");
  }
  if (!Number.isInteger(draft.paymentDay) || draft.paymentDay < 1 || draft.paymentDay > 28) {
    throw new RangeError(`payment day: ${draft.paymentDay}`);
  }
  const components = await getChargeComponents(kv);
  const known = new Set(components.map((c) => c.code));
  const external = [...new Set(draft.externalComponents)];
  if (external.some((c) => !known.has(c))) return { ok: false, reason: "unknown_component" };
  const now = clock();
  const run: FeeNoticeRun = {
    id: newId(now),
    period: draft.period,
    externalComponents: external,
    justification,
    paymentDay: draft.paymentDay,
    createdAt: now.toISOString(),
    createdBy: staff.label,
  };
  const notices = await buildFeeNotices(kv, run);
  if (notices.length === 0) return { ok: false, reason: "no_changes" };
  const op = kv.atomic()
    .check({ key: keys.feeNoticeRuns(run.id), versionstamp: null })
    .set(keys.feeNoticeRuns(run.id), run);
  addAudit(op, clock, {
    actor: staff,
    action: "document.fee_notices_prepared",
    details: {
      runId: run.id,
      period: run.period,
      units: notices.length,
      external: external.join(", "),
    },
  });
  if (!(await op.commit()).ok) throw new Error(`fee notice run ${run.id} not stored`);
  return { ok: true, run, units: notices.length };
}

export async function getFeeNoticeRun(kv: Deno.Kv, id: string): Promise<FeeNoticeRun | null> {
  if (!/^[0-9A-Z]{26}$/.test(id)) return null;
  return (await kv.get<FeeNoticeRun>(keys.feeNoticeRuns(id))).value;
}

/** Every run, newest first. */
export async function listFeeNoticeRuns(kv: Deno.Kv): Promise<FeeNoticeRun[]> {
  const out: FeeNoticeRun[] = [];
  for await (
    const e of kv.list<FeeNoticeRun>({ prefix: keys.feeNoticeRunsAll() }, { reverse: true })
  ) {
    out.push(e.value);
  }
  return out;
}

/** The rate of each component in force in `period`: the latest from that month or before. */
function ratesIn(rates: readonly FeeRate[], period: string): Map<string, FeeRate> {
  const out = new Map<string, FeeRate>();
  for (const r of rates) if (r.period <= period) out.set(r.component, r); // oldest first
  return out;
}

function sameCharge(a: FeeRate | null, b: FeeRate): boolean {
  return a !== null && a.rate === b.rate && a.quantityMilli === b.quantityMilli &&
    a.unitLabel === b.unitLabel && a.amount === b.amount;
}

/** "ul. Kazimierza Wielkiego 12/7, 67-200 Głogów": the address for the envelope. */
function postalAddress(building: Building, unit: Unit): string {
  return [unitAddress(building, unit), `${building.postalCode} ${building.city}`.trim()]
    .filter(Boolean).join(", ");
}

/** The notice of one unit from its rates, or null when nothing changes in the run's month. */
export function noticeFor(
  unit: Unit,
  address: string,
  rates: readonly FeeRate[],
  run: Pick<FeeNoticeRun, "period" | "externalComponents" | "justification" | "paymentDay">,
  components: readonly ChargeComponent[],
): FeeNotice | null {
  if (!rates.some((r) => r.period === run.period)) return null;
  const before = ratesIn(rates, addMonths(run.period, -1));
  const after = ratesIn(rates, run.period);
  const order = new Map(components.map((c, i) => [c.code, i]));
  const lines: NoticeLine[] = [...after.values()]
    .sort((a, b) =>
      (order.get(a.component) ?? 999) - (order.get(b.component) ?? 999) ||
      a.component.localeCompare(b.component)
    )
    .map((r) => {
      const old = before.get(r.component) ?? null;
      return {
        component: r.component,
        label: componentLabel(components, r.component),
        external: run.externalComponents.includes(r.component),
        old,
        new: r,
        changed: !sameCharge(old, r),
      };
    });
  if (!lines.some((l) => l.changed)) return null;
  return {
    unitId: unit.id,
    unitCode: unit.externalId ?? unit.number,
    address,
    occupants: unit.occupants,
    period: run.period,
    effectiveDate: longDate(`${run.period}-01`),
    paymentDay: run.paymentDay,
    justification: run.justification,
    lines,
    oldTotal: [...before.values()].reduce((s, r) => s + r.amount, 0),
    newTotal: lines.reduce((s, l) => s + l.new.amount, 0),
  };
}

/**
 * Every unit's notice for the run, by unit code. One pass over all stored rates: a run concerns
 * the whole cooperative, and the rates of a few thousand units fit in memory.
 */
export async function buildFeeNotices(
  kv: Deno.Kv,
  run: Pick<FeeNoticeRun, "period" | "externalComponents" | "justification" | "paymentDay">,
): Promise<FeeNotice[]> {
  const byUnit = new Map<string, FeeRate[]>();
  for await (const e of kv.list<FeeRate>({ prefix: ["fee_rates"] })) {
    const list = byUnit.get(e.value.unitId) ?? [];
    list.push(e.value);
    byUnit.set(e.value.unitId, list);
  }
  const affected = [...byUnit.entries()]
    .filter(([, rates]) => rates.some((r) => r.period === run.period))
    .map(([unitId]) => unitId);
  const units = await getUnits(kv, affected);
  const components = await getChargeComponents(kv);
  const buildings = new Map<string, Building | null>();
  const out: FeeNotice[] = [];
  for (const unit of units) {
    if (!buildings.has(unit.buildingId)) {
      buildings.set(unit.buildingId, await getBuilding(kv, unit.buildingId));
    }
    const building = buildings.get(unit.buildingId);
    const address = building ? postalAddress(building, unit) : "";
    const notice = noticeFor(unit, address, byUnit.get(unit.id) ?? [], run, components);
    if (notice) out.push(notice);
  }
  return out.sort((a, b) => a.unitCode.localeCompare(b.unitCode, "pl", { numeric: true }));
}

/** A unit whose notice would come too late, with the late components and the last day. */
export type LateNotice = {
  unitCode: string;
  components: { label: string; external: boolean; deadline: string }[];
};

/** The changed components whose notice period `today` no longer keeps, per unit. */
export function lateNotices(
  notices: readonly FeeNotice[],
  today: string,
): LateNotice[] {
  const out: LateNotice[] = [];
  for (const n of notices) {
    const late = n.lines
      .filter((l) => l.changed)
      .map((l) => ({
        label: l.label,
        external: l.external,
        deadline: noticeDeadline(n.period, l.external, n.paymentDay),
      }))
      .filter((l) => today > l.deadline);
    if (late.length > 0) out.push({ unitCode: n.unitCode, components: late });
  }
  return out;
}

/** The two last days of a run: for the cooperative's own costs and for external ones. */
export function runDeadlines(run: Pick<FeeNoticeRun, "period" | "paymentDay">) {
  return {
    threeMonths: threeMonthDeadline(run.period),
    external: externalCostDeadline(run.period, run.paymentDay),
  };
}

/** The Polish refusal staff read, naming the units and their late components. */
export function lateNoticeMessage(run: FeeNoticeRun, late: readonly LateNotice[]): string {
  const d = runDeadlines(run);
  const shown = late.slice(0, 50).map((u) =>
    `${u.unitCode} (${u.components.map((c) => c.label).join(", ")})`
  );
  const more = late.length > shown.length ? ` i ${late.length - shown.length} innych` : "";
  return `Nie można wysłać zawiadomień o zmianie opłat od ${longDate(`${run.period}-01`)}: ` +
    `minął ustawowy termin zawiadomienia. Zmianę opłat zależnych od spółdzielni trzeba ogłosić ` +
    `najpóźniej ${longDate(d.threeMonths)} (3 miesiące naprzód, na koniec miesiąca — art. 4 ` +
    `ust. 7), a opłat niezależnych od spółdzielni najpóźniej ${longDate(d.external)} (14 dni ` +
    `przed terminem płatności — art. 4 ust. 7¹). Spóźnione lokale (składniki): ${
      shown.join("; ")
    }${more}. Wybierz późniejszy miesiąc zmiany.`;
}

/** The letter's title, as residents see it in "Dokumenty". */
export function noticeTitle(run: Pick<FeeNoticeRun, "period">): string {
  return `Zawiadomienie o zmianie opłat od ${longDate(`${run.period}-01`)}`;
}

export type SendResult =
  | { ok: true; sent: number; alreadySent: number; remaining: number }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "no_changes" }
  | { ok: false; reason: "too_late"; late: LateNotice[]; message: string };

/**
 * Sends the run: checks the notice periods for the units still without their letter (refusing
 * the whole run if any is late), then publishes each unit's PDF as a letter with the run's id as
 * `batchId`, one atomic operation per unit (with its `fee_notice_letters` key and the e-mails
 * "W eBOK jest nowy dokument"), and finally marks the run as sent with its audit entry.
 */
export async function sendFeeNoticeRun(
  kv: Deno.Kv,
  clock: Clock,
  store: FileStore,
  runId: string,
  options: {
    staff: Actor;
    ctx: MessageCtx;
    /**
     * At most this many letters in one call (a PDF takes about 0.3 s): the rest stays for the
     * next call, which skips the units already done. Unlimited when absent.
     */
    limit?: number;
  },
): Promise<SendResult> {
  const entry = await kv.get<FeeNoticeRun>(keys.feeNoticeRuns(runId));
  const run = entry.value;
  if (!run) return { ok: false, reason: "not_found" };
  const notices = await buildFeeNotices(kv, run);
  if (notices.length === 0) return { ok: false, reason: "no_changes" };
  const done = new Set<string>();
  for await (const e of kv.list({ prefix: keys.feeNoticeLettersAll(run.id) })) {
    done.add(String(e.key[e.key.length - 1]));
  }
  const pending = notices.filter((n) => !done.has(n.unitId));
  const late = lateNotices(pending, polishDate(clock()));
  if (late.length > 0) {
    return { ok: false, reason: "too_late", late, message: lateNoticeMessage(run, late) };
  }
  let sent = 0;
  const batch = options.limit === undefined ? pending : pending.slice(0, options.limit);
  for (const notice of batch) {
    const pdf = await renderFeeNoticePdf(notice, options.ctx.coop, polishDate(clock()));
    const result = await publishDocument(kv, clock, store, {
      title: noticeTitle(run),
      category: "zawiadomienia",
      unitCode: notice.unitCode,
      file: { name: noticeFileName(run, notice), body: pdf },
    }, {
      staff: options.staff,
      ctx: options.ctx,
      batchId: run.id,
      onceKey: keys.feeNoticeLetters(run.id, notice.unitId),
    });
    if (result.ok) sent++;
    else if ((await kv.get(keys.feeNoticeLetters(run.id, notice.unitId))).value === null) {
      // Not a concurrent send that got there first: a real failure, reported to the caller.
      throw new Error(`fee notice for ${notice.unitCode}: ${result.reason}`);
    }
  }
  const alreadySent = notices.length - pending.length;
  const remaining = pending.length - batch.length;
  const latest = await kv.get<FeeNoticeRun>(keys.feeNoticeRuns(run.id));
  if (remaining === 0 && latest.value && !latest.value.sentAt) {
    const op = kv.atomic().check(latest).set(
      keys.feeNoticeRuns(run.id),
      {
        ...latest.value,
        sentAt: clock().toISOString(),
        sentBy: options.staff.label,
        letters: notices.length,
      } satisfies FeeNoticeRun,
    );
    addAudit(op, clock, {
      actor: options.staff,
      action: "document.fee_notices_sent",
      details: { runId: run.id, period: run.period, letters: notices.length, sent },
    });
    await op.commit(); // a concurrent send that marked it first is as good
  }
  return { ok: true, sent, alreadySent, remaining };
}

/** "zawiadomienie-2027-01-KW12-7.pdf" */
export function noticeFileName(run: Pick<FeeNoticeRun, "period">, notice: FeeNotice): string {
  return `zawiadomienie-${run.period}-${notice.unitCode.replace(/[^0-9A-Za-z]+/g, "-")}.pdf`;
}

export type RunOverview = {
  run: FeeNoticeRun;
  notices: FeeNotice[];
  /** unitId → the id of the letter already sent to the unit. */
  letters: Map<string, string>;
  /** The units that would be late if the run were sent today. */
  late: LateNotice[];
  today: string;
  /** The labels of the components marked as external costs. */
  externalLabels: string[];
};

/** A run with its notices as the data say now, the letters already sent and today's check. */
export async function feeNoticeRunOverview(
  kv: Deno.Kv,
  clock: Clock,
  runId: string,
): Promise<RunOverview | null> {
  const run = await getFeeNoticeRun(kv, runId);
  if (!run) return null;
  const notices = await buildFeeNotices(kv, run);
  const letters = new Map<string, string>();
  for await (const e of kv.list<string>({ prefix: keys.feeNoticeLettersAll(run.id) })) {
    letters.set(String(e.key[e.key.length - 1]), e.value);
  }
  const today = polishDate(clock());
  const components = await getChargeComponents(kv);
  return {
    run,
    notices,
    letters,
    late: lateNotices(notices.filter((n) => !letters.has(n.unitId)), today),
    today,
    externalLabels: run.externalComponents.map((c) => componentLabel(components, c)),
  };
}

/** One unit's notice in a run (for the HTML and PDF previews), or null. */
export async function feeNoticeOf(
  kv: Deno.Kv,
  runId: string,
  unitId: string,
): Promise<{ run: FeeNoticeRun; notice: FeeNotice } | null> {
  const run = await getFeeNoticeRun(kv, runId);
  const unit = run && /^[0-9A-Za-z_-]{1,40}$/.test(unitId) ? await getUnit(kv, unitId) : null;
  if (!run || !unit) return null;
  const building = await getBuilding(kv, unit.buildingId);
  const notice = noticeFor(
    unit,
    building ? postalAddress(building, unit) : "",
    await listFeeRates(kv, unit.id),
    run,
    await getChargeComponents(kv),
  );
  return notice ? { run, notice } : null;
}
