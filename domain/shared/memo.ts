/**
 * Small in-process caches. `lru` memoises pure functions (the same input always gives the same
 * output, so any process may keep its own copy); `ttl` keeps rarely changing settings for a few
 * seconds, so a page view does not read them from KV every time.
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

/** Keeps the last value of `load` for `ttlMs`; `clear()` forgets it after a local change. */
export function ttl<T>(ttlMs: number, now: () => number, load: () => Promise<T>) {
  let cached: { value: Promise<T>; at: number } | undefined;
  const get = () => {
    const t = now();
    if (!cached || t - cached.at >= ttlMs) {
      const value = load();
      cached = { value, at: t };
      // A failed load is not kept.
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
  return Object.assign(get, { clear: () => (cached = undefined) });
}
