/**
 * Full disk / read-only KV: writes that the storage refuses answer 503 with a Polish page that
 * says nothing was saved; the service heals by itself when the disk is writable again.
 */
import assert from "node:assert/strict";
import { createApp } from "../../routes/app.tsx";
import { loadConfig } from "../../platform/config.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { createPasswordHasher } from "../../domain/accounts/password.ts";
import { memoryLogger } from "../../platform/log.ts";
import { TestClient } from "../helpers.ts";

/** A real KV whose writes fail, while `failure` is set, the way SQLite reports it. */
function failingWrites(real: Deno.Kv, failure: { message: string | null }): Deno.Kv {
  const fail = () => Promise.reject(new TypeError(failure.message!));
  return new Proxy(real, {
    get(target, prop) {
      if (failure.message && (prop === "set" || prop === "delete" || prop === "enqueue")) {
        return fail;
      }
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const proxy: Deno.AtomicOperation = new Proxy(op, {
            get(o, p) {
              if (p === "commit" && failure.message) return fail;
              const value = Reflect.get(o, p, o);
              // Chained calls (check, set, …) return the real op: hand back the proxy instead.
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
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

for (
  const [name, message] of [
    ["full disk", "database or disk is full"],
    ["read-only KV", "attempt to write a readonly database"],
  ]
) {
  Deno.test(`${name}: a registration answers 503 "nothing was saved", then works again without a restart`, async () => {
    const real = await Deno.openKv(":memory:");
    const failure: { message: string | null } = { message: null };
    const kv = failingWrites(real, failure);
    const hasher = createPasswordHasher({ useWorker: false });
    const log = memoryLogger();
    try {
      const app = createApp({
        config: loadConfig({ EBOK_KV_PATH: ":memory:" }),
        kv,
        clock: manualClock(new Date("2026-11-25T10:00:00Z")),
        log,
        hasher,
      });
      const form = {
        first_name: "Zofia",
        last_name: "Testowa",
        email: "zofia.testowa@example.pl",
        phone: "600123456",
        street: "ul. Kazimierza Wielkiego",
        building: "12",
        unit: "7",
        rodo_ack: "on",
      };
      const client = new TestClient(app);
      failure.message = message;
      const refused = await client.post("/rejestracja", form);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get("retry-after"), "60");
      const html = await refused.text();
      assert.match(html, /Usługa chwilowo niedostępna/);
      assert.match(html, /nic nie zostało zapisane/);
      assert.ok(log.lines.some((l) => l.msg === "storage unavailable"));

      failure.message = null;
      const accepted = await client.post("/rejestracja", form);
      assert.equal(accepted.status, 303, "healed without a restart");
    } finally {
      hasher.close();
      real.close();
    }
  });
}
