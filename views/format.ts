/**
 * Polish formatting for pages: money with integer arithmetic, areas and charge bases here; dates
 * and times come from the one calendar module (re-exported so views import from one place).
 */
export {
  formatDate,
  formatDateTime,
  formatIsoDate,
  periodLabel as formatPeriod,
} from "../domain/shared/calendar.ts";
import { MONTHS } from "../domain/shared/calendar.ts";

/** 123456 grosze → "1 234,56 zł" (a non-breaking space groups thousands). */
export function formatMoney(grosze: number): string {
  if (!Number.isSafeInteger(grosze)) throw new RangeError(`not integer grosze: ${grosze}`);
  const sign = grosze < 0 ? "−" : "";
  const abs = Math.abs(grosze);
  const zloty = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  const gr = (abs % 100).toString().padStart(2, "0");
  return `${sign}${zloty},${gr}\u00a0zł`;
}

/**
 * Months in words, the year once per run of months: ["2026-10", "2026-11"] → "październik,
 * listopad 2026"; ["2025-12", "2026-01"] → "grudzień 2025, styczeń 2026".
 */
export function formatPeriods(periods: readonly string[]): string {
  const sorted = [...new Set(periods)].sort();
  const parts: string[] = [];
  sorted.forEach((p, i) => {
    const month = MONTHS[Number(p.slice(5, 7)) - 1];
    const lastOfYear = i === sorted.length - 1 || sorted[i + 1].slice(0, 4) !== p.slice(0, 4);
    parts.push(lastOfYear ? `${month}\u00a0${p.slice(0, 4)}` : month);
  });
  return parts.join(", ");
}

/** "a, b i c": a Polish list. */
export function joinWithAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} i ${items[items.length - 1]}`;
}

/** 485000 cm² → "48,50 m²". */
export function formatArea(cm2: number): string {
  const dm = Math.round(cm2 / 100);
  return `${Math.floor(dm / 100)},${String(dm % 100).padStart(2, "0")}\u00a0m²`;
}

/** How a charge arose: "48,50 m² × 3,20 zł/m²", "2 os. × 31,00 zł/os.", "1 lokal × 8,00 zł". */
export function formatBasis(
  basis: { rate: number; quantityMilli: number; unitLabel: string },
): string {
  const whole = Math.trunc(basis.quantityMilli / 1000);
  const frac = Math.abs(basis.quantityMilli % 1000);
  let quantity = String(whole);
  if (basis.unitLabel === "m²") quantity += `,${String(Math.round(frac / 10)).padStart(2, "0")}`;
  else if (frac) quantity += `,${String(frac).padStart(3, "0").replace(/0+$/, "")}`;
  const rate = formatMoney(basis.rate);
  return basis.unitLabel === "lokal"
    ? `${quantity} lokal × ${rate}`
    : `${quantity}\u00a0${basis.unitLabel} × ${rate}/${basis.unitLabel}`;
}
