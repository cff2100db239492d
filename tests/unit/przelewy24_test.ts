/**
 * The Przelewy24 adapter: the three signs against vectors computed independently with
 * `printf '%s' JSON | openssl dgst -sha384`, the notification check, and the REST calls against
 * the fake gateway running as a local HTTP server.
 */
import assert from "node:assert/strict";
import {
  createPrzelewy24Gateway,
  notificationSign,
  notificationSignText,
  registerSign,
  registerSignText,
  verifySign,
  verifySignText,
} from "../../adapters/przelewy24.ts";
import { startFakePrzelewy24Server } from "../../adapters/fake_przelewy24.ts";

const CRC = "a1b2c3d4e5f6a7b8";
const SESSION = "01KBX8ZQ5N3W7T0V9Y2H4M6P8R";

Deno.test("register sign: the documented field order, SHA-384 as openssl computes it", async () => {
  const t = { sessionId: SESSION, merchantId: 123456, amount: 12345, currency: "PLN" };
  assert.equal(
    registerSignText(CRC, t),
    `{"sessionId":"${SESSION}","merchantId":123456,"amount":12345,"currency":"PLN","crc":"${CRC}"}`,
  );
  assert.equal(
    await registerSign(CRC, t),
    "1781d97302fc3f9e0b8a0bc7f03a767394d8ce2eb031cc7361f372ee7971ca269c9cd9cd96cf7f9a6ebabe746bb1946f",
  );
  // The documentation's own example (PHP/JS/Python snippets of the register sign).
  assert.equal(
    await registerSign("crc-z-panelu-p24", {
      sessionId: "unique-session-id",
      merchantId: 999999,
      amount: 1234,
      currency: "PLN",
    }),
    "b27f9adce99faee87750d350e24fab781f734fd80af7bdcff7063dab3fcebbf5f051b264a9b547e611e8e6af7b377cfa",
  );
});

Deno.test("notification sign: ten fields in order; Polish letters and '/' are not escaped", async () => {
  const n = {
    merchantId: 123456,
    posId: 123456,
    sessionId: SESSION,
    amount: 12345,
    originAmount: 12345,
    currency: "PLN",
    orderId: 316742895,
    methodId: 154,
    statement: "Opłaty 11.2026 lokal 12/7",
  };
  assert.equal(
    notificationSignText(CRC, n),
    `{"merchantId":123456,"posId":123456,"sessionId":"${SESSION}","amount":12345,"originAmount":12345,"currency":"PLN","orderId":316742895,"methodId":154,"statement":"Opłaty 11.2026 lokal 12/7","crc":"${CRC}"}`,
  );
  assert.equal(
    await notificationSign(CRC, n),
    "e8070c6d3b84e3e4b8f480aa5b595bc8a463599df88a2c2cfc98a49954fb6e9047ccc8c185b08932a4b9380445e07b65",
  );
});

Deno.test("verify sign: sessionId, orderId, amount, currency, crc", async () => {
  const v = { sessionId: SESSION, orderId: 316742895, amount: 12345, currency: "PLN" };
  assert.equal(
    verifySignText(CRC, v),
    `{"sessionId":"${SESSION}","orderId":316742895,"amount":12345,"currency":"PLN","crc":"${CRC}"}`,
  );
  assert.equal(
    await verifySign(CRC, v),
    "f6ca3397e2d1f8abd864bef99f3cac755c7ba42d944f9dae35436e698a32e4b6fae2e2d44b6458facd4de21bf5a3a989",
  );
});

const creds = { merchantId: 123456, posId: 123456, crc: CRC, apiKey: "api-key-123" };

