/**
 * The JSON API for integrations (`/api/v1`) and the administrators' page of API tokens, through
 * HTTP: authentication and scopes, imports with the CSV engine's validation and idempotency,
 * Idempotency-Key, limits, revocation, the audit log.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import {
  API_TOKEN_RATE,
  listApiTokens,
  revokeApiToken,
} from "../../domain/backoffice/api_tokens.ts";
import { type Actor, listAudit } from "../../domain/backoffice/audit.ts";
import { getCooperativeProfile } from "../../domain/backoffice/cooperative.ts";
import { parseCsv } from "../../domain/shared/csv.ts";
import { getDataFreshness } from "../../domain/backoffice/data_freshness.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { importKinds, listImportHistory } from "../../domain/backoffice/imports.ts";
import { getTotals } from "../../domain/balance/ledger.ts";
import { createStaff, type StaffRole } from "../../domain/accounts/staff.ts";
import { currentTotp } from "../../domain/accounts/totp.ts";
import { API_TOKENS_PATH, apiTokenRoutes } from "../../routes/admin/api_tokens.tsx";
import { API_PREFIX, apiRoutes } from "../../routes/api.ts";
import type { AppEnv } from "../../routes/context.ts";
import { csrfProtection, requestSizeLimit } from "../../routes/security.ts";
import {
  apiCall,
  dumpKv,
  issueApiToken,
  seedFlatKW12,
  testAdmin,
  testApp,
  type TestClient,
} from "../helpers.ts";

type T = Awaited<ReturnType<typeof testApp>>;
type Fetcher = { request(path: string, init?: RequestInit): Response | Promise<Response> };

/**
 * The application with the API and the token page: the real one for what routes/app.tsx and
 * routes/admin/index.tsx already mount; the rest put together here the way they are to be mounted —
 * the API before the shared CSRF guard and body limit (it answers those in JSON itself), the
 * token page behind the cooperative lookup, CSRF and the small body limit.
 */
function appWithApi(t: T): Fetcher {
  const paths = t.app.routes.map((r) => r.path);
  const apiMounted = paths.some((p) => p.startsWith(`${API_PREFIX}/import`));
  const pageMounted = paths.some((p) => p.startsWith(`${API_TOKENS_PATH}/:id`));
  if (apiMounted && pageMounted) return t.app;
  const app = new Hono<AppEnv>();
  app.use(requestId());
  if (!apiMounted) app.route(API_PREFIX, apiRoutes(t));
  if (!pageMounted) {
    app.use(async (c, next) => {
      c.set("cooperative", await getCooperativeProfile(t.kv, t.config.cooperativeName));
      await next();
    });
    app.use(csrfProtection(t.config));
    app.use(requestSizeLimit((c) => c.text("too large", 413)));
    app.route(API_TOKENS_PATH, apiTokenRoutes(t));
  }
  app.route("/", t.app);
  return app;
}

const admin: Actor = testAdmin;

async function setup() {
  const t = await testApp();
  const { unit } = await seedFlatKW12(t);
  const accounting = await issueApiToken(t, "System księgowy", ["ledger", "read:history"]);
  const register = await issueApiToken(t, "Rejestr lokali", ["units"]);
  return {
    t,
    app: appWithApi(t),
    unitId: unit.id,
    ledgerToken: accounting.secret,
    ledgerTokenId: accounting.id,
    unitsToken: register.secret,
  };
}

const call = apiCall;

// deno-lint-ignore no-explicit-any
type Json = any;

const ROWS = [
  {
    lokal: "KW12/7",
    dokument: "NAL/2026/11/7",
    rodzaj: "naliczenie",
    data: "01.11.2026",
    okres: "11.2026",
    składnik: "eksploatacja",
    kwota: "134,66",
    opis: "Eksploatacja za 11.2026",
  },
  // JSON numbers where unambiguous; the column without diacritics.
  { lokal: "KW12/7", dokument: "WB/2026/11/7", rodzaj: "wpłata", data: "2026-11-24", kwota: 350 },
];

