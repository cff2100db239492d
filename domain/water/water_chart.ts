/**
 * Water consumption month by month, and its SVG bar chart (cold and hot side by side). Pure
 * functions: no KV, no clock. Water in integer litres; the chart labels it in m³ with a decimal
 * comma.
 *
 * How readings become months (`monthlyConsumption`): an interval between two consecutive
 * readings of one meter covers the days after the first reading's day up to and including the
 * second's (a month-end reading on 31 October to one on 30 November is November's 30 days).
 * Its litres are split between the calendar months it covers in proportion to its days in
 * each, in whole litres by the largest remainder (ties go to the later month), so the months
 * add up exactly to the readings. With monthly month-end readings (the radio system) each
 * interval falls wholly into the month of its end reading; quarterly readings are spread over
 * their three months. A meter swap needs no special case: the old meter's last interval ends
 * at its final reading on the swap day and the new meter's first starts at its start reading
 * that day, so the swap month gets both parts. A month is `estimated` when an interval with an
 * estimated reading at either end contributes to it.
 */
import { consumptionByPeriod, type Meter, type Reading } from "./water.ts";
import { MONTHS, MONTHS_SHORT } from "../shared/calendar.ts";
import { escapeXml } from "../shared/xml.ts";

export type MonthlyConsumption = {
  /** "YYYY-MM". */
  period: string;
  /** Litres of cold water (all cold meters). */
  cold: number;
  /** Litres of hot water (all hot meters). */
  hot: number;
  estimated: boolean;
  /** Days of the month covered by readings (the most of any measuring point); 0 = no data. */
  days: number;
};

const DAY_MS = 86_400_000;

function isPeriod(s: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
}

function addMonths(period: string, n: number): string {
  const [y, m] = period.split("-").map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

/** The day number of the last day of `period`. */
function lastDayNumber(period: string): number {
  const [y, m] = period.split("-").map(Number);
  return Math.round(Date.UTC(y, m, 0) / DAY_MS);
}

/** Splits `litres` over `days` (each > 0) in proportion, exactly, largest remainder first. */
function apportion(litres: number, days: number[]): number[] {
  const total = days.reduce((s, d) => s + d, 0);
  const shares = days.map((d) => Math.floor((litres * d) / total));
  let left = litres - shares.reduce((s, x) => s + x, 0);
  const order = days.map((d, i) => ({ i, rem: (litres * d) % total }))
    .sort((a, b) => b.rem - a.rem || b.i - a.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i]++;
    left--;
  }
  return shares;
}

/** Consumption per calendar month of [from, to] ("YYYY-MM", inclusive), every month listed. */
export function monthlyConsumption(
  meters: readonly Meter[],
  readingsByMeter: Readonly<Record<string, readonly Reading[]>>,
  range: { from: string; to: string },
): MonthlyConsumption[] {
  if (!isPeriod(range.from) || !isPeriod(range.to)) {
    throw new RangeError(`range: ${range.from}…${range.to}`);
  }
  const rows = new Map<string, MonthlyConsumption>();
  for (let p = range.from; p <= range.to; p = addMonths(p, 1)) {
    rows.set(p, { period: p, cold: 0, hot: 0, estimated: false, days: 0 });
  }
  if (rows.size === 0) return [];
  /** chainId → period → days covered. */
  const covered = new Map<string, Map<string, number>>();
  const cover = (chainId: string, period: string, days: number) => {
    const perChain = covered.get(chainId) ?? new Map<string, number>();
    perChain.set(period, (perChain.get(period) ?? 0) + days);
    covered.set(chainId, perChain);
  };

  for (const p of consumptionByPeriod(meters, readingsByMeter)) {
    if (p.to.slice(0, 7) < range.from || p.from.slice(0, 7) > range.to) continue;
    const start = dayNumber(p.from); // exclusive
    const end = dayNumber(p.to); // inclusive
    const months: string[] = [];
    const days: number[] = [];
    if (end === start) {
      months.push(p.to.slice(0, 7));
      days.push(0);
    } else {
      // The first day covered is the day after `from`.
      const firstDay = new Date((start + 1) * DAY_MS).toISOString().slice(0, 7);
      for (let m = firstDay; m <= p.to.slice(0, 7); m = addMonths(m, 1)) {
        const monthEnd = lastDayNumber(m);
        const monthStart = lastDayNumber(addMonths(m, -1)); // exclusive
        months.push(m);
        days.push(Math.min(end, monthEnd) - Math.max(start, monthStart));
      }
    }
    const litres = days.some((d) => d > 0) ? apportion(p.litres, days) : [p.litres];
    months.forEach((m, i) => {
      const row = rows.get(m);
      if (!row) return;
      row[p.kind] += litres[i];
      if (p.estimated) row.estimated = true;
      cover(p.chainId, m, days[i]);
    });
  }
  for (const perChain of covered.values()) {
    for (const [period, days] of perChain) {
      const row = rows.get(period)!;
      row.days = Math.max(row.days, days);
    }
  }
  return [...rows.values()];
}

