/** Staff accounts of the cooperative's office: login, Argon2id password, TOTP secret, role. */
import { addAuditBy, type AuditBy } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { clearLockout, getLockout, recordLoginFailure } from "./credentials.ts";
import { invalidateOwnerSessions } from "./sessions.ts";
import type { PasswordHasher } from "./password.ts";
import { newTotpSecret, verifyTotp } from "./totp.ts";

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

export type CreateStaffResult =
  | { ok: true; staff: Staff; totpSecret: string }
  | { ok: false; reason: "login_taken" | "invalid_login" };

export async function createStaff(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  input: { login: string; password: string; name: string; role: StaffRole; totpSecret?: string },
  by?: AuditBy,
): Promise<CreateStaffResult> {
  const login = normalizeStaffLogin(input.login);
  if (!STAFF_LOGIN_PATTERN.test(login)) return { ok: false, reason: "invalid_login" };
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

export type StaffLoginResult =
  | { ok: true; staff: Staff }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAt: Date };

let dummyHash: Promise<string> | undefined;

/**
 * Login, password and a TOTP code, all three or nothing (one answer for any wrong part).
 * A code is accepted once: a replayed code is refused.
 */
export async function verifyStaffLogin(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  input: { login: string; password: string; totp: string },
): Promise<StaffLoginResult> {
  const login = normalizeStaffLogin(input.login);
  const lockKey = `staff:${login}`;
  const locked = await getLockout(kv, clock, lockKey);
  if (locked) return { ok: false, reason: "locked", retryAt: locked };
  const staff = STAFF_LOGIN_PATTERN.test(login) ? await getStaffByLogin(kv, login) : null;
  let passwordOk = false;
  if (staff) passwordOk = await hasher.verify(input.password, staff.passwordHash);
  else {
    dummyHash ??= hasher.hash("brak-takiego-pracownika");
    await hasher.verify(input.password, await dummyHash);
  }
  const code = input.totp.replace(/\s+/g, "");
  let totpOk = false;
  if (staff && passwordOk && staff.active && verifyTotp(staff.totpSecret, code)) {
    // Remember the code so the same one cannot be used twice within its validity.
    const last = await kv.get<string>(keys.staffTotpLastUsed(staff.id));
    if (last.value !== code) {
      const res = await kv.atomic().check(last)
        .set(keys.staffTotpLastUsed(staff.id), code, { expireIn: 120_000 }).commit();
      totpOk = res.ok;
    }
  }
  if (!staff || !totpOk) {
    const until = await recordLoginFailure(kv, clock, lockKey);
    return until
      ? { ok: false, reason: "locked", retryAt: until }
      : { ok: false, reason: "invalid" };
  }
  await clearLockout(kv, lockKey);
  return { ok: true, staff };
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

/** A staff member's own password change; other staff sessions end with it (the caller's stays). */
export async function changeStaffPassword(
  kv: Deno.Kv,
  hasher: PasswordHasher,
  staffId: string,
  current: string,
  next: string,
): Promise<{ ok: true } | { ok: false; reason: "wrong_current" | "missing" }> {
  const entry = await kv.get<Staff>(keys.staff(staffId));
  if (!entry.value) return { ok: false, reason: "missing" };
  if (!(await hasher.verify(current, entry.value.passwordHash))) {
    return { ok: false, reason: "wrong_current" };
  }
  const passwordHash = await hasher.hash(next);
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = await kv.get<Staff>(keys.staff(staffId));
    if (!now.value) return { ok: false, reason: "missing" };
    const ok = await kv.atomic().check(now).set(keys.staff(staffId), { ...now.value, passwordHash })
      .commit();
    if (ok.ok) return { ok: true };
  }
  return { ok: false, reason: "missing" };
}