Deno.test("API: 401 without a token or with a wrong one, with WWW-Authenticate: Bearer", async () => {
  const { t, app, ledgerToken, unitId } = await setup();
  await using _ = t;
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /^Bearer realm="eBOK API"$/],
    [{ authorization: `Basic ${btoa("a:b")}` }, /^Bearer realm="eBOK API"$/],
    [{ authorization: "Bearer ebok_wrong" }, /error="invalid_token"/],
    [{ authorization: `Bearer ebok_${"a".repeat(52)}` }, /error="invalid_token"/],
    [{ authorization: `Bearer ${ledgerToken.toUpperCase()}` }, /error="invalid_token"/],
  ];
  for (const [headers, challenge] of cases) {
    const res = await call(app, "POST", "/import/ledger", { headers, body: { rows: ROWS } });
    assert.equal(res.status, 401, JSON.stringify(headers));
    assert.match(res.headers.get("www-authenticate") ?? "", challenge);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const body: Json = await res.json();
    assert.equal(body.error.code, "unauthorized");
    assert.match(body.error.message, /token/i);
  }
  const history = await call(app, "GET", "/history");
  assert.equal(history.status, 401);
  assert.equal((await getTotals(t.kv, unitId)).entryCount, 0, "nothing written");

  const audit = (await listAudit(t.kv)).filter((e) => e.action === "api.unauthorized");
  assert.equal(audit.length, cases.length + 1);
  assert.deepEqual(
    audit.map((e) => e.details?.reason).reverse(),
    ["missing", "malformed", "malformed", "unknown", "malformed", "missing"],
  );
  assert.ok(!JSON.stringify(audit).includes(ledgerToken.slice(5).toUpperCase()));
});

Deno.test("API: 403 outside the token's scopes; 404 for an unknown kind", async () => {
  const { t, app, unitsToken, ledgerToken, unitId } = await setup();
  await using _ = t;
  const res = await call(app, "POST", "/import/ledger", {
    token: unitsToken,
    body: { rows: ROWS },
  });
  assert.equal(res.status, 403);
  assert.match(res.headers.get("www-authenticate") ?? "", /error="insufficient_scope"/);
  assert.match(res.headers.get("www-authenticate") ?? "", /scope="ledger"/);
  const body: Json = await res.json();
  assert.equal(body.error.code, "insufficient_scope");
  assert.deepEqual(body.error.details, { required: "ledger", scopes: ["units"] });
  assert.equal((await getTotals(t.kv, unitId)).entryCount, 0);

  const history = await call(app, "GET", "/history", { token: unitsToken });
  assert.equal(history.status, 403);
  assert.equal(((await history.json()) as Json).error.details.required, "read:history");

  const meters = await call(app, "POST", "/import/meters", {
    token: ledgerToken,
    body: { rows: [{}] },
  });
  assert.equal(meters.status, 403);

  const unknown = await call(app, "POST", "/import/invoices", {
    token: ledgerToken,
    body: { rows: ROWS },
  });
  assert.equal(unknown.status, 404);
  const u: Json = await unknown.json();
  assert.equal(u.error.code, "unknown_kind");
  assert.ok(u.error.details.kinds.includes("ledger"));

  const nowhere = await call(app, "GET", "/nowhere", { token: ledgerToken });
  assert.equal(nowhere.status, 404);
  assert.equal(((await nowhere.json()) as Json).error.code, "not_found");
});

