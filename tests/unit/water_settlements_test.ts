import assert from "node:assert/strict";
import { manualClock } from "../../domain/shared/clock.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import {
  getTotals,
  type LedgerEntry,
  listEntries,
  type NewLedgerEntry,
  postEntries,
  postEntry,
  recomputeTotals,
} from "../../domain/balance/ledger.ts";
import { addMeter, addReadings, getUnitWater, swapMeter } from "../../domain/water/water.ts";
import {
  computeSettlement,
  explainSettlement,
  formatM3,
  formatZloty,
  getSettlement,
  listSettlements,
  postSettlementToLedger,
  saveSettlement,
  waterCost,
  type WaterSettlement,
} from "../../domain/water/water_settlements.ts";

const NBSP = "\u00a0";
const clock = manualClock(new Date("2026-07-10T10:00:00Z"));
const UNIT = "unit-1";

/**
 * A flat with a cold meter (an estimated reading inside the half-year) and a hot meter swapped
 * on 15 March; readings before, inside and after 2026-01-01…2026-06-30.
 */
async function flat(kv: Deno.Kv, options: { estimatedAtEnd?: boolean } = {}) {
  const cold = await addMeter(kv, clock, {
    unitId: UNIT,
    kind: "cold",
    serialNo: "ZW-1",
    location: "łazienka",
    installedOn: "2024-01-10",
    legalUntil: "2029-01-10",
  });
  const hot = await addMeter(kv, clock, {
    unitId: UNIT,
    kind: "hot",
    serialNo: "CW-1",
    location: "łazienka",
    installedOn: "2021-03-01",
    legalUntil: "2026-03-01",
  });
  const r = (readOn: string, litres: number, estimated = false) => ({
    readOn,
    litres,
    source: estimated ? "estimated" as const : "radio" as const,
    enteredBy: "import",
  });
  assert.ok(
    (await addReadings(kv, clock, cold.id, [
      r("2025-11-30", 98_000),
      r("2025-12-31", 100_000),
      r("2026-01-31", 103_000, true),
      r("2026-02-28", 106_500),
      r("2026-03-31", 110_000),
      r("2026-06-30", 118_400, options.estimatedAtEnd),
      r("2026-07-31", 121_000),
    ])).ok,
  );
  assert.ok(
    (await addReadings(kv, clock, hot.id, [
      r("2025-12-31", 50_000),
      r("2026-02-28", 53_000),
    ])).ok,
  );
  const swap = await swapMeter(kv, clock, {
    oldMeterId: hot.id,
    finalReadingLitres: 54_200,
    newMeter: { serialNo: "CW-2", legalUntil: "2031-03-15" },
    startReadingLitres: 10,
    on: "2026-03-15",
    enteredBy: "inkasent",
  });
  assert.ok(swap.ok);
  assert.ok(
    (await addReadings(kv, clock, swap.newMeter.id, [
      r("2026-06-30", 3_010),
      r("2026-07-31", 4_000),
    ])).ok,
  );
  return { cold, hot, newHot: swap.newMeter, ...await getUnitWater(kv, UNIT) };
}

function entry(
  period: string,
  kind: LedgerEntry["kind"],
  component: string | undefined,
  amount: number,
  documentNo: string,
): LedgerEntry {
  return {
    id: documentNo,
    unitId: UNIT,
    kind,
    postedOn: `${period}-01`,
    period,
    component,
    amount,
    documentNo,
    description: documentNo,
  };
}

