/**
 * Resident credentials: start passwords (issued here only: at approval, through "Nie pamiętam
 * hasła" and by the office), sign-in with progressive lockout (the password change is in
 * password_change.ts). Every write lands in one atomic operation with its messages and audit
 * entry. Expected outcomes are returned as discriminated unions, not thrown.
 */
import type { AuditAction } from "../backoffice/audit_actions.ts";
import {
  type Account,
  getAccountByIdentifier,
  type StartPassword,
  updateAccount,
} from "./accounts.ts";
import { type Actor, addAudit } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import { randomInt } from "../shared/ids.ts";
import { normalizeIdentifier } from "../access/identifier.ts";
import { keys } from "../shared/keys.ts";
import { addMessage } from "../messaging/messages.ts";
import { startPasswordSms } from "../messaging/notifications.ts";
import { DUMMY_PASSWORD_HASH, type PasswordHasher } from "./password.ts";
import { consumeRateLimit } from "./rate_limit.ts";
import { addEndSessions, addNewSession, type Session, sessionIdOfToken } from "./sessions.ts";

export const DEFAULT_START_PASSWORD_TTL_MS = 7 * 24 * 60 * 60_000;

export type MessageCtx = { coop: CooperativeProfile; baseUrl: string };

// --- start passwords -----------------------------------------------------------------------

const UPPER = "ABCDEFGHJKMNPQRSTUVWXYZ";
const LOWER = "abcdefghjkmnpqrstuvwxyz";
const DIGITS = "23456789";

/** 10 characters with upper, lower case and digits, none that look alike in an SMS font. */
export function generateStartPassword(): string {
  const all = UPPER + LOWER + DIGITS;
  const chars = [
    UPPER[randomInt(UPPER.length)],
    LOWER[randomInt(LOWER.length)],
    DIGITS[randomInt(DIGITS.length)],
  ];
  while (chars.length < 10) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join("");
}

export type NewStartPassword = { plain: string; record: StartPassword };

/** A fresh start password and its record (hashed); nothing stored yet. */
export async function newStartPassword(
  hasher: PasswordHasher,
  clock: Clock,
  ttlMs: number,
): Promise<NewStartPassword> {
  const plain = generateStartPassword();
  const now = clock().getTime();
  return {
    plain,
    record: {
      hash: await hasher.hash(plain),
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + ttlMs).toISOString(),
    },
  };
}

/** Queues the SMS that carries a start password, in the operation that stores its record. */
export function addStartPasswordSms(
  op: Deno.AtomicOperation,
  clock: Clock,
  ctx: MessageCtx,
  account: { id: string; phone: string },
  start: NewStartPassword,
) {
  addMessage(
    op,
    clock,
    startPasswordSms(ctx, {
      phone: account.phone,
      accountId: account.id,
      password: start.plain,
      expiresAt: new Date(start.record.expiresAt),
    }),
  );
}

/**
 * Replaces an existing account's start password and sends the new one by SMS, with the audit
 * entry, in one atomic operation. `start` may be made beforehand (to hash whatever happens).
 */
export async function issueStartPassword(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  ctx: MessageCtx & { startPasswordTtlMs: number },
  input: {
    accountId: string;
    actor: Actor | ((a: Account) => Actor);
    action: "account.start_password_issued" | "password.reset_requested";
    clientAddress?: string;
    onlyActive?: boolean;
    start?: NewStartPassword;
  },
): Promise<Account | null> {
  const start = input.start ?? await newStartPassword(hasher, clock, ctx.startPasswordTtlMs);
  return await updateAccount(
    kv,
    input.accountId,
    (a) => input.onlyActive && a.status !== "active" ? null : { ...a, startPassword: start.record },
    (op, a) => {
      addStartPasswordSms(op, clock, ctx, a, start);
      addAudit(op, clock, {
        actor: typeof input.actor === "function" ? input.actor(a) : input.actor,
        action: input.action,
        target: { kind: "account", id: a.id },
        clientAddress: input.clientAddress,
      });
    },
  );
}

const FORGOT_PER_ADDRESS = { limit: 5, windowMs: 60 * 60_000 };
const FORGOT_PER_ACCOUNT = { limit: 3, windowMs: 24 * 60 * 60_000 };

/**
 * "Nie pamiętam hasła": a new start password by SMS to the number on file. Answers the same
 * whether or not the identifier exists (the caller shows one page). The new start password
 * also passes a lockout that began before it was sent (see `signInResident`).
 */
