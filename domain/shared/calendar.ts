/** Calendar dates as the cooperative sees them: in Poland's time zone. */
const warsawDate = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Warsaw",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The date in Poland at instant `d`, "YYYY-MM-DD". */
export function polishDate(d: Date): string {
  return warsawDate.format(d);
}

/** The month in Poland at instant `d`, "YYYY-MM". */
export function polishPeriod(d: Date): string {
  return polishDate(d).slice(0, 7);
}

/** Polish month names, "styczeń" … "grudzień" (nominative, as in "listopad 2026"). */
export const MONTHS = [
  "styczeń",
  "luty",
  "marzec",
  "kwiecień",
  "maj",
  "czerwiec",
  "lipiec",
  "sierpień",
  "wrzesień",
  "październik",
  "listopad",
  "grudzień",
] as const;

/** Three-letter abbreviations for chart axes. */
export const MONTHS_SHORT = [
  "sty",
  "lut",
  "mar",
  "kwi",
  "maj",
  "cze",
  "lip",
  "sie",
  "wrz",
  "paź",
  "lis",
  "gru",
] as const;

/** "2026-11" → "listopad 2026". */
export function periodLabel(period: string): string {
  return `${MONTHS[Number(period.slice(5, 7)) - 1]} ${period.slice(0, 4)}`;
}