/** Six months of water advances, and entries that must not count as advances. */
function ledger(): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (const m of ["01", "02", "03", "04", "05", "06"]) {
    out.push(entry(`2026-${m}`, "charge", "zw_scieki", 15_000, `NAL/2026-${m}/zw`));
    out.push(entry(`2026-${m}`, "charge", "cw_podgrzanie", 7_000, `NAL/2026-${m}/cw`));
    out.push(entry(`2026-${m}`, "charge", "eksploatacja", 20_000, `NAL/2026-${m}/e`));
  }
  out.push(
    entry("2025-12", "charge", "zw_scieki", 15_000, "NAL/2025-12/zw"), // before the period
    entry("2026-07", "charge", "zw_scieki", 15_000, "NAL/2026-07/zw"), // after it
    entry("2026-03", "correction", "zw_scieki", -1_000, "KOR/2026-03/1"), // counts: −10,00 zł
    entry("2026-02", "correction", "zw_scieki", 5_000, "ROZL-WODA/2025-12-31"), // a settlement
    entry("2026-02", "payment", "zw_scieki", 15_000, "WB/1"), // money received, not an advance
    { ...entry("2026-02", "charge", "zw_scieki", 15_000, "NAL/x"), unitId: "other-unit" },
  );
  return out;
}

const prices = { cold: 1760, hot: 2629 };

Deno.test("waterCost: litres × price per m³ / 1000, rounded half up in integers", () => {
  assert.equal(waterCost(18_400, 1760), 32_384); // 18,400 m³ × 17,60 zł = 323,84 zł exactly
  assert.equal(waterCost(18_401, 1760), 32_386); // 323,85776 → 323,86
  assert.equal(waterCost(5, 100), 1); // 0,5 gr → 1 gr
  assert.equal(waterCost(4, 100), 0);
  assert.equal(waterCost(0, 2629), 0);
  assert.throws(() => waterCost(1.5, 100), RangeError);
  assert.throws(() => waterCost(-1, 100), RangeError);
  assert.throws(() => waterCost(1, 17.6), RangeError);
});

Deno.test("computeSettlement: a swap inside the period, an estimated reading, advances from the ledger", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const f = await flat(kv);
    const s = computeSettlement({
      unitId: UNIT,
      from: "2026-01-01",
      to: "2026-06-30",
      meters: f.meters,
      readingsByMeter: f.readingsByMeter,
      ledgerEntries: ledger(),
      prices,
    });
    // Cold: 118 400 − 100 000 (the reading before 1 January to the one on 30 June).
    assert.equal(s.cold.coldLitres, 18_400);
    // Hot: old meter 50 000 → 54 200 at the swap, new meter 10 → 3 010: 4 200 + 3 000.
    assert.equal(s.cold.hotLitres, 7_200);
    // Water and sewage on all water: 25,600 m³ × 17,60 zł = 450,56 zł.
    assert.equal(s.cold.litres, 25_600);
    assert.equal(s.cold.actualCost, 45_056);
    // Heating: 7,200 m³ × 26,29 zł = 189,288 zł → 189,29 zł.
    assert.equal(s.hot?.litres, 7_200);
    assert.equal(s.hot?.actualCost, 18_929);
    // Advances: 6 × 150 zł − 10 zł correction; 6 × 70 zł. Nothing else counts.
    assert.equal(s.cold.advances, 89_000);
    assert.equal(s.hot?.advances, 42_000);
    assert.equal(s.totalActual, 45_056 + 18_929);
    assert.equal(s.totalAdvances, 131_000);
    assert.equal(s.difference, 63_985 - 131_000);
    assert.equal(s.days, 181);
    // The estimated reading of 31 January is inside: flagged, but the total does not rest on it.
    assert.equal(s.estimated, true);
    assert.equal(s.cold.estimated, true);
    assert.equal(s.hot?.estimated, false);
    assert.equal(s.estimatedAtEnds, false);
    assert.deepEqual(s.swaps, [{ kind: "hot", location: "łazienka", on: "2026-03-15" }]);
    assert.deepEqual(s.componentCodes, { cold: "zw_scieki", hot: "cw_podgrzanie" });

    // Consecutive settlements split the readings: nothing counted twice, nothing lost.
    const second = computeSettlement({
      unitId: UNIT,
      from: "2026-07-01",
      to: "2026-12-31",
      meters: f.meters,
      readingsByMeter: f.readingsByMeter,
      ledgerEntries: ledger(),
      prices,
    });
    assert.equal(second.cold.coldLitres, 121_000 - 118_400);
    assert.equal(second.cold.hotLitres, 4_000 - 3_010);
    assert.equal(second.cold.advances, 15_000);
    assert.equal(second.swaps.length, 0);
    assert.equal(second.estimated, false);

    // Heating not billed: no hot part (and hot litres still pay water and sewage).
    const noHeating = computeSettlement({
      unitId: UNIT,
      from: "2026-01-01",
      to: "2026-06-30",
      meters: f.meters,
      readingsByMeter: f.readingsByMeter,
      ledgerEntries: ledger().filter((e) => e.component !== "cw_podgrzanie"),
      prices: { cold: 1760, hot: null },
    });
    assert.equal(noHeating.hot, null);
    assert.equal(noHeating.cold.litres, 25_600);
    assert.equal(noHeating.totalActual, 45_056);
    assert.throws(
      () =>
        computeSettlement({
          unitId: UNIT,
          from: "2026-01-01",
          to: "2026-06-30",
          meters: f.meters,
          readingsByMeter: f.readingsByMeter,
          ledgerEntries: ledger(),
          prices: { cold: 1760, hot: null },
        }),
      RangeError,
      "heating advances without a heating price",
    );
    assert.throws(
      () =>
        computeSettlement({
          unitId: UNIT,
          from: "2026-06-30",
          to: "2026-01-01",
          meters: [],
          readingsByMeter: {},
          ledgerEntries: [],
          prices,
        }),
      RangeError,
    );
  } finally {
    kv.close();
  }
});

