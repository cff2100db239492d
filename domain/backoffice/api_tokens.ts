/**
 * API tokens of integrations (the accounting system pushing its data to `/api/v1`, see
 * docs/api.md): one token per integration, named after it, with scopes — the import kinds it may
 * send and `read:history` — and revocable.
 *
 * The secret is `ebok_` + 32 random bytes in base32 (52 characters), shown once when the token is
 * created. Only its SHA-256 is stored, as the index `["api_tokens_by_hash", sha256]` → token id:
 * a presented secret is hashed and looked up, so no comparison of secrets happens at all (and
 * none in variable time). `lastUsedAt` is written at most once a minute.
 *
 * Also here: the per-token rate limits and the store of `Idempotency-Key`s the API keeps for
 * 24 hours.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import { type Actor, addAudit } from "./audit.ts";
import type { Clock } from "../shared/clock.ts";
import { foldValue } from "./import_kinds/types.ts";
import { newId, randomToken } from "../shared/ids.ts";
import { type ImportKind, importKindLabels, importKinds } from "./imports.ts";
import { keys } from "../shared/keys.ts";
import { consumeRateLimit, peekRateLimit, type RateLimitResult } from "../accounts/rate_limit.ts";

export type ApiScope = ImportKind | "read:history" | "read:payments";

/** Every scope, in the order forms and documentation list them. */
export const apiScopes: readonly ApiScope[] = [...importKinds, "read:history", "read:payments"];

export const apiScopeLabels: Record<ApiScope, string> = {
  ...Object.fromEntries(
    importKinds.map((k) => [k, `Import: ${importKindLabels[k].toLowerCase()}`]),
  ) as Record<ImportKind, string>,
  "read:history": "Odczyt historii importów",
  "read:payments": "Odczyt płatności online",
};

export function isApiScope(s: string): s is ApiScope {
  return (apiScopes as readonly string[]).includes(s);
}

export type ApiToken = {
  id: string;
  /** The integration, e.g. "System księgowy"; unique among tokens not revoked. */
  name: string;
  scopes: ApiScope[];
  /** The secret's first characters ("ebok_abcd…"), so staff can tell tokens apart. */
  hint: string;
  createdAt: string;
  createdBy: Actor;
  lastUsedAt?: string;
  revokedAt?: string;
  revokedBy?: Actor;
};

export const API_TOKEN_PREFIX = "ebok_";
const SECRET_PATTERN = /^ebok_[a-z2-7]{52}$/;
export const API_TOKEN_NAME_MIN = 3;
export const API_TOKEN_NAME_MAX = 80;
/** `lastUsedAt` is written at most this often. */
const TOUCH_EVERY_MS = 60_000;
// deno-lint-ignore no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** SHA-256 of a secret, hex: the only form in which a secret is stored. */
export function hashApiSecret(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)));
}

/** The name as stored: trimmed, inner whitespace collapsed. */
export function normalizeApiTokenName(name: string): string {
  return name.trim().replace(/\s+/g, " ");
}

export function apiTokenNameProblem(name: string): string | null {
  const n = normalizeApiTokenName(name);
  if (n.length < API_TOKEN_NAME_MIN) {
    return `Podaj nazwę integracji (co najmniej ${API_TOKEN_NAME_MIN} znaki).`;
  }
  if (n.length > API_TOKEN_NAME_MAX) return `Najwyżej ${API_TOKEN_NAME_MAX} znaków.`;
  if (CONTROL_CHARS.test(n)) return "Nazwa zawiera niedozwolone znaki.";
  return null;
}

/** Who acts through a token, in the audit log and the import history. */
export function apiActor(token: ApiToken): Actor {
  return { kind: "system", label: `API: ${token.name}` };
}

export type CreateApiTokenResult =
  | { ok: true; token: ApiToken; secret: string }
  | { ok: false; reason: "invalid_name" | "no_scopes" | "name_taken" };