Deno.test("API: ledger rows imported; the same rows again are all unchanged", async () => {
  const { t, app, ledgerToken, unitId } = await setup();
  await using _ = t;
  const res = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    body: { rows: ROWS },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const first: Json = await res.json();
  assert.equal(first.kind, "ledger");
  assert.equal(first.status, "applied");
  assert.equal(first.result, "applied");
  assert.equal(first.rows, 2);
  assert.deepEqual(first.counts, { added: 2, changed: 0, unchanged: 0, refused: 0 });
  assert.deepEqual(first.refused, []);
  assert.match(first.jobId, /^[0-9A-Z]{26}$/);
  assert.equal(first.statusUrl, `${API_PREFIX}/import/${first.jobId}`);
  const totals = await getTotals(t.kv, unitId);
  assert.equal(totals.entryCount, 2);
  assert.equal(totals.balance, 13466 - 35000);
  assert.equal((await getDataFreshness(t.kv))?.asOf, t.clock().toISOString());

  t.clock.advance(60_000);
  const again = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    body: { rows: ROWS, apply: "all" },
  });
  assert.equal(again.status, 200);
  const second: Json = await again.json();
  assert.notEqual(second.jobId, first.jobId);
  assert.deepEqual(second.counts, { added: 0, changed: 0, unchanged: 2, refused: 0 });
  assert.match(second.notices.join(" "), /wczytano już/);
  assert.equal((await getTotals(t.kv, unitId)).entryCount, 2, "nothing written twice");

  const status = await call(app, "GET", `/import/${first.jobId}`, { token: ledgerToken });
  assert.equal(status.status, 200);
  const s: Json = await status.json();
  assert.equal(s.status, "applied");
  assert.deepEqual(s.counts, first.counts);

  const missing = await call(app, "GET", "/import/01ZZZZZZZZZZZZZZZZZZZZZZZZ", {
    token: ledgerToken,
  });
  assert.equal(missing.status, 404);

  const history = await call(app, "GET", "/history?limit=10", { token: ledgerToken });
  assert.equal(history.status, 200);
  const h: Json = await history.json();
  assert.equal(h.imports.length, 2);
  assert.equal(h.imports[0].jobId, second.jobId, "newest first");
  assert.equal(h.imports[1].who, "API: System księgowy");
  assert.equal(h.imports[1].source, "API: System księgowy");
  assert.deepEqual(h.imports[1].applied, { added: 2, changed: 0, unchanged: 0, refused: 0 });
  assert.equal((await call(app, "GET", "/history?limit=0", { token: ledgerToken })).status, 422);

  const [record] = await listImportHistory(t.kv);
  assert.equal(record.who.label, "API: System księgowy");
});

Deno.test("API: a refused row is reported with its index and reason; apply all, valid, none", async () => {
  const { t, app, ledgerToken, unitId } = await setup();
  await using _ = t;
  const rows = [
    ROWS[0],
    { lokal: "KW12/99", dokument: "WB/1", rodzaj: "wpłata", data: "24.11.2026", kwota: "1,00" },
    { lokal: "KW12/7", dokument: "WB/2", rodzaj: "wpłata", data: "24.11.2026", kwota: 12.345 },
  ];
  const all = await call(app, "POST", "/import/ledger", { token: ledgerToken, body: { rows } });
  assert.equal(all.status, 422);
  const refusedAll: Json = await all.json();
  assert.equal(refusedAll.error.code, "rows_refused");
  assert.match(refusedAll.error.message, /Nic nie zapisano/);
  const details = refusedAll.error.details;
  assert.equal(details.status, "discarded");
  assert.deepEqual(details.counts, { added: 1, changed: 0, unchanged: 0, refused: 2 });
  assert.deepEqual(details.refused.map((r: Json) => r.index), [1, 2]);
  assert.match(details.refused[0].reason, /nieznany lokal „KW12\/99”/);
  assert.match(details.refused[1].reason, /^kwota: /);
  assert.equal((await getTotals(t.kv, unitId)).entryCount, 0, "nothing written");

  const none = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    body: { rows, apply: "none" },
  });
  assert.equal(none.status, 200);
  const dry: Json = await none.json();
  assert.equal(dry.status, "discarded");
  assert.deepEqual(dry.counts, { added: 1, changed: 0, unchanged: 0, refused: 2 });
  assert.equal((await getTotals(t.kv, unitId)).entryCount, 0, "a dry run writes nothing");

  const valid = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    body: { rows, apply: "valid" },
  });
  assert.equal(valid.status, 200);
  const applied: Json = await valid.json();
  assert.equal(applied.status, "applied");
  assert.equal(applied.result, "applied_valid_only");
  assert.deepEqual(applied.counts, { added: 1, changed: 0, unchanged: 0, refused: 2 });
  assert.deepEqual(applied.refused.map((r: Json) => r.index), [1, 2]);
  assert.equal((await getTotals(t.kv, unitId)).entryCount, 1);

  // A posted document sent again with another amount is refused, never changed.
  const changed = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    body: { rows: [{ ...ROWS[0], kwota: "134,67" }], apply: "valid" },
  });
  const c: Json = await changed.json();
  assert.deepEqual(c.refused.map((r: Json) => r.index), [0]);
  assert.match(c.refused[0].reason, /zmiana zaksięgowanego dokumentu/);
  // A duplicate names the earlier row by its index.
  const dup = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    body: { rows: [ROWS[1], ROWS[1]], apply: "none" },
  });
  const d: Json = await dup.json();
  assert.deepEqual(d.refused, [{
    index: 1,
    reason:
      "powtórzony wiersz: dokument WB/2026/11/7 lokalu KW12/7 jest już w wierszu o indeksie 0",
  }]);
});