Deno.test("parseNotification: accepts the right sign only, for our merchant only", async () => {
  const gateway = createPrzelewy24Gateway({ ...creds, baseUrl: "http://127.0.0.1:1" });
  const fields = {
    merchantId: 123456,
    posId: 123456,
    sessionId: SESSION,
    amount: 12345,
    originAmount: 12345,
    currency: "PLN",
    orderId: 316742895,
    methodId: 154,
    statement: "p24-316-742-895",
  };
  const good = { ...fields, sign: await notificationSign(CRC, fields) };
  const ok = await gateway.parseNotification(JSON.stringify(good));
  assert.deepEqual(ok, {
    ok: true,
    notification: {
      sessionId: SESSION,
      orderId: 316742895,
      amount: 12345,
      currency: "PLN",
      methodId: 154,
      statement: "p24-316-742-895",
    },
  });
  // The amount changed after signing.
  const tampered = await gateway.parseNotification(JSON.stringify({ ...good, amount: 1 }));
  assert.equal(tampered.ok, false);
  assert.equal(!tampered.ok && tampered.reason, "bad_signature");
  // Signed with another CRC.
  const other = { ...fields, sign: await notificationSign("someone-else", fields) };
  assert.equal((await gateway.parseNotification(JSON.stringify(other))).ok, false);
  // Correctly signed, but for another merchant (their CRC leaked to them, not ours).
  const foreign = { ...fields, merchantId: 999, posId: 999 };
  const r = await gateway.parseNotification(
    JSON.stringify({ ...foreign, sign: await notificationSign(CRC, foreign) }),
  );
  assert.equal(!r.ok && r.reason, "bad_signature");
  for (const body of ["", "not json", "{}", JSON.stringify({ ...good, orderId: "1" })]) {
    const m = await gateway.parseNotification(body);
    assert.equal(!m.ok && m.reason, "malformed", body);
  }
});

Deno.test("REST calls against the fake: register, verify, by sessionId; errors classified", async () => {
  const fake = startFakePrzelewy24Server(creds);
  try {
    const gateway = createPrzelewy24Gateway({ ...creds, baseUrl: fake.url });
    const reg = await gateway.registerTransaction({
      sessionId: SESSION,
      amount: 12345,
      currency: "PLN",
      description: "Opłaty 12.2026 lokal 12/7",
      email: "anna@example.pl",
      returnUrl: "http://localhost:8000/ebok/platnosci/x",
      notifyUrl: "http://localhost:8000/platnosci/powiadomienie",
    });
    assert.ok(reg.ok);
    assert.equal(reg.redirectUrl, `${fake.url}/trnRequest/${reg.token}`);
    const sent = fake.requests.find((r) => r.path === "/api/v1/transaction/register")!;
    const body = JSON.parse(sent.body);
    assert.equal(body.amount, 12345, "grosze, an integer");
    assert.equal(body.sessionId, SESSION);

    const page = await fetch(reg.redirectUrl);
    const html = await page.text();
    assert.match(html, /Zapłać 123,45/);
    assert.match(html, /Odrzuć/);

    assert.equal((await gateway.getTransaction(SESSION)).ok && "found", "found");
    const before = await gateway.getTransaction(SESSION);
    assert.equal(before.ok && before.transaction.status, "unpaid");
    assert.deepEqual(await gateway.getTransaction("nobody"), { ok: false, reason: "not_found" });

    const t = fake.bySession(SESSION)!;
    const n = { sessionId: SESSION, orderId: t.orderId, amount: 12345, currency: "PLN" };
    const early = await gateway.verifyTransaction(n);
    assert.equal(!early.ok && early.reason, "refused", "nothing paid yet");
    t.status = 1; // the payer paid
    assert.deepEqual(await gateway.verifyTransaction({ ...n, amount: 100 }), {
      ok: false,
      reason: "refused",
      detail: "HTTP 400: Invalid input data",
    });
    assert.deepEqual(await gateway.verifyTransaction(n), { ok: true });
    const after = await gateway.getTransaction(SESSION);
    assert.equal(after.ok && after.transaction.status, "paid");

    const wrongKey = createPrzelewy24Gateway({ ...creds, apiKey: "wrong", baseUrl: fake.url });
    const refused = await wrongKey.registerTransaction({
      sessionId: "other",
      amount: 100,
      currency: "PLN",
      description: "x",
      email: "a@b.pl",
      returnUrl: "http://x/",
      notifyUrl: "http://x/",
    });
    assert.deepEqual(refused, {
      ok: false,
      reason: "refused",
      detail: "HTTP 401: Incorrect authentication",
    });
    const wrongCrc = createPrzelewy24Gateway({ ...creds, crc: "wrong", baseUrl: fake.url });
    const badSign = await wrongCrc.registerTransaction({
      sessionId: "other2",
      amount: 100,
      currency: "PLN",
      description: "x",
      email: "a@b.pl",
      returnUrl: "http://x/",
      notifyUrl: "http://x/",
    });
    assert.equal(!badSign.ok && badSign.reason, "refused", "the fake checks the register sign");
  } finally {
    await fake.close();
  }
  const down = createPrzelewy24Gateway({ ...creds, baseUrl: "http://127.0.0.1:9" });
  const r = await down.verifyTransaction({
    sessionId: SESSION,
    orderId: 1,
    amount: 1,
    currency: "PLN",
  });
  assert.equal(!r.ok && r.reason, "unavailable");
});
