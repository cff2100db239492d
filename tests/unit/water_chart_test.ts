import assert from "node:assert/strict";
import { manualClock } from "../../domain/shared/clock.ts";
import { addMeter, addReadings, getUnitWater, swapMeter } from "../../domain/water/water.ts";
import {
  consumptionChartRows,
  monthlyConsumption,
  sameMonthLastYear,
} from "../../domain/water/water_chart.ts";
import { consumptionChartSvg } from "../../views/charts.ts";

const clock = manualClock(new Date("2026-11-20T10:00:00Z"));
const UNIT = "unit-1";

const r = (readOn: string, litres: number, estimated = false) => ({
  readOn,
  litres,
  source: estimated ? "estimated" as const : "radio" as const,
  enteredBy: "import",
});

/** Cold read quarterly (one estimated reading); hot monthly, swapped on 15 March. */
async function unitWater(kv: Deno.Kv) {
  const base = {
    unitId: UNIT,
    location: "łazienka",
    installedOn: "2024-01-01",
    legalUntil: "2029-01-01",
  };
  const cold = await addMeter(kv, clock, { ...base, kind: "cold", serialNo: "ZW-1" });
  const hot = await addMeter(kv, clock, { ...base, kind: "hot", serialNo: "CW-1" });
  assert.ok(
    (await addReadings(kv, clock, cold.id, [
      r("2025-12-31", 100_000),
      r("2026-03-31", 109_001),
      r("2026-04-30", 112_000, true),
      r("2026-05-31", 115_000),
    ])).ok,
  );
  assert.ok(
    (await addReadings(kv, clock, hot.id, [
      r("2025-12-31", 0),
      r("2026-01-31", 1_000),
      r("2026-02-28", 2_000),
    ])).ok,
  );
  const swap = await swapMeter(kv, clock, {
    oldMeterId: hot.id,
    finalReadingLitres: 2_600,
    newMeter: { serialNo: "CW-2", legalUntil: "2031-03-15" },
    startReadingLitres: 0,
    on: "2026-03-15",
    enteredBy: "inkasent",
  });
  assert.ok(swap.ok);
  assert.ok(
    (await addReadings(kv, clock, swap.newMeter.id, [
      r("2026-03-31", 500),
      r("2026-04-30", 1_500),
    ])).ok,
  );
  return await getUnitWater(kv, UNIT);
}

Deno.test("monthlyConsumption: intervals split by days, exactly; a swap month gets both meters", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { meters, readingsByMeter } = await unitWater(kv);
    const months = monthlyConsumption(meters, readingsByMeter, { from: "2026-01", to: "2026-06" });
    assert.deepEqual(months, [
      // 9 001 litres over 31 + 28 + 31 days: 3 100,3 / 2 800,3 / 3 100,3; the spare litre goes
      // to the largest remainder, January and March tied, so to the later month.
      { period: "2026-01", cold: 3_100, hot: 1_000, estimated: false, days: 31 },
      { period: "2026-02", cold: 2_800, hot: 1_000, estimated: false, days: 28 },
      // March: the old hot meter until the swap (600) and the new one after it (500).
      { period: "2026-03", cold: 3_101, hot: 1_100, estimated: false, days: 31 },
      { period: "2026-04", cold: 2_999, hot: 1_000, estimated: true, days: 30 },
      { period: "2026-05", cold: 3_000, hot: 0, estimated: true, days: 31 },
      // No readings yet: listed, empty.
      { period: "2026-06", cold: 0, hot: 0, estimated: false, days: 0 },
    ]);
    const total = months.reduce((s, m) => s + m.cold, 0);
    assert.equal(total, 115_000 - 100_000, "nothing lost in the split");
    assert.equal(months.reduce((s, m) => s + m.hot, 0), 2_600 + 1_500);

    // A narrower range lists only its months, with the same values (the split is not cut).
    assert.deepEqual(
      monthlyConsumption(meters, readingsByMeter, { from: "2026-02", to: "2026-02" }),
      [months[1]],
    );
    assert.deepEqual(
      monthlyConsumption(meters, readingsByMeter, { from: "2026-05", to: "2026-04" }),
      [],
    );
    assert.throws(() => monthlyConsumption(meters, readingsByMeter, { from: "2026-1", to: "x" }));
  } finally {
    kv.close();
  }
});

Deno.test("monthlyConsumption: monthly month-end readings fall wholly into their month", () => {
  const meter = {
    id: "m1",
    unitId: UNIT,
    kind: "cold" as const,
    serialNo: "ZW-1",
    location: "kuchnia",
    installedOn: "2024-01-01",
    legalUntil: "2029-01-01",
  };
  const readings = ["2025-10-31", "2025-11-30", "2025-12-31", "2026-11-30"].map((d, i) => ({
    id: `r${i}`,
    meterId: "m1",
    ...r(d, [0, 2_000, 4_500, 40_000][i]),
  }));
  const rows = monthlyConsumption([meter], { m1: readings }, { from: "2025-11", to: "2025-12" });
  assert.deepEqual(rows.map((x) => [x.period, x.cold, x.days]), [
    ["2025-11", 2_000, 30],
    ["2025-12", 2_500, 31],
  ]);
  const year = monthlyConsumption([meter], { m1: readings }, { from: "2025-11", to: "2026-11" });
  assert.equal(year.length, 13);
  assert.equal(sameMonthLastYear(year, "2026-11")?.cold, 2_000);
  assert.equal(sameMonthLastYear(year, "2026-12")?.cold, 2_500);
  assert.equal(sameMonthLastYear(year, "2027-12"), null);
  assert.equal(sameMonthLastYear(year, "2025-11"), null);
  assert.throws(() => sameMonthLastYear(year, "2026-13"), RangeError);
});

