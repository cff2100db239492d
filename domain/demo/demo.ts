/**
 * Development demo: an empty database gets a demo cooperative, a resident who has already
 * changed the start password, and a staff account. Their logins are kept so every start can
 * print them.
 */
import { createAccount, getAccount } from "../accounts/accounts.ts";
import type { Clock } from "../shared/clock.ts";
import { setDataFreshness } from "../backoffice/data_freshness.ts";
import { setBuildingAverageEnabled } from "../water/water_comparison.ts";
import { seedDemoCooperative } from "./demo_data.ts";
import { keys } from "../shared/keys.ts";
import type { PasswordHasher } from "../accounts/password.ts";
import { createStaff, getStaffByLogin } from "../accounts/staff.ts";

export const DEMO_RESIDENT_PASSWORD = "Nadodrze2026";
export const DEMO_STAFF_LOGIN = "biuro";
export const DEMO_STAFF_PASSWORD = "Biuro-Nadodrze-2026";

export type DemoLogins = {
  resident: { identifier: string; password: string };
  staff: { login: string; password: string; totpSecret: string };
};

type DemoMarker = { residentAccountId: string; seededAt: string };

/** Seeds only a database that holds nothing yet; returns the demo logins either way, if any. */
export async function seedDemoIfEmpty(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
): Promise<DemoLogins | undefined> {
  const marker = await kv.get<DemoMarker>(keys.settings("demo"));
  if (marker.value) return await readDemoLogins(kv, marker.value);
  for await (const _ of kv.list({ prefix: [] }, { limit: 1 })) return undefined;

  const coop = await seedDemoCooperative(kv, clock);
  await setDataFreshness(kv, { asOf: clock().toISOString(), source: "dane demonstracyjne" });
  await setBuildingAverageEnabled(kv, true);
  const r = coop.demoResident;
  const now = clock();
  const account = await createAccount(kv, clock, {
    firstName: r.firstName,
    lastName: r.lastName,
    email: r.email,
    phone: r.phone,
    unitIds: [r.flatUnitId, r.garageUnitId],
    passwordHash: await hasher.hash(DEMO_RESIDENT_PASSWORD),
    passwordChangedAt: now.toISOString(),
  });
  if (!account) throw new Error("demo resident could not be created");
  const staff = await createStaff(kv, clock, hasher, {
    login: DEMO_STAFF_LOGIN,
    password: DEMO_STAFF_PASSWORD,
    name: "Anna Biurowa",
    role: "admin",
  });
  if (!staff.ok) throw new Error(`demo staff could not be created: ${staff.reason}`);
  const seeded: DemoMarker = { residentAccountId: account.id, seededAt: now.toISOString() };
  await kv.set(keys.settings("demo"), seeded);
  return await readDemoLogins(kv, seeded);
}

async function readDemoLogins(kv: Deno.Kv, marker: DemoMarker): Promise<DemoLogins | undefined> {
  const account = await getAccount(kv, marker.residentAccountId);
  const staff = await getStaffByLogin(kv, DEMO_STAFF_LOGIN);
  if (!account || !staff) return undefined;
  return {
    resident: { identifier: account.identifier, password: DEMO_RESIDENT_PASSWORD },
    staff: { login: staff.login, password: DEMO_STAFF_PASSWORD, totpSecret: staff.totpSecret },
  };
}
