/**
 * The JSON answers of the API (routes/api.ts): errors as `{ "error": { "code", "message"
 * (Polish), "details"? } }`, an import job as `ApiImportAnswer`, the import history, and the HTTP
 * status that follows from where a job stands.
 */
import type { Context } from "hono";
import type { ApplyMode } from "../domain/backoffice/api_calls.ts";
import {
  type ImportHistoryRecord,
  type ImportJob,
  type ImportKind,
  listRefusedLines,
} from "../domain/backoffice/imports.ts";

export const API_PREFIX = "/api/v1";

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500;

export function apiError(
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

export function retryAfter(at: Date, now: Date): Record<string, string> {
  return { "Retry-After": String(Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000))) };
}

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

export async function answerOf(kv: Deno.Kv, job: ImportJob): Promise<ApiImportAnswer> {
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

export function historyItem(r: ImportHistoryRecord) {
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

/** The answer to a POST about a job: the HTTP status follows from where the job stands. */
export function jobResponse(c: Context, job: ImportJob, answer: ApiImportAnswer, mode: ApplyMode) {
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
}
