/**
 * The JSON API for integrations (docs/api.md), mounted at `/api/v1`: the accounting system pushes
 * the same data the CSV import takes, through the same engine (domain/backoffice/imports.ts: the
 * same columns, validation, plan and idempotent, resumable apply), authenticated by an API token
 * (`Authorization: Bearer ebok_…`, domain/backoffice/api_tokens.ts) with scopes.
 *
 * JSON in and out only; the answers are built in api_answers.ts, the work is done by
 * domain/backoffice/api_calls.ts. Every authenticated call is audited as `API: <token name>` —
 * never with the token.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { listConfirmedPaymentsSince } from "../domain/payments/payments.ts";
import { z } from "zod";
import {
  type ApiScope,
  type ApiToken,
  checkApiToken,
  consumeApiTokenRate,
  hasScope,
  IDEMPOTENCY_KEY_PATTERN,
} from "../domain/backoffice/api_tokens.ts";
import {
  type ApiCallDetails,
  importThroughApi,
  logApiCall,
  refuseApiCall,
} from "../domain/backoffice/api_calls.ts";
import type { AuditAction } from "../domain/backoffice/audit.ts";
import {
  getImportJob,
  type ImportKind,
  importKinds,
  isImportKind,
  listImportHistory,
  MAX_RECORD_ROWS,
} from "../domain/backoffice/imports.ts";
import {
  answerOf,
  API_PREFIX,
  apiError,
  historyItem,
  jobResponse,
  retryAfter,
} from "./api_answers.ts";
import { clientAddress } from "./client.ts";
import type { AppDeps } from "./context.ts";

export { API_PREFIX };
export type { ApiImportAnswer, ApiImportStatus } from "./api_answers.ts";
export type { ApplyMode } from "../domain/backoffice/api_calls.ts";

/** The largest request body taken (10 000 balance entries with descriptions: about 2 MB). */
export const API_BODY_LIMIT = 10 * 1024 * 1024;
export { MAX_RECORD_ROWS as API_MAX_ROWS };

type AuditNote = { action: AuditAction; details: ApiCallDetails };

export type ApiEnv = {
  Variables: { requestId: string; apiToken: ApiToken; apiAudit: AuditNote };
};

const REALM = 'Bearer realm="eBOK API"';

const bodySchema = z.object({
  rows: z.array(z.unknown(), { error: "„rows” musi być tablicą wierszy." }),
  apply: z.enum(["all", "valid", "none"], {
    error: "„apply” to „all”, „valid” albo „none”.",
  }).default("all"),
}, { error: "Treść żądania musi być obiektem JSON." }).strict();

/** What the call's audit entry will say; each step adds to it. */
function noteAudit(c: Context<ApiEnv>, action: AuditAction, details: ApiCallDetails = {}) {
  const note = c.get("apiAudit");
  c.set("apiAudit", { action, details: { ...note.details, ...details } });
}

function forbidden(c: Context<ApiEnv>, scope: ApiScope) {
  return apiError(
    c,
    403,
    "insufficient_scope",
    `Ten token nie ma uprawnienia „${scope}”.`,
    { required: scope, scopes: c.get("apiToken").scopes },
    { "WWW-Authenticate": `${REALM}, error="insufficient_scope", scope="${scope}"` },
  );
}

/** The API's sub-app; mount it at API_PREFIX. */
export function apiRoutes(deps: AppDeps) {
  const app = new Hono<ApiEnv>();
  app.onError((err, c) => internalError(deps, err, c));
  app.use(authenticate(deps));
  app.post("/import/:kind", importChecks, bodyLimitFor413(), (c) => postImport(deps, c));
  app.get("/import/:jobId", (c) => getImport(deps, c));
  app.get("/history", (c) => getHistory(deps, c));
  app.get("/payments", (c) => getPayments(deps, c));
  app.all("*", (c) => {
    noteAudit(c, "api.not_found");
    return apiError(c, 404, "not_found", "Nie ma takiego adresu w API.", {
      endpoints: [
        `POST ${API_PREFIX}/import/{kind}`,
        `GET ${API_PREFIX}/import/{jobId}`,
        `GET ${API_PREFIX}/history`,
        `GET ${API_PREFIX}/payments?since=`,
      ],
    });
  });
  return app;
}

function internalError({ log }: AppDeps, err: Error, c: Context<ApiEnv>) {
  log.error("api request failed", {
    requestId: c.get("requestId"),
    method: c.req.method,
    path: c.req.path,
    error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    stack: err instanceof Error ? err.stack : undefined,
  });
  return apiError(
    c,
    500,
    "internal_error",
    "Błąd serwera. Spróbuj ponownie; jeśli błąd się powtarza, skontaktuj się z administratorem.",
    c.get("requestId") ? { requestId: c.get("requestId") } : undefined,
  );
}

