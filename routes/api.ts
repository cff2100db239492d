/**
 * The JSON API for integrations (docs/api.md), mounted at `/api/v1`: the accounting system pushes
 * the same data the CSV import takes, through the same engine (domain/backoffice/imports.ts: the same
 * columns, validation, plan and idempotent, resumable apply), authenticated by an API token
 * (`Authorization: Bearer ebok_…`, domain/backoffice/api_tokens.ts) with scopes.
 *
 * JSON in and out only. Errors are `{ "error": { "code", "message" (Polish), "details"? } }`.
 * Every authenticated call is audited as `API: <token name>` — never with the token.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { listConfirmedPaymentsSince } from "../domain/payments/payments.ts";
import { z } from "zod";
import {
  apiActor,
  type ApiScope,
  type ApiToken,
  beginIdempotent,
  checkApiToken,
  completeIdempotent,
  consumeApiTokenRate,
  countApiAuthFailure,
  hasScope,
  IDEMPOTENCY_KEY_PATTERN,
  type IdempotencyRecord,
} from "../domain/backoffice/api_tokens.ts";
import { type Actor, type AuditAction, recordAudit } from "../domain/backoffice/audit.ts";
import { sha256Hex } from "../domain/shared/csv.ts";
import {
  applyImport,
  discardPreview,
  getImportJob,
  type ImportHistoryRecord,
  type ImportJob,
  type ImportKind,
  importKinds,
  isImportKind,
  listImportHistory,
  listRefusedLines,
  MAX_RECORD_ROWS,
  previewImportRecords,
} from "../domain/backoffice/imports.ts";
import { clientAddress } from "./client.ts";
import type { AppDeps } from "./context.ts";

export const API_PREFIX = "/api/v1";
/** The largest request body taken (10 000 balance entries with descriptions: about 2 MB). */
export const API_BODY_LIMIT = 10 * 1024 * 1024;
export { MAX_RECORD_ROWS as API_MAX_ROWS };

export type ApplyMode = "all" | "valid" | "none";

type AuditNote = { action: AuditAction; details: Record<string, string | number | boolean> };

export type ApiEnv = {
  Variables: { requestId: string; apiToken: ApiToken; apiAudit: AuditNote };
};

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500;

function apiError(
  c: Context,
  status: ErrorStatus,
  code: string,
  message: string,
  details?: unknown,
  headers: Record<string, string> = {},
) {
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json(
    { error: { code, message, ...(details === undefined ? {} : { details }) } },
    status,
  );
}

function retryAfter(at: Date, now: Date): Record<string, string> {
  return { "Retry-After": String(Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000))) };
}

const REALM = 'Bearer realm="eBOK API"';

const bodySchema = z.object({
  rows: z.array(z.unknown(), { error: "„rows” musi być tablicą wierszy." }),
  apply: z.enum(["all", "valid", "none"], {
    error: "„apply” to „all”, „valid” albo „none”.",
  }).default("all"),
}, { error: "Treść żądania musi być obiektem JSON." }).strict();

// --- The answers about an import -----------------------------------------------------------------

export type ApiImportStatus = "previewed" | "applying" | "applied" | "failed" | "discarded";

export type ApiImportAnswer = {
  jobId: string;
  kind: ImportKind;
  status: ApiImportStatus;
  /** "applied" or "applied_valid_only", once applied. */
  result?: "applied" | "applied_valid_only";
  /** Rows received. */
  rows: number;
  /** What applying did — or, while not applied (discarded, previewed), what it would do. */
  counts: { added: number; changed: number; unchanged: number; refused: number };
  /** The rows refused, with their position in `rows` (from 0) — or a file's line, for a CSV job. */
  refused: ({ index: number; reason: string } | { line: number; reason: string })[];
  notices: string[];
  createdAt: string;
  finishedAt?: string;
  progress?: { rowsDone: number; rowsToApply: number };
  error?: string;
  statusUrl: string;
};

function apiStatus(job: ImportJob): ApiImportStatus {
  return job.status === "expired" ? "discarded" : job.status;
}