Deno.test("computeSettlement: an estimated reading at the period's end is flagged as such", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const f = await flat(kv, { estimatedAtEnd: true });
    const s = computeSettlement({
      unitId: UNIT,
      from: "2026-01-01",
      to: "2026-06-30",
      meters: f.meters,
      readingsByMeter: f.readingsByMeter,
      ledgerEntries: [],
      prices,
    });
    assert.equal(s.estimated, true);
    assert.equal(s.estimatedAtEnds, true);
    assert.equal(s.cold.coldLitres, 18_400);
    assert.equal(s.totalAdvances, 0);
    assert.ok(
      explainSettlement({ ...s, id: "x", createdAt: "", postedToLedger: null }).some((l) =>
        l.startsWith("Odczyt na początku lub na końcu okresu był szacunkowy")
      ),
    );
  } finally {
    kv.close();
  }
});

async function savedSettlement(kv: Deno.Kv) {
  const f = await flat(kv);
  const drafts: Omit<NewLedgerEntry, "unitId">[] = ledger()
    .filter((e) => e.unitId === UNIT && !e.documentNo.startsWith("ROZL"))
    .map(({ id: _id, unitId: _unitId, ...rest }) => rest);
  assert.ok((await postEntries(kv, clock, UNIT, drafts)).ok);
  const draft = computeSettlement({
    unitId: UNIT,
    from: "2026-01-01",
    to: "2026-06-30",
    meters: f.meters,
    readingsByMeter: f.readingsByMeter,
    ledgerEntries: (await listEntries(kv, UNIT)).entries,
    prices,
  });
  const saved = await saveSettlement(kv, clock, draft);
  assert.ok(saved.ok && saved.created);
  return saved.settlement;
}

Deno.test("saveSettlement: unique per unit and end date, idempotent by id; listed newest first", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const s = await savedSettlement(kv);
    assert.equal(s.postedToLedger, null);
    assert.equal(s.createdAt, "2026-07-10T10:00:00.000Z");
    assert.deepEqual(await getSettlement(kv, s.id), s);

    const again = await saveSettlement(kv, clock, { ...s, difference: 1 });
    assert.ok(again.ok && !again.created);
    assert.deepEqual(again.settlement, s, "the stored one, unchanged");

    const { id: _id, createdAt: _c, postedToLedger: _p, ...draft } = s;
    const taken = await saveSettlement(kv, clock, draft);
    assert.equal(!taken.ok && taken.reason, "period_taken");
    assert.equal(!taken.ok && taken.reason === "period_taken" && taken.existing.id, s.id);

    const older = await saveSettlement(kv, clock, {
      ...draft,
      from: "2025-07-01",
      to: "2025-12-31",
    });
    const newer = await saveSettlement(kv, clock, {
      ...draft,
      from: "2026-07-01",
      to: "2026-12-31",
    });
    assert.ok(older.ok && newer.ok);
    assert.deepEqual(
      (await listSettlements(kv, UNIT)).map((x) => x.to),
      ["2026-12-31", "2026-06-30", "2025-12-31"],
    );
    assert.deepEqual(await listSettlements(kv, "other-unit"), []);
  } finally {
    kv.close();
  }
});