/** Authentication, the token's rate limit, and the audit entry of every call. */
function authenticate({ kv, clock, config }: AppDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    c.header("Cache-Control", "no-store");
    const address = clientAddress(c, config.trustProxy);
    const header = c.req.header("authorization") ?? "";
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    const check = bearer ? await checkApiToken(kv, clock, bearer) : null;
    if (!check?.ok) {
      const revoked = check && !check.ok && check.reason === "revoked" ? check.token : undefined;
      const refused = await refuseApiCall(kv, clock, {
        address,
        reason: check ? check.reason : header ? "malformed" : "missing",
        method: c.req.method,
        path: c.req.path,
        revoked,
      });
      if (!refused.ok) {
        return apiError(
          c,
          429,
          "rate_limited",
          "Zbyt wiele żądań bez ważnego tokenu z tego adresu. Spróbuj później.",
          undefined,
          retryAfter(refused.retryAt, clock()),
        );
      }
      return apiError(
        c,
        401,
        "unauthorized",
        revoked
          ? "Token API został unieważniony."
          : bearer
          ? "Nieprawidłowy token API."
          : "Brak tokenu API: podaj nagłówek „Authorization: Bearer ebok_…”.",
        undefined,
        { "WWW-Authenticate": bearer ? `${REALM}, error="invalid_token"` : REALM },
      );
    }
    const token = check.token;
    const rate = await consumeApiTokenRate(kv, clock, token);
    if (!rate.ok) {
      return apiError(
        c,
        429,
        "rate_limited",
        "Przekroczono limit żądań tego tokenu. Spróbuj ponownie za chwilę.",
        undefined,
        retryAfter(rate.retryAt, clock()),
      );
    }
    c.set("apiToken", token);
    c.set("apiAudit", { action: "api.request", details: {} });
    await next();
    const note = c.get("apiAudit");
    await logApiCall(kv, clock, token, {
      action: note.action,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      address,
      details: note.details,
    });
  };
}

/** Kind, scope and content type, before the body is read. */
const importChecks: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const kind = c.req.param("kind") ?? "";
  noteAudit(c, "api.import", { kind: kind.slice(0, 40) });
  if (!isImportKind(kind)) {
    return apiError(c, 404, "unknown_kind", `Nieznany rodzaj danych „${kind.slice(0, 40)}”.`, {
      kinds: importKinds,
    });
  }
  if (!hasScope(c.get("apiToken"), kind)) return forbidden(c, kind);
  const [type, ...params] = (c.req.header("content-type") ?? "").split(";").map((s) =>
    s.trim().toLowerCase()
  );
  const charset = params.find((p) => p.startsWith("charset="))?.slice(8).replace(/"/g, "");
  if (type !== "application/json" || (charset && charset !== "utf-8")) {
    return apiError(
      c,
      415,
      "unsupported_media_type",
      "Treść żądania musi być JSON w UTF-8 (Content-Type: application/json).",
    );
  }
  await next();
};

function bodyLimitFor413() {
  return bodyLimit({
    maxSize: API_BODY_LIMIT,
    onError: (c) =>
      apiError(
        c,
        413,
        "payload_too_large",
        `Treść żądania jest większa niż ${
          API_BODY_LIMIT / 1024 / 1024
        } MB; podziel dane na części.`,
        { maxBytes: API_BODY_LIMIT },
      ),
  });
}

/** The request as the import takes it, or the answer refusing it. */
async function readImportRequest(c: Context<ApiEnv>) {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    return apiError(c, 400, "invalid_json", "Treść żądania nie jest poprawnym JSON-em.");
  }
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    return apiError(
      c,
      422,
      "invalid_request",
      'Treść żądania ma niewłaściwą postać: { "rows": [ … ], "apply": "all" | "valid" | "none" }.',
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  }
  const { rows, apply } = parsed.data;
  noteAudit(c, "api.import", { rows: rows.length, apply });
  if (rows.length > MAX_RECORD_ROWS) {
    return apiError(
      c,
      413,
      "too_many_rows",
      `Jednorazowo można przesłać najwyżej ${MAX_RECORD_ROWS} wierszy; podziel dane na części.`,
      { maxRows: MAX_RECORD_ROWS, rows: rows.length },
    );
  }
  const idempotencyKey = c.req.header("idempotency-key");
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    return apiError(
      c,
      400,
      "invalid_idempotency_key",
      "Nagłówek Idempotency-Key: od 1 do 200 widocznych znaków ASCII (np. UUID).",
    );
  }
  if (idempotencyKey !== undefined) noteAudit(c, "api.import", { idempotencyKey });
  return { rows, apply, idempotencyKey };
}