async function answerOf(kv: Deno.Kv, job: ImportJob): Promise<ApiImportAnswer> {
  const started = job.status === "applying" || job.status === "applied" ||
    job.status === "failed";
  const p = job.counts;
  const a = job.applied;
  const counts = started
    ? {
      added: a.added,
      changed: a.changed,
      unchanged: p.unchanged + a.unchanged,
      refused: p.refused + a.refused,
    }
    : { added: p.add, changed: p.change, unchanged: p.unchanged, refused: p.refused };
  const refused = (await listRefusedLines(kv, job.id)).map((r) =>
    job.rowsFrom === "records"
      ? { index: r.line - 1, reason: r.reason }
      : { line: r.line, reason: r.reason }
  );
  const answer: ApiImportAnswer = {
    jobId: job.id,
    kind: job.kind,
    status: apiStatus(job),
    ...(job.status === "applied"
      ? { result: job.applyValidOnly && p.refused > 0 ? "applied_valid_only" : "applied" }
      : {}),
    rows: p.total,
    counts,
    refused,
    notices: job.notices,
    createdAt: job.createdAt,
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    ...(job.status === "applying"
      ? { progress: { rowsDone: job.progress.rowsDone, rowsToApply: p.add + p.change } }
      : {}),
    ...(job.error ? { error: job.error } : {}),
    statusUrl: `${API_PREFIX}/import/${job.id}`,
  };
  return answer;
}

function historyItem(r: ImportHistoryRecord) {
  return {
    id: r.id,
    jobId: r.jobId,
    kind: r.kind,
    source: r.fileName,
    sha256: r.hash,
    size: r.size,
    who: r.who.label,
    startedAt: r.startedAt,
    at: r.at,
    result: r.result,
    preview: {
      rows: r.counts.total,
      add: r.counts.add,
      change: r.counts.change,
      unchanged: r.counts.unchanged,
      refused: r.counts.refused,
    },
    applied: r.applied,
    ...(r.error ? { error: r.error } : {}),
  };
}

// --- The routes ----------------------------------------------------------------------------------

