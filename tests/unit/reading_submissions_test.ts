import assert from "node:assert/strict";
import type { Actor } from "../../domain/backoffice/audit.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { demoProfile } from "../../domain/demo/demo_data.ts";
import { listMessages } from "../../domain/messaging/messages.ts";
import {
  acceptSubmission,
  defaultReadingWindow,
  getReadingWindow,
  getSubmission,
  isWithinReadingWindow,
  listPendingSubmissions,
  listUnitSubmissions,
  nextReadingWindow,
  rejectSubmission,
  saveReadingWindow,
  submitReadings,
  usualLitresPerDay,
  validateSubmission,
} from "../../domain/water/reading_submissions.ts";
import {
  addMeter,
  addReading,
  addReadings,
  consumptionByPeriod,
  getUnitWater,
  listReadings,
  type Meter,
  swapMeter,
} from "../../domain/water/water.ts";

const NBSP = "\u00a0";
const UNIT = "unit-1";
const ctx = { coop: demoProfile, baseUrl: "https://ebok.example.pl" };
const staff: Actor = { kind: "staff", id: "staff-1", label: "Anna Biurowa (biuro)" };

Deno.test("reading window: 20th to the month's end and 1st–5th of the next, by default", async () => {
  const w = defaultReadingWindow;
  assert.deepEqual(w, { fromDay: 20, toDay: 5 });
  const open = (d: string) => isWithinReadingWindow(d, w);
  assert.equal(open("2026-11-19"), false);
  assert.equal(open("2026-11-20"), true);
  assert.equal(open("2026-11-30"), true);
  assert.equal(open("2026-12-01"), true);
  assert.equal(open("2026-12-05"), true);
  assert.equal(open("2026-12-06"), false);

  assert.deepEqual(nextReadingWindow("2026-11-10", w), {
    from: "2026-11-20",
    to: "2026-12-05",
    period: "2026-11",
    open: false,
  });
  // Early December is still November's window.
  assert.deepEqual(nextReadingWindow("2026-12-03", w), {
    from: "2026-11-20",
    to: "2026-12-05",
    period: "2026-11",
    open: true,
  });
  assert.deepEqual(nextReadingWindow("2026-12-31", w), {
    from: "2026-12-20",
    to: "2027-01-05",
    period: "2026-12",
    open: true,
  });

  // A window inside one month; a day past the month's end is its last day.
  const inside = { fromDay: 25, toDay: 31 };
  assert.deepEqual(nextReadingWindow("2026-02-10", inside), {
    from: "2026-02-25",
    to: "2026-02-28",
    period: "2026-02",
    open: false,
  });
  assert.equal(isWithinReadingWindow("2026-02-28", inside), true);
  assert.equal(isWithinReadingWindow("2026-03-01", inside), false);
  assert.equal(isWithinReadingWindow("2026-02-28", { fromDay: 31, toDay: 3 }), true);
  assert.throws(() => nextReadingWindow("2026-02-30", w), RangeError);
  assert.throws(() => isWithinReadingWindow("2026-02-10", { fromDay: 0, toDay: 5 }), RangeError);

  const kv = await Deno.openKv(":memory:");
  try {
    assert.deepEqual(await getReadingWindow(kv), defaultReadingWindow, "default when absent");
    await saveReadingWindow(kv, { fromDay: 25, toDay: 3 });
    assert.deepEqual(await getReadingWindow(kv), { fromDay: 25, toDay: 3 });
    await assert.rejects(saveReadingWindow(kv, { fromDay: 25, toDay: 32 }), RangeError);
  } finally {
    kv.close();
  }
});

const meter: Meter = {
  id: "m1",
  unitId: UNIT,
  kind: "cold",
  serialNo: "ZW-1",
  location: "łazienka",
  installedOn: "2024-01-01",
  legalUntil: "2029-01-01",
};
const last = {
  id: "r1",
  meterId: "m1",
  readOn: "2026-10-31",
  litres: 120_500,
  source: "radio" as const,
  enteredBy: "import",
};

