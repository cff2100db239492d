/**
 * GET/HEAD /health for load balancers, uptime monitors and the operator.
 *
 * Everyone gets a bare `ok` (200) or `degraded` (503) as text/plain. The counters come only to
 * a request from this machine (loopback, not relayed by a proxy: no `X-Forwarded-For` /
 * `Forwarded`) or one with `Authorization: Bearer <EBOK_HEALTH_TOKEN>`:
 *
 *   200 {"status":"ok","version":"…","uptimeSeconds":123,"kv":"ok","write":"ok",
 *        "queue":{"queued":0,"sending":0,"stuck":0,"failed":0,"uncertain":0}}
 *   503 {"status":"degraded",…,"kv":"error"|"timeout","write":…,"queue":null}
 *
 * Degraded when a read of KV fails or takes longer than 2 s, or when the write probe (one small
 * key with a one-minute expiry) fails: a full disk or a read-only KV file shows here although
 * reads still work. The queue figures are counts of outgoing messages by state, read from their
 * state index and capped at 1000 ("1000" means "1000 or more"); `stuck` counts messages in
 * `sending` for over two minutes (a hung provider or a crash mid-send; the sweep recovers
 * them). No ids, addresses or other personal data. `Cache-Control: no-store`.
 *
 * Mount it before any middleware that reads KV (the cooperative profile), so a KV outage
 * answers 503 here rather than an error page.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";
import { keys } from "../domain/shared/keys.ts";
import { isStuckSending, type Message, type MessageState } from "../domain/messaging/messages.ts";
import type { AppDeps, AppEnv } from "./context.ts";

export type HealthOptions = {
  /** Default: EBOK_VERSION, else Deno Deploy's DENO_DEPLOY_BUILD_ID, else "dev". */
  version?: string;
  /** Default 2000 ms. */
  timeoutMs?: number;
  /** EBOK_HEALTH_TOKEN (config); unset means only loopback sees the counters. */
  token?: string;
};

type ProbeState = "ok" | "error" | "timeout";

export type HealthBody = {
  status: "ok" | "degraded";
  version: string;
  uptimeSeconds: number;
  kv: ProbeState;
  write: ProbeState | "skipped";
  queue:
    | { queued: number; sending: number; stuck: number; failed: number; uncertain: number }
    | null;
};

/** Messages counted per state at most: a health check stays cheap however large the backlog. */
export const QUEUE_COUNT_CAP = 1000;
/** `sending` records read to tell stuck ones (a healthy process has a handful at most). */
const STUCK_SCAN_CAP = 100;

function envOr(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no --allow-env
  }
}

function versionFromEnv(): string {
  return envOr("EBOK_VERSION") ?? envOr("DENO_DEPLOY_BUILD_ID") ?? "dev";
}

class Timeout extends Error {}

function withTimeout<T>(work: () => Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  return Promise.race([work(), deadline]).finally(() => clearTimeout(timer));
}

async function countState(kv: Deno.Kv, state: MessageState): Promise<string[]> {
  const ids: string[] = [];
  const entries = kv.list<string>({ prefix: keys.messagesByStateAll(state) }, {
    limit: QUEUE_COUNT_CAP,
    batchSize: QUEUE_COUNT_CAP,
  });
  for await (const e of entries) ids.push(e.value);
  return ids;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** Loopback and not relayed by a proxy (a proxy on this host would look like loopback). */
function fromThisMachine(c: Context): boolean {
  if (c.req.header("x-forwarded-for") || c.req.header("forwarded")) return false;
  try {
    return LOOPBACK.test(getConnInfo(c).remote.address ?? "");
  } catch {
    return false; // no connection info (app.request without env)
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export function healthRoutes(
  deps: Pick<AppDeps, "kv" | "clock" | "log">,
  options: HealthOptions = {},
) {
  const { kv, clock, log } = deps;
  const startedAt = clock().getTime();
  const version = options.version ?? versionFromEnv();
  const timeoutMs = options.timeoutMs ?? 2000;
  const token = options.token;
  const app = new Hono<AppEnv>();

  const mayReadCounters = (c: Context) => {
    if (fromThisMachine(c)) return true;
    const given = c.req.header("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    return token !== undefined && given !== undefined && constantTimeEqual(given, token);
  };

  // Hono answers HEAD with this GET handler, without the body.
  app.get("/health", async (c) => {
    const base = {
      version,
      uptimeSeconds: Math.max(0, Math.floor((clock().getTime() - startedAt) / 1000)),
    };
    const state = (error: unknown): ProbeState => error instanceof Timeout ? "timeout" : "error";
    let body: HealthBody;
    try {
      const queue = await withTimeout(async () => {
        await kv.get(keys.settings("cooperative"));
        const [queued, sending, failed, uncertain] = await Promise.all(
          (["queued", "sending", "failed", "uncertain"] as const).map((s) => countState(kv, s)),
        );
        const now = clock();
        let stuck = 0;
        const scan = sending.slice(0, STUCK_SCAN_CAP);
        for (let i = 0; i < scan.length; i += 10) {
          const got = await kv.getMany<Message[]>(
            scan.slice(i, i + 10).map((id) => keys.messages(id)),
          );
          stuck += got.filter((e) => e.value && isStuckSending(e.value, now)).length;
        }
        return {
          queued: queued.length,
          sending: sending.length,
          stuck,
          failed: failed.length,
          uncertain: uncertain.length,
        };
      }, timeoutMs);
      let write: ProbeState = "ok";
      try {
        // A read-only file or a full disk lets reads through: only a write shows it.
        await withTimeout(
          () => kv.set(keys.healthProbe(), clock().toISOString(), { expireIn: 60_000 }),
          timeoutMs,
        );
      } catch (error) {
        write = state(error);
        log.warn("health check degraded", {
          kv: "ok",
          write,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
      body = { status: write === "ok" ? "ok" : "degraded", ...base, kv: "ok", write, queue };
    } catch (error) {
      const kvState = state(error);
      log.warn("health check degraded", {
        kv: kvState,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      body = { status: "degraded", ...base, kv: kvState, write: "skipped", queue: null };
    }
    c.header("Cache-Control", "no-store");
    const status = body.status === "ok" ? 200 : 503;
    if (!mayReadCounters(c)) return c.text(body.status, status);
    return c.json(body, status);
  });
  return app;
}