/** Creates a token; the secret is returned here and nowhere else, ever. */
export async function createApiToken(
  kv: Deno.Kv,
  clock: Clock,
  input: { name: string; scopes: readonly string[]; actor: Actor },
): Promise<CreateApiTokenResult> {
  if (apiTokenNameProblem(input.name)) return { ok: false, reason: "invalid_name" };
  const scopes = apiScopes.filter((s) => input.scopes.includes(s));
  if (scopes.length === 0 || input.scopes.some((s) => !isApiScope(s))) {
    return { ok: false, reason: "no_scopes" };
  }
  const name = normalizeApiTokenName(input.name);
  const secret = API_TOKEN_PREFIX + randomToken(32);
  const now = clock();
  const token: ApiToken = {
    id: newId(now),
    name,
    scopes,
    hint: `${secret.slice(0, API_TOKEN_PREFIX.length + 4)}…`,
    createdAt: now.toISOString(),
    createdBy: input.actor,
  };
  const op = kv.atomic()
    .check({ key: keys.apiTokensByName(foldValue(name)), versionstamp: null })
    .check({ key: keys.apiTokensByHash(hashApiSecret(secret)), versionstamp: null })
    .set(keys.apiTokens(token.id), token)
    .set(keys.apiTokensByHash(hashApiSecret(secret)), token.id)
    .set(keys.apiTokensByName(foldValue(name)), token.id);
  addAudit(op, clock, {
    actor: input.actor,
    action: "api_token.created",
    details: { tokenId: token.id, name, scopes: scopes.join(",") },
  });
  if (!(await op.commit()).ok) return { ok: false, reason: "name_taken" };
  return { ok: true, token, secret };
}

export async function getApiToken(kv: Deno.Kv, id: string): Promise<ApiToken | null> {
  return (await kv.get<ApiToken>(keys.apiTokens(id))).value;
}

/** Every token, revoked ones too, newest first. */
export async function listApiTokens(kv: Deno.Kv): Promise<ApiToken[]> {
  const out: ApiToken[] = [];
  for await (const e of kv.list<ApiToken>({ prefix: keys.apiTokensAll() }, { reverse: true })) {
    out.push(e.value);
  }
  return out;
}

export type RevokeApiTokenResult =
  | { ok: true; token: ApiToken; alreadyRevoked: boolean }
  | { ok: false; reason: "not_found" };

/** Revokes a token at once (its next request gets 401); its name may then be used again. */
export async function revokeApiToken(
  kv: Deno.Kv,
  clock: Clock,
  id: string,
  actor: Actor,
): Promise<RevokeApiTokenResult> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await kv.get<ApiToken>(keys.apiTokens(id));
    const token = entry.value;
    if (!token) return { ok: false, reason: "not_found" };
    if (token.revokedAt) return { ok: true, token, alreadyRevoked: true };
    const revoked: ApiToken = { ...token, revokedAt: clock().toISOString(), revokedBy: actor };
    const nameKey = keys.apiTokensByName(foldValue(token.name));
    const nameEntry = await kv.get<string>(nameKey);
    const op = kv.atomic().check(entry).check(nameEntry).set(keys.apiTokens(id), revoked);
    if (nameEntry.value === id) op.delete(nameKey);
    addAudit(op, clock, {
      actor,
      action: "api_token.revoked",
      details: { tokenId: id, name: token.name },
    });
    if ((await op.commit()).ok) return { ok: true, token: revoked, alreadyRevoked: false };
  }
  throw new Error(`api token ${id}: could not revoke under contention`);
}

export type ApiTokenCheck =
  | { ok: true; token: ApiToken }
  | { ok: false; reason: "malformed" | "unknown" }
  | { ok: false; reason: "revoked"; token: ApiToken };

/**
 * Checks a presented secret (the value after `Bearer `, or the whole header value): its hash is
 * looked up; a revoked token is refused. Records the use (at most once a minute).
 */
export async function checkApiToken(
  kv: Deno.Kv,
  clock: Clock,
  bearer: string,
): Promise<ApiTokenCheck> {
  const secret = bearer.replace(/^bearer\s+/i, "").trim();
  if (!SECRET_PATTERN.test(secret)) return { ok: false, reason: "malformed" };
  const id = (await kv.get<string>(keys.apiTokensByHash(hashApiSecret(secret)))).value;
  if (!id) return { ok: false, reason: "unknown" };
  const entry = await kv.get<ApiToken>(keys.apiTokens(id));
  const token = entry.value;
  if (!token) return { ok: false, reason: "unknown" };
  if (token.revokedAt) return { ok: false, reason: "revoked", token };
  const now = clock();
  if (!token.lastUsedAt || now.getTime() - Date.parse(token.lastUsedAt) >= TOUCH_EVERY_MS) {
    const touched: ApiToken = { ...token, lastUsedAt: now.toISOString() };
    // A concurrent revocation wins: the check fails and nothing is written.
    const result = await kv.atomic().check(entry).set(keys.apiTokens(id), touched).commit();
    if (result.ok) return { ok: true, token: touched };
  }
  return { ok: true, token };
}

/** The token a secret belongs to, or null (malformed, unknown or revoked). */
export async function verifyApiToken(
  kv: Deno.Kv,
  clock: Clock,
  bearer: string,
): Promise<ApiToken | null> {
  const check = await checkApiToken(kv, clock, bearer);
  return check.ok ? check.token : null;
}