Deno.test("API: Idempotency-Key answers a repeat with the first answer for 24 hours", async () => {
  const { t, app, ledgerToken, unitId } = await setup();
  await using _ = t;
  const key = "3f1c2a90-5b7e-4d0a-9c1e-2b6f8a7d4e10";
  const send = (body: unknown, k = key) =>
    call(app, "POST", "/import/ledger", {
      token: ledgerToken,
      body,
      headers: { "idempotency-key": k },
    });
  const res = await send({ rows: ROWS });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("idempotent-replayed"), null);
  const first: Json = await res.json();
  assert.deepEqual(first.counts, { added: 2, changed: 0, unchanged: 0, refused: 0 });

  t.clock.advance(3_600_000);
  const again = await send({ rows: ROWS });
  assert.equal(again.status, 200);
  assert.equal(again.headers.get("idempotent-replayed"), "true");
  assert.deepEqual(await again.json(), first, "the first answer, not 'unchanged'");
  assert.equal((await getTotals(t.kv, unitId)).entryCount, 2);
  assert.equal((await listImportHistory(t.kv)).length, 1, "no second import");

  const other = await send({ rows: [ROWS[0]] });
  assert.equal(other.status, 422);
  assert.equal(((await other.json()) as Json).error.code, "idempotency_key_reused");

  const bad = await send({ rows: ROWS }, "klucz z spacjami");
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as Json).error.code, "invalid_idempotency_key");

  // A request refused as a whole is remembered too.
  const empty = await send({ rows: [] }, "empty-1");
  assert.equal(empty.status, 422);
  const emptyBody: Json = await empty.json();
  assert.equal(emptyBody.error.code, "unreadable");
  const emptyAgain = await send({ rows: [] }, "empty-1");
  assert.equal(emptyAgain.headers.get("idempotent-replayed"), "true");
  assert.deepEqual(await emptyAgain.json(), emptyBody);

  t.clock.advance(24 * 3_600_000);
  const later = await send({ rows: ROWS });
  assert.equal(later.headers.get("idempotent-replayed"), null, "forgotten after 24 h");
  assert.deepEqual(
    ((await later.json()) as Json).counts,
    { added: 0, changed: 0, unchanged: 2, refused: 0 },
  );
});

