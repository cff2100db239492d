/**
 * Przelewy24 REST API v1 behind the PaymentGateway port, with fetch and WebCrypto only.
 *
 * Source of every field list below: the Przelewy24 REST API documentation (OpenAPI 3.0.0,
 * "Przelewy24 REST API Documentation" version 1.0.16, as published at developers.przelewy24.pl):
 * - `POST /api/v1/transaction/register` (schema TransactionRequestBody1): `sign` is SHA-384 of
 *   `{"sessionId":"str","merchantId":int,"amount":int,"currency":"str","crc":"str"}`; the answer
 *   is `{"data":{"token":"…"},"responseCode":0}`; the payer goes to `/trnRequest/{TOKEN}`.
 * - the notification to `urlStatus` (schema TransactionResult), JSON, sent only for successful
 *   payments and repeated after 3, 5, 15, 30, 60, 150 and 450 minutes until verified: `sign` is
 *   SHA-384 of `{"merchantId":int,"posId":int,"sessionId":"str","amount":int,"originAmount":int,
 *   "currency":"str","orderId":int,"methodId":int,"statement":"str","crc":"str"}`.
 * - `PUT /api/v1/transaction/verify` (schema TransactionVerificationBody): `sign` is SHA-384 of
 *   `{"sessionId":"str","orderId":int,"amount":int,"currency":"str","crc":"str"}`; the answer is
 *   `{"data":{"status":"success"},"responseCode":0}`.
 * - `GET /api/v1/transaction/by/sessionId/{sessionId}` (TransactionBySessionIdResponse): `status`
 *   0 no payment, 1 advance payment (paid, not verified), 2 payment made, 3 payment returned;
 *   404 `{"error":"Transaction not found"}`.
 * - Authentication: HTTP Basic with the POS id (the account id) as user and the API key ("klucz
 *   do raportów") as password. Amounts are integers in grosze.
 * The documentation computes each sign with PHP's `json_encode(…, JSON_UNESCAPED_UNICODE |
 * JSON_UNESCAPED_SLASHES)` over the fields in the order listed; `JSON.stringify` of an object
 * literal written in that order gives the same text (no escaped "/" nor non-ASCII letters).
 *
 * No npm SDK: the unofficial packages are small wrappers (the most used, @ingameltd/node-przelewy24
 * 2.1.0, pulls axios 0.21, a line with known advisories); four requests are less code than a
 * dependency to audit.
 */
import type {
  GatewayNotification,
  GetTransactionResult,
  ParseNotificationResult,
  PaymentGateway,
  RegisterTransactionRequest,
  RegisterTransactionResult,
  VerifyTransactionResult,
} from "./payment_gateway.ts";

export type Przelewy24Config = {
  merchantId: number;
  posId: number;
  /** The CRC key from the Przelewy24 panel: signs every request and notification. */
  crc: string;
  /** The API key ("klucz do raportów"): the Basic-auth password. */
  apiKey: string;
  /** https://secure.przelewy24.pl, https://sandbox.przelewy24.pl or a local fake. */
  baseUrl: string;
};

export const P24_PRODUCTION_URL = "https://secure.przelewy24.pl";
export const P24_SANDBOX_URL = "https://sandbox.przelewy24.pl";

const TIMEOUT_MS = 15_000;

async function sha384Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-384", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** How a field of a Przelewy24 body is typed: an integer (grosze, ids) or text. */
type FieldKind = "int" | "str";
type FieldSpec = Readonly<Record<string, FieldKind>>;
/** The object a spec describes: `{ amount: "int" }` → `{ amount: number }`. */
export type FieldsOf<S extends FieldSpec> = {
  -readonly [K in keyof S]: S[K] extends "int" ? number : string;
};

/**
 * The signed fields of each message, in the documented order, which is also the order of the
 * JSON text its sign is computed over (the `crc` follows them). One list serves the adapter,
 * the fake gateway and the shape checks of both.
 */
export const REGISTER_SIGNED = {
  sessionId: "str",
  merchantId: "int",
  amount: "int",
  currency: "str",
} as const;
export const NOTIFICATION_SIGNED = {
  merchantId: "int",
  posId: "int",
  sessionId: "str",
  amount: "int",
  originAmount: "int",
  currency: "str",
  orderId: "int",
  methodId: "int",
  statement: "str",
} as const;
export const VERIFY_SIGNED = {
  sessionId: "str",
  orderId: "int",
  amount: "int",
  currency: "str",
} as const;

/** The whole bodies: the register request and the verify request, as sent. */
export const REGISTER_BODY = {
  ...REGISTER_SIGNED,
  posId: "int",
  description: "str",
  email: "str",
  urlReturn: "str",
  urlStatus: "str",
  sign: "str",
} as const;
export const NOTIFICATION_BODY = { ...NOTIFICATION_SIGNED, sign: "str" } as const;
export const VERIFY_BODY = {
  merchantId: "int",
  posId: "int",
  ...VERIFY_SIGNED,
  sign: "str",
} as const;

