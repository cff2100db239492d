/** Shared test set-up: an app on its own :memory: KV, with a manual clock and captured logs. */
import { createApp } from "../app.tsx";
import { loadConfig } from "../config.ts";
import { manualClock } from "../domain/clock.ts";
import { createPasswordHasher } from "../domain/password.ts";
import { memoryLogger } from "../log.ts";
import type { AppDeps } from "../routes/context.ts";

export const TEST_ORIGIN = "http://localhost:8000";

export async function testApp(env: Record<string, string> = {}) {
  const config = loadConfig({ EBOK_KV_PATH: ":memory:", ...env });
  const kv = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
  const log = memoryLogger();
  const hasher = createPasswordHasher({ useWorker: false });
  const deps: AppDeps = { config, kv, clock, log, hasher };
  const app = createApp(deps);
  return {
    ...deps,
    app,
    clock,
    log,
    /** A same-origin form POST, as a browser sends it. */
    post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
      return app.request(path, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { origin: TEST_ORIGIN, ...headers },
      });
    },
    [Symbol.asyncDispose]: async () => {
      hasher.close();
      kv.close();
      await Promise.resolve();
    },
  };
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