export function hasScope(token: ApiToken, scope: ApiScope): boolean {
  return token.scopes.includes(scope);
}

// --- Rate limits --------------------------------------------------------------------------------

/** Requests a token may make (each of them counts). */
export const API_TOKEN_RATE = { limit: 120, windowMs: 60_000 };
/** Requests refused with 401 from one client address before it is refused with 429. */
export const API_AUTH_FAILURE_RATE = { limit: 20, windowMs: 10 * 60_000 };

export function consumeApiTokenRate(
  kv: Deno.Kv,
  clock: Clock,
  token: ApiToken,
): Promise<RateLimitResult> {
  return consumeRateLimit(kv, clock, "api_token", token.id, API_TOKEN_RATE);
}

/** May this address try a token (it has not failed too often)? Does not count. */
export function peekApiAuthFailures(
  kv: Deno.Kv,
  clock: Clock,
  address: string,
): Promise<RateLimitResult> {
  return peekRateLimit(kv, clock, "api_auth_failed", address, API_AUTH_FAILURE_RATE);
}

/** Counts a refused call from `address`; `alsoInOp` adds to the counting operation. */
export function countApiAuthFailure(
  kv: Deno.Kv,
  clock: Clock,
  address: string,
  alsoInOp?: (op: Deno.AtomicOperation) => void,
): Promise<RateLimitResult> {
  return consumeRateLimit(
    kv,
    clock,
    "api_auth_failed",
    address,
    API_AUTH_FAILURE_RATE,
    alsoInOp,
  );
}

// --- Idempotency keys ---------------------------------------------------------------------------

/** How long a token's `Idempotency-Key` is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A first request that has made no job yet after this long is taken to have died. */
const IDEMPOTENCY_STALE_MS = 2 * 60_000;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export type IdempotencyRecord = {
  /** SHA-256 of what the request asked (kind, apply mode, rows). */
  requestHash: string;
  createdAt: string;
  /** The import job the first request made, once made: repeated requests answer from it. */
  jobId?: string;
  /** The apply mode of the first request. */
  apply?: string;
  /** The first answer, when it was not an import job (a request refused as a whole). */
  response?: { status: number; body: unknown };
};

export type IdempotencyBegin =
  /** The first request with this key (or one taking over from a first request that died). */
  | { kind: "first" }
  /** A repeat: answer as the first request did (from its job, or its stored response). */
  | { kind: "repeat"; record: IdempotencyRecord }
  /** The key was used for a different request. */
  | { kind: "mismatch" }
  /** The first request is still reading its rows. */
  | { kind: "in_progress" };

function fresh(record: IdempotencyRecord | null, now: number): record is IdempotencyRecord {
  return !!record && now - Date.parse(record.createdAt) < IDEMPOTENCY_TTL_MS;
}

/** Claims a key for a request, or says how an earlier request with it stands. */
export async function beginIdempotent(
  kv: Deno.Kv,
  clock: Clock,
  tokenId: string,
  key: string,
  requestHash: string,
): Promise<IdempotencyBegin> {
  const k = keys.apiIdempotency(tokenId, key);
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await kv.get<IdempotencyRecord>(k);
    const now = clock().getTime();
    const record = entry.value;
    if (fresh(record, now)) {
      if (record.requestHash !== requestHash) return { kind: "mismatch" };
      if (record.jobId || record.response) return { kind: "repeat", record };
      if (now - Date.parse(record.createdAt) < IDEMPOTENCY_STALE_MS) return { kind: "in_progress" };
    }
    const claimed: IdempotencyRecord = { requestHash, createdAt: new Date(now).toISOString() };
    const result = await kv.atomic().check(entry).set(k, claimed, {
      expireIn: IDEMPOTENCY_TTL_MS,
    }).commit();
    if (result.ok) return { kind: "first" };
  }
  return { kind: "in_progress" };
}

/** Records what the first request with a key made: its job, or its whole answer. */
export async function completeIdempotent(
  kv: Deno.Kv,
  clock: Clock,
  tokenId: string,
  key: string,
  outcome: { jobId: string; apply: string } | { response: { status: number; body: unknown } },
): Promise<void> {
  const k = keys.apiIdempotency(tokenId, key);
  const record = (await kv.get<IdempotencyRecord>(k)).value;
  if (!record) return;
  const left = Date.parse(record.createdAt) + IDEMPOTENCY_TTL_MS - clock().getTime();
  if (left <= 0) return;
  await kv.set(k, { ...record, ...outcome }, { expireIn: Math.max(1000, left) });
}
