import assert from "node:assert/strict";
import { manualClock } from "../../domain/shared/clock.ts";
import {
  addMeter,
  addReading,
  addReadings,
  consumptionByPeriod,
  getMeter,
  getUnitWater,
  listMeters,
  listReadings,
  type Meter,
  type NewMeter,
  type Reading,
  swapMeter,
} from "../../domain/water/water.ts";

const clock = manualClock(new Date("2026-11-20T10:00:00Z"));

const coldMeter: NewMeter = {
  unitId: "unit-1",
  kind: "cold",
  serialNo: "ZW-2112345",
  location: "łazienka",
  installedOn: "2021-05-10",
  legalUntil: "2026-05-10",
};

async function read(kv: Deno.Kv, meterId: string, readOn: string, litres: number) {
  return await addReading(kv, clock, {
    meterId,
    readOn,
    litres,
    source: "visit",
    enteredBy: "inkasent",
  });
}

Deno.test("meters are listed per unit and found by id", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const a = await addMeter(kv, clock, coldMeter);
    const b = await addMeter(kv, clock, { ...coldMeter, kind: "hot", serialNo: "CW-1" });
    await addMeter(kv, clock, { ...coldMeter, unitId: "unit-2" });
    assert.deepEqual(await listMeters(kv, "unit-1"), [a, b]);
    assert.deepEqual(await getMeter(kv, b.id), b);
    assert.equal(await getMeter(kv, "nope"), null);
    await assert.rejects(
      addMeter(kv, clock, { ...coldMeter, installedOn: "2021-13-01" }),
      RangeError,
    );
  } finally {
    kv.close();
  }
});

Deno.test("a reading lower than the previous one is refused", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const meter = await addMeter(kv, clock, coldMeter);
    const first = await read(kv, meter.id, "2026-01-31", 120_500);
    assert.ok(first.ok);
    assert.ok((await read(kv, meter.id, "2026-02-28", 122_000)).ok);

    const lower = await read(kv, meter.id, "2026-03-31", 121_999);
    assert.equal(lower.ok, false);
    assert.equal(!lower.ok && lower.reason, "lower_than_previous");
    assert.equal(
      !lower.ok && lower.reason === "lower_than_previous" && lower.previous.litres,
      122_000,
    );
    // Equal is fine (nobody used water); so is a same-day repeat.
    assert.ok((await read(kv, meter.id, "2026-03-31", 122_000)).ok);
    assert.ok((await read(kv, meter.id, "2026-03-31", 122_010)).ok);
    // A back-dated reading must fit between its neighbours.
    const tooHigh = await read(kv, meter.id, "2026-02-15", 122_500);
    assert.equal(!tooHigh.ok && tooHigh.reason, "higher_than_next");
    const tooLow = await read(kv, meter.id, "2026-02-15", 120_000);
    assert.equal(!tooLow.ok && tooLow.reason, "lower_than_previous");
    assert.ok((await read(kv, meter.id, "2026-02-15", 121_000)).ok);

    assert.deepEqual(
      (await listReadings(kv, meter.id)).map((r) => [r.readOn, r.litres]),
      [
        ["2026-01-31", 120_500],
        ["2026-02-15", 121_000],
        ["2026-02-28", 122_000],
        ["2026-03-31", 122_000],
        ["2026-03-31", 122_010],
      ],
    );
    assert.equal((await read(kv, "nope", "2026-03-31", 1)).ok, false);
    const early = await read(kv, meter.id, "2020-01-01", 0);
    assert.equal(!early.ok && early.reason, "before_installation");
    await assert.rejects(read(kv, meter.id, "2026-04-30", 1.5), RangeError);
    await assert.rejects(read(kv, meter.id, "2026-04-30", -1), RangeError);
  } finally {
    kv.close();
  }
});

