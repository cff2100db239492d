/** Staff accounts of the cooperative's office: login, Argon2id password, TOTP secret, role. */
import type { AuditAction } from "../backoffice/audit_actions.ts";
import { type Actor, addAudit, addAuditBy, type AuditBy } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { addClearLockout, getLockout, recordLoginFailure } from "./credentials.ts";
import { DUMMY_PASSWORD_HASH, type PasswordHasher } from "./password.ts";
import { type PasswordErrors, validateNewPassword } from "./password_rule.ts";
import { consumeRateLimit } from "./rate_limit.ts";
import {
  addEndSessions,
  addNewSession,
  invalidateOwnerSessions,
  listOwnerSessionIds,
  type Session,
  sessionIdOfToken,
} from "./sessions.ts";
import { newTotpSecret, verifyTotpStep } from "./totp.ts";

export type StaffRole = "admin" | "office";

export type Staff = {
  id: string;
  login: string;
  name: string;
  role: StaffRole;
  passwordHash: string;
  totpSecret: string;
  active: boolean;
  createdAt: string;
};

export const STAFF_LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{2,31}$/;

export function normalizeStaffLogin(login: string): string {
  return login.trim().toLowerCase();
}

export function staffAuditActor(staff: Staff): Actor {
  return { kind: "staff", id: staff.id, label: `${staff.name} (${staff.login})` };
}

export type CreateStaffResult =
  | { ok: true; staff: Staff; totpSecret: string }
  | { ok: false; reason: "login_taken" | "invalid_login" }
  /** `message`: what the staff password rule (12+ characters…) says, in Polish. */
  | { ok: false; reason: "weak_password"; message: string };

/**
 * A new staff account, under the staff password rule (the same for the web and the CLI).
 * With `actor`, the audit entry lands in the same atomic operation.
 */
export async function createStaff(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  input: { login: string; password: string; name: string; role: StaffRole; totpSecret?: string },
  by?: AuditBy,
): Promise<CreateStaffResult> {
  const login = normalizeStaffLogin(input.login);
  if (!STAFF_LOGIN_PATTERN.test(login)) return { ok: false, reason: "invalid_login" };
  const weak = validateNewPassword(input.password, undefined, { holder: "staff" }).new_password;
  if (weak) return { ok: false, reason: "weak_password", message: weak };
  const now = clock();
  const totpSecret = input.totpSecret ?? newTotpSecret();
  const staff: Staff = {
    id: newId(now),
    login,
    name: input.name.trim(),
    role: input.role,
    passwordHash: await hasher.hash(input.password),
    totpSecret,
    active: true,
    createdAt: now.toISOString(),
  };
  const op = kv.atomic()
    .check({ key: keys.staffByLogin(login), versionstamp: null })
    .set(keys.staff(staff.id), staff)
    .set(keys.staffByLogin(login), staff.id);
  addAuditBy(op, by, {
    action: "staff.created",
    target: { kind: "staff", id: staff.id },
    details: { login: staff.login, role: staff.role },
  });
  const result = await op.commit();
  return result.ok ? { ok: true, staff, totpSecret } : { ok: false, reason: "login_taken" };
}

export async function getStaffByLogin(kv: Deno.Kv, login: string): Promise<Staff | null> {
  const id = await kv.get<string>(keys.staffByLogin(normalizeStaffLogin(login)));
  if (!id.value) return null;
  return (await kv.get<Staff>(keys.staff(id.value))).value;
}

export async function getStaff(kv: Deno.Kv, staffId: string): Promise<Staff | null> {
  return (await kv.get<Staff>(keys.staff(staffId))).value;
}

const STAFF_LOGIN_PER_ADDRESS = { limit: 20, windowMs: 15 * 60_000 };

export type StaffSignInResult =
  | { ok: true; staff: Staff; token: string }
  | { ok: false; reason: "rate_limited"; retryAt: Date }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAt: Date };

/**
 * Login, password and a TOTP code, all three or nothing (one answer for any wrong part).
 * A code's time step is accepted once, and only when later than the last accepted one (an
 * atomic check, so two concurrent logins with one code let one in). The step, the new session,
 * the audit entry and the cleared lockout land in one atomic operation.
 *
 * TOTP follows the wall clock, as the staff member's phone does, not the app's clock.
 */
