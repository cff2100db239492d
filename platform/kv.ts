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
    // A local file is shared by the server and the operator's commands (imports, backups):
    // a write that meets the other's write transaction waits and retries instead of failing.
    return waitWhenBusy(await Deno.openKv(path));
  }
  return await Deno.openKv(path);
}

/** SQLite's answer when another process holds the write lock longer than its busy timeout. */
export function isBusy(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /database is locked|database is busy|database table is locked|SQLITE_BUSY/i.test(message);
}

/**
 * The same KV, but writes (`set`, `delete`, `enqueue`, an atomic `commit`) refused because
 * the database is busy are retried with growing pauses for up to `maxWaitMs`. An atomic
 * operation is recorded and replayed on a fresh one: a busy commit wrote nothing. Reads are
 * left alone: SQLite's WAL lets them run beside a writer.
 */
export function waitWhenBusy(
  kv: Deno.Kv,
  options: { maxWaitMs?: number; onRetry?: (error: unknown) => void } = {},
): Deno.Kv {
  const maxWaitMs = options.maxWaitMs ?? 15_000;
  const retry = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    for (let pause = 20;; pause = Math.min(pause * 2, 500)) {
      try {
        return await work();
      } catch (error) {
        if (!isBusy(error) || Date.now() - started + pause > maxWaitMs) throw error;
        options.onRetry?.(error);
        await new Promise((r) => setTimeout(r, pause + Math.random() * pause));
      }
    }
  };
  return new Proxy(kv, {
    get(target, property) {
      if (property === "set" || property === "delete" || property === "enqueue") {
        const method = Reflect.get(target, property, target) as (
          ...a: unknown[]
        ) => Promise<unknown>;
        return (...args: unknown[]) => retry(() => method.apply(target, args));
      }
      if (property === "atomic") return () => recordingAtomic(target, retry);
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function recordingAtomic(
  kv: Deno.Kv,
  retry: <T>(work: () => Promise<T>) => Promise<T>,
): Deno.AtomicOperation {
  const calls: [PropertyKey, unknown[]][] = [];
  const first = kv.atomic();
  const proxy: Deno.AtomicOperation = new Proxy(first, {
    get(op, property) {
      if (property === "commit") {
        let attempt = 0;
        return () =>
          retry(() => {
            // The first try commits the op as built; a retry replays every call on a new one.
            if (attempt++ === 0) return op.commit();
            const again = kv.atomic() as unknown as Record<PropertyKey, (...a: unknown[]) => void>;
            for (const [name, args] of calls) again[name as string](...args);
            return (again as unknown as Deno.AtomicOperation).commit();
          });
      }
      const value = Reflect.get(op, property, op);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push([property, args]);
        const result = value.apply(op, args);
        return result === op ? proxy : result;
      };
    },
  });
  return proxy;
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
    // Leave nothing behind: an empty database must stay empty (demo seeding, backup import).
    await kv.delete(keys.healthProbe());
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