/** The row of the same month a year before `period`, if `rows` has it. */
export function sameMonthLastYear<T extends { period: string }>(
  rows: readonly T[],
  period: string,
): T | null {
  if (!isPeriod(period)) throw new RangeError(`period: ${period}`);
  const target = addMonths(period, -12);
  return rows.find((r) => r.period === target) ?? null;
}

// --- Chart --------------------------------------------------------------------------------

export type ConsumptionChartRow = {
  /** "listopad 2026". */
  label: string;
  /** "lis". */
  shortLabel: string;
  /** Litres. */
  cold: number;
  /** Litres. */
  hot: number;
  /** "YYYY-MM": when given, the year is written under January and the first month. */
  period?: string;
  /** Marked with an asterisk above the bars. */
  estimated?: boolean;
};

/** The chart's rows (also the rows of the table that is its text alternative). */
export function consumptionChartRows(
  months: readonly MonthlyConsumption[],
): Required<ConsumptionChartRow>[] {
  return months.map((m) => {
    const i = Number(m.period.slice(5, 7)) - 1;
    return {
      period: m.period,
      label: `${MONTHS[i]} ${m.period.slice(0, 4)}`,
      shortLabel: MONTHS_SHORT[i],
      cold: m.cold,
      hot: m.hot,
      estimated: m.estimated,
    };
  });
}

export type ConsumptionChartOptions = {
  width: number;
  height: number;
  title: string;
  /** The svg's id; the `<title>` gets `${id}-title`. */
  id?: string;
  /** The id of the element describing the chart (e.g. its table), for `aria-describedby`. */
  describedBy?: string;
};

/** An axis label: 2500 litres → "2,5 m³", 10000 → "10 m³" (a non-breaking space). */
function m3AxisLabel(litres: number): string {
  const whole = Math.floor(litres / 1000);
  const frac = String(litres % 1000).padStart(3, "0").replace(/0+$/, "");
  return `${whole}${frac ? `,${frac}` : ""}\u00a0m³`;
}

/** The smallest 1, 2 or 5 × 10ⁿ litres step (at least 0,1 m³) of at least `min` litres. */
function niceStep(min: number): number {
  for (let power = 100;; power *= 10) {
    for (const f of [1, 2, 5]) if (f * power >= min) return f * power;
  }
}

/** Rounds a / b (b > 0) to the nearest integer, halves up, for integers a, b. */
function divRound(a: number, b: number): number {
  return Math.floor((2 * a + b) / (2 * b));
}

const COLD_FILL = "#1f5fa6"; // blue, 6.5:1 on white
const HOT_FILL = "#c2410c"; // red-orange, 5.2:1 on white

/**
 * A bar chart of water per period: cold and hot side by side, on one m³ axis starting at
 * zero. Same conventions as `balanceChartSvg`: role="img" with a `<title>`, no inline styles
 * (presentation attributes give the defaults; the classes `chart-cold`, `chart-hot`,
 * `chart-axis`, `chart-estimated` let the stylesheet change them), integer coordinates.
 */
