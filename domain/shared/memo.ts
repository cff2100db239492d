/**
 * Small in-process caches. `lru` memoises pure functions (the same input always gives the same
 * output, so any process may keep its own copy; nothing invalidates it). Data that can change
 * is never kept for a time (issue 17): only under a versionstamp read in the same request's
 * getMany (see domain/backoffice/site_settings.ts, domain/water/water_page.ts).
 */

/** Remembers up to `max` results of a pure function of a string. */
export function lru<T>(max: number, compute: (key: string) => T): (key: string) => T {
  const entries = new Map<string, T>();
  return (key) => {
    const hit = entries.get(key);
    if (hit !== undefined) {
      entries.delete(key);
      entries.set(key, hit);
      return hit;
    }
    const value = compute(key);
    entries.set(key, value);
    if (entries.size > max) entries.delete(entries.keys().next().value!);
    return value;
  };
}
