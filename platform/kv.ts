import { dirname } from "node:path";
import type { Config } from "./config.ts";
import { keys } from "../domain/shared/keys.ts";

/**
 * Opens the configured Deno KV: a local file (its folder created), `:memory:`, a remote KV
 * URL (`https://…/connect`), or — with no path, as on Deno Deploy — the platform's own.
 */
export async function openConfiguredKv(config: Pick<Config, "kvPath">): Promise<Deno.Kv> {
  const path = config.kvPath;
  if (path && path !== ":memory:" && !/^https?:\/\//.test(path)) {
    await Deno.mkdir(dirname(path), { recursive: true });
  }
  return await Deno.openKv(path);
}

/**
 * The same KV with queueing switched off: `enqueue` (alone or in an atomic operation) does
 * nothing. For platforms without KV queues (the new Deno Deploy): every message is still
 * written in its atomic operation, and the per-minute sweep delivers it.
 */
export function withoutQueues(kv: Deno.Kv): Deno.Kv {
  return new Proxy(kv, {
    get(target, property) {
      if (property === "enqueue") return () => Promise.resolve({ ok: true, versionstamp: "" });
      if (property === "listenQueue") return () => new Promise<void>(() => {});
      if (property === "atomic") {
        return () => {
          const op = target.atomic();
          const proxy: Deno.AtomicOperation = new Proxy(op, {
            get(o, p) {
              if (p === "enqueue") return () => proxy;
              const value = Reflect.get(o, p, o);
              return typeof value === "function"
                ? (...args: unknown[]) => {
                  const result = value.apply(o, args);
                  return result === o ? proxy : result;
                }
                : value;
            },
          });
          return proxy;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * A KV write refused by the storage underneath: a full disk, a read-only file or folder, a
 * failing device. Nothing was written (SQLite rolls the transaction back), so the request can
 * honestly answer 503 "nothing was saved"; the KV heals by itself once space is freed.
 */
export function isStorageUnavailable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /database or disk is full|readonly database|read-only file system|disk I\/O error|unable to open database file|permission denied|no space left/i
    .test(message);
}

/**
 * At start: a KV that cannot be written stops the service with one clear line instead of
 * answering every registration with an error. Returns that line, or null when writable.
 */
export async function writeProbe(kv: Deno.Kv): Promise<string | null> {
  try {
    await kv.set(keys.healthProbe(), new Date().toISOString(), { expireIn: 60_000 });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
