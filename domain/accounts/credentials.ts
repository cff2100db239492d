/**
 * Resident credentials: start passwords, login with progressive lockout, password change.
 * Expected outcomes are returned as discriminated unions, not thrown.
 */
import {
  type Account,
  getAccountByIdentifier,
  type StartPassword,
  updateAccount,
} from "./accounts.ts";
import type { Clock } from "../shared/clock.ts";
import { isCommonPassword } from "./common_passwords.ts";
import { randomInt } from "../shared/ids.ts";
import { normalizeIdentifier } from "../access/identifier.ts";
import { keys } from "../shared/keys.ts";
import type { PasswordHasher } from "./password.ts";
import { checkPasswordRule } from "./password_rule.ts";

export const DEFAULT_START_PASSWORD_TTL_MS = 7 * 24 * 60 * 60_000;

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

export async function newStartPassword(
  hasher: PasswordHasher,
  clock: Clock,
  ttlMs: number,
): Promise<{ plain: string; record: StartPassword }> {
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

// --- lockout -------------------------------------------------------------------------------

export const FAILURES_BEFORE_LOCK = 5;
/** Each further lockout lasts longer: 1, 5, 15, 60 minutes, then 4 hours. */
const LOCK_MINUTES = [1, 5, 15, 60, 240];

export type LockoutState = { failures: number; lockouts: number; lockedUntil?: string };

async function readLockout(kv: Deno.Kv, identifier: string) {
  return await kv.get<LockoutState>(keys.lockouts(identifier));
}

function lockedUntil(state: LockoutState | null, now: number): Date | null {
  if (!state?.lockedUntil) return null;
  const until = Date.parse(state.lockedUntil);
  return until > now ? new Date(until) : null;
}

/** Counts a failed login for `identifier`; returns the lock's end when this failure locks it. */
export async function recordLoginFailure(
  kv: Deno.Kv,
  clock: Clock,
  identifier: string,
): Promise<Date | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await readLockout(kv, identifier);
    const state = entry.value ?? { failures: 0, lockouts: 0 };
    const failures = state.failures + 1;
    let next: LockoutState = { ...state, failures };
    let until: Date | null = null;
    if (failures >= FAILURES_BEFORE_LOCK) {
      const minutes = LOCK_MINUTES[Math.min(state.lockouts, LOCK_MINUTES.length - 1)];
      until = new Date(clock().getTime() + minutes * 60_000);
      next = { failures: 0, lockouts: state.lockouts + 1, lockedUntil: until.toISOString() };
    }
    const ok = await kv.atomic().check(entry)
      .set(keys.lockouts(identifier), next, { expireIn: 24 * 60 * 60_000 }).commit();
    if (ok.ok) return until;
  }
  return null;
}

export async function getLockout(kv: Deno.Kv, clock: Clock, identifier: string) {
  return lockedUntil((await readLockout(kv, identifier)).value, clock().getTime());
}

/** Staff action: lets the resident try again at once. */
export async function clearLockout(kv: Deno.Kv, identifier: string) {
  await kv.delete(keys.lockouts(identifier));
}

// --- login ---------------------------------------------------------------------------------

export type LoginResult =
  | { ok: true; account: Account; withStartPassword: boolean }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAt: Date }
  | { ok: false; reason: "blocked" }
  | { ok: false; reason: "start_password_expired" }
  | { ok: false; reason: "start_password_used" };

/** Hash of a throw-away password, so an unknown identifier costs the same time as a known one. */
let dummyHash: Promise<string> | undefined;