Deno.test("validateSubmission: lower refused; a jump far beyond the usual needs confirming", () => {
  const check = (litres: number, usual: number | null = 130, m: Meter = meter) =>
    validateSubmission({
      meter: m,
      lastReading: last,
      litres,
      today: "2026-11-20",
      usualLitresPerDay: usual,
    });
  assert.deepEqual(check(120_499), {
    kind: "error",
    message: `Odczyt nie może być niższy niż poprzedni (120,500${NBSP}m³ z dnia 31.10.2026).`,
  });
  // 20 days; 3 × 130 = 390 litres a day is the limit.
  assert.deepEqual(check(120_500 + 20 * 390), {
    kind: "ok",
    litresUsed: 7_800,
    days: 20,
    litresPerDay: 390,
  });
  const jump = check(120_500 + 20 * 400);
  assert.equal(jump.kind, "warning");
  assert.equal(jump.kind === "warning" && jump.litresPerDay, 400);
  assert.match(
    jump.kind === "warning" ? jump.message : "",
    /zużycie wyniosłoby 8,000\u00a0m³ w ciągu 20\u00a0dni, czyli około 400\u00a0l na dobę — około 3 razy więcej niż zwykle \(około 130\u00a0l na dobę\)\. .*potwierdź/,
  );
  // How many times more, as a number, however large the jump.
  const huge = check(120_500 + 20 * 130 * 8_000);
  assert.match(
    huge.kind === "warning" ? huge.message : "",
    /około 1\u00a0040\u00a0000\u00a0l na dobę — około 8\u00a0000 razy więcej niż zwykle/,
  );
  // Equal is fine (no water used); small jumps are never questioned (the floor is 1 m³).
  assert.equal(check(120_500).kind, "ok");
  assert.equal(check(121_500, 10).kind, "ok");
  assert.equal(check(121_501, 10).kind, "warning");
  // Without a history: more than 600 litres a day for one meter is questioned.
  assert.equal(check(120_500 + 20 * 600, null).kind, "ok");
  assert.equal(check(120_500 + 20 * 601, null).kind, "warning");
  // Typed in litres instead of m³: a thousand times the index.
  assert.equal(check(120_600_000).kind, "error");
  assert.equal(check(-1).kind, "error");
  assert.equal(check(1.5).kind, "error");
  const removed = check(121_000, 130, { ...meter, removedOn: "2026-11-15", replacedBy: "m2" });
  assert.equal(removed.kind, "error");
  assert.match(removed.kind === "error" ? removed.message : "", /wymieniono 15\.11\.2026/);
  assert.deepEqual(
    validateSubmission({
      meter,
      lastReading: null,
      litres: 5,
      today: "2026-11-20",
      usualLitresPerDay: null,
    }),
    { kind: "ok", litresUsed: 0, days: 0, litresPerDay: null },
  );
});

/** A unit with a cold and a hot meter read monthly (cold ~ 130 l a day, hot ~ 65). */
async function unit(kv: Deno.Kv) {
  const c = manualClock(new Date("2026-11-01T08:00:00Z"));
  const cold = await addMeter(kv, c, { ...meter, serialNo: "ZW-2112345" });
  const hot = await addMeter(kv, c, { ...meter, kind: "hot", serialNo: "CW-2112346" });
  const months = ["2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31"];
  const monthly = (id: string, start: number, perDay: number) =>
    addReadings(
      kv,
      c,
      id,
      months.map((readOn, i) => ({
        readOn,
        // Days since 30 June × perDay.
        litres: start + perDay * [0, 31, 62, 92, 123][i],
        source: "radio" as const,
        enteredBy: "import",
      })),
    );
  assert.ok((await monthly(cold.id, 104_510, 130)).ok);
  assert.ok((await monthly(hot.id, 50_000, 65)).ok);
  return { cold, hot };
}

