import assert from "node:assert/strict";
import { manualClock } from "../../domain/shared/clock.ts";
import {
  balanceEffect,
  basisAmount,
  computeTotals,
  emptyTotals,
  getChargeComponents,
  getTotals,
  type LedgerEntry,
  listEntries,
  type NewLedgerEntry,
  postEntries,
  postEntry,
  recomputeTotals,
  saveChargeComponents,
} from "../../domain/balance/ledger.ts";

const clock = manualClock(new Date("2026-11-20T10:00:00Z"));
const UNIT = "unit-1";

function charge(period: string, component: string, amount: number, doc?: string): NewLedgerEntry {
  return {
    unitId: UNIT,
    kind: "charge",
    postedOn: `${period}-01`,
    period,
    component,
    amount,
    documentNo: doc ?? `NAL/${period}/${component}`,
    description: `${component} za ${period}`,
  };
}

function payment(postedOn: string, amount: number, doc?: string): NewLedgerEntry {
  return {
    unitId: UNIT,
    kind: "payment",
    postedOn,
    period: postedOn.slice(0, 7),
    amount,
    documentNo: doc ?? `WB/${postedOn}`,
    description: "Wpłata",
  };
}

Deno.test("balanceEffect: what is owed grows with charges and interest, falls with payments", () => {
  assert.equal(balanceEffect({ kind: "charge", amount: 100 }), 100);
  assert.equal(balanceEffect({ kind: "interest", amount: 7 }), 7);
  assert.equal(balanceEffect({ kind: "opening_balance", amount: -250 }), -250);
  assert.equal(balanceEffect({ kind: "payment", amount: 100 }), -100);
  assert.equal(balanceEffect({ kind: "correction", amount: -30 }), -30);
  assert.equal(balanceEffect({ kind: "correction", amount: 30 }), 30);
});

Deno.test("basisAmount: rate × thousandths of the base, rounded half away from zero", () => {
  // 2,35 zł/m² × 48,50 m² = 113,975 zł → 113,98 zł
  assert.equal(basisAmount({ rate: 235, quantityMilli: 48500 }), 11398);
  assert.equal(basisAmount({ rate: 3100, quantityMilli: 3000 }), 9300);
  assert.equal(basisAmount({ rate: 1, quantityMilli: 499 }), 0);
  assert.equal(basisAmount({ rate: 1, quantityMilli: 500 }), 1);
  assert.equal(basisAmount({ rate: -1, quantityMilli: 500 }), -1);
  assert.throws(() => basisAmount({ rate: 2.35, quantityMilli: 1000 }), RangeError);
});

Deno.test("a unit with no entries has zero totals and an empty ledger", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    assert.deepEqual(await getTotals(kv, "empty"), emptyTotals());
    assert.deepEqual(await listEntries(kv, "empty"), { entries: [], cursor: null });
    const check = await recomputeTotals(kv, "empty");
    assert.equal(check.equal, true);
    assert.equal(check.computed.balance, 0);
  } finally {
    kv.close();
  }
});

Deno.test("postEntry keeps totals; opening balance, interest and corrections count", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const posts: NewLedgerEntry[] = [
      {
        ...charge("2026-01", "x", 0),
        kind: "opening_balance",
        amount: 1000,
        documentNo: "BO",
        component: undefined,
      },
      charge("2026-01", "eksploatacja", 30000),
      charge("2026-01", "odpady", 9300),
      payment("2026-01-12", 35000),
      {
        ...charge("2026-02", "odsetki", 37),
        kind: "interest",
        postedOn: "2026-02-03",
        documentNo: "NO/1",
      },
      {
        ...charge("2026-01", "odpady", -3100),
        kind: "correction",
        postedOn: "2026-02-20",
        documentNo: "KOR/1",
      },
    ];
    for (const p of posts) {
      const r = await postEntry(kv, clock, p);
      assert.ok(r.ok);
    }
    const t = await getTotals(kv, UNIT);
    assert.equal(t.opening, 1000);
    assert.equal(t.charged, 39300);
    assert.equal(t.paid, 35000);
    assert.equal(t.interest, 37);
    assert.equal(t.corrections, -3100);
    assert.equal(t.balance, 1000 + 39300 - 35000 + 37 - 3100);
    assert.deepEqual(t.byComponent, {
      eksploatacja: { charged: 30000 },
      odpady: { charged: 6200 },
      odsetki: { charged: 37 },
    });
    assert.equal(t.entryCount, 6);
    assert.equal(t.lastPaymentOn, "2026-01-12");
    assert.equal(t.lastPaymentAmount, 35000);
    assert.equal(t.lastPostedOn, "2026-02-20");
    assert.equal((await recomputeTotals(kv, UNIT)).equal, true);

    // An overpayment makes the balance negative.
    await postEntry(kv, clock, payment("2026-02-25", 5000));
    assert.equal((await getTotals(kv, UNIT)).balance, -2763);
    assert.equal((await getTotals(kv, UNIT)).lastPaymentAmount, 5000);
  } finally {
    kv.close();
  }
});