export function consumptionChartSvg(
  rows: readonly ConsumptionChartRow[],
  options: ConsumptionChartOptions,
): string {
  const { width, height } = options;
  if (
    !Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 160 || height < 100
  ) {
    throw new RangeError("chart size: integers, at least 160 × 100");
  }
  for (const r of rows) {
    for (const v of [r.cold, r.hot]) {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`litres: ${v}`);
    }
  }
  const id = (options.id ?? "consumption-chart").replace(/[^A-Za-z0-9_-]/g, "") ||
    "consumption-chart";
  const describedBy = options.describedBy
    ? ` aria-describedby="${escapeXml(options.describedBy)}"`
    : "";
  const open = `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" class="consumption-chart" ` +
    `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
    `aria-labelledby="${id}-title"${describedBy}>` +
    `<title id="${id}-title">${escapeXml(options.title)}</title>`;
  if (rows.length === 0) {
    return `${open}<text class="chart-axis" x="${width >> 1}" y="${height >> 1}" ` +
      `text-anchor="middle" font-size="14" fill="#333">Brak danych do wykresu</text></svg>`;
  }

  // Labels are 14 px (at the chart's own size, which it keeps on a phone: it scrolls sideways).
  const left = 64;
  const right = 12;
  const top = 38;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const hi = Math.max(0, ...rows.flatMap((r) => [r.cold, r.hot]));
  const step = niceStep(Math.max(1, Math.ceil(hi / 4)));
  const axisMax = Math.max(step, Math.ceil(hi / step) * step);
  const y = (v: number) => top + divRound((axisMax - v) * plotH, axisMax);
  const slotLeft = (i: number) => left + Math.floor((i * plotW) / rows.length);

  const axis: string[] = [];
  for (let v = 0; v <= axisMax; v += step) {
    const yy = y(v);
    axis.push(
      `<line x1="${left}" y1="${yy}" x2="${width - right}" y2="${yy}" stroke="#999" ` +
        `stroke-width="1"${v === 0 ? "" : ' stroke-dasharray="2 3"'}/>`,
      `<text x="${left - 6}" y="${yy + 5}" text-anchor="end">${m3AxisLabel(v)}</text>`,
    );
  }
  // Labels ~40 px apart: with periods, every 1, 2, 3, 4, 6 or 12 months (so January is always
  // one) and over many years only the Januaries of every few years; without, every few slots.
  const need = Math.ceil((rows.length * 40) / plotW);
  const every = [1, 2, 3, 4, 6, 12].find((k) => k >= need) ?? 12;
  const yearsEvery = Math.max(1, Math.ceil(need / 12));
  const firstJanuary = rows.findIndex((r) => r.period?.endsWith("-01"));
  const cold: string[] = [];
  const hot: string[] = [];
  const marks: string[] = [];
  const y0 = y(0);
  rows.forEach((r, i) => {
    const x0 = slotLeft(i);
    const slot = slotLeft(i + 1) - x0;
    const inset = Math.floor(slot / 6);
    const barW = Math.max(1, (slot - 2 * inset) >> 1);
    const cx = x0 + (slot >> 1);
    const data = r.period ? ` data-period="${escapeXml(r.period)}"` : "";
    const yc = y(r.cold);
    const yh = y(r.hot);
    cold.push(
      `<rect x="${cx - barW}" y="${yc}" width="${barW}" height="${y0 - yc}"${data} ` +
        `data-litres="${r.cold}"/>`,
    );
    hot.push(
      `<rect x="${cx}" y="${yh}" width="${barW}" height="${y0 - yh}"${data} ` +
        `data-litres="${r.hot}"/>`,
    );
    if (r.estimated) {
      marks.push(`<text x="${cx}" y="${Math.min(yc, yh) - 3}" text-anchor="middle">*</text>`);
    }
    let labelled: boolean;
    let yearHere = false;
    if (r.period) {
      const monthIndex = Number(r.period.slice(5, 7)) - 1;
      const year = Number(r.period.slice(0, 4));
      labelled = need > 12 ? monthIndex === 0 && year % yearsEvery === 0 : monthIndex % every === 0;
      // The year under each labelled January, and under the first month unless a January
      // follows too closely for both to fit.
      yearHere = (monthIndex === 0 && labelled) ||
        (i === 0 && (firstJanuary === -1 || firstJanuary * plotW >= 40 * rows.length));
    } else {
      labelled = i % every === 0;
    }
    if (labelled) {
      axis.push(
        `<text x="${cx}" y="${height - bottom + 17}" text-anchor="middle">${
          escapeXml(r.shortLabel)
        }</text>`,
      );
    }
    if (yearHere) {
      axis.push(
        `<text x="${cx}" y="${height - bottom + 34}" text-anchor="middle">${
          r.period!.slice(0, 4)
        }</text>`,
      );
    }
  });

  const anyEstimated = rows.some((r) => r.estimated);
  const legend = `<g class="chart-legend" font-size="14" fill="#333">` +
    `<rect class="chart-cold" x="8" y="7" width="12" height="12" fill="${COLD_FILL}"/>` +
    `<text x="24" y="18">zimna woda</text>` +
    `<rect class="chart-hot" x="124" y="7" width="12" height="12" fill="${HOT_FILL}"/>` +
    `<text x="140" y="18">ciepła woda</text>` +
    (anyEstimated ? `<text x="244" y="18">* odczyt szacunkowy</text>` : "") +
    `</g>`;

  return open + legend +
    `<g class="chart-axis" font-size="14" fill="#333">${axis.join("")}</g>` +
    `<g class="chart-cold" fill="${COLD_FILL}">${cold.join("")}</g>` +
    `<g class="chart-hot" fill="${HOT_FILL}">${hot.join("")}</g>` +
    (marks.length
      ? `<g class="chart-estimated" font-size="14" fill="#333">${marks.join("")}</g>`
      : "") +
    `</svg>`;
}
