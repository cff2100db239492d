/**
 * In development without P24_* the app runs the fake gateway itself at /dev/platnosci: the real
 * Przelewy24 adapter (configuredPaymentGateway) registers there, and its payment page renders
 * through the app's own middleware (CSP and all). With P24_* set, no fake is mounted.
 */
import assert from "node:assert/strict";
import { configuredPaymentGateway } from "../../adapters/przelewy24.ts";
import { TEST_ORIGIN, testApp } from "../helpers.ts";

Deno.test("development: the fake gateway at /dev/platnosci speaks Przelewy24 to the real adapter", async () => {
  await using t = await testApp();
  // The adapter's HTTP calls go to the app in-process (the same requests, no socket).
  const viaApp: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return Promise.resolve(t.app.request(url.pathname + url.search, init));
  };
  const gateway = configuredPaymentGateway(t.config, viaApp)!;
  const reg = await gateway.registerTransaction({
    sessionId: "01KBXDEV0000000000000000AA",
    amount: 4_567,
    currency: "PLN",
    description: "Opłaty 12.2026 lokal 12/7",
    email: "anna@example.pl",
    returnUrl: `${TEST_ORIGIN}/ebok/platnosci/01KBXDEV0000000000000000AA`,
    notifyUrl: `${TEST_ORIGIN}/platnosci/powiadomienie`,
  });
  assert.ok(reg.ok, JSON.stringify(reg));
  assert.ok(reg.redirectUrl.startsWith(`${TEST_ORIGIN}/dev/platnosci/trnRequest/`));

  const path = new URL(reg.redirectUrl).pathname;
  const page = await t.app.request(path);
  assert.equal(page.status, 200);
  assert.ok(page.headers.get("content-security-policy"), "the app's headers apply");
  const html = await page.text();
  assert.match(html, /<h1>Płatność testowa<\/h1>/);
  assert.match(html, /Zapłać 45,67/);
  assert.match(html, /Odrzuć/);

  const refused = await t.post(`${path}/odrzuc`, {});
  assert.equal(refused.status, 303);
  assert.equal(
    refused.headers.get("location"),
    `${TEST_ORIGIN}/ebok/platnosci/01KBXDEV0000000000000000AA`,
  );
  const lookup = await gateway.getTransaction("01KBXDEV0000000000000000AA");
  assert.equal(lookup.ok && lookup.transaction.status, "unpaid", "refusing pays nothing");
});

Deno.test("development: the fake's API is mounted before the form-CSRF check, its page behind it", async () => {
  await using t = await testApp();
  const crossSite = (path: string, body: string, type: string) =>
    t.app.request(path, {
      method: "POST",
      body,
      headers: { "content-type": type, origin: "https://elsewhere.example" },
    });
  // The API answers for itself (Basic auth), as the real gateway would: no CSRF exemption needed.
  const api = await crossSite(
    "/dev/platnosci/api/v1/transaction/register",
    "{}",
    "application/json",
  );
  assert.equal(api.status, 401);
  assert.deepEqual(await api.json(), { error: "Incorrect authentication", code: 401 });
  // The payer's buttons are forms on the app's origin: a cross-site POST is refused.
  for (const button of ["zaplac", "odrzuc"]) {
    const res = await crossSite(
      `/dev/platnosci/trnRequest/X/${button}`,
      "a=1",
      "application/x-www-form-urlencoded",
    );
    assert.equal(res.status, 403, button);
    await res.body?.cancel();
  }
});

Deno.test("development with P24_* configured: no fake is mounted", async () => {
  await using t = await testApp({
    P24_MERCHANT_ID: "1",
    P24_POS_ID: "1",
    P24_CRC: "c",
    P24_API_KEY: "k",
    P24_BASE_URL: "https://sandbox.przelewy24.pl",
  });
  const res = await t.app.request("/dev/platnosci/api/v1/testAccess");
  assert.equal(res.status, 404);
  await res.body?.cancel();
});