Deno.test("postSettlementToLedger: a correction of the difference, totals exact, twice is a no-op", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const s = await savedSettlement(kv);
    const before = await getTotals(kv, UNIT);
    const posted = await postSettlementToLedger(kv, clock, s.id);
    assert.ok(posted.ok && !posted.alreadyPosted && posted.entry);
    assert.equal(posted.entry.kind, "correction");
    assert.equal(posted.entry.amount, s.difference);
    assert.equal(posted.entry.component, "zw_scieki");
    assert.equal(posted.entry.documentNo, "ROZL-WODA/2026-06-30");
    assert.equal(posted.entry.postedOn, "2026-07-10");
    assert.equal(posted.entry.period, "2026-07");
    assert.match(
      posted.entry.description,
      /^Rozliczenie wody 01\.01\.2026–30\.06\.2026: nadpłata$/,
    );
    assert.deepEqual(posted.settlement.postedToLedger, {
      documentNo: "ROZL-WODA/2026-06-30",
      postedOn: "2026-07-10",
    });
    assert.deepEqual(
      (await getSettlement(kv, s.id))?.postedToLedger,
      posted.settlement.postedToLedger,
    );

    const after = await getTotals(kv, UNIT);
    assert.equal(after.balance, before.balance + s.difference);
    assert.equal(after.corrections, before.corrections + s.difference);
    assert.equal(after.entryCount, before.entryCount + 1);
    assert.ok((await recomputeTotals(kv, UNIT)).equal, "totals equal the sum of the entries");

    const nextDay = manualClock(new Date("2026-07-11T10:00:00Z"));
    const twice = await postSettlementToLedger(kv, nextDay, s.id);
    assert.ok(twice.ok && twice.alreadyPosted && !twice.entry);
    assert.equal((await getTotals(kv, UNIT)).entryCount, after.entryCount);
    assert.equal(twice.settlement.postedToLedger?.postedOn, "2026-07-10");

    assert.equal((await postSettlementToLedger(kv, clock, "nope")).ok, false);
  } finally {
    kv.close();
  }
});

Deno.test("postSettlementToLedger: after a crash between the two writes it only marks the settlement", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const s = await savedSettlement(kv);
    // The correction went in (the first write) but the settlement was not marked.
    const first = await postEntry(kv, clock, {
      unitId: UNIT,
      kind: "correction",
      postedOn: "2026-07-09",
      period: "2026-07",
      component: "zw_scieki",
      amount: s.difference,
      documentNo: "ROZL-WODA/2026-06-30",
      description: "Rozliczenie wody",
    });
    assert.ok(first.ok);
    const count = (await getTotals(kv, UNIT)).entryCount;
    const posted = await postSettlementToLedger(kv, clock, s.id);
    assert.ok(posted.ok && posted.alreadyPosted && !posted.entry);
    assert.deepEqual(posted.settlement.postedToLedger, {
      documentNo: "ROZL-WODA/2026-06-30",
      postedOn: "2026-07-09",
    });
    assert.equal((await getTotals(kv, UNIT)).entryCount, count);
    assert.ok((await recomputeTotals(kv, UNIT)).equal);
  } finally {
    kv.close();
  }
});

