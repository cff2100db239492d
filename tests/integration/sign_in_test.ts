/**
 * Signing in and passwords, residents and staff (issues 10 point 7, 11 points 1–2, 12 point 6,
 * 13 points 1, 2, 4, 6, 8, 10). Each test drives the app through HTTP, as a browser would.
 */
import assert from "node:assert/strict";
import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { type Account, createAccount, getAccount } from "../../domain/accounts/accounts.ts";
import type { PasswordHasher } from "../../domain/accounts/password.ts";
import { currentTotp, TOTP_DIGITS, TOTP_INTERVAL_SECONDS } from "../../domain/accounts/totp.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { listMessages } from "../../domain/messaging/messages.ts";
import { seedStaff, TEST_STAFF_PASSWORD, testApp, type TestClient } from "../helpers.ts";

type T = Awaited<ReturnType<typeof testApp>>;

const START = "Start1234x";
const OWN = "Moje-Haslo-1";
const STAFF_PASSWORD = TEST_STAFF_PASSWORD;

async function resident(
  t: T,
  opts: { own?: string; start?: string; phone?: string } = { start: START },
): Promise<Account> {
  const now = t.clock().getTime();
  const account = await createAccount(t.kv, t.clock, {
    firstName: "Ola",
    lastName: "Nowak",
    email: `ola${Math.random().toString(36).slice(2, 8)}@example.pl`,
    phone: opts.phone ?? "+48600111222",
    unitIds: [],
    passwordHash: opts.own ? await t.hasher.hash(opts.own) : null,
    startPassword: opts.start
      ? {
        hash: await t.hasher.hash(opts.start),
        issuedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 7 * 86_400_000).toISOString(),
      }
      : undefined,
  });
  return account!;
}

function login(c: TestClient, account: Account, password: string) {
  return c.post("/logowanie", { identifier: account.identifier, password });
}

/** The staff sign-in form: login, password and a TOTP code (by default the current one). */
function signInStaff(
  c: TestClient,
  staff: { login: string; password: string; totpSecret: string },
  totp = currentTotp(staff.totpSecret),
) {
  return c.post("/admin/logowanie", { login: staff.login, password: staff.password, totp });
}

/** The password change form sent as typed: the current password and the new one twice. */
function changePassword(c: TestClient, current: string, next: string, path = "/zmiana-hasla") {
  return c.post(path, {
    current_password: current,
    new_password: next,
    new_password_confirm: next,
  });
}

/** The value the page put into the `current_password` input, if any. */
function currentPasswordValue(html: string): string | undefined {
  const input = html.match(/<input[^>]*id="current_password"[^>]*>/)?.[0] ?? "";
  return input.match(/value="([^"]*)"/)?.[1];
}

// --- Issue 10 point 7: the start password is not a trap --------------------------------------

Deno.test("start password stays valid until changed: leaving the change screen and signing in again works", async () => {
  await using t = await testApp();
  const account = await resident(t);
  const phone = t.client();
  const first = await login(phone, account, START);
  assert.equal(first.headers.get("location"), "/zmiana-hasla");
  // The resident closes the tab and moves to a laptop an hour later.
  t.clock.advance(60 * 60_000);
  const laptop = t.client();
  const again = await login(laptop, account, START);
  assert.equal(again.status, 303, "the start password still signs in");
  assert.equal(again.headers.get("location"), "/zmiana-hasla");
  const changed = await changePassword(laptop, START, OWN);
  assert.equal(changed.status, 303);
  // Once the own password is set, the start password is gone, and so are the other sessions.
  const after = await login(t.client(), account, START);
  assert.equal(after.status, 422);
  assert.match(await after.text(), /Nieprawidłowy Identyfikator lub hasło/);
  assert.equal((await phone.get("/zmiana-hasla")).status, 303, "the phone's session ended");
  assert.equal((await login(t.client(), account, OWN)).headers.get("location"), "/ebok");
  // Still within its validity only.
  const other = await resident(t, { start: "Druga5678y" });
  t.clock.advance(7 * 86_400_000);
  const expired = await login(t.client(), other, "Druga5678y");
  assert.equal(expired.status, 422);
  assert.match(await expired.text(), /Hasło startowe wygasło/);
});

