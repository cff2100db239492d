/** Resident accounts: identifier, contact data, linked units, status and credentials. */
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { newIdentifier } from "../access/identifier.ts";
import { keys } from "../shared/keys.ts";
import type { NotificationPrefs } from "./notification_prefs.ts";

export type AccountStatus = "active" | "blocked";

/** A one-time password sent by SMS: for the first login and for "Nie pamiętam hasła". */
export type StartPassword = {
  hash: string;
  issuedAt: string;
  expiresAt: string;
  usedAt?: string;
};

export type Account = {
  id: string;
  identifier: string;
  firstName: string;
  lastName: string;
  /** Lower-cased. */
  email: string;
  /** E.164, e.g. +48600123456. */
  phone: string;
  unitIds: string[];
  status: AccountStatus;
  /** Argon2id PHC string of the resident's own password; null until the first change. */
  passwordHash: string | null;
  startPassword?: StartPassword;
  createdAt: string;
  passwordChangedAt?: string;
  /** The registration request this account was created from. */
  requestId?: string;
  /** E-mail notices the resident chose (notification_prefs.ts); missing = on. */
  notifications?: Partial<NotificationPrefs>;
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
      email: draft.email.toLowerCase(),
      id: newId(now),
      identifier: newIdentifier(),
      status: "active",
      createdAt: now.toISOString(),
    };
    const op = kv.atomic()
      .check({ key: keys.accountsByIdentifier(account.identifier), versionstamp: null })
      .set(keys.accounts(account.id), account)
      .set(keys.accountsByIdentifier(account.identifier), account.id)
      .set(keys.accountsByEmail(account.email, account.id), account.id);
    for (const unitId of account.unitIds) {
      op.set(keys.accountsByUnit(unitId, account.id), account.id);
    }
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

export async function getAccountEntry(kv: Deno.Kv, accountId: string) {
  return await kv.get<Account>(keys.accounts(accountId));
}

export async function getAccountByIdentifier(
  kv: Deno.Kv,
  identifier: string,
): Promise<Account | null> {
  const id = await kv.get<string>(keys.accountsByIdentifier(identifier));
  return id.value ? await getAccount(kv, id.value) : null;
}

export async function listAccountsByEmail(kv: Deno.Kv, email: string): Promise<Account[]> {
  const out: Account[] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.accountsByEmailAll(email.toLowerCase()) })
  ) {
    const account = await getAccount(kv, e.value);
    if (account) out.push(account);
  }
  return out;
}

/** Newest first. */
export async function listAccounts(kv: Deno.Kv, limit = 200): Promise<Account[]> {
  const out: Account[] = [];
  for await (
    const e of kv.list<Account>({ prefix: keys.accountsAll() }, { limit, reverse: true })
  ) {
    out.push(e.value);
  }
  return out;
}

/**
 * Writes a new version of an account if nobody changed it meanwhile; `addToSameOp` adds the
 * messages and audit entries that belong to the change. Retries a bounded number of times.
 */
export async function updateAccount(
  kv: Deno.Kv,
  accountId: string,
  change: (account: Account) => Account | null,
  addToSameOp: (op: Deno.AtomicOperation, next: Account) => void = () => {},
): Promise<Account | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<Account>(keys.accounts(accountId));
    if (!entry.value) return null;
    const next = change(entry.value);
    if (!next) return null;
    const op = kv.atomic().check(entry).set(keys.accounts(accountId), next);
    addToSameOp(op, next);
    if ((await op.commit()).ok) return next;
  }
  throw new Error(`account ${accountId} kept changing; update abandoned`);
}

/** Moves the account in the e-mail index from one address to another (in the caller's op). */
export function addMoveEmailIndex(
  op: Deno.AtomicOperation,
  accountId: string,
  from: string,
  to: string,
): void {
  op.delete(keys.accountsByEmail(from, accountId)).set(
    keys.accountsByEmail(to, accountId),
    accountId,
  );
}
