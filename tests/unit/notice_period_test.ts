import assert from "node:assert/strict";
import {
  externalCostDeadline,
  noticeDeadline,
  noticeInTime,
  paymentDate,
  threeMonthDeadline,
} from "../../domain/documents/notice_period.ts";

Deno.test("three months to the end of a month: January needs the notice by 30 September", () => {
  assert.equal(threeMonthDeadline("2027-01"), "2026-09-30");
  assert.ok(noticeInTime("2026-09-30", "2027-01", false, 10));
  assert.ok(!noticeInTime("2026-10-01", "2027-01", false, 10));
});

Deno.test("three-month rule across month ends of every length", () => {
  assert.equal(threeMonthDeadline("2027-03"), "2026-11-30");
  assert.equal(threeMonthDeadline("2027-04"), "2026-12-31"); // across the year end
  assert.equal(threeMonthDeadline("2027-05"), "2027-01-31");
  assert.equal(threeMonthDeadline("2027-06"), "2027-02-28"); // February, common year
  assert.equal(threeMonthDeadline("2028-06"), "2028-02-29"); // February, leap year
  assert.equal(threeMonthDeadline("2100-06"), "2100-02-28"); // 2100 is not a leap year
  assert.equal(threeMonthDeadline("2027-12"), "2027-08-31");
  assert.ok(noticeInTime("2028-02-29", "2028-06", false, 10));
  assert.ok(!noticeInTime("2028-03-01", "2028-06", false, 10));
});

Deno.test("external costs: 14 days before the payment date of the first new month", () => {
  assert.equal(externalCostDeadline("2027-01", 10), "2026-12-27");
  assert.equal(externalCostDeadline("2027-03", 10), "2027-02-24"); // common year
  assert.equal(externalCostDeadline("2028-03", 10), "2028-02-25"); // leap year: 29 February counts
  assert.equal(externalCostDeadline("2027-03", 14), "2027-02-28");
  assert.equal(externalCostDeadline("2028-03", 14), "2028-02-29");
  assert.ok(noticeInTime("2026-12-27", "2027-01", true, 10));
  assert.ok(!noticeInTime("2026-12-28", "2027-01", true, 10));
});

Deno.test("a payment day past a short month's end is that month's last day", () => {
  assert.equal(paymentDate("2027-02", 31), "2027-02-28");
  assert.equal(paymentDate("2028-02", 30), "2028-02-29");
  assert.equal(externalCostDeadline("2027-02", 31), "2027-02-14");
  assert.throws(() => paymentDate("2027-02", 0), RangeError);
  assert.throws(() => paymentDate("2027-13", 10), RangeError);
});

Deno.test("the component's kind picks the rule", () => {
  assert.equal(noticeDeadline("2027-01", false, 10), "2026-09-30");
  assert.equal(noticeDeadline("2027-01", true, 10), "2026-12-27");
});