function submit(
  kv: Deno.Kv,
  clock: ReturnType<typeof manualClock>,
  entries: { meterId: string; litres: number }[],
  confirmed = false,
) {
  return submitReadings(kv, clock, {
    accountId: "acc-1",
    unitId: UNIT,
    entries,
    confirmed,
    email: "katarzyna@example.pl",
    firstName: "Katarzyna",
    identifier: "SMN-1234",
    unitLabel: "ul. Kazimierza Wielkiego 12/7",
    ctx,
  });
}

Deno.test("submitReadings: stored as pending together with its confirmation e-mail", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { cold, hot } = await unit(kv);
    const clock = manualClock(new Date("2026-11-20T10:00:00Z"));
    // Cold: 20 days × 135 l; hot: 20 days × 70 l.
    const coldValue = 120_500 + 2_700;
    const hotValue = 50_000 + 65 * 123 + 1_400;

    // Outside the window nothing is stored.
    const early = await submit(kv, manualClock(new Date("2026-11-10T10:00:00Z")), [
      { meterId: cold.id, litres: coldValue },
    ]);
    assert.equal(!early.ok && early.reason, "outside_window");
    assert.equal(!early.ok && early.reason === "outside_window" && early.window.from, "2026-11-20");

    // Lower than the last reading: refused with the message, nothing stored.
    const lower = await submit(kv, clock, [
      { meterId: cold.id, litres: 120_000 },
      { meterId: hot.id, litres: hotValue },
    ]);
    assert.equal(!lower.ok && lower.reason, "invalid");
    assert.ok(!lower.ok && lower.reason === "invalid");
    assert.equal(lower.checks[0].check.kind, "error");
    assert.equal(lower.checks[1].check.kind, "ok");
    assert.equal(
      (await submit(kv, clock, [{ meterId: "someone-elses", litres: 1 }])).ok,
      false,
    );
    assert.equal((await submit(kv, clock, [])).ok, false);

    // A big jump needs the resident's confirmation.
    const jump = await submit(kv, clock, [{ meterId: cold.id, litres: 120_500 + 20_000 }]);
    assert.equal(!jump.ok && jump.reason, "needs_confirmation");
    assert.deepEqual(await listPendingSubmissions(kv), []);
    assert.deepEqual(await listMessages(kv), [], "no e-mail for what was not stored");

    const sent = await submit(kv, clock, [
      { meterId: cold.id, litres: coldValue },
      { meterId: hot.id, litres: hotValue },
    ]);
    assert.ok(sent.ok);
    assert.equal(sent.replaced, false);
    const s = sent.submission;
    assert.equal(s.status, "pending");
    assert.equal(s.readOn, "2026-11-20");
    assert.equal(s.revision, 1);
    assert.deepEqual(s.entries, [
      { meterId: cold.id, litres: coldValue, previousLitres: 120_500, previousOn: "2026-10-31" },
      {
        meterId: hot.id,
        litres: hotValue,
        previousLitres: 50_000 + 65 * 123,
        previousOn: "2026-10-31",
      },
    ]);
    assert.deepEqual(await getSubmission(kv, s.id), s);
    assert.deepEqual((await listPendingSubmissions(kv)).map((x) => x.id), [s.id]);
    assert.deepEqual((await listUnitSubmissions(kv, UNIT)).map((x) => x.id), [s.id]);

    const messages = await listMessages(kv);
    assert.equal(messages.length, 1);
    const mail = messages[0];
    assert.equal(mail.channel, "email");
    assert.equal(mail.to, "katarzyna@example.pl");
    assert.equal(mail.purpose, "reading_submitted");
    assert.equal(mail.state, "queued");
    assert.equal(mail.subject, "eBOK — otrzymaliśmy odczyt wodomierzy");
    assert.match(mail.text, /^Dzień dobry,\n/);
    assert.match(mail.text, /20\.11\.2026 dla lokalu ul\. Kazimierza Wielkiego 12\/7/);
    assert.ok(mail.text.includes(`- zimna woda, łazienka (nr ZW-2112345): 123,200${NBSP}m³`));
    assert.ok(mail.text.includes("ciepła woda, łazienka (nr CW-2112346)"));
    assert.ok(mail.text.includes("https://ebok.example.pl/ebok"));
    const audit = await listAudit(kv);
    assert.equal(audit[0].action, "reading.submitted");
    assert.deepEqual(audit[0].actor, { kind: "resident", id: "acc-1", label: "SMN-1234" });

    // The same day again, while pending: it replaces the first (same id), with a new e-mail.
    clock.advance(3_600_000);
    const fixed = await submit(kv, clock, [{ meterId: cold.id, litres: coldValue + 100 }]);
    assert.ok(fixed.ok);
    assert.equal(fixed.replaced, true);
    assert.equal(fixed.submission.id, s.id);
    assert.equal(fixed.submission.revision, 2);
    assert.deepEqual(fixed.submission.entries.map((e) => e.litres), [coldValue + 100]);
    assert.equal((await listPendingSubmissions(kv)).length, 1);
    assert.equal((await listUnitSubmissions(kv, UNIT)).length, 1);
    const second = (await listMessages(kv))[1];
    assert.equal(second.subject, "eBOK — otrzymaliśmy poprawiony odczyt wodomierzy");
    assert.match(second.text, /zastępuje odczyt podany wcześniej tego samego dnia/);

    // A confirmed jump is stored with the warning the resident saw, for the office to judge.
    const nextDay = manualClock(new Date("2026-11-21T10:00:00Z"));
    const confirmed = await submit(
      kv,
      nextDay,
      [{ meterId: hot.id, litres: hotValue + 30_000 }],
      true,
    );
    assert.ok(confirmed.ok);
    assert.notEqual(confirmed.submission.id, s.id, "a new day, a new submission");
    assert.match(confirmed.submission.entries[0].warning ?? "", /około \d+ razy więcej/);
    assert.deepEqual((await listPendingSubmissions(kv)).map((x) => x.id), [
      s.id,
      confirmed.submission.id,
    ]);
    assert.deepEqual((await listUnitSubmissions(kv, UNIT)).map((x) => x.id), [
      confirmed.submission.id,
      s.id,
    ]);
  } finally {
    kv.close();
  }
});