export async function requestStartPasswordBySms(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  ctx: MessageCtx & { startPasswordTtlMs: number },
  input: { identifier: string; clientAddress: string },
): Promise<{ ok: true } | { ok: false; reason: "rate_limited"; retryAt: Date }> {
  const perAddress = await consumeRateLimit(
    kv,
    clock,
    "forgot_address",
    input.clientAddress,
    FORGOT_PER_ADDRESS,
  );
  if (!perAddress.ok) return { ok: false, reason: "rate_limited", retryAt: perAddress.retryAt };
  const identifier = normalizeIdentifier(input.identifier);
  const account = identifier ? await getAccountByIdentifier(kv, identifier) : null;
  // Hash either way, so the answer takes as long whether or not the identifier exists.
  const start = await newStartPassword(hasher, clock, ctx.startPasswordTtlMs);
  if (
    account && account.status === "active" &&
    (await consumeRateLimit(kv, clock, "forgot_account", account.id, FORGOT_PER_ACCOUNT)).ok
  ) {
    await issueStartPassword(kv, clock, hasher, ctx, {
      accountId: account.id,
      actor: (a) => ({ kind: "resident", id: a.id, label: a.identifier }),
      action: "password.reset_requested",
      clientAddress: input.clientAddress,
      onlyActive: true,
      start,
    });
  }
  return { ok: true };
}

// --- lockout -------------------------------------------------------------------------------

export const FAILURES_BEFORE_LOCK = 5;
/** Each further lockout lasts longer: 1, 5, 15, 60 minutes, then 4 hours. */
const LOCK_MINUTES = [1, 5, 15, 60, 240];

export type LockoutState = {
  failures: number;
  lockouts: number;
  lockedUntil?: string;
  /** When the current lock began: a start password sent after it passes the lock. */
  lockedAt?: string;
};

async function readLockout(kv: Deno.Kv, identifier: string) {
  return await kv.get<LockoutState>(keys.lockouts(identifier));
}

function lockedUntil(state: LockoutState | null, now: number): Date | null {
  if (!state?.lockedUntil) return null;
  const until = Date.parse(state.lockedUntil);
  return until > now ? new Date(until) : null;
}

/**
 * Counts a failed login (or a wrong current password) for `identifier` — a resident's
 * identifier or `staff:<login>`; returns the lock's end when this failure locks it.
 * `addToSameOp` adds the audit entry that belongs to the failure.
 */
export async function recordLoginFailure(
  kv: Deno.Kv,
  clock: Clock,
  identifier: string,
  addToSameOp: (op: Deno.AtomicOperation, lockedUntil: Date | null) => void = () => {},
): Promise<Date | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await readLockout(kv, identifier);
    const state = entry.value ?? { failures: 0, lockouts: 0 };
    const failures = state.failures + 1;
    let next: LockoutState = { ...state, failures };
    let until: Date | null = null;
    if (failures >= FAILURES_BEFORE_LOCK) {
      const minutes = LOCK_MINUTES[Math.min(state.lockouts, LOCK_MINUTES.length - 1)];
      const now = clock().getTime();
      until = new Date(now + minutes * 60_000);
      next = {
        failures: 0,
        lockouts: state.lockouts + 1,
        lockedUntil: until.toISOString(),
        lockedAt: new Date(now).toISOString(),
      };
    }
    const op = kv.atomic().check(entry)
      .set(keys.lockouts(identifier), next, { expireIn: 24 * 60 * 60_000 });
    addToSameOp(op, until);
    if ((await op.commit()).ok) return until;
  }
  return null;
}

export async function getLockout(kv: Deno.Kv, clock: Clock, identifier: string) {
  return lockedUntil((await readLockout(kv, identifier)).value, clock().getTime());
}

/** A successful sign-in (or the office) lets the identifier try again at once. */
export function addClearLockout(op: Deno.AtomicOperation, identifier: string) {
  op.delete(keys.lockouts(identifier));
}

// --- sign-in -------------------------------------------------------------------------------

const LOGIN_PER_ADDRESS = { limit: 60, windowMs: 15 * 60_000 };

export type SignInResult =
  | { ok: true; account: Account; token: string; withStartPassword: boolean }
  | { ok: false; reason: "rate_limited"; retryAt: Date }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAt: Date }
  | { ok: false; reason: "blocked" }
  | { ok: false; reason: "start_password_expired" };

/**
 * A resident's sign-in: the per-address limit, the lockout, the password (their own or the
 * start password, which stays valid until they set their own, within its validity), then a new
 * session — opened with its audit entry, the lockout cleared and the previous cookie's session
 * ended (fixation), in one atomic operation.
 *
 * Every attempt that reaches the password costs exactly two Argon2id verifications (own and
 * start password, each against a fixed dummy hash when absent), so response time tells nothing
 * about which identifiers exist or hold a start password.
 */
