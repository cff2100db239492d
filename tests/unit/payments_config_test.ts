import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../platform/config.ts";
import { configuredPaymentGateway } from "../../adapters/przelewy24.ts";

const production = {
  EBOK_ENV: "production",
  EBOK_BASE_URL: "https://ebok.example.pl",
  RESEND_API_KEY: "re_123",
  EBOK_MAIL_FROM: "eBOK <ebok@example.pl>",
  TWILIO_ACCOUNT_SID: "AC123",
  TWILIO_AUTH_TOKEN: "token",
  TWILIO_FROM: "+48500100200",
};
const p24 = {
  P24_MERCHANT_ID: "123456",
  P24_POS_ID: "123456",
  P24_CRC: "a1b2c3d4e5f6a7b8",
  P24_API_KEY: "key",
  P24_BASE_URL: "https://sandbox.przelewy24.pl/",
};

Deno.test("P24_*: all five or none; numbers validated; https in production", () => {
  const c = loadConfig({ ...production, ...p24 });
  assert.deepEqual(c.przelewy24, {
    merchantId: 123456,
    posId: 123456,
    crc: "a1b2c3d4e5f6a7b8",
    apiKey: "key",
    baseUrl: "https://sandbox.przelewy24.pl",
  });
  for (const name of Object.keys(p24)) {
    const env: Record<string, string> = { ...production, ...p24 };
    delete env[name];
    assert.throws(
      () => loadConfig(env),
      (e: Error) =>
        e instanceof ConfigError && e.message.startsWith(name) &&
        e.message.includes("all five or none"),
      name,
    );
  }
  assert.throws(
    () => loadConfig({ ...p24, P24_MERCHANT_ID: "abc" }),
    /P24_MERCHANT_ID must be a number/,
  );
  assert.throws(
    () => loadConfig({ ...p24, P24_POS_ID: "-1" }),
    /P24_POS_ID must be a positive number/,
  );
  assert.throws(
    () => loadConfig({ ...production, ...p24, P24_BASE_URL: "http://127.0.0.1:9999" }),
    /P24_BASE_URL must be https:\/\/ in production/,
  );
  // A local fake over http is fine in development (tests point P24_BASE_URL at one).
  assert.equal(
    loadConfig({ ...p24, P24_BASE_URL: "http://127.0.0.1:9999" }).przelewy24?.baseUrl,
    "http://127.0.0.1:9999",
  );
});

Deno.test("without P24_*: production starts with no online payment; development uses its fake", () => {
  const prod = loadConfig(production);
  assert.equal(prod.przelewy24, undefined);
  assert.equal(configuredPaymentGateway(prod), undefined);
  const dev = loadConfig({});
  assert.equal(dev.przelewy24, undefined);
  assert.equal(configuredPaymentGateway(dev)?.name, "przelewy24");
  assert.equal(configuredPaymentGateway(loadConfig({ ...production, ...p24 }))?.name, "przelewy24");
});
