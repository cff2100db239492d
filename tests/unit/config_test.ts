import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../platform/config.ts";
import { clockStartingOn } from "../../domain/shared/clock.ts";
import { polishDate } from "../../domain/shared/calendar.ts";

const production = {
  EBOK_ENV: "production",
  EBOK_BASE_URL: "https://ebok.example.pl",
  RESEND_API_KEY: "re_123",
  EBOK_MAIL_FROM: "eBOK <ebok@example.pl>",
  TWILIO_ACCOUNT_SID: "AC123",
  TWILIO_AUTH_TOKEN: "token",
  TWILIO_FROM: "+48500100200",
};

Deno.test("defaults follow CONTRACT.md", () => {
  const c = loadConfig({});
  assert.equal(c.env, "development");
  assert.equal(c.port, 8000);
  assert.equal(c.kvPath, "./data/ebok.kv");
  assert.equal(c.baseUrl, "http://localhost:8000");
  assert.equal(c.demo, true);
  assert.equal(c.resend, undefined);
  assert.equal(c.twilio, undefined);
  assert.equal(c.startPasswordTtlMs, 7 * 86_400_000);
  assert.equal(loadConfig({ PORT: "9000" }).baseUrl, "http://localhost:9000");
  assert.equal(loadConfig({ EBOK_KV_PATH: "" }).kvPath, "./data/ebok.kv", "empty = unset");
});

Deno.test("production: provider credentials and an https base URL are required; demo off", () => {
  const c = loadConfig(production);
  assert.equal(c.demo, false);
  assert.equal(c.kvPath, undefined, "Deno Deploy's own KV");
  assert.deepEqual(c.resend, {
    apiKey: "re_123",
    from: "eBOK <ebok@example.pl>",
    baseUrl: undefined,
  });
  for (
    const name of [
      "RESEND_API_KEY",
      "EBOK_MAIL_FROM",
      "TWILIO_ACCOUNT_SID",
      "TWILIO_AUTH_TOKEN",
      "TWILIO_FROM",
      "EBOK_BASE_URL",
    ]
  ) {
    const env: Record<string, string> = { ...production };
    delete env[name];
    assert.throws(
      () => loadConfig(env),
      (e: Error) => e instanceof ConfigError && e.message.startsWith(name),
    );
  }
  assert.throws(
    () => loadConfig({ ...production, EBOK_BASE_URL: "http://ebok.example.pl" }),
    /EBOK_BASE_URL must be https/,
  );
});

Deno.test("EBOK_TODAY moves the clock in development and is refused in production", () => {
  assert.equal(loadConfig({}).today, undefined);
  assert.equal(loadConfig({ EBOK_TODAY: "2026-03-18" }).today, "2026-03-18");
  assert.throws(
    () => loadConfig({ ...production, EBOK_TODAY: "2026-03-18" }),
    (e: Error) =>
      e instanceof ConfigError && /^EBOK_TODAY is for development and tests only/.test(e.message),
  );
  // An empty value means unset, as for every variable: production starts.
  assert.equal(loadConfig({ ...production, EBOK_TODAY: "" }).today, undefined);
});

Deno.test("clockStartingOn: noon in Poland on the chosen day, then the real pace", () => {
  let real = 1_000_000;
  for (const day of ["2026-01-15", "2026-07-15", "2026-03-29", "2026-10-25"]) {
    const clock = clockStartingOn(day, () => real);
    assert.equal(clock().toISOString(), `${day}T10:00:00.000Z`);
    assert.equal(polishDate(clock()), day);
    real += 5_000;
    assert.equal(clock().toISOString(), `${day}T10:00:05.000Z`);
  }
});

Deno.test("a wrong value stops the start with one line naming the variable", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: "abc" }, /^PORT must be a number \(got "abc"\)$/],
    [{ PORT: "70000" }, /^PORT must be between 1 and 65535/],
    [{ EBOK_ENV: "staging" }, /^EBOK_ENV must be development or production/],
    [{ EBOK_DEMO: "yes" }, /^EBOK_DEMO must be 0 or 1/],
    [{ EBOK_BASE_URL: "ftp://x" }, /^EBOK_BASE_URL must/],
    [{ RESEND_BASE_URL: "not a url" }, /^RESEND_BASE_URL must/],
    [{ RESEND_API_KEY: "re_1" }, /^EBOK_MAIL_FROM is required when RESEND_API_KEY is set/],
    [{ TWILIO_ACCOUNT_SID: "AC1" }, /^TWILIO_AUTH_TOKEN is required/],
    [{ EBOK_START_PASSWORD_DAYS: "0" }, /^EBOK_START_PASSWORD_DAYS must be between 1 and 30/],
    [{ EBOK_TODAY: "4.12.2026" }, /^EBOK_TODAY must be a date YYYY-MM-DD/],
    [{ EBOK_TODAY: "2026-02-30" }, /^EBOK_TODAY must be a real date/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, message);
      assert.ok(!e.message.includes("\n"), "one line");
      return true;
    });
  }
});

Deno.test("the server refuses to start on a bad variable, naming it", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts"],
    cwd: new URL("../../", import.meta.url).pathname,
    env: { PORT: "abc", EBOK_KV_PATH: ":memory:" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
  assert.equal(stderr, 'eBOK cannot start: PORT must be a number (got "abc")');
});