Deno.test("start password: a double-clicked first login (concurrent logins) is answered as the first", async () => {
  await using t = await testApp();
  const account = await resident(t);
  const c = t.client();
  const answers = await Promise.all([1, 2, 3].map(() => login(c, account, START)));
  assert.deepEqual(answers.map((r) => r.status), [303, 303, 303]);
  assert.deepEqual(
    answers.map((r) => r.headers.get("location")),
    ["/zmiana-hasla", "/zmiana-hasla", "/zmiana-hasla"],
  );
  assert.equal((await c.get("/zmiana-hasla")).status, 200, "whichever cookie the browser kept");
});

Deno.test("start password change ticket: the change form keeps the start password filled after a refused new password", async () => {
  await using t = await testApp();
  const account = await resident(t);
  const c = t.client();
  await login(c, account, START);
  let html = "";
  let current = START;
  // Five refusals in a row, typing the start password only the first time.
  for (const weak of ["slabe", "krotkie", "bezwielkich1", "Haslo123", "1234567"]) {
    const refused = await changePassword(c, current, weak);
    assert.equal(refused.status, 422, weak);
    html = await refused.text();
    const kept = currentPasswordValue(html);
    assert.ok(kept, `the start password field is filled after "${weak}"`);
    assert.notEqual(kept, START, "the password itself is never put into the page");
    assert.ok(!html.includes(START), "the start password appears nowhere in the page");
    current = kept;
  }
  assert.match(html, /Hasło startowe zostało sprawdzone/);

  // The ticket is bound to this session: another session (signed in with the same start
  // password) cannot use it.
  const other = t.client();
  await login(other, account, START);
  const stolen = await changePassword(other, current, OWN);
  assert.equal(stolen.status, 422);
  assert.match(await stolen.text(), /Hasło startowe jest nieprawidłowe/);

  // In its own session it works, without the start password typed again.
  const done = await changePassword(c, current, OWN);
  assert.equal(done.status, 303);
  assert.equal(done.headers.get("location"), "/ebok?haslo-zmienione");
  assert.ok(await t.hasher.verify(OWN, (await getAccount(t.kv, account.id))!.passwordHash!));
});

Deno.test("start password change ticket: short-lived", async () => {
  await using t = await testApp();
  const account = await resident(t);
  const c = t.client();
  await login(c, account, START);
  const refused = await changePassword(c, START, "slabe");
  const ticket = currentPasswordValue(await refused.text())!;
  t.clock.advance(11 * 60_000);
  const late = await changePassword(c, ticket, OWN);
  assert.equal(late.status, 422);
  assert.match(await late.text(), /Hasło startowe jest nieprawidłowe/);
});

// --- Issue 12 point 6: concurrent password changes ---------------------------------------------

Deno.test("concurrent password change: of 10 at once exactly one wins; the others get a clear 409 and no e-mail", async () => {
  await using t = await testApp();
  const account = await resident(t, { own: OWN });
  const c = t.client();
  await login(c, account, OWN);
  const answers = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => {
      const res = await changePassword(c, OWN, `Nowe-Haslo-${i}x`);
      return { i, status: res.status, html: await res.text() };
    }),
  );
  const won = answers.filter((a) => a.status === 303);
  const lost = answers.filter((a) => a.status !== 303);
  assert.equal(won.length, 1, `statuses: ${answers.map((a) => a.status)}`);
  assert.ok(lost.every((a) => a.status === 409), `statuses: ${answers.map((a) => a.status)}`);
  for (const a of lost) assert.match(a.html, /Hasło zostało już zmienione/);
  const mails = (await listMessages(t.kv)).filter((m) => m.purpose === "password_changed");
  assert.equal(mails.length, 1, "one e-mail, for the change that won");
  const audit = (await listAudit(t.kv)).filter((e) => e.action === "password.changed");
  assert.equal(audit.length, 1);
  // Exactly the winner's password is stored.
  const stored = (await getAccount(t.kv, account.id))!.passwordHash!;
  for (const a of answers) {
    assert.equal(await t.hasher.verify(`Nowe-Haslo-${a.i}x`, stored), a.status === 303);
  }
  assert.equal((await login(t.client(), account, `Nowe-Haslo-${won[0].i}x`)).status, 303);
});

