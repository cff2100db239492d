/** Resident accounts: identifier, contact data, linked units, password state. */
import type { Clock } from "./clock.ts";
import { newId } from "./ids.ts";
import { newIdentifier } from "./identifier.ts";
import { keys } from "./keys.ts";

export type AccountStatus = "active" | "blocked";

export type Account = {
  id: string;
  identifier: string;
  firstName: string;
  lastName: string;
  email: string;
  /** E.164, e.g. +48600123456. */
  phone: string;
  unitIds: string[];
  status: AccountStatus;
  /** Argon2id PHC string of the current password (a start password until changed). */
  passwordHash: string;
  /** True while the password is a start password: only /zmiana-hasla opens. */
  mustChangePassword: boolean;
  startPasswordExpiresAt?: string;
  createdAt: string;
  passwordChangedAt?: string;
  /** The registration request this account was created from. */
  requestId?: string;
};

export type NewAccount = Omit<Account, "id" | "identifier" | "createdAt" | "status">;

/**
 * Creates an account under a fresh identifier, unique by an atomic check. `addToSameOp` lets
 * the caller add what must happen together (the e-mail and SMS, the request's new status).
 * Returns null when the caller's own checks failed (someone else changed that state first).
 */
export async function createAccount(
  kv: Deno.Kv,
  clock: Clock,
  draft: NewAccount,
  addToSameOp: (op: Deno.AtomicOperation, account: Account) => void = () => {},
): Promise<Account | null> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const now = clock();
    const account: Account = {
      ...draft,
      id: newId(now),
      identifier: newIdentifier(),
      status: "active",
      createdAt: now.toISOString(),
    };
    const op = kv.atomic()
      .check({ key: keys.accountsByIdentifier(account.identifier), versionstamp: null })
      .set(keys.accounts(account.id), account)
      .set(keys.accountsByIdentifier(account.identifier), account.id);
    for (const unitId of account.unitIds) op.set(keys.accountsByUnit(unitId, account.id), account.id);
    addToSameOp(op, account);
    if ((await op.commit()).ok) return account;
    const taken = await kv.get(keys.accountsByIdentifier(account.identifier));
    if (taken.versionstamp === null) return null;
  }
  throw new Error("could not find a free identifier in 10 attempts");
}

export async function getAccount(kv: Deno.Kv, accountId: string): Promise<Account | null> {
  return (await kv.get<Account>(keys.accounts(accountId))).value;
}

export async function getAccountByIdentifier(
  kv: Deno.Kv,
  identifier: string,
): Promise<Account | null> {
  const id = await kv.get<string>(keys.accountsByIdentifier(identifier));
  return id.value ? await getAccount(kv, id.value) : null;
}