function settlement(overrides: Partial<WaterSettlement> = {}): WaterSettlement {
  return {
    id: "s1",
    unitId: UNIT,
    from: "2026-01-01",
    to: "2026-06-30",
    days: 181,
    cold: {
      litres: 18_400,
      coldLitres: 18_400,
      hotLitres: 0,
      priceGroszePerM3: 1760,
      actualCost: 32_384,
      advances: 30_000,
      estimated: false,
    },
    hot: null,
    totalActual: 32_384,
    totalAdvances: 30_000,
    difference: 2_384,
    estimated: false,
    estimatedAtEnds: false,
    swaps: [],
    componentCodes: { cold: "zw_scieki", hot: "cw_podgrzanie" },
    postedToLedger: null,
    createdAt: "2026-07-10T10:00:00.000Z",
    ...overrides,
  };
}

Deno.test("explainSettlement: plain Polish sentences with the quantities, the prices and the result", () => {
  const zl = (s: string) => s.replaceAll(" zł", `${NBSP}zł`).replaceAll(" m³", `${NBSP}m³`);
  assert.deepEqual(explainSettlement(settlement()), [
    zl(
      "Zużycie zimnej wody od 01.01.2026 do 30.06.2026: 18,400 m³ × 17,60 zł/m³ = 323,84 zł (woda i ścieki).",
    ),
    zl("Zaliczki naliczone w tym okresie: 300,00 zł."),
    zl("Do dopłaty: 23,84 zł (koszt rzeczywisty − zaliczki: 323,84 zł − 300,00 zł)."),
    "Wynik rozliczenia nie został jeszcze zaksięgowany na koncie lokalu.",
  ]);

  const over = explainSettlement(settlement({
    totalAdvances: 33_594,
    difference: -1_210,
    cold: { ...settlement().cold, advances: 33_594 },
    postedToLedger: { documentNo: "ROZL-WODA/2026-06-30", postedOn: "2026-07-20" },
    swaps: [{ kind: "hot", location: "kuchnia", on: "2026-03-15" }],
    estimated: true,
  }));
  assert.ok(
    over.includes(
      zl(
        "Nadpłata: 12,10 zł — zostanie zaliczona na poczet opłat (koszt rzeczywisty − zaliczki: 323,84 zł − 335,94 zł).",
      ),
    ),
    over.join("\n"),
  );
  assert.ok(over.includes(
    "15.03.2026 wymieniono wodomierz ciepłej wody (kuchnia): zużycie policzono ze starego " +
      "wodomierza do dnia wymiany i z nowego od dnia wymiany.",
  ));
  assert.ok(over.some((l) => l.startsWith("Jeden z odczytów w trakcie okresu był szacunkowy.")));
  assert.equal(
    over.at(-1),
    "Wynik rozliczenia zaksięgowano na koncie lokalu 20.07.2026 (dokument ROZL-WODA/2026-06-30).",
  );

  const withHot = explainSettlement(settlement({
    cold: {
      litres: 25_600,
      coldLitres: 18_400,
      hotLitres: 7_200,
      priceGroszePerM3: 1760,
      actualCost: 45_056,
      advances: 89_000,
      estimated: false,
    },
    hot: {
      litres: 7_200,
      priceGroszePerM3: 2629,
      actualCost: 18_929,
      advances: 42_000,
      estimated: false,
    },
    totalActual: 63_985,
    totalAdvances: 131_000,
    difference: -67_015,
  }));
  assert.deepEqual(withHot.slice(0, 6), [
    zl(
      "Zużycie wody od 01.01.2026 do 30.06.2026 (181 dni): zimnej 18,400 m³, ciepłej 7,200 m³, razem 25,600 m³.",
    ),
    zl(
      "Woda i ścieki: 25,600 m³ × 17,60 zł/m³ = 450,56 zł (za wodę i ścieki płaci się od całej zużytej wody, także tej, która została potem podgrzana).",
    ),
    zl("Podgrzanie ciepłej wody: 7,200 m³ × 26,29 zł/m³ = 189,29 zł."),
    zl("Koszt rzeczywisty razem: 639,85 zł."),
    zl(
      "Zaliczki naliczone w tym okresie: 1 310,00 zł (woda i ścieki 890,00 zł, podgrzanie wody 420,00 zł).",
    )
      .replace("1 310", `1${NBSP}310`),
    zl(
      "Nadpłata: 670,15 zł — zostanie zaliczona na poczet opłat (koszt rzeczywisty − zaliczki: 639,85 zł − 1 310,00 zł).",
    )
      .replace("1 310", `1${NBSP}310`),
  ]);
  assert.ok(
    explainSettlement(settlement({ difference: 0, totalAdvances: 32_384 })).includes(
      "Zaliczki pokryły koszt dokładnie: nie ma ani dopłaty, ani nadpłaty.",
    ),
  );
});