Deno.test("posting the same documentNo twice is a no-op", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const first = await postEntry(kv, clock, charge("2026-03", "eksploatacja", 12345));
    assert.ok(first.ok);
    const again = await postEntry(kv, clock, {
      ...charge("2026-04", "eksploatacja", 99999),
      documentNo: "NAL/2026-03/eksploatacja",
    });
    assert.equal(again.ok, false);
    assert.equal(!again.ok && again.reason, "duplicate");
    assert.deepEqual(
      !again.ok && again.reason === "duplicate" && again.existingKey,
      ["ledger", UNIT, "2026-03-01", first.entry.id],
    );
    const t = await getTotals(kv, UNIT);
    assert.equal(t.entryCount, 1);
    assert.equal(t.charged, 12345);
    assert.equal((await listEntries(kv, UNIT)).entries.length, 1);
    // The same document number on another unit is another document.
    assert.ok(
      (await postEntry(kv, clock, { ...charge("2026-03", "eksploatacja", 1), unitId: "u2" })).ok,
    );
  } finally {
    kv.close();
  }
});

Deno.test("malformed entries are refused: money is integer grosze only", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await assert.rejects(postEntry(kv, clock, charge("2026-01", "x", 12.5)), RangeError);
    await assert.rejects(postEntry(kv, clock, charge("2026-01", "x", 2 ** 60)), RangeError);
    await assert.rejects(postEntry(kv, clock, charge("2026-01", "x", NaN)), RangeError);
    await assert.rejects(
      postEntry(kv, clock, { ...charge("2026-01", "x", 1), postedOn: "2026-02-30" }),
      RangeError,
    );
    await assert.rejects(
      postEntry(kv, clock, { ...charge("2026-01", "x", 1), period: "2026-13" }),
      RangeError,
    );
    await assert.rejects(
      postEntry(kv, clock, { ...charge("2026-01", "x", 1), component: undefined }),
      RangeError,
    );
    await assert.rejects(
      postEntry(kv, clock, { ...charge("2026-01", "x", 1), documentNo: " " }),
      RangeError,
    );
    await assert.rejects(
      postEntries(kv, clock, UNIT, [charge("2026-01", "x", 1), charge("2026-02", "x", 0.1)]),
      RangeError,
    );
    // Nothing of the refused batch was written.
    assert.equal((await getTotals(kv, UNIT)).entryCount, 0);
  } finally {
    kv.close();
  }
});

Deno.test("postEntries over 1000 entries keeps totals exact and re-posting is a no-op", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const drafts: Omit<NewLedgerEntry, "unitId">[] = [];
    let expected = 0;
    for (let i = 0; i < 1050; i++) {
      const year = 2015 + Math.floor(i / 120);
      const month = String(((i / 10) | 0) % 12 + 1).padStart(2, "0");
      const period = `${year}-${month}`;
      if (i % 10 === 9) {
        const amount = 1000 + i;
        drafts.push(payment(`${period}-12`, amount, `WB/${i}`));
        expected -= amount;
      } else {
        const amount = 100 * (i % 7) + 1;
        drafts.push(charge(period, `c${i % 9}`, amount, `NAL/${i}`));
        expected += amount;
      }
    }
    // A repeated document inside the input counts once.
    drafts.push(charge("2024-01", "c0", 777, "NAL/5"));

    const r = await postEntries(kv, clock, UNIT, drafts);
    assert.ok(r.ok);
    assert.equal(r.posted, 1050);
    assert.deepEqual(r.duplicates, ["NAL/5"]);
    assert.equal(r.totals.entryCount, 1050);
    assert.equal(r.totals.balance, expected);
    assert.deepEqual(await getTotals(kv, UNIT), r.totals);
    const check = await recomputeTotals(kv, UNIT);
    assert.equal(check.equal, true);
    assert.deepEqual(check.computed, check.stored);

    // Importing the same file again (plus two new documents) posts only the new ones.
    const again = await postEntries(kv, clock, UNIT, [
      ...drafts.slice(0, 500),
      { ...charge("2026-11", "c1", 50, "NEW/1") },
      ...drafts.slice(500),
      { ...charge("2026-11", "c1", 70, "NEW/2") },
    ]);
    assert.ok(again.ok);
    assert.equal(again.posted, 2);
    assert.equal(again.duplicates.length, 1051);
    assert.equal(again.totals.entryCount, 1052);
    assert.equal(again.totals.balance, expected + 120);
    assert.equal((await recomputeTotals(kv, UNIT)).equal, true);

    // Smaller batches give the same result.
    const small = await postEntries(kv, clock, "unit-2", drafts, { batchSize: 7 });
    assert.ok(small.ok);
    assert.equal(small.totals.balance, expected);
    await assert.rejects(postEntries(kv, clock, UNIT, drafts, { batchSize: 100 }), RangeError);
  } finally {
    kv.close();
  }
});