export async function verifyResidentLogin(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  identifierInput: string,
  password: string,
): Promise<LoginResult> {
  const identifier = normalizeIdentifier(identifierInput) ?? identifierInput.trim().toUpperCase();
  const locked = lockedUntil((await readLockout(kv, identifier)).value, clock().getTime());
  if (locked) return { ok: false, reason: "locked", retryAt: locked };

  const account = normalizeIdentifier(identifierInput)
    ? await getAccountByIdentifier(kv, identifier)
    : null;
  const matched = account ? await matchPassword(hasher, account, password) : null;
  if (!account) {
    dummyHash ??= hasher.hash("nie-ma-takiego-konta");
    await hasher.verify(password, await dummyHash);
  }
  if (!account || !matched) {
    const until = await recordLoginFailure(kv, clock, identifier);
    return until
      ? { ok: false, reason: "locked", retryAt: until }
      : { ok: false, reason: "invalid" };
  }
  await clearLockout(kv, identifier);
  if (account.status === "blocked") return { ok: false, reason: "blocked" };
  if (matched === "own") return { ok: true, account, withStartPassword: false };

  const start = account.startPassword!;
  if (start.usedAt) return { ok: false, reason: "start_password_used" };
  if (Date.parse(start.expiresAt) <= clock().getTime()) {
    return { ok: false, reason: "start_password_expired" };
  }
  // A start password works once: mark it used as this login goes through.
  const used = await updateAccount(
    kv,
    account.id,
    (a) =>
      a.startPassword?.hash === start.hash && !a.startPassword.usedAt
        ? { ...a, startPassword: { ...a.startPassword, usedAt: clock().toISOString() } }
        : null,
  );
  if (!used) return { ok: false, reason: "start_password_used" };
  return { ok: true, account: used, withStartPassword: true };
}

async function matchPassword(
  hasher: PasswordHasher,
  account: Account,
  password: string,
): Promise<"own" | "start" | null> {
  if (account.passwordHash && await hasher.verify(password, account.passwordHash)) return "own";
  if (account.startPassword && await hasher.verify(password, account.startPassword.hash)) {
    return "start";
  }
  return null;
}

// --- password change -----------------------------------------------------------------------

/** Long passphrases are welcome; the cap only keeps hashing cost bounded. Never truncated. */
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordField = "current_password" | "new_password" | "new_password_confirm";
export type PasswordErrors = Partial<Record<PasswordField, string>>;

/** The rule, the common-password list and the confirmation; no hashing involved. */
export function validateNewPassword(
  next: string,
  confirm: string | undefined,
  context: { identifier: string; current?: string },
): PasswordErrors {
  const errors: PasswordErrors = {};
  const problems = checkPasswordRule(next);
  if (!next) errors.new_password = "Podaj nowe hasło.";
  else if ([...next].length > PASSWORD_MAX_LENGTH) {
    errors.new_password = `Hasło może mieć najwyżej ${PASSWORD_MAX_LENGTH} znaków.`;
  } else if (problems.length) errors.new_password = problems.join(" ");
  else if (isCommonPassword(next)) {
    errors.new_password = "To hasło jest zbyt popularne i łatwe do odgadnięcia. Wybierz inne.";
  } else if (next.toUpperCase().includes(context.identifier.replace("-", ""))) {
    errors.new_password = "Hasło nie może zawierać Identyfikatora.";
  } else if (context.current !== undefined && next === context.current) {
    errors.new_password = "Nowe hasło musi się różnić od obecnego.";
  }
  if (confirm !== undefined && !errors.new_password && next !== confirm) {
    errors.new_password_confirm = "Hasła nie są takie same.";
  }
  return errors;
}

export type ChangePasswordResult = { ok: true; account: Account } | {
  ok: false;
  errors: PasswordErrors;
};

/**
 * Sets the resident's own password. `withStartPassword`: the session was opened with the
 * start password, so that is what "current password" must be.
 */
export async function changePassword(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  input: {
    account: Account;
    withStartPassword: boolean;
    current: string;
    next: string;
    confirm: string;
  },
  addToSameOp: (op: Deno.AtomicOperation, account: Account) => void = () => {},
): Promise<ChangePasswordResult> {
  const { account } = input;
  const errors = validateNewPassword(input.next, input.confirm, {
    identifier: account.identifier,
    current: input.current,
  });
  if (!input.current) errors.current_password = "Podaj obecne hasło.";
  if (Object.keys(errors).length) return { ok: false, errors };

  const currentHash = input.withStartPassword ? account.startPassword?.hash : account.passwordHash;
  if (!currentHash || !(await hasher.verify(input.current, currentHash))) {
    return {
      ok: false,
      errors: {
        current_password: input.withStartPassword
          ? "Hasło startowe jest nieprawidłowe."
          : "Obecne hasło jest nieprawidłowe.",
      },
    };
  }
  const newHash = await hasher.hash(input.next);
  const now = clock().toISOString();
  const updated = await updateAccount(
    kv,
    account.id,
    (a) => ({ ...a, passwordHash: newHash, startPassword: undefined, passwordChangedAt: now }),
    addToSameOp,
  );
  if (!updated) return { ok: false, errors: { current_password: "Konto nie jest dostępne." } };
  return { ok: true, account: updated };
}