/**
 * The fields a spec names, checked (safe integers, strings) and copied in the spec's order;
 * undefined when any is missing or of another type. Fields the spec does not name are dropped.
 */
export function readFields<S extends FieldSpec>(value: unknown, spec: S): FieldsOf<S> | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(spec)) {
    const field = v[name];
    if (kind === "int" ? !Number.isSafeInteger(field) : typeof field !== "string") return undefined;
    out[name] = field;
  }
  return out as FieldsOf<S>;
}

/** The JSON text a sign is computed over: the spec's fields in its order, then the CRC key. */
function signText<S extends FieldSpec>(spec: S, fields: FieldsOf<S>, crc: string): string {
  const ordered: Record<string, unknown> = {};
  for (const name of Object.keys(spec)) ordered[name] = fields[name];
  return JSON.stringify({ ...ordered, crc });
}

/** A notification as Przelewy24 sends it to `urlStatus`. */
export type P24Notification = FieldsOf<typeof NOTIFICATION_BODY>;

/** The JSON text the register sign is computed over (exported for the signature tests). */
export function registerSignText(crc: string, t: FieldsOf<typeof REGISTER_SIGNED>): string {
  return signText(REGISTER_SIGNED, t, crc);
}

export function notificationSignText(crc: string, n: Omit<P24Notification, "sign">): string {
  return signText(NOTIFICATION_SIGNED, n, crc);
}

export function verifySignText(crc: string, v: FieldsOf<typeof VERIFY_SIGNED>): string {
  return signText(VERIFY_SIGNED, v, crc);
}

export const registerSign = (crc: string, t: Parameters<typeof registerSignText>[1]) =>
  sha384Hex(registerSignText(crc, t));
export const notificationSign = (crc: string, n: Omit<P24Notification, "sign">) =>
  sha384Hex(notificationSignText(crc, n));
export const verifySign = (crc: string, v: Parameters<typeof verifySignText>[1]) =>
  sha384Hex(verifySignText(crc, v));

/** Compares two signatures without an early exit, so timing tells nothing about the right one. */
export function sameSignature(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    diff |= (x.charCodeAt(i) | 0) ^ (y.charCodeAt(i) | 0);
  }
  return diff === 0;
}