// --- Issue 13 point 1: every failed login costs the same ---------------------------------------

function countingHasher(real: PasswordHasher) {
  const calls = { hash: 0, verify: 0 };
  const hasher: PasswordHasher = {
    hash(p) {
      calls.hash++;
      return real.hash(p);
    },
    verify(p, h) {
      calls.verify++;
      return real.verify(p, h);
    },
    needsRehash: (h) => real.needsRehash(h),
    close: () => real.close(),
  };
  return { calls, hasher };
}

Deno.test("failed login costs the same: the same number of hash verifications whatever the account holds", async () => {
  let counter: ReturnType<typeof countingHasher> | undefined;
  await using t = await testApp({
    adapt: (deps) => {
      counter = countingHasher(deps.hasher);
      return { ...deps, hasher: counter.hasher };
    },
  });
  const calls = counter!.calls;
  const ownOnly = await resident(t, { own: OWN });
  const startOnly = await resident(t, { start: START });
  const both = await resident(t, { own: OWN, start: START });
  const blocked = await resident(t, { own: OWN, start: START });
  await t.kv.set(["accounts", blocked.id], { ...blocked, status: "blocked" });
  const cases: [string, string][] = [
    ["unknown identifier", "ZZZ-9999"],
    ["not an identifier", "nie-wiem"],
    ["own password only", ownOnly.identifier],
    ["start password only", startOnly.identifier],
    ["own and start password", both.identifier],
    ["blocked account", blocked.identifier],
  ];
  const cost: Record<string, { hash: number; verify: number }> = {};
  for (const [name, identifier] of cases) {
    calls.hash = 0;
    calls.verify = 0;
    const res = await t.client().post("/logowanie", { identifier, password: "Zle-Haslo-77" });
    assert.equal(res.status, 422, name);
    cost[name] = { ...calls };
  }
  const expected = { hash: 0, verify: 2 };
  for (const [name] of cases) {
    assert.deepEqual(cost[name], expected, `${name}: ${JSON.stringify(cost)}`);
  }
  // A successful login costs the same too.
  calls.verify = 0;
  assert.equal((await login(t.client(), both, OWN)).status, 303);
  assert.equal(calls.verify, 2);
});

// --- Issue 13 point 2: TOTP replay -------------------------------------------------------------

function totpAt(secret: string, step: number) {
  return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), TOTP_DIGITS);
}

Deno.test("TOTP replay: a code is refused once the same or a later time step was accepted", async () => {
  await using t = await testApp();
  const staff = await seedStaff(t, "biuro");
  const signIn = (totp: string) => signInStaff(t.client(), staff, totp);
  // TOTP follows the wall clock (the phone's), ±1 step for drift.
  const step = Math.floor(Date.now() / (TOTP_INTERVAL_SECONDS * 1000));
  assert.equal((await signIn(totpAt(staff.totpSecret, step))).status, 303);
  assert.equal((await signIn(totpAt(staff.totpSecret, step))).status, 422, "the same code");
  assert.equal((await signIn(totpAt(staff.totpSecret, step + 1))).status, 303, "a later step");
  const replay = await signIn(totpAt(staff.totpSecret, step));
  assert.equal(replay.status, 422, "an earlier step after a later one was used");
  assert.equal((await signIn(totpAt(staff.totpSecret, step - 1))).status, 422, "older still");
});

Deno.test("TOTP replay: two concurrent logins with one code — exactly one gets in", async () => {
  await using t = await testApp();
  const staff = await seedStaff(t, "biuro");
  const code = currentTotp(staff.totpSecret);
  const answers = await Promise.all(
    [1, 2, 3].map(() => signInStaff(t.client(), staff, code)),
  );
  assert.deepEqual(answers.map((r) => r.status).sort(), [303, 422, 422]);
});

// --- Issue 13 point 4: guessing the current password counts with the lockout -----------------

