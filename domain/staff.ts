/** Staff accounts of the cooperative's office: login, Argon2id password, TOTP secret, role. */
import type { Clock } from "./clock.ts";
import { newId } from "./ids.ts";
import { keys } from "./keys.ts";
import type { PasswordHasher } from "./password.ts";
import { newTotpSecret } from "./totp.ts";

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
  const result = await kv.atomic()
    .check({ key: keys.staffByLogin(login), versionstamp: null })
    .set(keys.staff(staff.id), staff)
    .set(keys.staffByLogin(login), staff.id)
    .commit();
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