Deno.test("concurrent readings cannot both pass the check", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const meter = await addMeter(kv, clock, coldMeter);
    assert.ok((await read(kv, meter.id, "2026-01-31", 1000)).ok);
    // Two writers of the same later day; whichever comes second sees the first.
    await Promise.all([
      read(kv, meter.id, "2026-02-28", 3000),
      read(kv, meter.id, "2026-02-28", 2000),
    ]);
    const readings = await listReadings(kv, meter.id);
    for (let i = 1; i < readings.length; i++) {
      assert.ok(readings[i].litres >= readings[i - 1].litres, JSON.stringify(readings));
    }
  } finally {
    kv.close();
  }
});

Deno.test("a meter swap links both meters and keeps consumption continuous", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const old = await addMeter(kv, clock, coldMeter);
    assert.ok((await read(kv, old.id, "2026-01-31", 480_000)).ok);
    assert.ok((await read(kv, old.id, "2026-02-28", 482_100)).ok);

    const lower = await swapMeter(kv, clock, {
      oldMeterId: old.id,
      finalReadingLitres: 482_000,
      newMeter: { serialNo: "ZW-2600001", legalUntil: "2031-03-15" },
      startReadingLitres: 5,
      on: "2026-03-15",
      enteredBy: "inkasent",
    });
    assert.equal(!lower.ok && lower.reason, "lower_than_previous");

    const swap = await swapMeter(kv, clock, {
      oldMeterId: old.id,
      finalReadingLitres: 483_200,
      newMeter: { serialNo: "ZW-2600001", legalUntil: "2031-03-15" },
      startReadingLitres: 5,
      on: "2026-03-15",
      enteredBy: "inkasent",
    });
    assert.ok(swap.ok);
    assert.equal(swap.oldMeter.removedOn, "2026-03-15");
    assert.equal(swap.oldMeter.replacedBy, swap.newMeter.id);
    assert.equal(swap.newMeter.replaces, old.id);
    assert.equal(swap.newMeter.location, "łazienka");
    assert.equal(swap.newMeter.kind, "cold");
    assert.equal(swap.newMeter.installedOn, "2026-03-15");

    // The old meter takes no more readings; the new one may start anywhere.
    const late = await read(kv, old.id, "2026-03-31", 490_000);
    assert.equal(!late.ok && late.reason, "meter_removed");
    assert.ok((await read(kv, swap.newMeter.id, "2026-03-31", 1_105)).ok);
    assert.ok((await read(kv, swap.newMeter.id, "2026-04-30", 3_305)).ok);
    const twice = await swapMeter(kv, clock, {
      oldMeterId: old.id,
      finalReadingLitres: 483_200,
      newMeter: { serialNo: "x", legalUntil: "2031-03-15" },
      startReadingLitres: 0,
      on: "2026-03-15",
      enteredBy: "inkasent",
    });
    assert.equal(!twice.ok && twice.reason, "meter_removed");

    const { meters, readingsByMeter } = await getUnitWater(kv, "unit-1");
    assert.equal(meters.length, 2);
    const periods = consumptionByPeriod(meters, readingsByMeter);
    assert.deepEqual(
      periods.map((p) => [p.from, p.to, p.litres, p.chainId]),
      [
        ["2026-01-31", "2026-02-28", 2_100, old.id],
        ["2026-02-28", "2026-03-15", 1_100, old.id],
        ["2026-03-15", "2026-03-31", 1_100, old.id],
        ["2026-03-31", "2026-04-30", 2_200, old.id],
      ],
    );
    assert.deepEqual(periods.map((p) => p.meterId), [
      old.id,
      old.id,
      swap.newMeter.id,
      swap.newMeter.id,
    ]);
    assert.ok(periods.every((p) => p.litres >= 0));
    // Nothing lost: the chain's total is the old meter's advance plus the new meter's.
    const total = periods.reduce((sum, p) => sum + p.litres, 0);
    assert.equal(total, (483_200 - 480_000) + (3_305 - 5));
    // No gap in time either: each period starts where the previous one ended.
    for (let i = 1; i < periods.length; i++) assert.equal(periods[i].from, periods[i - 1].to);
  } finally {
    kv.close();
  }
});