Deno.test("concurrent writers to one unit never lose a total", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const results = await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) => postEntry(kv, clock, charge("2026-05", `c${i}`, 100 + i)),
      ),
    );
    const posted = results.filter((r) => r.ok).length;
    assert.ok(results.every((r) => r.ok || r.reason === "conflict"));
    const check = await recomputeTotals(kv, UNIT);
    assert.equal(check.equal, true);
    assert.equal(check.stored.entryCount, posted);
  } finally {
    kv.close();
  }
});

Deno.test("listEntries: oldest first, posting-month range, pages and reverse", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const drafts: Omit<NewLedgerEntry, "unitId">[] = [];
    const lastDay: Record<string, string> = { "2026-02": "28", "2026-04": "30" };
    for (const period of ["2026-01", "2026-02", "2026-03", "2026-04"]) {
      drafts.push(
        charge(period, "eksploatacja", 100),
        payment(`${period}-${lastDay[period] ?? "31"}`, 100),
      );
    }
    assert.ok((await postEntries(kv, clock, UNIT, drafts)).ok);

    const all = (await listEntries(kv, UNIT)).entries;
    assert.equal(all.length, 8);
    assert.deepEqual(all.map((e) => e.postedOn), [...all.map((e) => e.postedOn)].sort());

    const range = await listEntries(kv, UNIT, { from: "2026-02", to: "2026-03" });
    assert.deepEqual(range.entries.map((e) => e.postedOn), [
      "2026-02-01",
      "2026-02-28",
      "2026-03-01",
      "2026-03-31",
    ]);
    assert.equal((await listEntries(kv, UNIT, { from: "2026-04" })).entries.length, 2);
    assert.equal((await listEntries(kv, UNIT, { to: "2026-01" })).entries.length, 2);
    assert.deepEqual(await listEntries(kv, UNIT, { from: "2026-04", to: "2026-01" }), {
      entries: [],
      cursor: null,
    });

    const pages: LedgerEntry[][] = [];
    let cursor: string | undefined;
    do {
      const page = await listEntries(kv, UNIT, { limit: 3, cursor });
      pages.push(page.entries);
      cursor = page.cursor ?? undefined;
    } while (cursor);
    assert.deepEqual(pages.flat().map((e) => e.id), all.map((e) => e.id));
    assert.deepEqual(pages.map((p) => p.length).slice(0, 3), [3, 3, 2]);

    const newest = await listEntries(kv, UNIT, { limit: 2, reverse: true });
    assert.deepEqual(newest.entries.map((e) => e.postedOn), ["2026-04-30", "2026-04-01"]);
    assert.deepEqual(computeTotals(all), await getTotals(kv, UNIT));
  } finally {
    kv.close();
  }
});

Deno.test("charge components are data in settings", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    assert.deepEqual(await getChargeComponents(kv), []);
    const list = [
      { code: "eksploatacja", label: "Eksploatacja" },
      { code: "fundusz_remontowy", label: "Fundusz remontowy" },
    ];
    await saveChargeComponents(kv, list);
    assert.deepEqual(await getChargeComponents(kv), list);
    await assert.rejects(saveChargeComponents(kv, [...list, list[0]]), RangeError);
    await assert.rejects(saveChargeComponents(kv, [{ code: "Zła kod", label: "x" }]), RangeError);
    await assert.rejects(saveChargeComponents(kv, [{ code: "x", label: " " }]), RangeError);
  } finally {
    kv.close();
  }
});
