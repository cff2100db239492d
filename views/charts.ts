/**
 * The SVG charts of the resident's pages, drawn from the rows the domain computes
 * (`balanceChartRows` in domain/balance/statement.ts, `consumptionChartRows` in
 * domain/water/water_chart.ts): role="img" with a `<title>`, no inline styles (presentation
 * attributes give the defaults; classes let the stylesheet change them), integer coordinates
 * computed with integer arithmetic.
 */
import { escapeXml } from "../domain/shared/xml.ts";
import { balanceChartRows, type MonthSummary } from "../domain/balance/statement.ts";
import type { ConsumptionChartRow } from "../domain/water/water_chart.ts";

/** The smallest 1, 2 or 5 × 10ⁿ step (at least 100: 1 zł, or 0,1 m³) of at least `min`. */
function niceStep(min: number): number {
  for (let power = 100;; power *= 10) {
    for (const f of [1, 2, 5]) if (f * power >= min) return f * power;
  }
}

/** Rounds a / b (b > 0) to the nearest integer, halves up, for integers a, b. */
function divRound(a: number, b: number): number {
  return Math.floor((2 * a + b) / (2 * b));
}

type ChartOptions = {
  width: number;
  height: number;
  title: string;
  /** The svg's id; the `<title>` gets `${id}-title`. */
  id?: string;
  /** The id of the element describing the chart (e.g. its table), for `aria-describedby`. */
  describedBy?: string;
};

/** The plot area inside the margins. */
type Box = {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
};