Deno.test("swapMeter refuses when the old meter has readings after the swap day", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const old = await addMeter(kv, clock, coldMeter);
    assert.ok((await read(kv, old.id, "2026-04-30", 10)).ok);
    const r = await swapMeter(kv, clock, {
      oldMeterId: old.id,
      finalReadingLitres: 10,
      newMeter: { serialNo: "ZW-2", legalUntil: "2031-03-15" },
      startReadingLitres: 0,
      on: "2026-03-15",
      enteredBy: "inkasent",
    });
    assert.equal(!r.ok && r.reason, "readings_after_swap");
    assert.equal((await listMeters(kv, "unit-1")).length, 1);
  } finally {
    kv.close();
  }
});

function reading(
  meterId: string,
  readOn: string,
  litres: number,
  id: string,
  estimated = false,
): Reading {
  return {
    id,
    meterId,
    readOn,
    litres,
    source: estimated ? "estimated" : "radio",
    enteredBy: "import",
  };
}

Deno.test("consumptionByPeriod: days, litres a day rounded down, estimated periods flagged", () => {
  const meter: Meter = { ...coldMeter, id: "m1" };
  const hot: Meter = { ...coldMeter, id: "m2", kind: "hot" };
  const periods = consumptionByPeriod([meter, hot], {
    // Given out of order on purpose.
    m1: [
      reading("m1", "2026-03-31", 7_000, "03"),
      reading("m1", "2026-01-31", 1_000, "01"),
      reading("m1", "2026-02-28", 4_000, "02", true),
      reading("m1", "2026-03-31", 7_000, "04"),
    ],
    m2: [reading("m2", "2026-01-31", 50, "05")],
  });
  assert.deepEqual(
    periods.map((p) => ({
      from: p.from,
      to: p.to,
      litres: p.litres,
      days: p.days,
      perDay: p.litresPerDay,
      estimated: p.estimated,
    })),
    [
      // 3000 litres in 28 days = 107,14… → 107
      {
        from: "2026-01-31",
        to: "2026-02-28",
        litres: 3_000,
        days: 28,
        perDay: 107,
        estimated: true,
      },
      {
        from: "2026-02-28",
        to: "2026-03-31",
        litres: 3_000,
        days: 31,
        perDay: 96,
        estimated: true,
      },
      { from: "2026-03-31", to: "2026-03-31", litres: 0, days: 0, perDay: null, estimated: false },
    ],
  );
  assert.deepEqual(consumptionByPeriod([], {}), []);
  assert.deepEqual(consumptionByPeriod([meter], {}), []);
});

Deno.test("addReadings appends an import in one go, with the same rules", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const meter = await addMeter(kv, clock, coldMeter);
    assert.ok((await read(kv, meter.id, "2026-01-31", 1_000)).ok);
    const batch = (litres: number[]) =>
      litres.map((l, i) => ({
        readOn: `2026-0${i + 2}-10`,
        litres: l,
        source: "radio" as const,
        enteredBy: "import",
      }));

    const lower = await addReadings(kv, clock, meter.id, batch([1_500, 2_000, 1_900]));
    assert.equal(!lower.ok && lower.reason, "lower_than_previous");
    assert.equal(!lower.ok && lower.reason === "lower_than_previous" && lower.index, 2);
    const belowStored = await addReadings(kv, clock, meter.id, batch([999]));
    assert.equal(!belowStored.ok && belowStored.reason, "lower_than_previous");
    assert.equal((await listReadings(kv, meter.id)).length, 1, "all or nothing");

    const ok = await addReadings(kv, clock, meter.id, batch([1_500, 2_000, 2_600]).reverse());
    assert.ok(ok.ok);
    assert.deepEqual(
      (await listReadings(kv, meter.id)).map((r) => r.litres),
      [1_000, 1_500, 2_000, 2_600],
    );
    const inside = await addReadings(kv, clock, meter.id, [
      { readOn: "2026-02-20", litres: 1_700, source: "radio", enteredBy: "import" },
    ]);
    assert.equal(!inside.ok && inside.reason, "not_after_last");
    assert.equal((await addReadings(kv, clock, "nope", batch([1]))).ok, false);
    assert.deepEqual(await addReadings(kv, clock, meter.id, []), { ok: true, readings: [] });
  } finally {
    kv.close();
  }
});
