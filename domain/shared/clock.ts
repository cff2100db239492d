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
