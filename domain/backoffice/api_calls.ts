/**
 * What the JSON API (routes/api.ts, docs/api.md) does, apart from reading and answering HTTP:
 * refusing a call without a valid token (counted and logged in one operation), logging every
 * authenticated call, and importing rows sent by an integration — the `Idempotency-Key`, the
 * preview and taking the job as far as the request asked.
 *
 * The import's changes are logged by the import engine with each change ("import.previewed",
 * "import.applied", "import.failed"); the "api.*" entry of a call records the request and its
 * answer, so it is written once the answer is known, as the call's last write.
 */
import { type RateLimitResult } from "../accounts/rate_limit.ts";
import {
  apiActor,
  type ApiToken,
  beginIdempotent,
  completeIdempotent,
  countApiAuthFailure,
  type IdempotencyRecord,
} from "./api_tokens.ts";
import { type Actor, addAudit, type AuditAction, recordAudit } from "./audit.ts";
import type { Clock } from "../shared/clock.ts";
import { sha256Hex } from "../shared/csv.ts";
import {
  applyImport,
  discardPreview,
  getImportJob,
  type ImportJob,
  type ImportKind,
  previewImportRecords,
} from "./imports.ts";

export type ApplyMode = "all" | "valid" | "none";

export type ApiCallDetails = Record<string, string | number | boolean>;

/**
 * A call without a valid token: counts it against the client address and, in the same
 * operation, logs "api.unauthorized". Past the limit nothing is counted or logged (the answer
 * is 429).
 */
export function refuseApiCall(
  kv: Deno.Kv,
  clock: Clock,
  call: {
    address: string;
    reason: string;
    method: string;
    path: string;
    /** A revoked token that was presented (its id and name, never the secret). */
    revoked?: ApiToken;
  },
): Promise<RateLimitResult> {
  return countApiAuthFailure(kv, clock, call.address, (op) =>
    addAudit(op, clock, {
      actor: { kind: "anonymous", label: "API (bez ważnego tokenu)" },
      action: "api.unauthorized",
      details: {
        reason: call.reason,
        method: call.method,
        path: call.path,
        ...(call.revoked ? { tokenId: call.revoked.id, name: call.revoked.name } : {}),
      },
      clientAddress: call.address,
    }));
}

/** Logs an authenticated call under the token's name (never the token), with its answer. */
export async function logApiCall(
  kv: Deno.Kv,
  clock: Clock,
  token: ApiToken,
  call: {
    action: AuditAction;
    method: string;
    path: string;
    status: number;
    address: string;
    details: ApiCallDetails;
  },
): Promise<void> {
  await recordAudit(kv, clock, {
    actor: apiActor(token),
    action: call.action,
    details: {
      tokenId: token.id,
      method: call.method,
      path: call.path,
      status: call.status,
      ...call.details,
    },
    clientAddress: call.address,
  });
}

/** Takes a job to where the request asked (discarded, or applied as far as it goes). */
export async function settleApiImport(
  kv: Deno.Kv,
  clock: Clock,
  jobId: string,
  mode: ApplyMode,
  actor: Actor,
): Promise<ImportJob> {
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
}

export type ApiImportOutcome =
  /** The job, taken as far as the request asked (or as the first request with its key asked). */
  | { kind: "job"; job: ImportJob; mode: ApplyMode; replayed: boolean }
  /** The first request with this key was answered without a job: the same answer again. */
  | { kind: "answer"; status: number; body: unknown; replayed: boolean }
  | { kind: "key_reused" }
  | { kind: "in_progress" };

/**
 * Rows sent by an integration: with an `Idempotency-Key`, a repeat gets the first request's
 * answer (from its job, or its stored response); otherwise the rows are previewed as a job and
 * the job is applied, applied in its valid rows, or discarded, as `apply` says.
 */
export async function importThroughApi(
  kv: Deno.Kv,
  clock: Clock,
  token: ApiToken,
  input: { kind: ImportKind; rows: unknown[]; apply: ApplyMode; idempotencyKey?: string },
): Promise<ApiImportOutcome> {
  const actor = apiActor(token);
  const key = input.idempotencyKey;
  if (key !== undefined) {
    const requestHash = await sha256Hex(
      new TextEncoder().encode(
        JSON.stringify({ kind: input.kind, apply: input.apply, rows: input.rows }),
      ),
    );
    const begun = await beginIdempotent(kv, clock, token.id, key, requestHash);
    if (begun.kind === "mismatch") return { kind: "key_reused" };
    if (begun.kind === "in_progress") return { kind: "in_progress" };
    if (begun.kind === "repeat") return await replay(kv, clock, begun.record, actor);
  }
  const preview = await previewImportRecords(kv, clock, {
    kind: input.kind,
    records: input.rows,
    source: `API: ${token.name}`,
    actor,
  });
  if (!preview.ok) {
    const status = 422;
    const body = { error: { code: "unreadable", message: preview.message } };
    if (key !== undefined) {
      await completeIdempotent(kv, clock, token.id, key, { response: { status, body } });
    }
    return { kind: "answer", status, body, replayed: false };
  }
  if (key !== undefined) {
    await completeIdempotent(kv, clock, token.id, key, {
      jobId: preview.job.id,
      apply: input.apply,
    });
  }
  const job = await settleApiImport(kv, clock, preview.job.id, input.apply, actor);
  return { kind: "job", job, mode: input.apply, replayed: false };
}

async function replay(
  kv: Deno.Kv,
  clock: Clock,
  record: IdempotencyRecord,
  actor: Actor,
): Promise<ApiImportOutcome> {
  if (record.response) {
    return { kind: "answer", ...record.response, replayed: true };
  }
  const mode = (record.apply ?? "all") as ApplyMode;
  const job = await settleApiImport(kv, clock, record.jobId!, mode, actor);
  return { kind: "job", job, mode, replayed: true };
}