/** The API's sub-app; mount it at API_PREFIX. */
export function apiRoutes(deps: AppDeps) {
  const { kv, clock, config, log } = deps;
  const app = new Hono<ApiEnv>();

  app.onError((err, c) => {
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
  });

  // Authentication, the token's rate limit, and the audit entry of every call.
  app.use(async (c, next) => {
    c.header("Cache-Control", "no-store");
    const address = clientAddress(c, config.trustProxy);
    const header = c.req.header("authorization") ?? "";
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    const check = bearer ? await checkApiToken(kv, clock, bearer) : null;
    if (!check?.ok) {
      const limited = await countApiAuthFailure(kv, clock, address);
      if (!limited.ok) {
        return apiError(
          c,
          429,
          "rate_limited",
          "Zbyt wiele żądań bez ważnego tokenu z tego adresu. Spróbuj później.",
          undefined,
          retryAfter(limited.retryAt, clock()),
        );
      }
      const reason = check ? check.reason : header ? "malformed" : "missing";
      await recordAudit(kv, clock, {
        actor: { kind: "anonymous", label: "API (bez ważnego tokenu)" },
        action: "api.unauthorized",
        details: {
          reason,
          method: c.req.method,
          path: c.req.path,
          ...(check && !check.ok && check.reason === "revoked"
            ? { tokenId: check.token.id, name: check.token.name }
            : {}),
        },
        clientAddress: address,
      });
      return apiError(
        c,
        401,
        "unauthorized",
        check && !check.ok && check.reason === "revoked"
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
    await recordAudit(kv, clock, {
      actor: apiActor(token),
      action: note.action,
      details: {
        tokenId: token.id,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ...note.details,
      },
      clientAddress: address,
    });
  });

  const noteAudit = (
    c: Context<ApiEnv>,
    action: AuditAction,
    details: AuditNote["details"] = {},
  ) => {
    const note = c.get("apiAudit");
    c.set("apiAudit", { action, details: { ...note.details, ...details } });
  };

  const forbidden = (c: Context<ApiEnv>, scope: ApiScope) =>
    apiError(
      c,
      403,
      "insufficient_scope",
      `Ten token nie ma uprawnienia „${scope}”.`,
      { required: scope, scopes: c.get("apiToken").scopes },
      { "WWW-Authenticate": `${REALM}, error="insufficient_scope", scope="${scope}"` },
    );

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

  const limit = bodyLimit({
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

  /** Takes a job to where the request asked (discarded, or applied as far as it goes). */
  const settle = async (jobId: string, mode: ApplyMode, actor: Actor): Promise<ImportJob> => {
    let job = await getImportJob(kv, jobId);
    if (!job) throw new Error(`import job ${jobId} vanished`);
    if (job.status === "previewed") {
      if (mode === "none" || (mode === "all" && job.counts.refused > 0)) {
        await discardPreview(kv, jobId);
      } else {
        await applyImport(kv, clock, jobId, { actor, applyValidOnly: mode === "valid" });
      }
    } else if (job.status === "applying" || job.status === "failed") {
      // A repeated request continues what a crash or a failure interrupted (once the lease of
      // whoever is applying has run out; otherwise this says "in progress").
      await applyImport(kv, clock, jobId, { actor, applyValidOnly: job.applyValidOnly ?? false });
    }
    job = await getImportJob(kv, jobId);
    if (!job) throw new Error(`import job ${jobId} vanished`);
    return job;
  };

  /** The answer to a POST about a job: the HTTP status follows from where the job stands. */
  const respondWithJob = async (c: Context<ApiEnv>, job: ImportJob, mode: ApplyMode) => {
    const answer = await answerOf(kv, job);
    noteAudit(c, "api.import", {
      jobId: job.id,
      apply: mode,
      jobStatus: answer.status,
      rows: answer.rows,
      added: answer.counts.added,
      changed: answer.counts.changed,
      unchanged: answer.counts.unchanged,
      refused: answer.counts.refused,
    });
    switch (job.status) {
      case "applied":
        return c.json(answer, 200);
      case "previewed":
      case "applying":
        c.header("Location", answer.statusUrl);
        return c.json(answer, 202);
      case "failed":
        return apiError(
          c,
          500,
          "import_failed",
          "Wczytywanie przerwał błąd. Wyślij te same wiersze ponownie — już zapisane zostaną rozpoznane jako „bez zmian”.",
          answer,
        );
      case "expired":
        if (mode === "all" && job.counts.refused > 0) {
          return apiError(
            c,
            422,
            "rows_refused",
            `Odrzucono wiersze: ${job.counts.refused}. Nic nie zapisano — popraw je albo wyślij z „apply”: „valid”, aby zapisać tylko poprawne.`,
            answer,
          );
        }
        return c.json(answer, 200);
    }
  };

  /** A repeated request with an `Idempotency-Key`: the first one's answer. */
  const replay = async (c: Context<ApiEnv>, record: IdempotencyRecord, actor: Actor) => {
    if (record.response) {
      return c.json(record.response.body, record.response.status as 422);
    }
    const mode = (record.apply ?? "all") as ApplyMode;
    const job = await settle(record.jobId!, mode, actor);
    return await respondWithJob(c, job, mode);
  };

  app.post("/import/:kind", importChecks, limit, async (c) => {
    const token = c.get("apiToken");
    const kind = c.req.param("kind") as ImportKind;
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
    const actor = apiActor(token);
    if (idempotencyKey !== undefined) {
      noteAudit(c, "api.import", { idempotencyKey });
      const requestHash = await sha256Hex(
        new TextEncoder().encode(JSON.stringify({ kind, apply, rows })),
      );
      const begun = await beginIdempotent(kv, clock, token.id, idempotencyKey, requestHash);
      switch (begun.kind) {
        case "mismatch":
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
        case "repeat":
          c.header("Idempotent-Replayed", "true");
          noteAudit(c, "api.import", { replay: true });
          return await replay(c, begun.record, actor);
        case "first":
          break;
      }
    }
    const preview = await previewImportRecords(kv, clock, {
      kind,
      records: rows,
      source: `API: ${token.name}`,
      actor,
    });
    if (!preview.ok) {
      const status = 422;
      const body = { error: { code: "unreadable", message: preview.message } };
      if (idempotencyKey !== undefined) {
        await completeIdempotent(kv, clock, token.id, idempotencyKey, {
          response: { status, body },
        });
      }
      return c.json(body, status);
    }
    if (idempotencyKey !== undefined) {
      await completeIdempotent(kv, clock, token.id, idempotencyKey, {
        jobId: preview.job.id,
        apply,
      });
    }
    const job = await settle(preview.job.id, apply, actor);
    return await respondWithJob(c, job, apply);
  });

  app.get("/import/:jobId", async (c) => {
    const jobId = c.req.param("jobId").slice(0, 40);
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
  });

  app.get("/history", async (c) => {
    noteAudit(c, "api.history");
    if (!hasScope(c.get("apiToken"), "read:history")) return forbidden(c, "read:history");
    const raw = c.req.query("limit");
    const limit = raw === undefined ? 50 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
      return apiError(c, 422, "invalid_request", "Parametr limit: liczba całkowita od 1 do 200.");
    }
    const imports = (await listImportHistory(kv, limit)).map(historyItem);
    return c.json({ imports }, 200);
  });

  // Confirmed online payments for the accounting system (docs/payments.md), oldest first.
  app.get("/payments", async (c) => {
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
  });

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