/** `<svg …><title>…</title>` of a chart of class `cls` (also its default id). */
function chartOpen(cls: string, options: ChartOptions): string {
  const { width, height } = options;
  if (
    !Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 160 || height < 100
  ) {
    throw new RangeError("chart size: integers, at least 160 × 100");
  }
  const id = (options.id ?? cls).replace(/[^A-Za-z0-9_-]/g, "") || cls;
  const describedBy = options.describedBy
    ? ` aria-describedby="${escapeXml(options.describedBy)}"`
    : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" class="${cls}" ` +
    `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
    `aria-labelledby="${id}-title"${describedBy}>` +
    `<title id="${id}-title">${escapeXml(options.title)}</title>`;
}

function noDataChart(open: string, options: ChartOptions): string {
  return `${open}<text class="chart-axis" x="${options.width >> 1}" y="${options.height >> 1}" ` +
    `text-anchor="middle" font-size="14" fill="#333">Brak danych do wykresu</text></svg>`;
}

/** Horizontal grid lines from `from` to `to` by `step`, each labelled at the left. */
function gridLines(
  box: Box,
  range: { from: number; to: number; step: number },
  y: (v: number) => number,
  label: (v: number) => string,
): string[] {
  const out: string[] = [];
  for (let v = range.from; v <= range.to; v += range.step) {
    const yy = y(v);
    out.push(
      `<line x1="${box.left}" y1="${yy}" x2="${box.width - box.right}" y2="${yy}" stroke="#999" ` +
        `stroke-width="1"${v === 0 ? "" : ' stroke-dasharray="2 3"'}/>`,
      `<text x="${box.left - 6}" y="${yy + 5}" text-anchor="end">${label(v)}</text>`,
    );
  }
  return out;
}

/**
 * Labels under the slots, ~40 px apart (14 px text): with periods, every 1, 2, 3, 4, 6 or 12 months (so
 * January is always one) and over many years only the Januaries of every few years, with the
 * year under each labelled January and under the first month unless a January follows too
 * closely for both to fit; without periods, every few slots.
 */
function monthAxis(
  box: Box,
  rows: readonly { shortLabel: string; period?: string }[],
  centre: (i: number) => number,
): string[] {
  const plotW = box.width - box.left - box.right;
  const need = Math.ceil((rows.length * 40) / plotW);
  const every = [1, 2, 3, 4, 6, 12].find((k) => k >= need) ?? 12;
  const yearsEvery = Math.max(1, Math.ceil(need / 12));
  const firstJanuary = rows.findIndex((r) => r.period?.endsWith("-01"));
  const out: string[] = [];
  rows.forEach((r, i) => {
    let labelled = i % every === 0;
    let yearHere = false;
    if (r.period) {
      const monthIndex = Number(r.period.slice(5, 7)) - 1;
      const year = Number(r.period.slice(0, 4));
      labelled = need > 12 ? monthIndex === 0 && year % yearsEvery === 0 : monthIndex % every === 0;
      yearHere = (monthIndex === 0 && labelled) ||
        (i === 0 && (firstJanuary === -1 || firstJanuary * plotW >= 40 * rows.length));
    }
    const cx = centre(i);
    const labelY = box.height - box.bottom;
    if (labelled) {
      out.push(
        `<text x="${cx}" y="${labelY + 17}" text-anchor="middle">${escapeXml(r.shortLabel)}</text>`,
      );
    }
    if (yearHere) {
      out.push(
        `<text x="${cx}" y="${labelY + 34}" text-anchor="middle">${r.period!.slice(0, 4)}</text>`,
      );
    }
  });
  return out;
}

// --- Balance --------------------------------------------------------------------------------

/** Whole złoty for axis labels: 150000 → "1 500 zł" (non-breaking spaces), −25000 → "−250 zł". */
function zlotyLabel(grosze: number): string {
  const zl = Math.round(Math.abs(grosze) / 100).toString().replace(
    /\B(?=(\d{3})+(?!\d))/g,
    "\u00a0",
  );
  return `${grosze < 0 ? "−" : ""}${zl}\u00a0zł`;
}

export type BalanceChartOptions = ChartOptions;

/**
 * A small SVG chart: bars of each month's charges and a line of the balance at each month's
 * end, on one złoty axis, with Polish month abbreviations (the year under January and under the
 * first month). No inline styles: presentation attributes give the defaults, the classes
 * `chart-charge`, `chart-balance` and `chart-axis` let the stylesheet change them. Coordinates
 * are integers computed with integer arithmetic.
 */
export function balanceChartSvg(
  months: readonly Pick<MonthSummary, "period" | "charged" | "balanceAtEnd">[],
  options: BalanceChartOptions,
): string {
  const open = chartOpen("balance-chart", options);
  const rows = balanceChartRows(months);
  if (rows.length === 0) return noDataChart(open, options);
  // Labels are 14 px (at the chart's own size, which it keeps on a phone: it scrolls sideways).
  const box: Box = { left: 88, right: 12, top: 38, bottom: 40, ...options };
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;

  const values = rows.flatMap((r) => [r.charged, r.balanceAtEnd]);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const step = niceStep(Math.max(1, Math.ceil((hi - lo) / 4)));
  const axisMin = Math.floor(lo / step) * step;
  const axisMax = Math.max(Math.ceil(hi / step) * step, axisMin + step);
  const span = axisMax - axisMin;
  const y = (v: number) => box.top + divRound((axisMax - v) * plotH, span);
  const slotLeft = (i: number) => box.left + Math.floor((i * plotW) / rows.length);
  const centre = (i: number) => slotLeft(i) + ((slotLeft(i + 1) - slotLeft(i)) >> 1);
  const axis = [
    ...gridLines(box, { from: axisMin, to: axisMax, step }, y, zlotyLabel),
    ...monthAxis(box, rows, centre),
  ];
  const bars: string[] = [];
  const points: string[] = [];
  const dots: string[] = [];
  const y0 = y(0);
  rows.forEach((r, i) => {
    const x0 = slotLeft(i);
    const slot = slotLeft(i + 1) - x0;
    const inset = Math.floor(slot / 5);
    const cx = x0 + (slot >> 1);
    const yc = y(r.charged);
    bars.push(
      `<rect x="${x0 + inset}" y="${Math.min(y0, yc)}" width="${Math.max(1, slot - 2 * inset)}" ` +
        `height="${Math.abs(y0 - yc)}" data-period="${r.period}" data-amount="${r.charged}"/>`,
    );
    const yb = y(r.balanceAtEnd);
    points.push(`${cx},${yb}`);
    dots.push(
      `<circle cx="${cx}" cy="${yb}" r="3" data-period="${r.period}" ` +
        `data-amount="${r.balanceAtEnd}"/>`,
    );
  });

  const legend = `<g class="chart-legend" font-size="14" fill="#333">` +
    `<rect class="chart-charge" x="8" y="7" width="12" height="12" fill="#9bb7d4"/>` +
    `<text x="24" y="18">opłaty w miesiącu</text>` +
    `<line class="chart-balance" x1="164" y1="13" x2="184" y2="13" stroke="#1f4e79" ` +
    `stroke-width="2"/><text x="190" y="18">saldo na koniec miesiąca</text></g>`;

  return open + legend +
    `<g class="chart-axis" font-size="14" fill="#333">${axis.join("")}</g>` +
    `<g class="chart-charge" fill="#9bb7d4">${bars.join("")}</g>` +
    `<g class="chart-balance" fill="#1f4e79">` +
    `<polyline points="${points.join(" ")}" fill="none" stroke="#1f4e79" stroke-width="2" ` +
    `stroke-linejoin="round"/>${dots.join("")}</g></svg>`;
}

// --- Water ----------------------------------------------------------------------------------

export type ConsumptionChartOptions = ChartOptions;

/** An axis label: 2500 litres → "2,5 m³", 10000 → "10 m³" (a non-breaking space). */
function m3AxisLabel(litres: number): string {
  const whole = Math.floor(litres / 1000);
  const frac = String(litres % 1000).padStart(3, "0").replace(/0+$/, "");
  return `${whole}${frac ? `,${frac}` : ""}\u00a0m³`;
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
  const open = chartOpen("consumption-chart", options);
  for (const r of rows) {
    for (const v of [r.cold, r.hot]) {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`litres: ${v}`);
    }
  }
  if (rows.length === 0) return noDataChart(open, options);
  const box: Box = { left: 64, right: 12, top: 38, bottom: 40, ...options };
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const hi = Math.max(0, ...rows.flatMap((r) => [r.cold, r.hot]));
  const step = niceStep(Math.max(1, Math.ceil(hi / 4)));
  const axisMax = Math.max(step, Math.ceil(hi / step) * step);
  const y = (v: number) => box.top + divRound((axisMax - v) * plotH, axisMax);
  const slotLeft = (i: number) => box.left + Math.floor((i * plotW) / rows.length);
  const centre = (i: number) => slotLeft(i) + ((slotLeft(i + 1) - slotLeft(i)) >> 1);
  const axis = [
    ...gridLines(box, { from: 0, to: axisMax, step }, y, m3AxisLabel),
    ...monthAxis(box, rows, centre),
  ];
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
