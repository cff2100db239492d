/**
 * Fixed-window counters in KV, so limits hold across processes and Deno Deploy isolates.
 * Check before expensive work (hashing), count after the cheap checks pass.
 */
import type { Clock } from "../shared/clock.ts";
import { keys } from "../shared/keys.ts";

export type RateLimitRule = { limit: number; windowMs: number };
export type RateLimitResult = { ok: true; remaining: number } | { ok: false; retryAt: Date };

type Window = { startedAt: number; count: number };

function current(entry: Window | null, now: number, rule: RateLimitRule): Window {
  return entry && now - entry.startedAt < rule.windowMs ? entry : { startedAt: now, count: 0 };
}

/** Would one more attempt be allowed? Does not count it. */
export async function peekRateLimit(
  kv: Deno.Kv,
  clock: Clock,
  bucket: string,
  subject: string,
  rule: RateLimitRule,
): Promise<RateLimitResult> {
  const now = clock().getTime();
  const w = current((await kv.get<Window>(keys.rateLimits(bucket, subject))).value, now, rule);
  return w.count < rule.limit
    ? { ok: true, remaining: rule.limit - w.count }
    : { ok: false, retryAt: new Date(w.startedAt + rule.windowMs) };
}

/**
 * Counts one attempt; refuses it when the window is full. `alsoInOp` adds to the operation that
 * counts (an audit entry, say), so both land together — only when the attempt is counted.
 */
export async function consumeRateLimit(
  kv: Deno.Kv,
  clock: Clock,
  bucket: string,
  subject: string,
  rule: RateLimitRule,
  alsoInOp?: (op: Deno.AtomicOperation) => void,
): Promise<RateLimitResult> {
  const key = keys.rateLimits(bucket, subject);
  for (let attempt = 0; attempt < 10; attempt++) {
    const now = clock().getTime();
    const entry = await kv.get<Window>(key);
    const w = current(entry.value, now, rule);
    if (w.count >= rule.limit) return { ok: false, retryAt: new Date(w.startedAt + rule.windowMs) };
    const next = { startedAt: w.startedAt, count: w.count + 1 };
    const expireIn = Math.max(1000, w.startedAt + rule.windowMs - now);
    const op = kv.atomic().check(entry).set(key, next, { expireIn });
    alsoInOp?.(op);
    const res = await op.commit();
    if (res.ok) return { ok: true, remaining: rule.limit - next.count };
  }
  // Heavy contention on one key is itself a sign of abuse.
  return { ok: false, retryAt: new Date(clock().getTime() + rule.windowMs) };
}

export async function resetRateLimit(kv: Deno.Kv, bucket: string, subject: string) {
  await kv.delete(keys.rateLimits(bucket, subject));
}