Deno.test("API: 415, 400, 422 and 413 for requests it cannot take", async () => {
  const { t, app, ledgerToken } = await setup();
  await using _ = t;
  const csv = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    raw: "lokal;dokument\n",
    headers: { "content-type": "text/csv" },
  });
  assert.equal(csv.status, 415);
  assert.equal(((await csv.json()) as Json).error.code, "unsupported_media_type");
  const latin2 = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    body: { rows: ROWS },
    headers: { "content-type": "application/json; charset=iso-8859-2" },
  });
  assert.equal(latin2.status, 415);
  const utf8 = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    body: { rows: ROWS, apply: "none" },
    headers: { "content-type": "application/json; charset=UTF-8" },
  });
  assert.equal(utf8.status, 200);

  const broken = await call(app, "POST", "/import/ledger", { token: ledgerToken, raw: "{" });
  assert.equal(broken.status, 400);
  assert.equal(((await broken.json()) as Json).error.code, "invalid_json");

  for (
    const body of [
      [],
      { rows: "KW12/7" },
      { rows: ROWS, apply: "sometimes" },
      { rows: ROWS, aply: "none" },
    ]
  ) {
    const res = await call(app, "POST", "/import/ledger", { token: ledgerToken, body });
    assert.equal(res.status, 422, JSON.stringify(body));
    const e: Json = await res.json();
    assert.equal(e.error.code, "invalid_request");
    assert.ok(Array.isArray(e.error.details) && e.error.details.length > 0);
  }

  const many = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    body: { rows: Array.from({ length: 10_001 }, () => ({})) },
  });
  assert.equal(many.status, 413);
  const m: Json = await many.json();
  assert.equal(m.error.code, "too_many_rows");
  assert.equal(m.error.details.maxRows, 10_000);

  const huge = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    raw: JSON.stringify({ rows: [{ opis: "x".repeat(10 * 1024 * 1024) }] }),
  });
  assert.equal(huge.status, 413);
  assert.equal(((await huge.json()) as Json).error.code, "payload_too_large");
  assert.deepEqual(await listImportHistory(t.kv), []);
});

Deno.test("API: a revoked token gets 401 at once", async () => {
  const { t, app, ledgerToken, ledgerTokenId } = await setup();
  await using _ = t;
  assert.equal((await call(app, "GET", "/history", { token: ledgerToken })).status, 200);
  await revokeApiToken(t.kv, t.clock, ledgerTokenId, admin);
  const res = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    body: { rows: ROWS },
  });
  assert.equal(res.status, 401);
  assert.match(res.headers.get("www-authenticate") ?? "", /invalid_token/);
  assert.match(((await res.json()) as Json).error.message, /unieważniony/);
  const [entry] = await listAudit(t.kv, 1);
  assert.equal(entry.action, "api.unauthorized");
  assert.equal(entry.details?.reason, "revoked");
  assert.equal(entry.details?.tokenId, ledgerTokenId);
});

Deno.test("API: every call is in the audit log under the token's name, never with the token", async () => {
  const { t, app, ledgerToken, ledgerTokenId, unitsToken } = await setup();
  await using _ = t;
  const res = await call(app, "POST", "/import/ledger", {
    token: ledgerToken,
    body: { rows: ROWS },
    headers: { "idempotency-key": "audit-1" },
  });
  const { jobId }: Json = await res.json();
  await call(app, "GET", `/import/${jobId}`, { token: ledgerToken });
  await call(app, "GET", "/history", { token: ledgerToken });
  await call(app, "GET", "/history", { token: unitsToken });

  const audit = (await listAudit(t.kv)).reverse();
  const api = audit.filter((e) => e.action.startsWith("api."));
  assert.deepEqual(api.map((e) => [e.action, e.actor.label, e.details?.status]), [
    ["api.import", "API: System księgowy", 200],
    ["api.import_status", "API: System księgowy", 200],
    ["api.history", "API: System księgowy", 200],
    ["api.history", "API: Rejestr lokali", 403],
  ]);
  assert.deepEqual(api[0].actor, { kind: "system", label: "API: System księgowy" });
  assert.equal(api[0].details?.tokenId, ledgerTokenId);
  assert.equal(api[0].details?.jobId, jobId);
  assert.equal(api[0].details?.kind, "ledger");
  assert.equal(api[0].details?.added, 2);
  assert.equal(api[0].details?.idempotencyKey, "audit-1");
  const applied = audit.find((e) => e.action === "import.applied");
  assert.equal(applied?.actor.label, "API: System księgowy");

  const everything = await dumpKv(t.kv);
  for (const secret of [ledgerToken, unitsToken]) {
    assert.ok(!everything.includes(secret), "no token anywhere in KV");
    assert.ok(!everything.includes(secret.slice(9)), "not even most of it");
  }
});

