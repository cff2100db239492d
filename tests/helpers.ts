/** Shared test set-up: an app on its own :memory: KV, with a manual clock and captured logs. */
import { createDevOutbox } from "../adapters/dev_outbox.ts";
import { createResendMailer } from "../adapters/resend_mailer.ts";
import { createTwilioSms } from "../adapters/twilio_sms.ts";
import { createApp } from "../routes/app.tsx";
import { loadConfig } from "../platform/config.ts";
import { listenForJobs } from "../domain/messaging/delivery.ts";
import { manualClock } from "../domain/shared/clock.ts";
import type { Transports } from "../domain/messaging/messages.ts";
import { createPasswordHasher } from "../domain/accounts/password.ts";
import { memoryLogger } from "../platform/log.ts";
import { createStaff, type StaffRole } from "../domain/accounts/staff.ts";
import { currentTotp } from "../domain/accounts/totp.ts";
import type { AppDeps } from "../routes/context.ts";
import { type ApiScope, createApiToken } from "../domain/backoffice/api_tokens.ts";
import type { Actor } from "../domain/backoffice/audit.ts";
import type { PaymentGateway } from "../adapters/payment_gateway.ts";
import { saveChargeComponents } from "../domain/balance/ledger.ts";
import { createAccount } from "../domain/accounts/accounts.ts";
import { seedDemoCooperative } from "../domain/demo/demo_data.ts";
import { createBuilding, createUnit } from "../domain/backoffice/register.ts";
import { makeNrb, makeSortCode } from "../domain/shared/nrb.ts";
import { type FakeProvider, startFakeResend, startFakeTwilio } from "./fakes/fake_provider.ts";

export const TEST_ORIGIN = "http://localhost:8000";

export type TestAppOptions = {
  env?: Record<string, string>;
  /** "providers": the real Resend/Twilio SDKs against local fakes; "outbox": the dev outbox. */
  delivery?: "none" | "providers" | "outbox";
  start?: Date;
  /** Wraps the app's KV (e.g. `watchCommits`), so tests see every write the app makes. */
  wrapKv?: (kv: Deno.Kv) => Deno.Kv;
  /** Wraps the parts before the app is built (e.g. a hasher that counts its calls). */
  adapt?: (deps: AppDeps) => AppDeps;
  /** Online payment through this gateway (e.g. the fake Przelewy24); none by default. */
  paymentGateway?: PaymentGateway;
};

export async function testApp(options: TestAppOptions | Record<string, string> = {}) {
  const opts: TestAppOptions =
    "env" in options || "delivery" in options || "start" in options || "wrapKv" in options ||
      "adapt" in options || "paymentGateway" in options
      ? options as TestAppOptions
      : { env: options as Record<string, string> };
  const config = loadConfig({ EBOK_KV_PATH: ":memory:", ...opts.env });
  const realKv = await Deno.openKv(":memory:");
  const kv = opts.wrapKv ? opts.wrapKv(realKv) : realKv;
  const clock = manualClock(opts.start ?? new Date("2026-11-25T10:00:00Z"));
  const log = memoryLogger();
  const hasher = createPasswordHasher({ useWorker: false });
  const base: AppDeps = {
    config,
    kv,
    clock,
    log,
    hasher,
    paymentGateway: opts.paymentGateway,
  };
  const deps = opts.adapt ? opts.adapt(base) : base;
  const app = createApp(deps);

  let resend: FakeProvider | undefined;
  let twilio: FakeProvider | undefined;
  let listening: Promise<void> | undefined;
  if (opts.delivery === "providers" || opts.delivery === "outbox") {
    let transports: Transports;
    if (opts.delivery === "providers") {
      resend = startFakeResend();
      twilio = startFakeTwilio();
      transports = {
        mailer: createResendMailer({
          apiKey: "re_test",
          from: "eBOK <ebok@sm.example.pl>",
          baseUrl: resend.url,
        }),
        sms: createTwilioSms({
          accountSid: "AC00000000000000000000000000000000",
          authToken: "secret",
          from: "+48500100200",
          apiBase: twilio.url,
        }),
        retryBaseMs: 10,
        maxAttempts: 5,
      };
    } else {
      const outbox = createDevOutbox(kv, clock);
      transports = { mailer: outbox, sms: outbox, retryBaseMs: 10, maxAttempts: 5 };
    }
    listening = listenForJobs(kv, transports, clock, log);
  }

  return {
    ...deps,
    app,
    clock,
    log,
    resend,
    twilio,
    /** A same-origin form POST, as a browser sends it. */
    post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
      return app.request(path, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { origin: TEST_ORIGIN, ...headers },
      });
    },
    /** A client with its own cookies, like one browser. */
    client() {
      return new TestClient(app);
    },
    /** A new staff account, signed in (password, then TOTP) in a client of its own. */
    async staffClient(role: StaffRole = "office", login = "biuro") {
      const password = "Biuro-Haslo-2026";
      const staff = await createStaff(kv, clock, hasher, {
        login,
        password,
        name: `Pracownik ${login}`,
        role,
      });
      if (!staff.ok) throw new Error(`staff ${login}: ${staff.reason}`);
      const c = new TestClient(app);
      const res = await c.post("/admin/logowanie", {
        login,
        password,
        totp: currentTotp(staff.totpSecret),
      });
      if (res.status !== 303) throw new Error(`staff login answered ${res.status}`);
      return c;
    },
    [Symbol.asyncDispose]: async () => {
      hasher.close();
      kv.close();
      await listening;
      await resend?.close();
      await twilio?.close();
    },
  };
}