Deno.test("wrong current password at /zmiana-hasla counts with the login lockout", async () => {
  await using t = await testApp();
  const account = await resident(t, { own: OWN });
  const c = t.client();
  await login(c, account, OWN);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await changePassword(c, `Zgadywane-${i}`, "Inne-Haslo-22");
    statuses.push(res.status);
  }
  assert.deepEqual(statuses, [422, 422, 422, 422, 429]);
  const right = await changePassword(c, OWN, "Inne-Haslo-22");
  assert.equal(right.status, 429, "the right password waits for the lock too");
  assert.match(await right.text(), /możliwe po 25\.11\.2026, 11:01/);
  assert.equal((await login(t.client(), account, OWN)).status, 429, "the same lockout as login");
  assert.ok(await t.hasher.verify(OWN, (await getAccount(t.kv, account.id))!.passwordHash!));
});

Deno.test("wrong current password at /admin/haslo counts with the staff login lockout", async () => {
  await using t = await testApp();
  const s = await t.staffClient("office", "biuro");
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await changePassword(s, `Zgadywane-${i}`, "Nowe-Haslo-Biura-1", "/admin/haslo");
    statuses.push(res.status);
  }
  assert.deepEqual(statuses, [422, 422, 422, 422, 429]);
  const right = await changePassword(s, STAFF_PASSWORD, "Nowe-Haslo-Biura-1", "/admin/haslo");
  assert.equal(right.status, 429);
});

// --- Issue 13 point 6: a staff password change rotates the session token ----------------------

Deno.test("staff password change rotates the session token", async () => {
  await using t = await testApp();
  const s = await t.staffClient("office", "biuro");
  const before = s.cookies.get("ebok_staff");
  assert.ok(before);
  const res = await changePassword(s, STAFF_PASSWORD, "Nowe-Haslo-Biura-1", "/admin/haslo");
  assert.equal(res.status, 303);
  const after = s.cookies.get("ebok_staff");
  assert.ok(after && after !== before, "a new token");
  assert.equal((await s.get("/admin/wnioski")).status, 200, "the new token works");
  const old = await t.app.request("/admin/wnioski", {
    headers: { cookie: `ebok_staff=${before}` },
  });
  assert.equal(old.status, 303, "the old token no longer opens /admin");
  assert.equal(old.headers.get("location"), "/admin/logowanie");
  assert.equal((await listMessages(t.kv)).length, 0);
});

// --- Issue 13 point 10: unlock at once through "Nie pamiętam hasła" ---------------------------

Deno.test("lockout: a new start password by SMS (Nie pamiętam hasła) lets the resident in at once", async () => {
  await using t = await testApp();
  const account = await resident(t, { own: OWN });
  // Someone else fails five times on purpose.
  for (let i = 0; i < 5; i++) await login(t.client(), account, `Zle-${i}-haslo`);
  const locked = await login(t.client(), account, OWN);
  assert.equal(locked.status, 429);
  const message = await locked.text();
  assert.match(message, /będzie możliwe po/);
  assert.match(message, /Nie pamiętam hasła/);
  assert.match(message, /od razu/, "the message says the SMS unlocks at once");

  // A little later the resident asks for a new start password.
  t.clock.advance(5_000);
  assert.equal(
    (await t.post("/nie-pamietam-hasla", { identifier: account.identifier })).status,
    200,
  );
  const sms = (await listMessages(t.kv)).filter((m) => m.channel === "sms");
  assert.equal(sms.length, 1);
  const start = sms[0].text.match(/Hasło startowe: (\S+)/)![1];
  // Guessing stays locked…
  assert.equal((await login(t.client(), account, "Jeszcze-Jedno-1")).status, 429);
  // …but the start password from the SMS signs in at once.
  const c = t.client();
  const res = await login(c, account, start);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/zmiana-hasla");
  const done = await changePassword(c, start, "Nowe-Haslo-Oli-3");
  assert.equal(done.status, 303);
  assert.equal((await login(t.client(), account, "Nowe-Haslo-Oli-3")).status, 303);
});

Deno.test("lockout: a start password sent before the lock does not pass it", async () => {
  await using t = await testApp();
  const account = await resident(t);
  for (let i = 0; i < 5; i++) await login(t.client(), account, `Zle-${i}-haslo`);
  assert.equal((await login(t.client(), account, START)).status, 429);
});

