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
