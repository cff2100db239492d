/**
 * Issue 13, probe findings 3 and 5: the CSRF check holds whatever the content type (a cross-site
 * JSON POST approved an access request), bodies that are not forms are refused, the exemption
 * for a future payment notification is explicit and exact; and an invalid id in any staff URL
 * answers 404 (a CR/LF in one answered 500 from a redirect).
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { type AccessRequest, listAccessRequests } from "../../domain/access/access_requests.ts";
import { keys } from "../../domain/shared/keys.ts";
import { loadConfig } from "../../platform/config.ts";
import type { AppEnv } from "../../routes/context.ts";
import { CSRF_EXEMPT_PATHS, csrfProtection, isPlainPathSegment } from "../../routes/security.ts";
import { TEST_ORIGIN, testApp } from "../helpers.ts";
import { smallRegister } from "../fixtures/small_register.ts";

async function withPendingRequest() {
  const t = await testApp();
  await smallRegister(t.kv, t.clock);
  const res = await t.post("/rejestracja", {
    first_name: "Marcin",
    last_name: "Dąbrowski",
    email: "marcin@example.pl",
    phone: "600 123 456",
    street: "Kazimierza Wielkiego",
    building: "12",
    unit: "3",
    rodo_ack: "on",
  });
  assert.equal(res.status, 303);
  const [request] = await listAccessRequests(t.kv, "pending");
  const staff = await t.staffClient();
  const cookie = [...staff.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  return { t, request, staff, cookie };
}

Deno.test("CSRF: a cross-site POST is refused whatever its content type; non-form bodies are refused", async () => {
  const { t, request, staff, cookie } = await withPendingRequest();
  await using _ = t;
  const path = `/admin/wnioski/${request.id}/zatwierdz`;
  const send = (headers: Record<string, string>, body: BodyInit | null = "{}") =>
    t.app.request(path, { method: "POST", body, headers: { cookie, ...headers } });
  const json = { "content-type": "application/json" };

  // The probe's request: a JSON POST from another site, with the staff member's cookie.
  const probe = await send({ origin: "https://evil.example", ...json });
  assert.equal(probe.status, 403);
  assert.match(await probe.text(), /Brak dostępu/);
  assert.equal((await send({ "sec-fetch-site": "cross-site", ...json })).status, 403);
  assert.equal((await send({ "sec-fetch-site": "same-site", ...json })).status, 403);
  assert.equal(
    (await send({ origin: TEST_ORIGIN, "sec-fetch-site": "cross-site", ...json })).status,
    403,
    "Sec-Fetch-Site is checked even when Origin looks right",
  );
  assert.equal((await send({ referer: "https://evil.example/x", ...json })).status, 403);
  // The user's own action (a form resent on reload) is not another site's: the body decides.
  assert.equal((await send({ "sec-fetch-site": "none", ...json })).status, 415);
  assert.equal(
    (await send({ origin: "https://evil.example" }, new URLSearchParams({ a: "b" }))).status,
    403,
  );

  // From this site, or from no browser at all: still no body but a form.
  for (
    const type of ["application/json", "text/plain", "application/xml", "application/octet-stream"]
  ) {
    for (const origin of [{ origin: TEST_ORIGIN }, {}] as Record<string, string>[]) {
      const res = await send({ ...origin, "content-type": type });
      assert.equal(res.status, 415, `${type} ${JSON.stringify(origin)}`);
      assert.match(await res.text(), /tylko dane wysłane formularzem/);
    }
  }
  assert.equal((await send({ origin: TEST_ORIGIN }, new Uint8Array([1, 2, 3]))).status, 415);
  const stored = (await t.kv.get<AccessRequest>(keys.requests(request.id))).value;
  assert.equal(stored?.status, "pending", "nothing was approved");

  // A same-origin form still works, urlencoded or multipart, and a body-less POST from a script.
  const multipart = new FormData();
  multipart.append("reason", "Lokal należy do innej osoby.");
  const rejected = await t.app.request(`/admin/wnioski/${request.id}/odrzuc`, {
    method: "POST",
    body: multipart,
    headers: { cookie, origin: TEST_ORIGIN, "sec-fetch-site": "same-origin" },
  });
  assert.equal(rejected.status, 303);
  const logout = await t.app.request("/admin/wyloguj", { method: "POST", headers: { cookie } });
  assert.notEqual(logout.status, 415);
  assert.notEqual(logout.status, 403);
  void staff;
});

Deno.test("CSRF: exempt paths are exact and explicit (for the payment gateway's notification)", async () => {
  for (const path of CSRF_EXEMPT_PATHS) {
    assert.match(path, /^\/[a-z0-9/-]+$/, `${path}: an exact path`);
    assert.ok(!path.startsWith("/admin") && !path.startsWith("/ebok"), path);
  }
  const config = loadConfig({ EBOK_KV_PATH: ":memory:" });
  const app = new Hono<AppEnv>();
  app.use(csrfProtection(config, { exemptPaths: ["/platnosci/powiadomienie"] }));
  for (const p of ["/platnosci/powiadomienie", "/platnosci/powiadomienie/x", "/platnosci"]) {
    app.post(p, (c) => c.body(null, 204));
  }
  const crossSiteJson = (path: string) =>
    app.request(path, {
      method: "POST",
      body: '{"sessionId":"x"}',
      headers: { "content-type": "application/json", origin: "https://gateway.example" },
    });
  assert.equal((await crossSiteJson("/platnosci/powiadomienie")).status, 204);
  assert.equal((await crossSiteJson("/platnosci/powiadomienie/x")).status, 403, "no prefixes");
  assert.equal((await crossSiteJson("/platnosci")).status, 403);
  // Without the option, the app's own list (empty until the gateway arrives) applies.
  const plain = new Hono<AppEnv>();
  plain.use(csrfProtection(config));
  plain.post("/platnosci/powiadomienie", (c) => c.body(null, 204));
  const res = await plain.request("/platnosci/powiadomienie", {
    method: "POST",
    body: "{}",
    headers: { "content-type": "application/json", origin: "https://gateway.example" },
  });
  assert.equal(res.status, CSRF_EXEMPT_PATHS.includes("/platnosci/powiadomienie") ? 204 : 403);
});

Deno.test("an invalid id in any staff URL answers 404, not 500 — every :id route", async () => {
  await using t = await testApp();
  const staff = await t.staffClient("admin", "admin1");
  const routes = t.app.routes.filter((r) =>
    r.method !== "ALL" && r.path.includes("/:") && !r.path.startsWith("/api")
  );
  assert.ok(routes.length >= 20, `the staff routes with ids: ${routes.length}`);
  const bad = ["%0d%0aX", "%0AX", "%22%3E%3Cb%3E", "%C4%85", "a%2Fb", "x".repeat(65), "%00", "%"];
  const failures: string[] = [];
  for (const route of routes) {
    for (const id of bad) {
      const path = route.path.replace(/:[A-Za-z]+/g, id);
      const res = route.method === "GET"
        ? await staff.get(path)
        : await staff.post(path, { reason: "x", unit_id: "y" });
      if (res.status !== 404) failures.push(`${route.method} ${path} → ${res.status}`);
    }
  }
  assert.deepEqual(failures, []);
  // No route of ours is shut out by the rule: every fixed segment of every path passes it.
  for (const route of t.app.routes) {
    for (const segment of route.path.split("/")) {
      if (segment === "" || segment === "*" || segment.startsWith(":")) continue;
      assert.ok(isPlainPathSegment(segment), `${route.method} ${route.path}: ${segment}`);
    }
  }
  // The probe's own URL.
  const res = await staff.post("/admin/konta/%0d%0aX/blokuj", {});
  assert.equal(res.status, 404);
  assert.match(await res.text(), /Nie znaleziono strony/);
});