// --- Issue 11 point 1: a change and its audit entry land in one atomic operation --------------

/** A Deno KV that notes the keys each committed write touched (one list per commit). */
function recordingKv(kv: Deno.Kv) {
  const commits: string[][] = [];
  const text = (key: Deno.KvKey) => JSON.stringify(key);
  const wrapOp = (op: Deno.AtomicOperation): Deno.AtomicOperation => {
    const touched: string[] = [];
    const proxy: Deno.AtomicOperation = new Proxy(op, {
      get(target, name) {
        const value = Reflect.get(target, name, target);
        if (typeof value !== "function") return value;
        if (name === "commit") {
          return async () => {
            const result = await target.commit();
            if (result.ok) commits.push(touched);
            return result;
          };
        }
        return (...args: unknown[]) => {
          if (["set", "delete", "sum", "min", "max"].includes(String(name))) {
            touched.push(text(args[0] as Deno.KvKey));
          }
          const out = value.apply(target, args);
          return out === target ? proxy : out;
        };
      },
    });
    return proxy;
  };
  const proxy = new Proxy(kv, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (name === "atomic") return () => wrapOp(target.atomic());
      if (name === "set" || name === "delete") {
        return async (key: Deno.KvKey, ...rest: unknown[]) => {
          // deno-lint-ignore no-explicit-any
          const out = await (value as any).call(target, key, ...rest);
          commits.push([text(key)]);
          return out;
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: proxy, commits };
}

Deno.test("audit atomic: representative writes commit the change and its audit entry together", async () => {
  let recorder: ReturnType<typeof recordingKv> | undefined;
  await using t = await testApp({
    adapt: (deps) => {
      recorder = recordingKv(deps.kv);
      return { ...deps, kv: recorder.kv };
    },
  });
  const commits = recorder!.commits;
  const account = await resident(t, { own: OWN });
  const staff = await t.staffClient("office", "biuro");

  /** Runs `write`, then asserts one commit holds an audit entry and every key matching `change`. */
  const together = async (
    name: string,
    write: () => Response | Promise<Response>,
    change: RegExp[],
  ) => {
    commits.length = 0;
    const res = await write();
    assert.ok(res.status < 500, `${name}: ${res.status}`);
    const withAudit = commits.filter((keys) => keys.some((k) => k.startsWith('["audit_log"')));
    assert.equal(withAudit.length, 1, `${name}: one commit with an audit entry`);
    for (const pattern of change) {
      assert.ok(
        withAudit[0].some((k) => pattern.test(k)),
        `${name}: ${pattern} in the audit entry's commit ${JSON.stringify(commits)}`,
      );
    }
  };

  const resident1 = t.client();
  await together(
    "resident login",
    () => login(resident1, account, OWN),
    [/^\["sessions",/, /^\["sessions_by_account",/],
  );
  await together(
    "resident password change",
    () => changePassword(resident1, OWN, "Inne-Haslo-22"),
    [/^\["accounts",/, /^\["messages",/, /^\["sessions",/],
  );
  for (let i = 0; i < 5; i++) await login(t.client(), account, `Zle-${i}-haslo`);
  await together(
    "staff lifts a login lockout",
    () => staff.post(`/admin/konta/${account.id}/odblokuj`, {}),
    [/^\["lockouts",/],
  );
  await together(
    "staff send a start password",
    () => staff.post(`/admin/konta/${account.id}/haslo-startowe`, {}),
    [/^\["accounts",/, /^\["messages",/],
  );
  await together(
    "forgotten password",
    () => t.post("/nie-pamietam-hasla", { identifier: account.identifier }),
    [/^\["accounts",/, /^\["messages",/],
  );
  await together(
    "staff password change",
    () => changePassword(staff, STAFF_PASSWORD, "Nowe-Haslo-Biura-1", "/admin/haslo"),
    [/^\["staff",/, /^\["staff_sessions",/],
  );
  const staffMember = await seedStaff(t, "druga");
  await together("staff login", () => signInStaff(t.client(), staffMember), [
    /^\["staff_sessions",/,
    /^\["staff_totp/,
  ]);
});