export type Fetcher = { request(path: string, init?: RequestInit): Response | Promise<Response> };

/** Keeps cookies between requests and does not follow redirects (tests assert them). */
export class TestClient {
  cookies = new Map<string, string>();
  constructor(private app: Fetcher) {}

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim())) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  private headers(extra: Record<string, string> = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    return { ...(cookie ? { cookie } : {}), ...extra };
  }

  async get(path: string, headers: Record<string, string> = {}) {
    return this.remember(await this.app.request(path, { headers: this.headers(headers) }));
  }

  async post(
    path: string,
    fields: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) {
      for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    }
    return this.remember(
      await this.app.request(path, {
        method: "POST",
        body,
        headers: this.headers({ origin: TEST_ORIGIN, ...headers }),
      }),
    );
  }
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
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

/** One write to KV, as `watchCommits` saw it: the keys it set or deleted. */
export type SeenCommit = { keys: Deno.KvKey[] };

/**
 * A KV that records every write (each atomic commit and each plain `set`/`delete`) and can be
 * told to crash — throw instead of committing — at its n-th write from now: the way to show
 * that a change and its audit entry land in one commit, with nothing in between.
 */
export function watchCommits(kv: Deno.Kv) {
  const commits: SeenCommit[] = [];
  let crashAt = 0;
  const write = (keys: Deno.KvKey[]) => {
    if (crashAt > 0 && --crashAt === 0) throw new Error("simulated crash before this commit");
    commits.push({ keys });
  };
  const wrapOp = (op: Deno.AtomicOperation): Deno.AtomicOperation => {
    const keys: Deno.KvKey[] = [];
    const proxy: Deno.AtomicOperation = new Proxy(op, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (prop === "commit") {
            write(keys);
            return value.apply(target, args);
          }
          if (
            prop === "set" || prop === "delete" || prop === "sum" || prop === "min" ||
            prop === "max"
          ) keys.push(args[0] as Deno.KvKey);
          const result = value.apply(target, args);
          return result === target ? proxy : result;
        };
      },
    });
    return proxy;
  };
  const wrapped = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "atomic") return () => wrapOp(target.atomic());
      if (prop === "set" || prop === "delete") {
        return (key: Deno.KvKey, ...rest: unknown[]) => {
          write([key]);
          return (value as (...a: unknown[]) => unknown).call(target, key, ...rest);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    kv: wrapped,
    /** Writes seen since the last `reset`. */
    commits,
    reset() {
      commits.length = 0;
      crashAt = 0;
    },
    /** The n-th write from now throws instead of committing (1 = the next one). */
    crashAt(n: number) {
      crashAt = n;
    },
  };
}

// --- The JSON API and the operator's command line ---------------------------------------------

/** The staff member tests create API tokens as. */
export const testAdmin: Actor = { kind: "staff", id: "01ADMIN", label: "Adam Admin (admin)" };