export async function signInResident(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  input: { identifier: string; password: string; clientAddress: string; previousToken?: string },
): Promise<SignInResult> {
  const perAddress = await consumeRateLimit(
    kv,
    clock,
    "login_address",
    input.clientAddress,
    LOGIN_PER_ADDRESS,
  );
  if (!perAddress.ok) return { ok: false, reason: "rate_limited", retryAt: perAddress.retryAt };

  const { normalized, lockKey, lock, account, matched } = await checkPassword(kv, hasher, input);

  const now = clock().getTime();
  const anonymous: Actor = { kind: "anonymous", label: "—" };
  // Logged only when it has the shape of an identifier: never a password typed by mistake.
  const details = { identifier: normalized ?? "(niepoprawny)" };
  const audit = (op: Deno.AtomicOperation, action: AuditAction, actor: Actor = anonymous) =>
    addAudit(op, clock, { actor, action, details, clientAddress: input.clientAddress });

  const locked = lockedUntil(lock, now);
  // Someone else may lock an account on purpose: a start password sent after the lock began
  // ("Nie pamiętam hasła", or the office) passes it; guessing stays locked.
  const passesLock = matched === "start" && !!lock?.lockedAt &&
    Date.parse(account!.startPassword!.issuedAt) > Date.parse(lock.lockedAt);
  if (locked && !passesLock) {
    const op = kv.atomic();
    audit(op, "login.locked");
    await op.commit();
    return { ok: false, reason: "locked", retryAt: locked };
  }
  if (!account || !matched) {
    const until = await recordLoginFailure(
      kv,
      clock,
      lockKey,
      (op, until) => audit(op, until ? "login.locked" : "login.invalid"),
    );
    return until
      ? { ok: false, reason: "locked", retryAt: until }
      : { ok: false, reason: "invalid" };
  }
  const resident: Actor = { kind: "resident", id: account.id, label: account.identifier };
  const refuse = async (reason: "blocked" | "start_password_expired") => {
    // The password was right: the lockout's count starts afresh, as after any right password.
    const op = kv.atomic();
    addClearLockout(op, lockKey);
    audit(op, `login.${reason}`, resident);
    await op.commit();
    return { ok: false as const, reason };
  };
  if (account.status === "blocked") return await refuse("blocked");
  const withStartPassword = matched === "start";
  if (withStartPassword && Date.parse(account.startPassword!.expiresAt) <= now) {
    return await refuse("start_password_expired");
  }

  const op = kv.atomic();
  addClearLockout(op, lockKey);
  const { token } = await addResidentSignIn(op, kv, clock, {
    account,
    withStartPassword,
    previousToken: input.previousToken,
  });
  audit(op, withStartPassword ? "login.start_password" : "login.ok", resident);
  await op.commit();
  return { ok: true, account, token, withStartPassword };
}

/**
 * The identifier normalised, the lockout read, and the password checked against the account's
 * own and start password — always two Argon2id verifications (see `signInResident`).
 */
async function checkPassword(
  kv: Deno.Kv,
  hasher: PasswordHasher,
  input: { identifier: string; password: string },
) {
  const normalized = normalizeIdentifier(input.identifier);
  const lockKey = normalized ?? input.identifier.trim().toUpperCase();
  const lock = (await readLockout(kv, lockKey)).value;
  const account = normalized ? await getAccountByIdentifier(kv, normalized) : null;
  const ownOk = await hasher.verify(input.password, account?.passwordHash ?? DUMMY_PASSWORD_HASH);
  const startOk = await hasher.verify(
    input.password,
    account?.startPassword?.hash ?? DUMMY_PASSWORD_HASH,
  );
  const matched = !account ? null : ownOk ? "own" : startOk ? "start" : null;
  return { normalized, lockKey, lock, account, matched };
}

/** Adds to `op` the new session, ending the one of the previous cookie (fixation). */
async function addResidentSignIn(
  op: Deno.AtomicOperation,
  kv: Deno.Kv,
  clock: Clock,
  s: { account: Account; withStartPassword: boolean; previousToken?: string },
): Promise<{ token: string }> {
  const previousId = s.previousToken ? sessionIdOfToken(s.previousToken) : null;
  if (previousId) {
    const previous = (await kv.get<Session>(keys.sessions(previousId))).value;
    if (previous) addEndSessions(op, "resident", previous.ownerId, [previousId]);
  }
  const { token } = addNewSession(op, clock, "resident", s.account.id, {
    restricted: s.withStartPassword,
  });
  return { token };
}