Deno.test("acceptSubmission: the readings are stored as the resident's and count in consumption", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { cold, hot } = await unit(kv);
    const clock = manualClock(new Date("2026-11-20T10:00:00Z"));
    const sent = await submit(kv, clock, [
      { meterId: cold.id, litres: 123_200 },
      { meterId: hot.id, litres: 59_000 },
    ]);
    assert.ok(sent.ok);

    clock.advance(86_400_000);
    const accepted = await acceptSubmission(kv, clock, { id: sent.submission.id, staff });
    assert.ok(accepted.ok);
    assert.equal(accepted.submission.status, "accepted");
    assert.equal(accepted.submission.decidedBy, "Anna Biurowa (biuro)");
    assert.equal(accepted.submission.decidedAt, "2026-11-21T10:00:00.000Z");
    assert.equal(accepted.readings.length, 2);
    for (const r of accepted.readings) {
      assert.equal(r.source, "resident");
      assert.equal(r.readOn, "2026-11-20", "dated the day the resident read the meter");
      assert.equal(r.enteredBy, "Anna Biurowa (biuro)");
    }
    assert.deepEqual(
      accepted.submission.entries.map((e) => e.readingId),
      accepted.readings.map((r) => r.id),
    );
    assert.deepEqual(await listPendingSubmissions(kv), []);
    assert.equal((await listUnitSubmissions(kv, UNIT))[0].status, "accepted");
    assert.equal((await listAudit(kv))[0].action, "reading.accepted");

    const { meters, readingsByMeter } = await getUnitWater(kv, UNIT);
    const latest = consumptionByPeriod(meters, readingsByMeter).filter((p) =>
      p.to === "2026-11-20"
    );
    assert.deepEqual(latest.map((p) => [p.kind, p.litres, p.days]), [
      ["cold", 123_200 - 120_500, 20],
      ["hot", 59_000 - (50_000 + 65 * 123), 20],
    ]);

    // Decided once: no second acceptance, and no reading twice.
    const again = await acceptSubmission(kv, clock, { id: sent.submission.id, staff });
    assert.equal(!again.ok && again.reason, "not_pending");
    assert.equal((await listReadings(kv, cold.id)).length, 6);
    assert.equal((await acceptSubmission(kv, clock, { id: "nope", staff })).ok, false);
  } finally {
    kv.close();
  }
});

