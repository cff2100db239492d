/**
 * Notices about paying, for residents who want them (accounts/notification_prefs.ts). Neither
 * ever names an amount: the e-mail may be read by others; the amount is in eBOK.
 *
 * - The payment reminder: a daily run that, in the last PAYMENT_REMINDER_DAYS days before this
 *   month's due date, e-mails the accounts of each unit with something due. At most once per
 *   unit and month: a marker key, checked and set in the same operation as the e-mails.
 * - "Wpłata zaksięgowana": the ledger import notes the units it booked payments for
 *   (`notePaymentsBooked`, one call), and `sendPaymentBookedNotices` (a frequent run, which has
 *   the cooperative's profile for the e-mail) turns each note into e-mails, deleting the note in
 *   the same operation.
 */
import type { Account } from "../accounts/accounts.ts";
import { wantsNotification } from "../accounts/notification_prefs.ts";
import { addAudit } from "../backoffice/audit.ts";
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import { getTotals, listEntries } from "../balance/ledger.ts";
import { amountDue, dueDate } from "../balance/statement.ts";
import { dueShown, listInTransit } from "../payments/in_transit.ts";
import { daysBetween, polishDate } from "../shared/calendar.ts";
import type { Clock } from "../shared/clock.ts";
import { keys } from "../shared/keys.ts";
import { addMessage } from "./messages.ts";
import { paymentBookedEmail, paymentReminderEmail } from "./notifications.ts";

type Ctx = { coop: CooperativeProfile; baseUrl: string };

/** The reminder goes out on one of the last days before the due date (a missed run catches up). */
export const PAYMENT_REMINDER_DAYS = 3;
/** Markers outlive the month they guard. */
const REMINDER_MARKER_TTL_MS = 45 * 24 * 60 * 60_000;

/** Active accounts that want `kind`, grouped by the units they may see. */
async function accountsByUnitWanting(
  kv: Deno.Kv,
  kind: "payment_reminder" | "payment_booked",
  onlyUnit?: string,
): Promise<Map<string, Account[]>> {
  const out = new Map<string, Account[]>();
  const add = (unitId: string, a: Account) => {
    const list = out.get(unitId);
    if (list) list.push(a);
    else out.set(unitId, [a]);
  };
  if (onlyUnit) {
    const ids: string[] = [];
    for await (const e of kv.list<string>({ prefix: keys.accountsByUnitAll(onlyUnit) })) {
      ids.push(e.value);
    }
    for (let i = 0; i < ids.length; i += 10) {
      const got = await kv.getMany<Account[]>(ids.slice(i, i + 10).map((id) => keys.accounts(id)));
      for (const e of got) {
        if (e.value && e.value.unitIds.includes(onlyUnit) && wantsNotification(e.value, kind)) {
          add(onlyUnit, e.value);
        }
      }
    }
    return out;
  }
  for await (const e of kv.list<Account>({ prefix: keys.accountsAll() }, { batchSize: 500 })) {
    if (!wantsNotification(e.value, kind)) continue;
    for (const unitId of e.value.unitIds) add(unitId, e.value);
  }
  return out;
}

export type ReminderRun = { dueBy: string; units: number; emails: number };

/**
 * Queues this month's payment reminders, when today is one of the PAYMENT_REMINDER_DAYS days
 * before the due date. Safe to run any number of times, also at once.
 */
export async function sendPaymentReminders(
  kv: Deno.Kv,
  clock: Clock,
  ctx: Ctx,
  options: { daysBefore?: number; dueDay?: number } = {},
): Promise<ReminderRun> {
  const today = polishDate(clock());
  const period = today.slice(0, 7);
  const dueBy = dueDate(period, options.dueDay);
  const run: ReminderRun = { dueBy, units: 0, emails: 0 };
  const left = daysBetween(today, dueBy);
  if (left < 1 || left > (options.daysBefore ?? PAYMENT_REMINDER_DAYS)) return run;

  for (const [unitId, accounts] of await accountsByUnitWanting(kv, "payment_reminder")) {
    const marker = await kv.get(keys.paymentReminders(period, unitId));
    if (marker.versionstamp !== null) continue;
    const [totals, month, inTransit] = await Promise.all([
      getTotals(kv, unitId),
      listEntries(kv, unitId, { from: period }),
      listInTransit(kv, unitId),
    ]);
    // An online payment already on its way counts as paid.
    const balance = dueShown(totals.balance, inTransit).due;
    const due = amountDue({ balance }, month.entries, today, options.dueDay);
    if (due.dueNow <= 0) continue;
    const op = kv.atomic().check(marker)
      .set(keys.paymentReminders(period, unitId), clock().toISOString(), {
        expireIn: REMINDER_MARKER_TTL_MS,
      });
    for (const a of accounts) {
      addMessage(op, clock, paymentReminderEmail(ctx, { email: a.email, accountId: a.id, dueBy }));
    }
    addAudit(op, clock, {
      actor: { kind: "system", label: "przypomnienie o płatności" },
      action: "message.payment_reminders_queued",
      details: { unitId, period, dueBy, emails: accounts.length },
    });
    if ((await op.commit()).ok) {
      run.units++;
      run.emails += accounts.length;
    }
  }
  return run;
}

type BookedNote = { documentNos: string[]; at: string };

/**
 * Called by the ledger import after it posted a unit's entries: notes the payments newly
 * booked (not `duplicates`), for `sendPaymentBookedNotices`. Nothing is noted without a payment.
 */
export async function notePaymentsBooked(
  kv: Deno.Kv,
  clock: Clock,
  unitId: string,
  entries: readonly { kind: string; amount: number; documentNo: string }[],
  duplicates: readonly string[],
): Promise<void> {
  const skip = new Set(duplicates);
  const booked = entries
    .filter((e) => e.kind === "payment" && e.amount > 0 && !skip.has(e.documentNo))
    .map((e) => e.documentNo);
  if (booked.length === 0) return;
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<BookedNote>(keys.paymentBookedPending(unitId));
    const documentNos = [...new Set([...(entry.value?.documentNos ?? []), ...booked])]
      .slice(-50);
    const note: BookedNote = { documentNos, at: clock().toISOString() };
    if ((await kv.atomic().check(entry).set(keys.paymentBookedPending(unitId), note).commit()).ok) {
      return;
    }
  }
}

/** One e-mail per noted unit and account that wants it; the note goes in the same operation. */
export async function sendPaymentBookedNotices(
  kv: Deno.Kv,
  clock: Clock,
  ctx: Ctx,
): Promise<{ units: number; emails: number }> {
  const out = { units: 0, emails: 0 };
  for await (
    const entry of kv.list<BookedNote>({ prefix: keys.paymentBookedPendingAll() })
  ) {
    const unitId = String(entry.key[entry.key.length - 1]);
    const accounts = (await accountsByUnitWanting(kv, "payment_booked", unitId)).get(unitId) ?? [];
    const op = kv.atomic().check(entry).delete(entry.key);
    for (const a of accounts) {
      addMessage(op, clock, paymentBookedEmail(ctx, { email: a.email, accountId: a.id }));
    }
    if (accounts.length) {
      addAudit(op, clock, {
        actor: { kind: "system", label: "powiadomienie o wpłacie" },
        action: "message.payment_booked_notices_queued",
        details: { unitId, emails: accounts.length, documents: entry.value.documentNos.length },
      });
    }
    // A note changed meanwhile (another import) is picked up by the next run.
    if ((await op.commit()).ok && accounts.length) {
      out.units++;
      out.emails += accounts.length;
    }
  }
  return out;
}
