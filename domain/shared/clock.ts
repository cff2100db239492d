/** Domain code asks a clock for the time, so tests can move it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock that stands still until told to move; for tests and benchmarks. */
export function manualClock(
  start: Date,
): Clock & { advance(ms: number): void; set(d: Date): void } {
  let now = start.getTime();
  const clock = () => new Date(now);
  clock.advance = (ms: number) => {
    now += ms;
  };
  clock.set = (d: Date) => {
    now = d.getTime();
  };
  return clock;
}

/**
 * A clock that starts at noon in Poland on `date` ("YYYY-MM-DD") and then runs at the real pace,
 * so a development server or a browser test lives on a day of its choosing (`EBOK_TODAY`).
 * Noon leaves twelve hours before the date changes under a long test run.
 */
export function clockStartingOn(date: string, realNow: () => number = Date.now): Clock {
  // 10:00 UTC is 11:00 or 12:00 in Poland: the same calendar day in either season.
  const start = Date.parse(`${date}T10:00:00Z`);
  if (Number.isNaN(start)) throw new RangeError(`not a date: ${date}`);
  const offset = start - realNow();
  return () => new Date(realNow() + offset);
}
