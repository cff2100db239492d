/**
 * The statutory notice periods for a change of fees (ustawa o spółdzielniach mieszkaniowych):
 *
 * - art. 4 ust. 7: the cooperative must notify a change "co najmniej 3 miesiące naprzód, na koniec
 *   miesiąca kalendarzowego". The change takes effect on the first day of a month (the end of the
 *   previous one), and three whole months must pass between the notice and that end. Months are
 *   counted as in art. 111–112 of the civil code: the day of the notice is not counted and the
 *   period ends on the day with the same number three months later (or the last day of a shorter
 *   month). So a notice given on day D ends its period in month(D) + 3, and the change can take
 *   effect at the end of that month at the earliest, i.e. on the first day of month(D) + 4.
 *   Conversely, for a change effective on the first of month M the notice must be given by the
 *   LAST DAY OF MONTH M − 4.
 *     Example: a change from 1 January 2027 needs the notice by 30 September 2026 (October,
 *     November and December are the three months). A notice given on 1 October 2026 ends its
 *     period on 1 January 2027, so the change could only start on 1 February 2027.
 *     Leap years need no special case: for 1 June 2028 the last day is 29 February 2028.
 * - art. 4 ust. 7¹: a change caused by costs outside the cooperative's control (energy, heat, gas,
 *   water, sewage, waste) must be notified "co najmniej 14 dni przed upływem terminu do wnoszenia
 *   opłat": the last day is the payment date of the first month with the new fee minus 14 days.
 *     Example: fees due by the 10th, a change from January 2027: by 27 December 2026.
 *
 * All dates are calendar dates in Poland ("YYYY-MM-DD"); the notice is taken as given on the day
 * the run is sent (a letter in eBOK reaches the resident that day; paper takes longer, so the page
 * shows the last day and staff send in good time).
 */
import { addDays, addMonths, dayOf, isPeriod, lastDayOf } from "../shared/calendar.ts";

/** Fees are paid monthly in advance by the 10th (art. 4 ust. 6) unless the statute says else. */
export const DEFAULT_PAYMENT_DAY = 10;

/** The last day a notice of a change effective on the first of `period` may be given (ust. 7). */
export function threeMonthDeadline(period: string): string {
  if (!isPeriod(period)) throw new RangeError(`period: ${period}`);
  return lastDayOf(addMonths(period, -4));
}

/** The payment date of month `period` (day `paymentDay`, the last day in a shorter month). */
export function paymentDate(period: string, paymentDay: number): string {
  if (!isPeriod(period)) throw new RangeError(`period: ${period}`);
  if (!Number.isInteger(paymentDay) || paymentDay < 1 || paymentDay > 31) {
    throw new RangeError(`payment day: ${paymentDay}`);
  }
  return dayOf(period, paymentDay);
}

/** The last day a notice of an external-cost change effective in `period` may be given (ust. 7¹). */
export function externalCostDeadline(period: string, paymentDay: number): string {
  return addDays(paymentDate(period, paymentDay), -14);
}

/** The last day to notify a change of one component, by whether it is an external cost. */
export function noticeDeadline(period: string, external: boolean, paymentDay: number): string {
  return external ? externalCostDeadline(period, paymentDay) : threeMonthDeadline(period);
}

/** Whether a notice given on `today` is in time (the last day itself is still in time). */
export function noticeInTime(
  today: string,
  period: string,
  external: boolean,
  paymentDay: number,
): boolean {
  return today <= noticeDeadline(period, external, paymentDay);
}