export async function signInStaff(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  input: {
    login: string;
    password: string;
    totp: string;
    clientAddress: string;
    previousToken?: string;
    totpAtMs?: number;
  },
): Promise<StaffSignInResult> {
  const limited = await consumeRateLimit(
    kv,
    clock,
    "staff_login_address",
    input.clientAddress,
    STAFF_LOGIN_PER_ADDRESS,
  );
  if (!limited.ok) return { ok: false, reason: "rate_limited", retryAt: limited.retryAt };
  const login = normalizeStaffLogin(input.login);
  const lockKey = `staff:${login}`;
  // What was typed is logged only when it looks like a login: never a mistyped password.
  const anonymous: Actor = {
    kind: "anonymous",
    label: STAFF_LOGIN_PATTERN.test(login) ? login : "—",
  };
  const audit = (op: Deno.AtomicOperation, action: AuditAction, actor: Actor = anonymous) =>
    addAudit(op, clock, { actor, action, clientAddress: input.clientAddress });
  const locked = await getLockout(kv, clock, lockKey);
  if (locked) {
    const op = kv.atomic();
    audit(op, "staff_login.locked");
    await op.commit();
    return { ok: false, reason: "locked", retryAt: locked };
  }
  const staff = STAFF_LOGIN_PATTERN.test(login) ? await getStaffByLogin(kv, login) : null;
  const passwordOk = await hasher.verify(
    input.password,
    staff?.passwordHash ?? DUMMY_PASSWORD_HASH,
  );
  const code = input.totp.replace(/\s+/g, "");
  const step = staff && passwordOk && staff.active
    ? verifyTotpStep(staff.totpSecret, code, input.totpAtMs ?? Date.now())
    : null;
  if (staff && step !== null) {
    const last = await kv.get<unknown>(keys.staffTotpLastUsed(staff.id));
    const lastStep = typeof last.value === "number" ? last.value : -1;
    if (step > lastStep) {
      const op = kv.atomic().check(last)
        .set(keys.staffTotpLastUsed(staff.id), step, { expireIn: 5 * 60_000 });
      addClearLockout(op, lockKey);
      const previousId = input.previousToken ? sessionIdOfToken(input.previousToken) : null;
      if (previousId) {
        const previous = (await kv.get<Session>(keys.staffSessions(previousId))).value;
        if (previous) addEndSessions(op, "staff", previous.ownerId, [previousId]);
      }
      const { token } = addNewSession(op, clock, "staff", staff.id);
      audit(op, "staff_login.ok", staffAuditActor(staff));
      if ((await op.commit()).ok) return { ok: true, staff, token };
    }
  }
  const until = await recordLoginFailure(
    kv,
    clock,
    lockKey,
    (op, until) => audit(op, until ? "staff_login.locked" : "staff_login.invalid"),
  );
  return until ? { ok: false, reason: "locked", retryAt: until } : { ok: false, reason: "invalid" };
}

export async function listStaff(kv: Deno.Kv): Promise<Staff[]> {
  const out: Staff[] = [];
  for await (const e of kv.list<Staff>({ prefix: keys.staffAll() })) out.push(e.value);
  return out;
}

/**
 * Switches a staff account on or off, with its audit entry in the same operation. Deactivating
 * keeps the record (the audit log refers to it) and then ends its sessions (the guard already
 * refuses an inactive account on its next request, so that is only tidying up).
 */
export async function setStaffActive(
  kv: Deno.Kv,
  staffId: string,
  active: boolean,
  by?: AuditBy,
): Promise<Staff | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<Staff>(keys.staff(staffId));
    if (!entry.value) return null;
    const next = { ...entry.value, active };
    const op = kv.atomic().check(entry).set(keys.staff(staffId), next);
    addAuditBy(op, by, {
      action: active ? "staff.activated" : "staff.deactivated",
      target: { kind: "staff", id: staffId },
    });
    if ((await op.commit()).ok) {
      if (!active) await invalidateOwnerSessions(kv, "staff", staffId);
      return next;
    }
  }
  return null;
}

export type StaffPasswordResult =
  | { ok: true; token: string }
  | { ok: false; reason: "invalid"; errors: PasswordErrors }
  | { ok: false; reason: "locked"; retryAt: Date }
  | { ok: false; reason: "already_changed" | "missing" };

/**
 * A staff member's own password change, under the staff rule. A wrong current password counts
 * with the staff login lockout. The new hash, the audit entry, the end of every session of
 * theirs and a new session for this browser (a new token) land in one atomic operation, and
 * only while the password verified is still the current one.
 */
export async function changeStaffPassword(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  input: { staff: Staff; current: string; next: string; confirm: string; clientAddress?: string },
): Promise<StaffPasswordResult> {
  const { staff } = input;
  const lockKey = `staff:${staff.login}`;
  const locked = await getLockout(kv, clock, lockKey);
  if (locked) return { ok: false, reason: "locked", retryAt: locked };
  const errors = validateNewPassword(input.next, input.confirm, {
    holder: "staff",
    current: input.current,
  });
  if (!input.current) errors.current_password = "Podaj obecne hasło.";
  else if (!(await hasher.verify(input.current, staff.passwordHash))) {
    const until = await recordLoginFailure(kv, clock, lockKey);
    if (until) return { ok: false, reason: "locked", retryAt: until };
    errors.current_password = "Obecne hasło jest nieprawidłowe.";
  }
  if (Object.keys(errors).length) return { ok: false, reason: "invalid", errors };
  const passwordHash = await hasher.hash(input.next);
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<Staff>(keys.staff(staff.id));
    if (!entry.value || !entry.value.active) return { ok: false, reason: "missing" };
    if (entry.value.passwordHash !== staff.passwordHash) {
      return { ok: false, reason: "already_changed" };
    }
    const sessionIds = (await listOwnerSessionIds(kv, "staff", staff.id)).slice(0, 300);
    const op = kv.atomic().check(entry).set(keys.staff(staff.id), { ...entry.value, passwordHash });
    addEndSessions(op, "staff", staff.id, sessionIds);
    const fresh = addNewSession(op, clock, "staff", staff.id);
    addClearLockout(op, lockKey);
    addAudit(op, clock, {
      actor: staffAuditActor(staff),
      action: "staff.password_changed",
      clientAddress: input.clientAddress,
    });
    if ((await op.commit()).ok) {
      await invalidateOwnerSessions(kv, "staff", staff.id, fresh.session.id);
      return { ok: true, token: fresh.token };
    }
  }
  throw new Error(`staff ${staff.id} kept changing; password change abandoned`);
}
