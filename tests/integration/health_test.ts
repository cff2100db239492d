import assert from "node:assert/strict";
import { Hono } from "hono";
import { manualClock } from "../../domain/shared/clock.ts";
import { seedDemoIfEmpty } from "../../domain/demo/demo.ts";
import { keys } from "../../domain/shared/keys.ts";
import { addMessage, type Message } from "../../domain/messaging/messages.ts";
import { createPasswordHasher } from "../../domain/accounts/password.ts";
import { memoryLogger } from "../../platform/log.ts";
import type { AppEnv } from "../../routes/context.ts";
import { healthRoutes } from "../../routes/health.ts";

/** Connection info as Deno.serve passes it: a monitor on this machine. */
const LOOPBACK_ENV = { remoteAddr: { hostname: "127.0.0.1", port: 50_000, transport: "tcp" } };
const REMOTE_ENV = { remoteAddr: { hostname: "203.0.113.7", port: 50_000, transport: "tcp" } };

async function setUp(options: { version?: string; timeoutMs?: number } = {}) {
  const kv = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
  const log = memoryLogger();
  // Mounted the way routes/app.tsx mounts it, on an app with the same environment type.
  const app = new Hono<AppEnv>();
  app.route("/", healthRoutes({ kv, clock, log }, { version: "test-1", ...options }));
  return { kv, clock, log, app };
}

Deno.test("GET /health: 200 JSON with counts only, no-store", async () => {
  const { kv, clock, app } = await setUp();
  try {
    const hasher = createPasswordHasher({ useWorker: false });
    const demo = await seedDemoIfEmpty(kv, clock, hasher);
    hasher.close();
    assert.ok(demo);

    // Two queued messages, one of them then marked failed, one uncertain.
    const ids: string[] = [];
    for (const to of ["jan.kowalski@example.pl", "+48600100200", "anna@example.pl"]) {
      const op = kv.atomic();
      const m = addMessage(
        op,
        clock,
        to.startsWith("+")
          ? { channel: "sms", to, text: "Hasło startowe: X", purpose: "start_password" }
          : { channel: "email", to, subject: "eBOK", text: "Dzień dobry", purpose: "test" },
      );
      await op.commit();
      ids.push(m.id);
    }
    const move = async (id: string, state: Message["state"]) => {
      const m = (await kv.get<Message>(keys.messages(id))).value!;
      await kv.atomic().delete(keys.messagesByState(m.state, id))
        .set(keys.messagesByState(state, id), id).set(keys.messages(id), { ...m, state }).commit();
    };
    await move(ids[1], "uncertain");
    await move(ids[2], "failed");
    clock.advance(90_500);

    const res = await app.request("/health", {}, LOOPBACK_ENV);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), {
      status: "ok",
      version: "test-1",
      uptimeSeconds: 90,
      kv: "ok",
      write: "ok",
      queue: { queued: 1, sending: 0, stuck: 0, failed: 1, uncertain: 1 },
    });
    // Nothing about people: no addresses, numbers, identifiers or names.
    for (
      const secret of [
        "jan.kowalski",
        "+48600100200",
        "anna@",
        demo.resident.identifier,
        demo.staff.login,
        ...ids,
      ]
    ) assert.ok(!text.includes(secret), `no ${secret}`);
  } finally {
    kv.close();
  }
});

Deno.test("HEAD /health answers the same status without a body", async () => {
  const { kv, app } = await setUp();
  try {
    const res = await app.request("/health", { method: "HEAD" }, LOOPBACK_ENV);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.equal(await res.text(), "");
  } finally {
    kv.close();
  }
});

Deno.test("the version comes from EBOK_VERSION, else 'dev'", async () => {
  const kv = await Deno.openKv(":memory:");
  const deps = { kv, clock: manualClock(new Date()), log: memoryLogger() };
  const saved = Deno.env.get("EBOK_VERSION");
  try {
    Deno.env.set("EBOK_VERSION", "2026.11.25-abc1234");
    let body = await (await healthRoutes(deps).request("/health", {}, LOOPBACK_ENV)).json();
    assert.equal(body.version, "2026.11.25-abc1234");
    Deno.env.delete("EBOK_VERSION");
    body = await (await healthRoutes(deps).request("/health", {}, LOOPBACK_ENV)).json();
    assert.equal(body.version, Deno.env.get("DENO_DEPLOY_BUILD_ID") ?? "dev");
  } finally {
    if (saved === undefined) Deno.env.delete("EBOK_VERSION");
    else Deno.env.set("EBOK_VERSION", saved);
    kv.close();
  }
});

