import assert from "node:assert/strict";
import { createApp } from "../../routes/app.tsx";
import { loadConfig } from "../../platform/config.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { createPasswordHasher } from "../../domain/accounts/password.ts";
import { defaultProfile, saveCooperativeProfile } from "../../domain/backoffice/cooperative.ts";
import { memoryLogger } from "../../platform/log.ts";
import { assets } from "../../views/assets.ts";
import { testApp } from "../helpers.ts";

Deno.test("home page: Polish shell with menu, skip link, h1 and the cooperative's name", async () => {
  await using t = await testApp();
  await saveCooperativeProfile(t.kv, {
    ...defaultProfile("Spółdzielnia Mieszkaniowa „Testowa”"),
  });
  const res = await t.app.request("/");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  const html = await res.text();
  assert.match(html, /^<!doctype html><html lang="pl">/);
  assert.match(html, /Spółdzielnia Mieszkaniowa „Testowa”/);
  assert.match(html, /<a class="skip-link" href="#tresc">Przejdź do treści<\/a>/);
  assert.match(html, /<nav aria-label="Menu główne"/);
  assert.match(html, /<a href="\/" aria-current="page">Strona główna<\/a>/);
  assert.equal((html.match(/<h1>/g) ?? []).length, 1);
  assert.ok(html.includes(`<script src="${assets.htmx.path}" defer></script>`));
  assert.doesNotMatch(html, /<script>(?!<\/script>)/, "no inline scripts");
  assert.doesNotMatch(html, / style="/, "no inline styles");
});

Deno.test("every response carries the security headers; HSTS only in production", async () => {
  await using dev = await testApp();
  const res = await dev.app.request("/");
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("referrer-policy"), "same-origin");
  assert.equal(res.headers.get("strict-transport-security"), null);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.match(res.headers.get("vary") ?? "", /(^|, )HX-Request(,|$)/);
  assert.ok(res.headers.get("x-request-id"));

  await using prod = await testApp({
    EBOK_ENV: "production",
    EBOK_BASE_URL: "https://ebok.example.pl",
    RESEND_API_KEY: "re_x",
    EBOK_MAIL_FROM: "eBOK <ebok@example.pl>",
    TWILIO_ACCOUNT_SID: "AC00",
    TWILIO_AUTH_TOKEN: "t",
    TWILIO_FROM: "+48500000000",
  });
  const hsts = (await prod.app.request("/")).headers.get("strict-transport-security") ?? "";
  const maxAge = Number(hsts.match(/max-age=(\d+)/)?.[1]);
  assert.ok(maxAge >= 31536000, `HSTS max-age ${maxAge} is at least a year`);
});

Deno.test("a cross-origin form POST is refused with 403 and a Polish page", async () => {
  await using t = await testApp();
  const evil = await t.post("/", { a: "b" }, { origin: "https://evil.example" });
  assert.equal(evil.status, 403);
  assert.match(await evil.text(), /Brak dostępu/);

  const crossSite = await t.app.request("/", {
    method: "POST",
    body: new URLSearchParams({ a: "b" }),
    headers: { "sec-fetch-site": "cross-site" },
  });
  assert.equal(crossSite.status, 403);

  const foreignReferer = await t.app.request("/", {
    method: "POST",
    body: new URLSearchParams({ a: "b" }),
    headers: { referer: "https://evil.example/form" },
  });
  assert.equal(foreignReferer.status, 403);

  // Same origin passes the CSRF check (and then finds no POST handler here).
  const same = await t.post("/", { a: "b" });
  assert.equal(same.status, 404);
});

Deno.test("error pages are Polish, with no stack trace; a 5xx is logged with its request id", async () => {
  const config = loadConfig({ EBOK_KV_PATH: ":memory:" });
  const kv = await Deno.openKv(":memory:");
  const log = memoryLogger();
  const hasher = createPasswordHasher({ useWorker: false });
  const app = createApp({ config, kv, clock: manualClock(new Date()), log, hasher });
  app.get("/boom", () => {
    throw new Error("secret internal detail");
  });
  try {
    const notFound = await app.request("/nie-ma-takiej-strony");
    assert.equal(notFound.status, 404);
    assert.match(await notFound.text(), /Nie znaleziono strony/);

    const boom = await app.request("/boom");
    assert.equal(boom.status, 500);
    const body = await boom.text();
    assert.match(body, /Błąd serwera/);
    assert.doesNotMatch(body, /secret internal detail|at .*\.ts/);
    const requestId = boom.headers.get("x-request-id");
    assert.ok(requestId);
    assert.ok(body.includes(requestId!), "the page shows the request id to quote to the office");
    const line = log.lines.find((l) => l.level === "error");
    assert.equal(line?.requestId, requestId);
    assert.match(String(line?.error), /secret internal detail/);
  } finally {
    hasher.close();
    kv.close();
  }
});

Deno.test("a body over the limit gets 413 with a Polish page", async () => {
  await using t = await testApp();
  const res = await t.post("/", { big: "x".repeat(70 * 1024) });
  assert.equal(res.status, 413);
  assert.match(await res.text(), /za duże/);
});

Deno.test("htmx is served from its npm package at a versioned, long-cached URL with an ETag", async () => {
  await using t = await testApp();
  assert.match(assets.htmx.path, /^\/static\/htmx-2\.\d+\.\d+\.[0-9a-f]{12}\.js$/);
  const res = await t.app.request(assets.htmx.path);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("cache-control") ?? "", /max-age=31536000, immutable/);
  assert.match(res.headers.get("content-type") ?? "", /javascript/);
  const etag = res.headers.get("etag")!;
  assert.ok(etag);
  const body = await res.text();
  assert.ok(body.includes("htmx"), "it is htmx");
  const again = await t.app.request(assets.htmx.path, { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  const css = await t.app.request(assets.css.path);
  assert.equal(css.status, 200);
  assert.match(css.headers.get("content-type") ?? "", /text\/css/);
});

Deno.test("htmx is configured for a strict CSP and full-page history restores", async () => {
  await using t = await testApp();
  const html = await (await t.app.request("/")).text();
  const meta = html.match(/<meta name="htmx-config" content="([^"]+)"/)?.[1];
  assert.ok(meta);
  const config = JSON.parse(meta!.replaceAll("&quot;", '"'));
  assert.equal(config.historyRestoreAsHxRequest, false);
  assert.equal(config.allowEval, false);
  assert.equal(config.includeIndicatorStyles, false);
});

Deno.test("the development outbox is 404 in production", async () => {
  await using prod = await testApp({
    EBOK_ENV: "production",
    EBOK_BASE_URL: "https://ebok.example.pl",
    RESEND_API_KEY: "re_x",
    EBOK_MAIL_FROM: "eBOK <ebok@example.pl>",
    TWILIO_ACCOUNT_SID: "AC00",
    TWILIO_AUTH_TOKEN: "t",
    TWILIO_FROM: "+48500000000",
  });
  assert.equal((await prod.app.request("/dev/outbox")).status, 404);
  assert.equal((await prod.app.request("/dev/outbox.json")).status, 404);
  await using dev = await testApp();
  assert.equal((await dev.app.request("/dev/outbox.json")).status, 200);
  assert.deepEqual(await (await dev.app.request("/dev/outbox.json")).json(), []);
});
