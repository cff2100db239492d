import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../platform/config.ts";

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