Deno.test("API: 429 with Retry-After past the token's rate limit", async () => {
  const { t, app, ledgerToken } = await setup();
  await using _ = t;
  for (let i = 0; i < API_TOKEN_RATE.limit; i++) {
    const res = await call(app, "GET", "/history?limit=1", { token: ledgerToken });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  }
  const limited = await call(app, "GET", "/history", { token: ledgerToken });
  assert.equal(limited.status, 429);
  assert.equal(((await limited.json()) as Json).error.code, "rate_limited");
  assert.equal(limited.headers.get("retry-after"), "60");
  t.clock.advance(API_TOKEN_RATE.windowMs);
  assert.equal((await call(app, "GET", "/history", { token: ledgerToken })).status, 200);
});

// --- The administrators' page ----------------------------------------------------------------

async function signIn(t: T, app: Fetcher, login: string, role: StaffRole): Promise<TestClient> {
  const staff = await createStaff(t.kv, t.clock, t.hasher, {
    login,
    password: "Biuro-Haslo-2026",
    name: role === "admin" ? "Adam Admin" : "Anna Biurowa",
    role,
  });
  assert.ok(staff.ok);
  const client = t.client();
  (client as unknown as { app: Fetcher }).app = app;
  const res = await client.post("/admin/logowanie", {
    login,
    password: "Biuro-Haslo-2026",
    totp: currentTotp(staff.totpSecret),
  });
  assert.equal(res.status, 303);
  return client;
}

Deno.test("token page: administrators only — 403 for office staff, sign-in for strangers", async () => {
  const { t, app } = await setup();
  await using _ = t;
  const stranger = await app.request(API_TOKENS_PATH);
  assert.equal(stranger.status, 303);
  assert.equal(stranger.headers.get("location"), "/admin/logowanie");
  const office = await signIn(t, app, "biuro", "office");
  assert.equal((await office.get(API_TOKENS_PATH)).status, 403);
  const post = await office.post(API_TOKENS_PATH, { name: "Skrypt", scope: "ledger" });
  assert.equal(post.status, 403);
  const tokens = await listApiTokens(t.kv);
  assert.equal(
    (await office.post(`${API_TOKENS_PATH}/${tokens[0].id}/uniewaznij`, {})).status,
    403,
  );
  assert.equal((await listApiTokens(t.kv)).length, 2, "no token created");
  assert.ok((await listApiTokens(t.kv)).every((x) => !x.revokedAt), "none revoked");
});