function assertBalancedTags(svg: string) {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (m[3] === "/") continue;
    if (m[1] === "/") assert.equal(stack.pop(), m[2]);
    else stack.push(m[2]);
  }
  assert.deepEqual(stack, []);
}

Deno.test("consumptionChartSvg: accessible bars, cold and hot side by side, m³ with a comma", () => {
  const rows = consumptionChartRows([
    { period: "2025-12", cold: 1_200, hot: 400, estimated: false, days: 31 },
    { period: "2026-01", cold: 900, hot: 650, estimated: true, days: 31 },
    { period: "2026-02", cold: 0, hot: 0, estimated: false, days: 0 },
  ]);
  assert.deepEqual(rows[1], {
    period: "2026-01",
    label: "styczeń 2026",
    shortLabel: "sty",
    cold: 900,
    hot: 650,
    estimated: true,
  });
  const svg = consumptionChartSvg(rows, {
    width: 480,
    height: 200,
    title: "Zużycie wody <m³> & więcej",
    id: "woda",
    describedBy: "woda-tabela",
  });
  assertBalancedTags(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" id="woda" /);
  assert.match(svg, / role="img"/);
  assert.match(svg, / aria-labelledby="woda-title"/);
  assert.match(svg, / aria-describedby="woda-tabela"/);
  assert.match(svg, /<title id="woda-title">Zużycie wody &lt;m³&gt; &amp; więcej<\/title>/);
  assert.doesNotMatch(svg, /style=/);
  for (const cls of ["chart-cold", "chart-hot", "chart-axis", "chart-estimated"]) {
    assert.match(svg, new RegExp(`class="${cls}"`), cls);
  }
  assert.match(svg, /<g class="chart-cold" fill="#[0-9a-f]{6}">/);
  assert.match(svg, /<g class="chart-hot" fill="#[0-9a-f]{6}">/);
  for (
    const text of [">zimna woda<", ">ciepła woda<", ">* odczyt szacunkowy<", ">sty<", ">2026<"]
  ) {
    assert.ok(svg.includes(text), text);
  }
  // Max 1 200 litres: steps of 0,5 m³ up to 1,5 m³.
  for (const tick of ["0", "0,5", "1", "1,5"]) assert.ok(svg.includes(`>${tick}\u00a0m³<`), tick);

  const bars = (cls: string) =>
    [...(new RegExp(`<g class="${cls}"[^>]*>(.*?)</g>`).exec(svg)?.[1] ?? "").matchAll(
      /<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" data-period="([^"]+)" data-litres="(\d+)"/g,
    )].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      w: Number(m[3]),
      h: Number(m[4]),
      period: m[5],
      litres: Number(m[6]),
    }));
  const cold = bars("chart-cold");
  const hot = bars("chart-hot");
  assert.deepEqual(cold.map((b) => [b.period, b.litres]), rows.map((x) => [x.period, x.cold]));
  assert.deepEqual(hot.map((b) => [b.period, b.litres]), rows.map((x) => [x.period, x.hot]));
  for (let i = 0; i < rows.length; i++) {
    assert.equal(cold[i].x + cold[i].w, hot[i].x, "side by side, cold on the left");
    assert.equal(cold[i].y + cold[i].h, hot[i].y + hot[i].h, "on one baseline");
  }
  assert.ok(cold[0].h > cold[1].h && cold[1].h > hot[1].h && hot[1].h > hot[0].h);
  assert.equal(cold[2].h, 0);
  // Every coordinate is an integer.
  const numbers = svg.match(/ (?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g) ?? [];
  for (const n of numbers) assert.match(n, /="-?\d+"$/, n);
  // Only the estimated month is marked.
  assert.equal([...svg.matchAll(/>\*</g)].length, 1);
});

Deno.test("consumptionChartSvg: rows without periods, two years, no data, bad sizes", () => {
  const plain = consumptionChartSvg(
    [{ label: "I półrocze 2026", shortLabel: "I 2026", cold: 25_600, hot: 7_200 }],
    { width: 320, height: 160, title: "Półrocza" },
  );
  assertBalancedTags(plain);
  assert.match(plain, / id="consumption-chart" /);
  assert.ok(plain.includes(">I 2026<"));
  assert.ok(plain.includes(">10\u00a0m³<") && plain.includes(">30\u00a0m³<"));
  assert.doesNotMatch(plain, /szacunkowy/);

  const months = Array.from({ length: 25 }, (_, i) => {
    const index = 2024 * 12 + 10 + i;
    const period = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
    return { period, cold: 6_000 + i * 10, hot: 3_000, estimated: false, days: 30 };
  });
  const two = consumptionChartSvg(consumptionChartRows(months), {
    width: 640,
    height: 240,
    title: "Dwa lata",
  });
  assertBalancedTags(two);
  assert.equal([...two.matchAll(/<rect [^>]*data-litres/g)].length, 50);
  const monthLabels = [...two.matchAll(/>(sty|lut|mar|kwi|maj|cze|lip|sie|wrz|paź|lis|gru)</g)];
  assert.ok(monthLabels.length <= 13, `${monthLabels.length} month labels`);
  for (const y of ["2024", "2025", "2026"]) assert.ok(two.includes(`>${y}<`), y);

  const empty = consumptionChartSvg([], { width: 320, height: 120, title: "Woda" });
  assertBalancedTags(empty);
  assert.match(empty, /Brak danych do wykresu/);
  assert.throws(() => consumptionChartSvg([], { width: 100, height: 100, title: "x" }), RangeError);
  assert.throws(
    () =>
      consumptionChartSvg([{ label: "x", shortLabel: "x", cold: 0.5, hot: 0 }], {
        width: 320,
        height: 120,
        title: "x",
      }),
    RangeError,
  );
});