Deno.test("acceptSubmission: a value that no longer fits refuses the whole submission", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { cold, hot } = await unit(kv);
    const clock = manualClock(new Date("2026-11-20T10:00:00Z"));
    const sent = await submit(kv, clock, [
      { meterId: hot.id, litres: 59_000 },
      { meterId: cold.id, litres: 123_200 },
    ]);
    assert.ok(sent.ok);
    // Meanwhile the radio reading of 30 November came in, lower than the resident's value.
    assert.ok(
      (await addReading(kv, clock, {
        meterId: cold.id,
        readOn: "2026-11-30",
        litres: 123_000,
        source: "radio",
        enteredBy: "import",
      })).ok,
    );
    const refused = await acceptSubmission(kv, clock, { id: sent.submission.id, staff });
    assert.ok(!refused.ok && refused.reason === "reading_refused");
    assert.equal(refused.meterId, cold.id);
    assert.equal(refused.refusal.reason, "higher_than_next");
    assert.equal((await getSubmission(kv, sent.submission.id))?.status, "pending");
    assert.equal(
      (await listReadings(kv, hot.id)).length,
      5,
      "the other meter's value was not stored either",
    );
  } finally {
    kv.close();
  }
});

Deno.test("rejectSubmission: rejected with a reason, nothing stored", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { cold } = await unit(kv);
    const clock = manualClock(new Date("2026-12-02T10:00:00Z"));
    const sent = await submit(kv, clock, [{ meterId: cold.id, litres: 124_000 }]);
    assert.ok(sent.ok);
    const blank = await rejectSubmission(kv, clock, { id: sent.submission.id, reason: " ", staff });
    assert.equal(!blank.ok && blank.reason, "no_reason");

    const rejected = await rejectSubmission(kv, clock, {
      id: sent.submission.id,
      reason: "Podany stan nie zgadza się ze zdjęciem wodomierza.",
      staff,
    });
    assert.ok(rejected.ok);
    assert.equal(rejected.submission.status, "rejected");
    assert.equal(rejected.submission.reason, "Podany stan nie zgadza się ze zdjęciem wodomierza.");
    assert.equal(rejected.submission.decidedBy, staff.label);
    assert.deepEqual(await listPendingSubmissions(kv), []);
    assert.equal((await listUnitSubmissions(kv, UNIT))[0].status, "rejected");
    assert.equal((await listReadings(kv, cold.id)).length, 5);
    assert.equal((await listAudit(kv))[0].action, "reading.rejected");
    const accept = await acceptSubmission(kv, clock, { id: sent.submission.id, staff });
    assert.equal(!accept.ok && accept.reason, "not_pending");
    assert.equal((await listMessages(kv)).length, 1, "only the confirmation was e-mailed");

    // After the decision, a new submission the same day is a new one.
    const another = await submit(kv, clock, [{ meterId: cold.id, litres: 124_100 }]);
    assert.ok(another.ok && !another.replaced);
    assert.notEqual(another.submission.id, sent.submission.id);
  } finally {
    kv.close();
  }
});

