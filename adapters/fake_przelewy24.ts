/**
 * A local stand-in for Przelewy24 that speaks the same REST API v1 (see adapters/przelewy24.ts for
 * the documented field lists): register, the `/trnRequest/{token}` payment page, the signed
 * notification to `urlStatus`, verify, and the transaction by session id.
 *
 * Two uses, one module:
 * - tests start it as a separate local HTTP server (`startFakePrzelewy24Server`) and point
 *   P24_BASE_URL at it;
 * - in development without P24_* the app mounts `createFakePrzelewy24(DEV_P24_CREDENTIALS).app`
 *   at /dev/platnosci: its page has "Zapłać" (sends the real signed notification to the app,
 *   then returns to the app's return page) and "Odrzuć" (returns without paying).
 *
 * State lives in memory: a development or test tool, never a production path.
 */
import { Hono } from "hono";
import { html } from "hono/html";
import {
  basicAuth,
  notificationSign,
  type P24Notification,
  readFields,
  REGISTER_BODY,
  registerSign,
  sameSignature,
  VERIFY_BODY,
  verifySign,
} from "./przelewy24.ts";

export type P24Credentials = { merchantId: number; posId: number; crc: string; apiKey: string };

export type FakeTransaction = {
  token: string;
  sessionId: string;
  amount: number;
  currency: string;
  description: string;
  email: string;
  urlReturn: string;
  urlStatus: string;
  /** As Przelewy24 reports it: 0 no payment, 1 paid (awaiting verify), 2 verified, 3 returned. */
  status: 0 | 1 | 2 | 3;
  orderId: number;
  methodId: number;
  /** The payer pressed "Odrzuć". */
  cancelled: boolean;
  verifyCalls: number;
  registeredAt: string;
};

export type FakeRequest = { method: string; path: string; body: string };

export type FakePrzelewy24 = {
  /** The Hono app, API and payment page: mount it (`app.route(prefix, fake.app)`) or serve it. */
  app: Hono;
  /** Only the server-to-server API (`/api/v1/…`), for a host that mounts it apart. */
  api: Hono;
  /** Only the payer's pages (`/trnRequest/…`) and their two buttons. */
  pages: Hono;
  transactions: Map<string, FakeTransaction>;
  /** Every API request received, oldest first. */
  requests: FakeRequest[];
  bySession(sessionId: string): FakeTransaction | undefined;
  /** The payer pays: marks the transaction paid and sends the notification (see `pay` route). */
  pay(token: string): Promise<{ notificationStatus: number | "unreachable" }>;
  /** A correctly signed notification for a paid transaction; `changes` are signed too. */
  notificationFor(
    sessionId: string,
    changes?: Partial<Omit<P24Notification, "sign">>,
  ): Promise<P24Notification>;
  /** POSTs a notification body to the transaction's `urlStatus`; the app's HTTP status. */
  sendNotification(
    sessionId: string,
    body: P24Notification | string,
  ): Promise<number | "unreachable">;
  /**
   * Called when a verify request arrives, before it is answered (`before`; "abort" answers 500
   * and verifies nothing) and after the transaction was marked verified (`after`): the crash
   * drill kills the app there.
   */
  hooks: {
    beforeVerify?: (t: FakeTransaction) => Promise<void | "abort"> | void | "abort";
    afterVerify?: (t: FakeTransaction) => Promise<void> | void;
  };
};

const INVALID = { error: "Invalid input data", code: 400 };
/** The register request's text fields and their documented maximum lengths (at least 1). */
const REGISTER_MAX_LENGTHS = {
  sessionId: 100,
  currency: 3,
  description: 1024,
  email: 50,
  urlReturn: 250,
  urlStatus: 250,
  sign: 100,
} as const;
const UNAUTHORIZED = { error: "Incorrect authentication", code: 401 };

function zloty(grosze: number): string {
  const sign = grosze < 0 ? "-" : "";
  const abs = Math.abs(grosze);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  return `${sign}${whole},${String(abs % 100).padStart(2, "0")}\u00a0zł`;
}