/** An API token for an integration: its id, its secret (shown once) and the record. */
export async function issueApiToken(
  t: { kv: Deno.Kv; clock: AppDeps["clock"] },
  name: string,
  scopes: readonly ApiScope[],
  actor: Actor = testAdmin,
) {
  const created = await createApiToken(t.kv, t.clock, { name, scopes, actor });
  if (!created.ok) throw new Error(`API token ${name}: ${created.reason}`);
  return { id: created.token.id, secret: created.secret, token: created.token };
}

/** A call to the JSON API at /api/v1, as an integration makes it (JSON body, Bearer token). */
export function apiCall(
  app: Fetcher,
  method: "GET" | "POST",
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (method === "POST") headers["content-type"] = "application/json";
  return app.request(`/api/v1${path}`, {
    method,
    headers: { ...headers, ...options.headers },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
}

const repositoryRoot = new URL("../", import.meta.url).pathname;

/** `deno task admin …` on the KV file `kvPath`, as the operator runs it. */
export async function runAdmin(kvPath: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "admin", ...args],
    cwd: repositoryRoot,
    env: { EBOK_KV_PATH: kvPath, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Every key and value in the store as text (bytes decoded as UTF-8 too): to look for secrets. */
export async function dumpKv(kv: Deno.Kv): Promise<string> {
  const parts: string[] = [];
  const decoder = new TextDecoder();
  for await (const e of kv.list({ prefix: [] })) {
    parts.push(JSON.stringify(e.key));
    const v = e.value;
    parts.push(
      v instanceof Uint8Array
        ? decoder.decode(v)
        : JSON.stringify(v, (_k, x) => typeof x === "bigint" ? String(x) : x),
    );
  }
  return parts.join("\n");
}

/**
 * The import tests' register: the "eksploatacja" charge component and flat 7 at Kazimierza
 * Wielkiego 12 in Głogów (accounting codes KW12 and KW12/7).
 */
export async function seedFlatKW12(
  t: { kv: Deno.Kv; clock: AppDeps["clock"] },
  occupants: string[] = ["Katarzyna Zielińska"],
) {
  await saveChargeComponents(t.kv, [{ code: "eksploatacja", label: "Eksploatacja" }]);
  const building = await createBuilding(t.kv, t.clock, {
    street: "Kazimierza Wielkiego",
    number: "12",
    postalCode: "67-200",
    city: "Głogów",
    externalId: "KW12",
  });
  const unit = await createUnit(t.kv, t.clock, {
    buildingId: building.id,
    number: "7",
    kind: "flat",
    areaCm2: 543000,
    persons: 3,
    bankAccount: makeNrb(makeSortCode("9990001"), "4600000000000007"),
    occupants,
    externalId: "KW12/7",
  });
  if (!unit.ok) throw new Error(`flat KW12/7: ${unit.reason}`);
  return { building, unit: unit.unit };
}

/** The password of the staff accounts that `seedStaff` and `staffClient` create. */
export const TEST_STAFF_PASSWORD = "Biuro-Haslo-2026";

/** A staff account, not signed in (for tests of the sign-in itself); its TOTP secret returned. */
export async function seedStaff(
  t: { kv: Deno.Kv; clock: AppDeps["clock"]; hasher: AppDeps["hasher"] },
  login = "biuro",
  role: StaffRole = "office",
) {
  const staff = await createStaff(t.kv, t.clock, t.hasher, {
    login,
    password: TEST_STAFF_PASSWORD,
    name: `Pracownik ${login}`,
    role,
  });
  if (!staff.ok) throw new Error(`staff ${login}: ${staff.reason}`);
  return { login, password: TEST_STAFF_PASSWORD, totpSecret: staff.totpSecret };
}

/** One KV call the app made, as `countKvOps` saw it. */
export type KvCall = {
  kind: "get" | "getMany" | "list" | "commit" | "set" | "delete" | "other";
  /** Keys asked for (get/getMany), the list's prefix or start, or the keys written. */
  keys: Deno.KvKey[];
  /** For a list: the entries it returned. */
  entries?: number;
  /** For a list: its options (the page size decides how many calls it took). */
  options?: Deno.KvListOptions;
};

/**
 * A KV that counts the operations the app makes, for the per-page budgets of issue 17. What it
 * counts, each as one operation: a `get`, a `getMany` (however many keys), an atomic `commit`, a
 * plain `set`/`delete`, and every underlying call of a `list` — Deno KV fetches a list in pages
 * of `batchSize` entries (the `limit`, else 100), so a list costs one call per page it fetched,
 * plus one for the final empty page when it ran to the end of a full page.
 */
export function countKvOps(kv: Deno.Kv) {
  const calls: KvCall[] = [];
  const listPages = (entries: number, options: Deno.KvListOptions = {}) => {
    const batch = Math.min(options.batchSize ?? options.limit ?? 100, 500);
    const limited = options.limit !== undefined && entries >= options.limit;
    return limited ? Math.max(1, Math.ceil(entries / batch)) : Math.floor(entries / batch) + 1;
  };
  const wrapOp = (op: Deno.AtomicOperation): Deno.AtomicOperation => {
    const keys: Deno.KvKey[] = [];
    const proxy: Deno.AtomicOperation = new Proxy(op, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (prop === "commit") calls.push({ kind: "commit", keys });
          else if (prop === "set" || prop === "delete" || prop === "sum") {
            keys.push(args[0] as Deno.KvKey);
          }
          const result = value.apply(target, args);
          return result === target ? proxy : result;
        };
      },
    });
    return proxy;
  };
  const wrapped = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const fn = value as (...a: unknown[]) => unknown;
      switch (prop) {
        case "atomic":
          return () => wrapOp(target.atomic());
        case "get":
        case "set":
        case "delete":
          return (key: Deno.KvKey, ...rest: unknown[]) => {
            calls.push({ kind: prop, keys: [key] });
            return fn.call(target, key, ...rest);
          };
        case "getMany":
          return (keys: Deno.KvKey[], ...rest: unknown[]) => {
            calls.push({ kind: "getMany", keys });
            return fn.call(target, keys, ...rest);
          };
        case "list":
          return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
            const call: KvCall = {
              kind: "list",
              keys: ["prefix" in selector ? selector.prefix : selector.start],
              entries: 0,
              options,
            };
            calls.push(call);
            const iter = target.list(selector, options);
            const counted = {
              get cursor() {
                return iter.cursor;
              },
              async next() {
                const r = await iter.next();
                if (!r.done) call.entries!++;
                return r;
              },
              [Symbol.asyncIterator]() {
                return counted;
              },
            };
            return counted;
          };
        default:
          return fn.bind(target);
      }
    },
  });
  return {
    kv: wrapped,
    calls,
    /** Operations since the last `reset`, a list counted by the pages it fetched. */
    operations() {
      return calls.reduce(
        (sum, c) => sum + (c.kind === "list" ? listPages(c.entries ?? 0, c.options) : 1),
        0,
      );
    },
    /** One line per call, for a failure message. */
    describe() {
      return calls.map((c) =>
        `${c.kind}${c.entries !== undefined ? `(${c.entries})` : ""} ${
          c.keys.map((k) => JSON.stringify(k)).join(" ")
        }`
      ).join("\n");
    },
    reset() {
      calls.length = 0;
    },
  };
}

/** The password of the account `signInDemoResident` makes. */
export const DEMO_RESIDENT_PASSWORD = "Moje-Haslo-1";

/**
 * The demo cooperative seeded into `t`'s KV, an account of its demo resident on the flat (and
 * the garage, when asked), signed in on a new client.
 */
export async function signInDemoResident(
  t: Awaited<ReturnType<typeof testApp>>,
  options: { garage?: boolean } = {},
) {
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const r = coop.demoResident;
  const account = await createAccount(t.kv, t.clock, {
    firstName: r.firstName,
    lastName: r.lastName,
    email: r.email,
    phone: r.phone,
    unitIds: options.garage ? [r.flatUnitId, r.garageUnitId] : [r.flatUnitId],
    passwordHash: await t.hasher.hash(DEMO_RESIDENT_PASSWORD),
  });
  if (!account) throw new Error("the demo resident's account was not created");
  const client = t.client();
  const login = await client.post("/logowanie", {
    identifier: account.identifier,
    password: DEMO_RESIDENT_PASSWORD,
  });
  if (login.status !== 303) throw new Error(`login answered ${login.status}`);
  return { coop, resident: r, account, client };
}
