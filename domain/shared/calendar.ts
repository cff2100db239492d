/**
 * The calendar as the cooperative sees it, in one place: calendar dates ("YYYY-MM-DD") and months
 * ("YYYY-MM", called periods) in Poland's time zone, arithmetic on them, Polish month names and
 * public holidays, and instants formatted in Warsaw time.
 *
 * Dates and periods are plain strings; arithmetic on them goes through UTC midnights, so no time
 * zone or daylight-saving change can shift a day. Only the conversions from an instant (`Date`)
 * look at Poland's time zone.
 */

export const TIME_ZONE = "Europe/Warsaw";
const DAY_MS = 86_400_000;

// --- Instants → the Polish calendar ------------------------------------------------------------

const warsawDate = new Intl.DateTimeFormat("en-CA", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/**
 * The last answer, by minute: every page asks for today several times, and Intl formatting is
 * the dearest part of it. Exact, since a day (and a DST change) begins on a whole minute.
 */
let lastMinute = NaN;
let lastDate = "";

/** The date in Poland at instant `d`, "YYYY-MM-DD". */
export function polishDate(d: Date): string {
  const minute = Math.floor(d.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastDate = warsawDate.format(d);
    lastMinute = minute;
  }
  return lastDate;
}

/** The month in Poland at instant `d`, "YYYY-MM". */
export function polishPeriod(d: Date): string {
  return polishDate(d).slice(0, 7);
}

/** The instant a Polish calendar day begins (midnight in Warsaw; DST never changes at 0:00). */
export function warsawMidnight(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const utcMidnight = Date.UTC(y, m - 1, d);
  for (const hours of [2, 1, 0, 3]) {
    const t = utcMidnight - hours * 3_600_000;
    if (polishDate(new Date(t)) === date && polishDate(new Date(t - 1)) !== date) return t;
  }
  throw new RangeError(`no midnight for ${date}`);
}

// --- Checking ----------------------------------------------------------------------------------

/** "YYYY-MM-DD" naming a day that exists. */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** "YYYY-MM" with a month from 01 to 12. */
export function isPeriod(s: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
}

// --- Arithmetic on periods and dates -----------------------------------------------------------

/** "2026-11" + 2 → "2027-01"; `n` may be negative. */
export function addMonths(period: string, n: number): string {
  const [y, m] = period.split("-").map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** The month after `period`. */
export function nextPeriod(period: string): string {
  return addMonths(period, 1);
}

/** How many days month `period` has. */
export function daysInMonth(period: string): number {
  const [y, m] = period.split("-").map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Day `day` of month `period` ("2026-02", 31 → "2026-02-28": a short month gives its last day). */
export function dayOf(period: string, day: number): string {
  return `${period}-${String(Math.min(day, daysInMonth(period))).padStart(2, "0")}`;
}

/** The last day of month `period`. */
export function lastDayOf(period: string): string {
  return dayOf(period, 31);
}

/** The day number since 1970-01-01 of `date` (for counting days). */
export function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

/** "2026-11-30" + 1 → "2026-12-01"; `n` may be negative. */
export function addDays(date: string, n: number): string {
  return new Date((dayNumber(date) + n) * DAY_MS).toISOString().slice(0, 10);
}

/** The day after `date`. */
export function nextDay(date: string): string {
  return addDays(date, 1);
}

/** The same day `n` years on; 29 February becomes 28 February in a year without one. */
export function addYears(date: string, n: number): string {
  return `${Number(date.slice(0, 4)) + n}${date.slice(4)}`.replace("-02-29", "-02-28");
}

/** Days from `from` to `to` (0 for the same day; negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

// --- Polish names ------------------------------------------------------------------------------

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

/** "2026-11" → "11.2026" (as Polish spreadsheets and statements write a month). */
export function periodNumeric(period: string): string {
  return `${period.slice(5, 7)}.${period.slice(0, 4)}`;
}

/** A calendar date "2026-11-25" → "25.11.2026", with no time zone involved. */
export function formatIsoDate(isoDate: string): string {
  const [y, m, d] = isoDate.split("-");
  return `${d}.${m}.${y}`;
}

// --- Polish public holidays --------------------------------------------------------------------

/** Easter Sunday (Gregorian calendar), by the anonymous Gregorian algorithm, "YYYY-MM-DD". */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Public holidays in Poland (ustawa o dniach wolnych od pracy), as "YYYY-MM-DD". */
export function polishHolidays(year: number): Set<string> {
  const fixed = ["01-01", "01-06", "05-01", "05-03", "08-15", "11-01", "11-11", "12-25", "12-26"];
  if (year >= 2025) fixed.push("12-24"); // Christmas Eve: a day off since 2025
  const days = new Set(fixed.map((md) => `${year}-${md}`));
  const easter = easterSunday(year);
  // Easter Sunday and Monday, Pentecost Sunday (+49), Corpus Christi (+60).
  for (const offset of [0, 1, 49, 60]) days.add(addDays(easter, offset));
  return days;
}

/** The date itself, or the next day that is neither a Saturday, a Sunday nor a holiday. */
export function nextWorkingDay(date: string): string {
  let day = date;
  let holidays = polishHolidays(Number(day.slice(0, 4)));
  for (;;) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !holidays.has(day)) return day;
    if (day.endsWith("-12-31")) holidays = polishHolidays(Number(day.slice(0, 4)) + 1);
    day = nextDay(day);
  }
}

// --- Instants in Warsaw time -------------------------------------------------------------------

const dayMonthYear: Intl.DateTimeFormatOptions = {
  timeZone: TIME_ZONE,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
};
const dateFormat = new Intl.DateTimeFormat("pl-PL", dayMonthYear);
const dateTimeFormat = new Intl.DateTimeFormat("pl-PL", {
  ...dayMonthYear,
  hour: "2-digit",
  minute: "2-digit",
});
const dateTimeSecondsFormat = new Intl.DateTimeFormat("pl-PL", {
  ...dayMonthYear,
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** "25.11.2026", in Polish time. */
export function formatDate(d: Date): string {
  return dateFormat.format(d);
}

/** "25.11.2026, 14:05", in Polish time. */
export function formatDateTime(d: Date): string {
  const t = d.getTime();
  let text = dateTimeTexts.get(t);
  if (text === undefined) {
    text = dateTimeFormat.format(d);
    if (dateTimeTexts.size >= 1000) dateTimeTexts.clear();
    dateTimeTexts.set(t, text);
  }
  return text;
}

/** Formatted instants, by epoch ms (a pure function; pages repeat the same "stan na" instant). */
const dateTimeTexts = new Map<number, string>();

/** "25.11.2026, 14:05:09", in Polish time (exports, where seconds matter). */
export function formatDateTimeSeconds(d: Date): string {
  return dateTimeSecondsFormat.format(d);
}