Deno.test("formatM3 and formatZloty: a decimal comma, three decimals of m³, grouped thousands", () => {
  assert.equal(formatM3(18_400), `18,400${NBSP}m³`);
  assert.equal(formatM3(5), `0,005${NBSP}m³`);
  assert.equal(formatM3(1_234_567), `1${NBSP}234,567${NBSP}m³`);
  assert.equal(formatZloty(32_384), `323,84${NBSP}zł`);
  assert.equal(formatZloty(-123_456), `−1${NBSP}234,56${NBSP}zł`);
  assert.throws(() => formatM3(0.5), RangeError);
});

Deno.test("demo: the resident's flat has an underpayment booked and an overpayment not yet booked", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const demo = await seedDemoCooperative(kv, manualClock(new Date("2026-11-20T10:00:00Z")));
    const flatId = demo.demoResident.flatUnitId;
    const [newer, older] = await listSettlements(kv, flatId);
    assert.equal((await listSettlements(kv, flatId)).length, 2);
    assert.deepEqual([older.from, older.to], ["2025-07-01", "2025-12-31"]);
    assert.deepEqual([newer.from, newer.to], ["2026-01-01", "2026-06-30"]);

    assert.ok(older.difference > 0, `underpayment ${older.difference}`);
    assert.deepEqual(older.postedToLedger, {
      documentNo: "ROZL-WODA/2025-12-31",
      postedOn: "2026-01-20",
    });
    assert.equal(older.swaps.length, 1, "the hot meter swap falls in the older half-year");
    assert.ok(newer.difference < 0, `overpayment ${newer.difference}`);
    assert.equal(newer.postedToLedger, null);
    // Priced at that year's advance rates.
    assert.deepEqual([older.cold.priceGroszePerM3, older.hot?.priceGroszePerM3], [1727, 2510]);
    assert.deepEqual([newer.cold.priceGroszePerM3, newer.hot?.priceGroszePerM3], [1810, 2629]);

    const entries = (await listEntries(kv, flatId)).entries;
    const correction = entries.find((e) => e.documentNo === "ROZL-WODA/2025-12-31");
    assert.equal(correction?.kind, "correction");
    assert.equal(correction?.amount, older.difference);
    assert.equal(entries.filter((e) => e.documentNo.startsWith("ROZL-WODA/")).length, 1);
    assert.ok((await recomputeTotals(kv, flatId)).equal);
    // Recomputing from the stored data gives the stored result.
    const water = await getUnitWater(kv, flatId);
    const again = computeSettlement({
      unitId: flatId,
      from: newer.from,
      to: newer.to,
      meters: water.meters,
      readingsByMeter: water.readingsByMeter,
      ledgerEntries: entries,
      prices: { cold: 1810, hot: 2629 },
    });
    assert.equal(again.difference, newer.difference);

    assert.ok(explainSettlement(older).some((l) => l.startsWith("Do dopłaty: ")));
    assert.ok(explainSettlement(newer).some((l) => l.startsWith("Nadpłata: ")));

    // Other flats of the first building have settlements too; garages none.
    const flats = demo.units.filter((u) =>
      u.kind === "flat" && u.buildingId === demo.buildings[0].id
    );
    for (const u of flats) assert.equal((await listSettlements(kv, u.id)).length, 2, u.number);
    assert.deepEqual(await listSettlements(kv, demo.demoResident.garageUnitId), []);
  } finally {
    kv.close();
  }
});