Deno.test("token page: create (the secret shown once), 422 with tied errors, revoke", async () => {
  const { t, app, unitId } = await setup();
  await using _ = t;
  const client = await signIn(t, app, "admin", "admin");
  const page = await client.get(API_TOKENS_PATH);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<h1>Tokeny API<\/h1>/);
  assert.match(html, /System księgowy/);
  assert.match(html, /<label for="name">Nazwa integracji/);
  assert.match(html, /<legend>Uprawnienia<\/legend>/);
  for (const scope of ["units", "ledger", "meters", "readings", "settlements", "fee_rates"]) {
    assert.match(
      html,
      new RegExp(`<input type="checkbox" name="scope" value="${scope}" id="scope-${scope}"`),
    );
    assert.match(html, new RegExp(`<label for="scope-${scope}">`));
  }
  assert.match(html, /id="scope-read-history"/);

  const invalid = await client.post(API_TOKENS_PATH, { name: "x" });
  assert.equal(invalid.status, 422);
  const form = await invalid.text();
  assert.match(form, /Popraw zaznaczone pola/);
  assert.match(form, /id="name"[^>]*aria-invalid="true"[^>]*aria-describedby="name-error/);
  assert.match(form, /<span class="error-text" id="name-error">Podaj nazwę integracji/);
  assert.match(form, /<fieldset id="scopes"[^>]*aria-describedby="scopes-hint scopes-error"/);
  assert.match(form, /<p class="error-text" id="scopes-error">Zaznacz co najmniej jedno/);
  assert.match(form, /value="x"/, "the name typed is kept");

  const taken = await client.post(API_TOKENS_PATH, { name: "system księgowy", scope: "ledger" });
  assert.equal(taken.status, 422);
  assert.match(await taken.text(), /Aktywny token o tej nazwie już istnieje/);

  const created = await client.post(API_TOKENS_PATH, {
    name: "Odczyty radiowe",
    scope: ["ledger", "read:history"],
  });
  assert.equal(created.status, 200);
  const shown = await created.text();
  assert.match(shown, /Token dla „Odczyty radiowe” utworzony/);
  assert.match(shown, /Pokazujemy go tylko raz/);
  const secret = /value="(ebok_[a-z2-7]{52})"/.exec(shown)?.[1];
  assert.ok(secret, "the secret is on the page");
  assert.match(created.headers.get("cache-control") ?? "", /no-store/);
  assert.ok(!(await dumpKv(t.kv)).includes(secret), "and nowhere in KV");

  const listed = await (await client.get(API_TOKENS_PATH)).text();
  assert.ok(!listed.includes(secret), "shown only once");
  assert.match(listed, /Odczyty radiowe/);
  assert.match(listed, /Adam Admin \(admin\)/);

  const used = await call(app, "POST", "/import/ledger", {
    token: secret,
    body: { rows: ROWS },
  });
  assert.equal(used.status, 200);
  assert.equal((await getTotals(t.kv, unitId)).entryCount, 2);
  assert.match(await (await client.get(API_TOKENS_PATH)).text(), /aktywny/);

  const token = (await listApiTokens(t.kv)).find((x) => x.name === "Odczyty radiowe")!;
  assert.ok(token.lastUsedAt, "last use recorded");
  const revoked = await client.post(`${API_TOKENS_PATH}/${token.id}/uniewaznij`, {});
  assert.equal(revoked.status, 303);
  assert.equal(revoked.headers.get("location"), `${API_TOKENS_PATH}?wynik=uniewazniono`);
  const after = await (await client.get(`${API_TOKENS_PATH}?wynik=uniewazniono`)).text();
  assert.match(after, /Token unieważniony/);
  assert.match(after, /unieważniony<\/span>/);
  assert.equal((await call(app, "GET", "/history", { token: secret })).status, 401);
  assert.equal((await client.post(`${API_TOKENS_PATH}/nope/uniewaznij`, {})).status, 404);

  const actions = (await listAudit(t.kv)).map((e) => `${e.action} ${e.actor.label}`);
  assert.ok(actions.includes("api_token.created Adam Admin (admin)"));
  assert.ok(actions.includes("api_token.revoked Adam Admin (admin)"));
});

Deno.test("API: the example CSV files, line by line as JSON rows, import cleanly; again all unchanged", async () => {
  await using t = await testApp();
  await seedDemoCooperative(t.kv, t.clock);
  const app = appWithApi(t);
  const created = await issueApiToken(t, "System księgowy", [...importKinds]);
  const order = ["units", "meters", "readings", "ledger", "settlements", "fee_rates"] as const;
  const requests: { kind: string; rows: Record<string, string>[] }[] = [];
  for (const kind of order) {
    const text = await Deno.readTextFile(
      new URL(`../../docs/examples/${kind}.csv`, import.meta.url),
    );
    const csv = parseCsv(text);
    assert.ok(csv.ok, kind);
    const rows = csv.records.map((r) =>
      Object.fromEntries(csv.header.map((name, i) => [name, r.cells[i] ?? ""]))
    );
    requests.push({ kind, rows });
  }
  for (const { kind, rows } of requests) {
    const res = await call(app, "POST", `/import/${kind}`, {
      token: created.secret,
      body: { rows },
    });
    const body: Json = await res.json();
    assert.equal(res.status, 200, `${kind}: ${JSON.stringify(body)}`);
    assert.equal(body.counts.refused, 0, kind);
    assert.ok(body.counts.added + body.counts.changed > 0, `${kind} adds something`);
  }
  for (const { kind, rows } of requests) {
    const res = await call(app, "POST", `/import/${kind}`, {
      token: created.secret,
      body: { rows },
    });
    const body: Json = await res.json();
    assert.deepEqual(
      body.counts,
      { added: 0, changed: 0, unchanged: rows.length, refused: 0 },
      `${kind} again`,
    );
  }
});