Deno.test("503 degraded when the KV is closed", async () => {
  const { kv, app, log } = await setUp();
  kv.close();
  const res = await app.request("/health", {}, LOOPBACK_ENV);
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const body = await res.json();
  assert.equal(body.status, "degraded");
  assert.equal(body.kv, "error");
  assert.equal(body.queue, null);
  assert.equal(body.version, "test-1");
  assert.ok(log.lines.some((l) => l.msg === "health check degraded" && l.kv === "error"));
});

Deno.test("503 degraded when a KV read takes longer than the timeout", async () => {
  const real = await Deno.openKv(":memory:");
  let release!: () => void;
  const stalled = new Promise<void>((r) => release = r);
  const slowKv = new Proxy(real, {
    get(target, prop) {
      if (prop === "get") return async () => (await stalled, { value: null });
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  try {
    const app = healthRoutes(
      { kv: slowKv, clock: manualClock(new Date()), log: memoryLogger() },
      { timeoutMs: 50 },
    );
    const started = performance.now();
    const res = await app.request("/health", {}, LOOPBACK_ENV);
    assert.ok(performance.now() - started < 1000, "answers at the timeout, not when KV does");
    assert.equal(res.status, 503);
    assert.equal((await res.json()).kv, "timeout");
  } finally {
    release();
    real.close();
  }
});

Deno.test("health counters only to loopback or with the token; a bare ok to everyone else", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const deps = { kv, clock: manualClock(new Date()), log: memoryLogger() };
    const app = healthRoutes(deps, { version: "t", token: "monitor-token-0123456789" });
    const remote = await app.request("/health", {}, REMOTE_ENV);
    assert.equal(remote.status, 200);
    assert.equal(await remote.text(), "ok");
    assert.equal(remote.headers.get("cache-control"), "no-store");
    // A reverse proxy on this host connects from loopback: what it relays stays bare.
    const proxied = await app.request("/health", {
      headers: { "x-forwarded-for": "203.0.113.7" },
    }, LOOPBACK_ENV);
    assert.equal(await proxied.text(), "ok");
    const wrong = await app.request("/health", {
      headers: { authorization: "Bearer monitor-token-wrong" },
    }, REMOTE_ENV);
    assert.equal(await wrong.text(), "ok");
    const withToken = await app.request("/health", {
      headers: { authorization: "Bearer monitor-token-0123456789" },
    }, REMOTE_ENV);
    assert.equal((await withToken.json()).queue.queued, 0);
    assert.equal((await (await app.request("/health", {}, LOOPBACK_ENV)).json()).kv, "ok");
    // Without a token configured, remote monitors get the bare answer only.
    const noToken = healthRoutes(deps, { version: "t" });
    const bare = await noToken.request("/health", {
      headers: { authorization: "Bearer anything" },
    }, REMOTE_ENV);
    assert.equal(await bare.text(), "ok");
  } finally {
    kv.close();
  }
});

Deno.test("hung provider: a message stuck in sending shows in /health as stuck", async () => {
  const { kv, clock, app } = await setUp();
  try {
    const op = kv.atomic();
    const m = addMessage(op, clock, {
      channel: "email",
      to: "a@example.pl",
      subject: "S",
      text: "T",
      purpose: "test",
    });
    await op.commit();
    const sending = { ...m, state: "sending" as const };
    await kv.atomic().delete(keys.messagesByState("queued", m.id))
      .set(keys.messagesByState("sending", m.id), m.id).set(keys.messages(m.id), sending).commit();
    let body = await (await app.request("/health", {}, LOOPBACK_ENV)).json();
    assert.deepEqual(body.queue, { queued: 0, sending: 1, stuck: 0, failed: 0, uncertain: 0 });
    clock.advance(3 * 60_000);
    body = await (await app.request("/health", {}, LOOPBACK_ENV)).json();
    assert.deepEqual(body.queue, { queued: 0, sending: 1, stuck: 1, failed: 0, uncertain: 0 });
  } finally {
    kv.close();
  }
});

Deno.test("full disk: the write probe fails, /health answers 503 and recovers by itself", async () => {
  const real = await Deno.openKv(":memory:");
  let full = true;
  const diskFull = () => Promise.reject(new TypeError("database or disk is full"));
  // Reads work on a full disk; every write fails the way SQLite reports it.
  const kv = new Proxy(real, {
    get(target, prop) {
      if (prop === "set" && full) return diskFull;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  try {
    const log = memoryLogger();
    const app = healthRoutes({ kv, clock: manualClock(new Date()), log }, { version: "t" });
    const res = await app.request("/health", {}, LOOPBACK_ENV);
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.status, "degraded");
    assert.equal(body.kv, "ok");
    assert.equal(body.write, "error");
    assert.equal(await (await app.request("/health", {}, REMOTE_ENV)).text(), "degraded");
    full = false;
    const healed = await app.request("/health", {}, LOOPBACK_ENV);
    assert.equal(healed.status, 200);
    assert.equal((await healed.json()).write, "ok");
  } finally {
    real.close();
  }
});