function randomTokenText(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16)}`;
}

export function createFakePrzelewy24(
  credentials: P24Credentials,
  options: { fetch?: typeof fetch; notificationTimeoutMs?: number } = {},
): FakePrzelewy24 {
  const transactions = new Map<string, FakeTransaction>();
  const sessions = new Map<string, string>();
  const requests: FakeRequest[] = [];
  const hooks: FakePrzelewy24["hooks"] = {};
  let nextOrderId = 300_000_001;
  const expectedAuth = basicAuth(credentials.posId, credentials.apiKey);

  const bySession = (sessionId: string) => {
    const token = sessions.get(sessionId);
    return token ? transactions.get(token) : undefined;
  };
  const found = (sessionId: string) => {
    const t = bySession(sessionId);
    if (!t) throw new Error(`fake Przelewy24: no transaction ${sessionId}`);
    return t;
  };

  const notificationFor = async (
    sessionId: string,
    changes: Partial<Omit<P24Notification, "sign">> = {},
  ): Promise<P24Notification> => await signedNotification(credentials, found(sessionId), changes);

  const sendNotification = async (
    sessionId: string,
    body: P24Notification | string,
  ): Promise<number | "unreachable"> =>
    await postNotification(options.fetch ?? fetch, found(sessionId).urlStatus, body, {
      timeoutMs: options.notificationTimeoutMs ?? 30_000,
    });

  async function pay(token: string) {
    const t = transactions.get(token);
    if (!t) throw new Error(`fake Przelewy24: no token ${token}`);
    if (t.status === 0) t.status = 1;
    t.cancelled = false;
    const notificationStatus = await sendNotification(
      t.sessionId,
      await notificationFor(t.sessionId),
    );
    return { notificationStatus };
  }

  const state: FakeState = {
    credentials,
    transactions,
    sessions,
    requests,
    hooks,
    expectedAuth,
    nextOrderId: () => nextOrderId++,
    bySession,
    pay,
  };
  const api = fakeApi(state);
  const pages = fakePages(state);
  const app = new Hono();
  app.route("/", api);
  app.route("/", pages);

  return {
    app,
    api,
    pages,
    transactions,
    requests,
    bySession,
    pay,
    notificationFor,
    sendNotification,
    hooks,
  };
}

/** The notification Przelewy24 sends for a paid transaction, signed; `changes` are signed too. */
async function signedNotification(
  credentials: P24Credentials,
  t: FakeTransaction,
  changes: Partial<Omit<P24Notification, "sign">>,
): Promise<P24Notification> {
  const fields: Omit<P24Notification, "sign"> = {
    merchantId: credentials.merchantId,
    posId: credentials.posId,
    sessionId: t.sessionId,
    amount: t.amount,
    originAmount: t.amount,
    currency: t.currency,
    orderId: t.orderId,
    methodId: t.methodId,
    statement: `p24-${String(t.orderId).slice(-9).replace(/(\d{3})(?=\d)/g, "$1-")}`,
    ...changes,
  };
  return { ...fields, sign: await notificationSign(credentials.crc, fields) };
}

/** POSTs a notification body to `urlStatus`; the app's HTTP status, or "unreachable". */
async function postNotification(
  fetchFn: typeof fetch,
  urlStatus: string,
  body: P24Notification | string,
  { timeoutMs }: { timeoutMs: number },
): Promise<number | "unreachable"> {
  try {
    const res = await fetchFn(urlStatus, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.status;
  } catch {
    return "unreachable";
  }
}

/** What the fake's API and pages share with the factory that holds the state. */
type FakeState = {
  credentials: P24Credentials;
  transactions: Map<string, FakeTransaction>;
  sessions: Map<string, string>;
  requests: FakeRequest[];
  hooks: FakePrzelewy24["hooks"];
  expectedAuth: string;
  nextOrderId(): number;
  bySession(sessionId: string): FakeTransaction | undefined;
  pay(token: string): Promise<{ notificationStatus: number | "unreachable" }>;
};

/** A register request's checked fields, or null when Przelewy24 would answer 400. */
async function checkedRegistration(state: FakeState, raw: unknown) {
  const { credentials } = state;
  const b = readFields(raw, REGISTER_BODY);
  if (
    !b || b.amount < 1 ||
    Object.entries(REGISTER_MAX_LENGTHS).some(([k, max]) => {
      const text = b[k as keyof typeof REGISTER_MAX_LENGTHS];
      return text.length < 1 || text.length > max;
    })
  ) return null;
  if (b.merchantId !== credentials.merchantId || b.posId !== credentials.posId) return null;
  const expected = await registerSign(credentials.crc, b);
  if (!sameSignature(expected, b.sign)) return null;
  if (state.sessions.has(b.sessionId)) return null;
  return b;
}

/** The transaction as `/transaction/by/sessionId` reports it. */
function transactionReport(t: FakeTransaction) {
  return {
    statement: `p24-${t.orderId}`,
    orderId: t.orderId,
    sessionId: t.sessionId,
    status: t.status,
    amount: t.amount,
    currency: t.currency,
    date: t.registeredAt,
    dateOfTransaction: t.status > 0 ? t.registeredAt : "",
    clientEmail: t.email,
    accountMD5: "",
    paymentMethod: t.methodId,
    description: t.description,
    clientName: "",
    clientAddress: "",
    clientCity: "",
    clientPostcode: "",
    batchId: 0,
    fee: "0",
  };
}

/** The API (server to server): Basic auth, JSON in and out, as the real one. */
function fakeApi(state: FakeState): Hono {
  const { credentials, transactions, sessions, requests, hooks, bySession } = state;
  const api = new Hono();

  api.use("/api/*", async (c, next) => {
    const body = c.req.method === "GET" ? "" : await c.req.raw.clone().text();
    requests.push({ method: c.req.method, path: new URL(c.req.url).pathname, body });
    if (c.req.header("authorization") !== state.expectedAuth) return c.json(UNAUTHORIZED, 401);
    await next();
  });

  api.get("/api/v1/testAccess", (c) => c.json({ data: true, error: "" }));

  api.post("/api/v1/transaction/register", async (c) => {
    const b = await checkedRegistration(state, await c.req.json().catch(() => undefined));
    if (!b) return c.json(INVALID, 400);
    const token = randomTokenText();
    const t: FakeTransaction = {
      token,
      sessionId: b.sessionId,
      amount: b.amount,
      currency: b.currency,
      description: b.description,
      email: b.email,
      urlReturn: b.urlReturn,
      urlStatus: b.urlStatus,
      status: 0,
      orderId: state.nextOrderId(),
      methodId: 154,
      cancelled: false,
      verifyCalls: 0,
      registeredAt: new Date().toISOString(),
    };
    transactions.set(token, t);
    sessions.set(t.sessionId, token);
    return c.json({ data: { token }, responseCode: 0 });
  });

  api.put("/api/v1/transaction/verify", async (c) => {
    const b = readFields(await c.req.json().catch(() => undefined), VERIFY_BODY);
    if (!b) return c.json(INVALID, 400);
    const t = bySession(b.sessionId);
    if (!t) return c.json(INVALID, 400);
    t.verifyCalls++;
    if ((await hooks.beforeVerify?.(t)) === "abort") {
      return c.json({ error: "Internal error", code: 500 }, 500);
    }
    const expected = await verifySign(credentials.crc, b);
    if (
      !sameSignature(expected, b.sign) || b.merchantId !== credentials.merchantId ||
      b.posId !== credentials.posId || b.orderId !== t.orderId || b.amount !== t.amount ||
      b.currency !== t.currency || t.status === 0 || t.status === 3
    ) return c.json(INVALID, 400);
    // Verifying again an already verified transaction answers success: the fake is idempotent,
    // so the domain's retry after a crash is exercised against the same answer.
    t.status = 2;
    await hooks.afterVerify?.(t);
    return c.json({ data: { status: "success" }, responseCode: 0 });
  });

  api.get("/api/v1/transaction/by/sessionId/:sessionId", (c) => {
    const t = bySession(c.req.param("sessionId"));
    if (!t) return c.json({ error: "Transaction not found", responseCode: 0 }, 404);
    return c.json({ data: transactionReport(t), responseCode: 0 });
  });

  return api;
}

/** The payer's side: the payment page and its two buttons (plain forms, no script). */
function fakePages(state: FakeState): Hono {
  const { transactions } = state;
  const pages = new Hono();
  pages.get("/trnRequest/:token", (c) => {
    const t = transactions.get(c.req.param("token"));
    if (!t) return c.html(page("Nie ma takiej płatności", html`<p>Link jest nieważny.</p>`), 404);
    const done = t.status !== 0;
    return c.html(page(
      "Płatność testowa",
      html`
        <p>To <strong>udawana bramka płatności</strong> (środowisko programistyczne): żadne
                  pieniądze nie zostaną pobrane.</p>
                <dl>
          <dt>Opis</dt>
          <dd>${t.description}</dd>
          <dt>Kwota</dt>
          <dd>${zloty(t.amount)}</dd>
          <dt>Numer transakcji</dt>
          <dd>${t.orderId}</dd>
        </dl>
                ${done
                  ? html`
                    <p>Ta płatność została już opłacona.</p>
                    <p><a href="${t.urlReturn}">Wróć do eBOK</a></p>
                  `
                  : html`
                    <form method="post" action="./${t.token}/zaplac">
                      <button type="submit">Zapłać ${zloty(t.amount)}</button>
                    </form>
                    <form method="post" action="./${t.token}/odrzuc">
                      <button type="submit">Odrzuć</button>
                    </form>
                  `}
      `,
    ));
  });

  pages.post("/trnRequest/:token/zaplac", async (c) => {
    const t = transactions.get(c.req.param("token"));
    if (!t) return c.text("Nie ma takiej płatności", 404);
    await state.pay(t.token);
    return c.redirect(t.urlReturn, 303);
  });

  pages.post("/trnRequest/:token/odrzuc", (c) => {
    const t = transactions.get(c.req.param("token"));
    if (!t) return c.text("Nie ma takiej płatności", 404);
    if (t.status === 0) t.cancelled = true;
    return c.redirect(t.urlReturn, 303);
  });

  return pages;
}

function page(title: string, body: unknown) {
  return html`<!doctype html>
<html lang="pl">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${title} — Przelewy24 (udawane)</title>
  </head>
  <body>
    <main>
      <h1>${title}</h1>
      ${body}
    </main>
  </body>
</html>`;
}

/** The fake as its own HTTP server on 127.0.0.1 (a free port), for tests and drills. */
export function startFakePrzelewy24Server(
  credentials: P24Credentials,
  options: { fetch?: typeof fetch; notificationTimeoutMs?: number } = {},
): FakePrzelewy24 & { url: string; close(): Promise<void> } {
  const fake = createFakePrzelewy24(credentials, options);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    fake.app.fetch,
  );
  return { ...fake, url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}