Deno.test("usualLitresPerDay: over the last year, across a swap, estimated periods left out", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const clock = manualClock(new Date("2026-11-01T08:00:00Z"));
    const old = await addMeter(kv, clock, meter);
    assert.ok(
      (await addReadings(kv, clock, old.id, [
        { readOn: "2025-06-30", litres: 0, source: "radio", enteredBy: "import" },
        { readOn: "2026-06-30", litres: 36_500, source: "radio", enteredBy: "import" },
        { readOn: "2026-07-31", litres: 40_000, source: "estimated", enteredBy: "system" },
      ])).ok,
    );
    const swap = await swapMeter(kv, clock, {
      oldMeterId: old.id,
      finalReadingLitres: 46_500,
      newMeter: { serialNo: "ZW-2", legalUntil: "2031-09-30" },
      startReadingLitres: 0,
      on: "2026-09-30",
      enteredBy: "inkasent",
    });
    assert.ok(swap.ok);
    assert.ok(
      (await addReading(kv, clock, {
        meterId: swap.newMeter.id,
        readOn: "2026-10-31",
        litres: 3_100,
        source: "radio",
        enteredBy: "import",
      })).ok,
    );
    const { meters, readingsByMeter } = await getUnitWater(kv, UNIT);
    // The year before 2026-11-20 starts 2025-11-20: the first period is older, the two next to
    // the swap are estimated; left: the new meter's 3 100 litres in 31 days.
    assert.equal(usualLitresPerDay(meters, readingsByMeter, swap.newMeter.id, "2026-11-20"), 100);
    assert.equal(usualLitresPerDay(meters, readingsByMeter, old.id, "2026-11-20"), 100);
    // A year earlier the old meter's first year counts: 36 500 litres in 365 days.
    assert.equal(usualLitresPerDay(meters, readingsByMeter, old.id, "2026-06-30"), 100);
    assert.equal(usualLitresPerDay(meters, readingsByMeter, old.id, "2025-07-01"), null);
  } finally {
    kv.close();
  }
});

Deno.test("race: ten concurrent accepts of one reading submission store each reading once", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { cold, hot } = await unit(kv);
    const clock = manualClock(new Date("2026-11-20T10:00:00Z"));
    const sent = await submit(kv, clock, [
      { meterId: cold.id, litres: 123_200 },
      { meterId: hot.id, litres: 59_000 },
    ]);
    assert.ok(sent.ok);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        acceptSubmission(kv, clock, {
          id: sent.submission.id,
          staff: { ...staff, id: `staff-${i % 2}` },
        })),
    );
    assert.equal(results.filter((r) => r.ok).length, 1, "one acceptance wins");
    for (const r of results.filter((r) => !r.ok)) {
      assert.equal(!r.ok && r.reason, "not_pending");
    }
    assert.equal((await listReadings(kv, cold.id)).length, 6, "5 radio + 1 resident");
    assert.equal((await listReadings(kv, hot.id)).length, 6);
    assert.equal((await listAudit(kv)).filter((a) => a.action === "reading.accepted").length, 1);
  } finally {
    kv.close();
  }
});

Deno.test("race: ten concurrent submissions of one reading send one confirmation e-mail", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { cold } = await unit(kv);
    const clock = manualClock(new Date("2026-11-20T10:00:00Z"));
    const results = await Promise.all(
      Array.from({ length: 10 }, () => submit(kv, clock, [{ meterId: cold.id, litres: 123_200 }])),
    );
    assert.ok(results.every((r) => r.ok), "every double-click is told it arrived");
    assert.equal(new Set(results.map((r) => r.ok && r.submission.id)).size, 1);
    assert.equal((await listPendingSubmissions(kv)).length, 1);
    assert.equal((await listMessages(kv)).length, 1, "one confirmation e-mail");
    // A different value is a correction: it replaces the pending one and says so by e-mail.
    const fixed = await submit(kv, clock, [{ meterId: cold.id, litres: 123_300 }]);
    assert.ok(fixed.ok && fixed.replaced);
    assert.equal((await listMessages(kv)).length, 2);
  } finally {
    kv.close();
  }
});
