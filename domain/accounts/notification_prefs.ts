/**
 * Which e-mails a resident wants (issue 15 point 6, issue 16 point 4). Stored on the account
 * (`Account.notifications`), so every sender already holds what it needs to decide; a missing
 * entry means "on": every notice is on until the resident turns it off. Notices never carry
 * content or amounts; what is always sent (passwords, contact changes, confirmations) is not
 * listed here.
 */
import { type Account, updateAccount } from "./accounts.ts";
import { addAudit } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";

export const NOTIFICATION_KINDS = [
  "matter_reply",
  "new_document",
  "announcement",
  "payment_reminder",
  "payment_booked",
] as const;

export type NotificationKind = typeof NOTIFICATION_KINDS[number];

export type NotificationPrefs = Record<NotificationKind, boolean>;

/** The resident's words for each notice, in the order of the form. */
export const notificationLabels: Record<NotificationKind, string> = {
  matter_reply: "Odpowiedź biura w mojej sprawie (zgłoszeniu)",
  new_document: "Nowy dokument lub pismo w eBOK",
  announcement: "Komunikaty spółdzielni",
  payment_reminder: "Przypomnienie kilka dni przed terminem opłat (gdy jest coś do zapłaty)",
  payment_booked: "Zaksięgowanie wpłaty na koncie lokalu",
};

export function notificationPrefsOf(account: Pick<Account, "notifications">): NotificationPrefs {
  const stored = account.notifications ?? {};
  return Object.fromEntries(
    NOTIFICATION_KINDS.map((k) => [k, stored[k] !== false]),
  ) as NotificationPrefs;
}

/** Does this account get this notice by e-mail? Only active accounts with an address do. */
export function wantsNotification(
  account: Pick<Account, "notifications" | "status" | "email">,
  kind: NotificationKind,
): boolean {
  return account.status === "active" && Boolean(account.email) &&
    account.notifications?.[kind] !== false;
}

/** Saves the resident's choice (every kind: a box not sent is "off"), with its audit entry. */
export async function setNotificationPrefs(
  kv: Deno.Kv,
  clock: Clock,
  accountId: string,
  chosen: readonly string[],
): Promise<Account | null> {
  const next = Object.fromEntries(
    NOTIFICATION_KINDS.map((k) => [k, chosen.includes(k)]),
  ) as NotificationPrefs;
  return await updateAccount(
    kv,
    accountId,
    (a) => ({ ...a, notifications: next }),
    (op, a) => {
      addAudit(op, clock, {
        actor: { kind: "resident", id: a.id, label: a.identifier },
        action: "account.notifications_changed",
        target: { kind: "account", id: a.id },
        details: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, next[k]])),
      });
    },
  );
}
