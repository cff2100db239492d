import assert from "node:assert/strict";
import { manualClock } from "../../domain/shared/clock.ts";
import { generateStartPassword } from "../../domain/accounts/credentials.ts";
import { newIdentifier, normalizeIdentifier } from "../../domain/access/identifier.ts";
import { checkPasswordRule, validateNewPassword } from "../../domain/accounts/password_rule.ts";
import { normalizePolishMobile } from "../../domain/shared/phone.ts";
import { consumeRateLimit, peekRateLimit } from "../../domain/accounts/rate_limit.ts";
import {
  createSession,
  invalidateOwnerSessions,
  sessionPolicies,
  validateSession,
} from "../../domain/accounts/sessions.ts";
import { keys } from "../../domain/shared/keys.ts";

Deno.test("Polish mobile numbers as typed become E.164; landlines and junk are refused", () => {
  for (
    const typed of [
      "600 123 456",
      "+48600123456",
      "0048 600-123-456",
      "48600123456",
      "(600) 123-456",
    ]
  ) {
    assert.equal(normalizePolishMobile(typed), "+48600123456", typed);
  }
  for (const bad of ["", "60012345", "6001234567", "22 123 45 67", "+49600123456", "600 123 45a"]) {
    assert.equal(normalizePolishMobile(bad), null, bad);
  }
});

Deno.test("identifiers are short, unambiguous and read back however typed", () => {
  for (let i = 0; i < 200; i++) {
    const id = newIdentifier();
    assert.match(id, /^[ABCDEFGHJKMNPRSTUWXYZ]{3}-[2-9]{4}$/);
    assert.equal(normalizeIdentifier(id.toLowerCase().replace("-", " ")), id);
  }
  assert.equal(normalizeIdentifier("ktm4827"), "KTM-4827");
  assert.equal(normalizeIdentifier("KTM-48271"), null);
  assert.equal(normalizeIdentifier("' OR 1=1"), null);
});

Deno.test("the password rule: 7 characters, a letter, an upper-case letter", () => {
  assert.deepEqual(checkPasswordRule("Abcdefg"), []);
  assert.deepEqual(checkPasswordRule("Żółwik1"), [], "Polish letters count");
  assert.equal(checkPasswordRule("Abcdef").length, 1);
  assert.match(checkPasswordRule("1234567").join(" "), /literę.*wielką/);
  assert.match(checkPasswordRule("abcdefg").join(), /wielką literę/);
});

Deno.test("the password rule for staff: 12 characters, a letter, an upper-case letter (one module)", () => {
  assert.deepEqual(checkPasswordRule("Abcdefg"), [], "enough for a resident");
  assert.match(checkPasswordRule("Abcdefg", "staff").join(" "), /co najmniej 12 znaków/);
  assert.deepEqual(checkPasswordRule("Abcdefghijkl", "staff"), []);
  assert.match(checkPasswordRule("abcdefghijkl", "staff").join(" "), /wielką literę/);
  assert.match(checkPasswordRule("123456789012", "staff").join(" "), /literę/);
  assert.match(
    validateNewPassword("Abcdefg", undefined, { holder: "staff" }).new_password ?? "",
    /12 znaków/,
  );
  assert.deepEqual(validateNewPassword("Abcdefg", "Abcdefg", { holder: "resident" }), {});
});

Deno.test("start passwords satisfy the rule and avoid look-alike characters", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const p = generateStartPassword();
    assert.match(p, /^[A-HJ-NP-Za-hj-np-z2-9]{10}$/);
    assert.deepEqual(checkPasswordRule(p), []);
    assert.match(p, /\d/);
    seen.add(p);
  }
  assert.equal(seen.size, 500);
});

Deno.test("rate limit: a fixed window per subject, counted in KV", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
    const rule = { limit: 3, windowMs: 60_000 };
    for (let i = 0; i < 3; i++) {
      assert.equal((await consumeRateLimit(kv, clock, "t", "a", rule)).ok, true);
    }
    const refused = await consumeRateLimit(kv, clock, "t", "a", rule);
    assert.deepEqual(refused, { ok: false, retryAt: new Date("2026-11-25T10:01:00Z") });
    assert.equal((await consumeRateLimit(kv, clock, "t", "b", rule)).ok, true, "per subject");
    assert.equal((await peekRateLimit(kv, clock, "t", "a", rule)).ok, false);
    clock.advance(60_000);
    assert.equal((await consumeRateLimit(kv, clock, "t", "a", rule)).ok, true, "a new window");
    const parallel = await Promise.all(
      Array.from({ length: 10 }, () => consumeRateLimit(kv, clock, "t", "c", rule)),
    );
    assert.equal(parallel.filter((r) => r.ok).length, 3, "concurrent attempts are counted exactly");
  } finally {
    kv.close();
  }
});

Deno.test("sessions: only the token's hash is stored; idle and absolute expiry; ending all", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
    const { token, session } = await createSession(kv, clock, "resident", "acc1");
    assert.match(token, /^[a-z2-7]{32}$/, "20 random bytes, base32");
    assert.notEqual(session.id, token);
    assert.equal((await kv.get(keys.sessions(token))).value, null);
    assert.ok((await kv.get(keys.sessions(session.id))).value);

    // Sliding: used every 20 minutes it lives on, up to the absolute cap.
    const policy = sessionPolicies.resident;
    let alive = 0;
    for (let t = 0; t < policy.absoluteMs + 3_600_000; t += 20 * 60_000) {
      if (await validateSession(kv, clock, "resident", token)) alive = t;
      clock.advance(20 * 60_000);
    }
    assert.ok(alive >= policy.absoluteMs - 20 * 60_000 && alive < policy.absoluteMs);
    assert.equal(await validateSession(kv, clock, "resident", token), null);

    // Idle: unused longer than the idle limit, it ends.
    const second = await createSession(kv, clock, "resident", "acc1");
    clock.advance(policy.idleMs + 1);
    assert.equal(await validateSession(kv, clock, "resident", second.token), null);

    // Staff and resident sessions are separate.
    const staff = await createSession(kv, clock, "staff", "st1");
    assert.equal(await validateSession(kv, clock, "resident", staff.token), null);
    assert.ok(await validateSession(kv, clock, "staff", staff.token));

    const a = await createSession(kv, clock, "resident", "acc2");
    const b = await createSession(kv, clock, "resident", "acc2");
    assert.equal(await invalidateOwnerSessions(kv, "resident", "acc2", a.session.id), 1);
    assert.ok(await validateSession(kv, clock, "resident", a.token));
    assert.equal(await validateSession(kv, clock, "resident", b.token), null);
    assert.equal(await validateSession(kv, clock, "resident", "not-a-token"), null);
  } finally {
    kv.close();
  }
});
