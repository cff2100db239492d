/**
 * The per-unit water summary (domain/water/water_summary.ts) is written in the same op as the
 * meters and readings it describes, by every writer (demo seeding: addMeter, addReadings,
 * swapMeter; staff: addReading; accepted submissions), and rebuilt on first read when missing.
 */
import assert from "node:assert/strict";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { keys } from "../../domain/shared/keys.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { addReading, getUnitWater } from "../../domain/water/water.ts";
import {
  computeWaterSummary,
  readWaterSummary,
  type WaterSummary,
} from "../../domain/water/water_summary.ts";

async function stored(kv: Deno.Kv, unitId: string) {
  return (await kv.get<WaterSummary>(keys.waterSummary(unitId))).value;
}

async function recomputed(kv: Deno.Kv, unitId: string) {
  const { meters, readingsByMeter } = await getUnitWater(kv, unitId);
  return computeWaterSummary(meters, readingsByMeter);
}

Deno.test("water summary: every demo unit's stored summary equals one computed from all readings", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
  const coop = await seedDemoCooperative(kv, clock);
  for (const u of coop.units) {
    const { meters } = await getUnitWater(kv, u.id);
    if (meters.length === 0) continue;
    assert.deepEqual(await stored(kv, u.id), await recomputed(kv, u.id), u.externalId);
  }

  // A new reading moves it in the same op.
  const flat = coop.demoResident.flatUnitId;
  const meter = (await getUnitWater(kv, flat)).meters.find((m) => !m.removedOn)!;
  const before = (await stored(kv, flat))!.last[meter.id];
  const added = await addReading(kv, clock, {
    meterId: meter.id,
    readOn: "2026-11-24",
    litres: before.litres + 2500,
    source: "visit",
    enteredBy: "biuro",
  });
  assert.ok(added.ok);
  const after = (await stored(kv, flat))!;
  assert.equal(after.last[meter.id].litres, before.litres + 2500);
  assert.equal(after.months.at(-1)!.period, "2026-11");
  assert.deepEqual(after, await recomputed(kv, flat));
});

Deno.test("water summary: missing (data from before summaries) is rebuilt on first read and stored", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
  const coop = await seedDemoCooperative(kv, clock);
  const flat = coop.demoResident.flatUnitId;
  const expected = await recomputed(kv, flat);
  await kv.delete(keys.waterSummary(flat));
  const entry = await kv.get<WaterSummary>(keys.waterSummary(flat));
  assert.equal(entry.value, null);
  assert.deepEqual(await readWaterSummary(kv, flat, entry), expected);
  assert.deepEqual(await stored(kv, flat), expected);
});