async function postImport({ kv, clock }: AppDeps, c: Context<ApiEnv>) {
  const request = await readImportRequest(c);
  if (request instanceof Response) return request;
  const outcome = await importThroughApi(kv, clock, c.get("apiToken"), {
    kind: c.req.param("kind") as ImportKind,
    ...request,
  });
  switch (outcome.kind) {
    case "key_reused":
      return apiError(
        c,
        422,
        "idempotency_key_reused",
        "Ten Idempotency-Key użyto już (w ciągu 24 godzin) dla innego żądania.",
      );
    case "in_progress":
      return apiError(
        c,
        409,
        "request_in_progress",
        "Żądanie z tym Idempotency-Key jest jeszcze przetwarzane. Powtórz je za chwilę.",
        undefined,
        { "Retry-After": "5" },
      );
  }
  if (outcome.replayed) {
    c.header("Idempotent-Replayed", "true");
    noteAudit(c, "api.import", { replay: true });
  }
  if (outcome.kind === "answer") return c.json(outcome.body, outcome.status as 422);
  const answer = await answerOf(kv, outcome.job);
  noteAudit(c, "api.import", {
    jobId: outcome.job.id,
    apply: outcome.mode,
    jobStatus: answer.status,
    rows: answer.rows,
    added: answer.counts.added,
    changed: answer.counts.changed,
    unchanged: answer.counts.unchanged,
    refused: answer.counts.refused,
  });
  return jobResponse(c, outcome.job, answer, outcome.mode);
}

async function getImport({ kv }: AppDeps, c: Context<ApiEnv>) {
  const jobId = (c.req.param("jobId") ?? "").slice(0, 40);
  noteAudit(c, "api.import_status", { jobId });
  const job = await getImportJob(kv, jobId);
  if (!job) return apiError(c, 404, "not_found", "Nie ma takiego importu.");
  const token = c.get("apiToken");
  if (!hasScope(token, job.kind) && !hasScope(token, "read:history")) {
    return forbidden(c, job.kind);
  }
  const answer = await answerOf(kv, job);
  noteAudit(c, "api.import_status", { kind: job.kind, jobStatus: answer.status });
  return c.json(answer, 200);
}

async function getHistory({ kv }: AppDeps, c: Context<ApiEnv>) {
  noteAudit(c, "api.history");
  if (!hasScope(c.get("apiToken"), "read:history")) return forbidden(c, "read:history");
  const raw = c.req.query("limit");
  const limit = raw === undefined ? 50 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    return apiError(c, 422, "invalid_request", "Parametr limit: liczba całkowita od 1 do 200.");
  }
  const imports = (await listImportHistory(kv, limit)).map(historyItem);
  return c.json({ imports }, 200);
}

/** Confirmed online payments for the accounting system (docs/payments.md), oldest first. */
async function getPayments({ kv }: AppDeps, c: Context<ApiEnv>) {
  noteAudit(c, "api.payments");
  if (!hasScope(c.get("apiToken"), "read:payments")) return forbidden(c, "read:payments");
  const since = c.req.query("since") ?? "";
  const sinceMs = Date.parse(since);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(since) || Number.isNaN(sinceMs)) {
    return apiError(
      c,
      422,
      "invalid_request",
      "Parametr since: data RRRR-MM-DD lub chwila ISO 8601 (UTC), np. 2026-12-01T00:00:00Z.",
    );
  }
  const raw = c.req.query("limit");
  const limit = raw === undefined ? 100 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    return apiError(c, 422, "invalid_request", "Parametr limit: liczba całkowita od 1 do 500.");
  }
  const cursor = c.req.query("cursor")?.slice(0, 200) || undefined;
  const page = await listConfirmedPaymentsSince(kv, new Date(sinceMs).toISOString(), {
    limit,
    cursor,
  });
  return c.json({
    payments: page.payments.map((p) => ({
      id: p.id,
      unitId: p.unitId,
      amount: p.amount,
      currency: p.currency,
      title: p.title,
      gateway: p.gateway,
      orderId: p.orderId ?? null,
      confirmedAt: p.confirmedAt ?? null,
      booked: p.booked ? { documentNo: p.booked.documentNo, postedOn: p.booked.postedOn } : null,
    })),
    nextCursor: page.cursor,
  }, 200);
}
