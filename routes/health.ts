/**
 * GET/HEAD /health for load balancers, uptime monitors and the operator:
 *
 *   200 {"status":"ok","version":"…","uptimeSeconds":123,"kv":"ok",
 *        "queue":{"queued":0,"failed":0,"uncertain":0}}
 *   503 {"status":"degraded",…,"kv":"error"|"timeout","queue":null}
 *
 * Degraded when a read of KV fails or takes longer than 2 s. The queue figures are counts of
 * outgoing messages by state, read from their state index and capped at 1000 ("1000" means "1000
 * or more"): no ids, addresses or other personal data. `Cache-Control: no-store`.
 *
 * Mount it before any middleware that reads KV (the cooperative profile), so a KV outage
 * answers 503 JSON here rather than an error page.
 */
import { Hono } from "hono";
import { keys } from "../domain/shared/keys.ts";
import type { MessageState } from "../domain/messaging/messages.ts";
import type { AppDeps, AppEnv } from "./context.ts";

export type HealthOptions = {
  /** Default: EBOK_VERSION, else Deno Deploy's DENO_DEPLOY_BUILD_ID, else "dev". */
  version?: string;
  /** Default 2000 ms. */
  timeoutMs?: number;
};

export type HealthBody = {
  status: "ok" | "degraded";
  version: string;
  uptimeSeconds: number;
  kv: "ok" | "error" | "timeout";
  queue: { queued: number; failed: number; uncertain: number } | null;
};

/** Messages counted per state at most: a health check stays cheap however large the backlog. */
export const QUEUE_COUNT_CAP = 1000;
const COUNTED_STATES = ["queued", "failed", "uncertain"] as const satisfies MessageState[];

function versionFromEnv(): string {
  try {
    return Deno.env.get("EBOK_VERSION") || Deno.env.get("DENO_DEPLOY_BUILD_ID") || "dev";
  } catch {
    return "dev"; // no --allow-env
  }
}

class Timeout extends Error {}

function withTimeout<T>(work: () => Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  return Promise.race([work(), deadline]).finally(() => clearTimeout(timer));
}

async function countState(kv: Deno.Kv, state: MessageState): Promise<number> {
  let n = 0;
  const entries = kv.list({ prefix: keys.messagesByStateAll(state) }, {
    limit: QUEUE_COUNT_CAP,
    batchSize: QUEUE_COUNT_CAP,
  });
  for await (const _ of entries) n++;
  return n;
}

export function healthRoutes(
  deps: Pick<AppDeps, "kv" | "clock" | "log">,
  options: HealthOptions = {},
) {
  const { kv, clock, log } = deps;
  const startedAt = clock().getTime();
  const version = options.version ?? versionFromEnv();
  const timeoutMs = options.timeoutMs ?? 2000;
  const app = new Hono<AppEnv>();

  // Hono answers HEAD with this GET handler, without the body.
  app.get("/health", async (c) => {
    const base = {
      version,
      uptimeSeconds: Math.max(0, Math.floor((clock().getTime() - startedAt) / 1000)),
    };
    let body: HealthBody;
    try {
      const queue = await withTimeout(async () => {
        await kv.get(keys.settings("cooperative"));
        const [queued, failed, uncertain] = await Promise.all(
          COUNTED_STATES.map((state) => countState(kv, state)),
        );
        return { queued, failed, uncertain };
      }, timeoutMs);
      body = { status: "ok", ...base, kv: "ok", queue };
    } catch (error) {
      const kvState = error instanceof Timeout ? "timeout" : "error";
      log.warn("health check degraded", {
        kv: kvState,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      body = { status: "degraded", ...base, kv: kvState, queue: null };
    }
    c.header("Cache-Control", "no-store");
    return c.json(body, body.status === "ok" ? 200 : 503);
  });
  return app;
}
