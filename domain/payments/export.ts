/**
 * Online payments as CSV for the office (/admin/platnosci/platnosci.csv), with the page's
 * filter: the same file shape as the statement and the audit log (UTF-8 with a BOM, `;`, a
 * decimal comma, CRLF, every text cell through `csvText` so a title can never run as a formula).
 * Each export is itself recorded in the audit log, as the audit log's export is.
 */
import { type Actor, recordAudit } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import { formatDateTimeSeconds } from "../shared/calendar.ts";
import { csvAmount, csvDocument, csvText } from "../shared/csv_export.ts";
import {
  listPayments,
  type OnlinePayment,
  type PaymentState,
  paymentStateLabels,
} from "./payments.ts";

/** The file holds at most this many payments, newest first. */
export const PAYMENTS_CSV_MAX = 10_000;

const PAYMENTS_CSV_HEADER = [
  "Rozpoczęta",
  "Id płatności",
  "Tytuł",
  "Kwota (zł)",
  "Stan",
  "Nr transakcji operatora",
  "Potwierdzona",
  "Zaksięgowana (dokument)",
  "Data księgowania",
  "Id lokalu",
];

const time = (iso: string | undefined) => iso ? formatDateTimeSeconds(new Date(iso)) : "";

/** Payments → the CSV text (pure). Times in Poland, "04.12.2026, 10:30:00". */
export function paymentsCsv(payments: readonly OnlinePayment[]): string {
  const lines = [PAYMENTS_CSV_HEADER.map(csvText)];
  for (const p of payments) {
    lines.push([
      csvText(time(p.createdAt)),
      csvText(p.id),
      csvText(p.title),
      csvAmount(p.amount),
      csvText(paymentStateLabels[p.state] + (p.confirmedLate ? " (po czasie)" : "")),
      csvText(p.orderId !== undefined ? String(p.orderId) : ""),
      csvText(time(p.confirmedAt)),
      csvText(p.booked?.documentNo ?? ""),
      csvText(p.booked?.postedOn ?? ""),
      csvText(p.unitId),
    ]);
  }
  return csvDocument(lines);
}

/** The payments the page shows (optionally of one state) as CSV; the export is audited. */
export async function exportPayments(
  kv: Deno.Kv,
  clock: Clock,
  filter: { state?: PaymentState },
  by: Actor,
): Promise<string> {
  const { payments } = await listPayments(kv, { state: filter.state, limit: PAYMENTS_CSV_MAX });
  await recordAudit(kv, clock, {
    actor: by,
    action: "payment.exported",
    details: { payments: payments.length, ...(filter.state ? { state: filter.state } : {}) },
  });
  return paymentsCsv(payments);
}