export function basicAuth(posId: number, apiKey: string): string {
  const bytes = new TextEncoder().encode(`${posId}:${apiKey}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);
const isStr = (v: unknown): v is string => typeof v === "string";

/** Checks the shape of a notification; undefined when it is not one. */
export function asP24Notification(value: unknown): P24Notification | undefined {
  return readFields(value, NOTIFICATION_BODY);
}

type Call = { status: number; body: Record<string, unknown> | undefined } | { error: string };

/** One API request; a network failure or timeout comes back as `{ error }`, never thrown. */
async function callApi(
  fetchFn: typeof fetch,
  base: string,
  auth: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Call> {
  try {
    const res = await fetchFn(`${base}${path}`, {
      method,
      headers: {
        authorization: auth,
        accept: "application/json",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> | undefined;
    try {
      const json = JSON.parse(text);
      parsed = json && typeof json === "object" ? json : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const describe = (r: Call) =>
  "error" in r
    ? r.error
    : `HTTP ${r.status}${r.body?.error !== undefined ? `: ${String(r.body.error)}` : ""}`;
/** 4xx: the gateway read the request and refused it; anything else may pass on a retry. */
const refused = (r: Call) => !("error" in r) && r.status >= 400 && r.status < 500;

/** A notification's body, checked: JSON of the right shape, signed by us, for our merchant. */
async function parseNotification(
  config: Przelewy24Config,
  body: string,
): Promise<ParseNotificationResult> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: "malformed", detail: "not JSON" };
  }
  const n = asP24Notification(json);
  if (!n) return { ok: false, reason: "malformed", detail: "not a Przelewy24 notification" };
  const expected = await notificationSign(config.crc, n);
  if (!sameSignature(expected, n.sign)) {
    return { ok: false, reason: "bad_signature", detail: "sign does not match" };
  }
  if (n.merchantId !== config.merchantId || n.posId !== config.posId) {
    return { ok: false, reason: "bad_signature", detail: "signed for another merchant" };
  }
  return {
    ok: true,
    notification: {
      sessionId: n.sessionId,
      orderId: n.orderId,
      amount: n.amount,
      currency: n.currency,
      methodId: n.methodId,
      statement: n.statement,
    },
  };
}

/** The answer of `/transaction/by/sessionId`, read. */
function transactionFrom(r: Call): GetTransactionResult {
  if ("error" in r) return { ok: false, reason: "unavailable", detail: r.error };
  if (r.status === 404) return { ok: false, reason: "not_found" };
  const d = r.body?.data as Record<string, unknown> | undefined;
  if (
    r.status !== 200 || !d || !isInt(d.orderId) || !isInt(d.amount) || !isInt(d.status) ||
    !isStr(d.sessionId)
  ) {
    return { ok: false, reason: "unavailable", detail: describe(r) };
  }
  const status = (["unpaid", "awaiting_verify", "paid", "refunded"] as const)[d.status];
  if (!status) return { ok: false, reason: "unavailable", detail: `status ${d.status}` };
  return {
    ok: true,
    transaction: {
      sessionId: d.sessionId,
      orderId: d.orderId,
      amount: d.amount,
      currency: isStr(d.currency) ? d.currency : "PLN",
      status,
    },
  };
}

export function createPrzelewy24Gateway(
  config: Przelewy24Config,
  fetchFn: typeof fetch = fetch,
): PaymentGateway {
  const base = config.baseUrl.replace(/\/+$/, "");
  const auth = basicAuth(config.posId, config.apiKey);

  const call = (method: string, path: string, body?: unknown) =>
    callApi(fetchFn, base, auth, method, path, body);

  return {
    name: "przelewy24",
    payerOrigin: new URL(base).origin,

    async registerTransaction(t: RegisterTransactionRequest): Promise<RegisterTransactionResult> {
      const sign = await registerSign(config.crc, { ...t, merchantId: config.merchantId });
      const r = await call("POST", "/api/v1/transaction/register", {
        merchantId: config.merchantId,
        posId: config.posId,
        sessionId: t.sessionId,
        amount: t.amount,
        currency: t.currency,
        description: t.description,
        email: t.email,
        country: "PL",
        language: "pl",
        urlReturn: t.returnUrl,
        urlStatus: t.notifyUrl,
        // The payer waits on Przelewy24's page for the result, so our return page more often
        // finds the payment already confirmed.
        waitForResult: true,
        sign,
      });
      if (!("error" in r) && r.status === 200) {
        const data = r.body?.data as Record<string, unknown> | undefined;
        if (data && isStr(data.token) && /^[A-Za-z0-9-]{1,100}$/.test(data.token)) {
          return { ok: true, token: data.token, redirectUrl: `${base}/trnRequest/${data.token}` };
        }
        return { ok: false, reason: "unavailable", detail: "HTTP 200 without a token" };
      }
      return { ok: false, reason: refused(r) ? "refused" : "unavailable", detail: describe(r) };
    },

    parseNotification: (body: string) => parseNotification(config, body),

    async verifyTransaction(n: GatewayNotification): Promise<VerifyTransactionResult> {
      const sign = await verifySign(config.crc, n);
      const r = await call("PUT", "/api/v1/transaction/verify", {
        merchantId: config.merchantId,
        posId: config.posId,
        sessionId: n.sessionId,
        amount: n.amount,
        currency: n.currency,
        orderId: n.orderId,
        sign,
      });
      if (!("error" in r) && r.status === 200) {
        const data = r.body?.data as Record<string, unknown> | undefined;
        if (data?.status === "success") return { ok: true };
        return { ok: false, reason: "unavailable", detail: "HTTP 200 without status success" };
      }
      return { ok: false, reason: refused(r) ? "refused" : "unavailable", detail: describe(r) };
    },

    async getTransaction(sessionId: string): Promise<GetTransactionResult> {
      const r = await call(
        "GET",
        `/api/v1/transaction/by/sessionId/${encodeURIComponent(sessionId)}`,
      );
      return transactionFrom(r);
    },
  };
}

/**
 * The credentials of the development fake (mounted at /dev/platnosci when P24_* are unset):
 * not secrets, they only sign traffic between the app and its own fake.
 */
export const DEV_P24_CREDENTIALS = {
  merchantId: 100_000,
  posId: 100_000,
  crc: "dev-fake-crc-not-a-secret",
  apiKey: "dev-fake-api-key-not-a-secret",
} as const;

/** Where the development fake is mounted (routes/dev.tsx). */
export const DEV_P24_PATH = "/dev/platnosci";

/**
 * The gateway a process uses: the configured Przelewy24 (sandbox, production or a fake named by
 * P24_BASE_URL); in development without P24_* the app's own fake at /dev/platnosci; in
 * production without P24_* none — the cooperative takes no online payments.
 */
export function configuredPaymentGateway(
  config: {
    env: "development" | "production";
    baseUrl: string;
    przelewy24: Przelewy24Config | undefined;
  },
  fetchFn: typeof fetch = fetch,
): PaymentGateway | undefined {
  if (config.przelewy24) return createPrzelewy24Gateway(config.przelewy24, fetchFn);
  if (config.env === "development") {
    return createPrzelewy24Gateway(
      { ...DEV_P24_CREDENTIALS, baseUrl: `${config.baseUrl}${DEV_P24_PATH}` },
      fetchFn,
    );
  }
  return undefined;
}
