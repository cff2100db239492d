/**
 * What the office does for a resident on the phone: resend the identifier, change contact
 * data (telling the old address), block and unblock, lift a login lockout, link units, send a
 * new start password (`issueStartPassword` in credentials.ts). Each change lands in one
 * atomic operation with its messages and audit entry; sessions end where the change requires.
 */
import { type Account, addMoveEmailIndex, updateAccount } from "./accounts.ts";
import { type Actor, addAudit } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import { keys } from "../shared/keys.ts";
import { addMessage } from "../messaging/messages.ts";
import { contactChangedEmail, identifierEmail } from "../messaging/notifications.ts";
import { addEndSessions, invalidateOwnerSessions, listOwnerSessionIds } from "./sessions.ts";
import { addClearLockout } from "./credentials.ts";
import { findUnitsByAddress } from "../backoffice/register.ts";

type Ctx = { coop: CooperativeProfile; baseUrl: string };

export async function resendIdentifier(
  kv: Deno.Kv,
  clock: Clock,
  ctx: Ctx,
  accountId: string,
  staff: Actor,
): Promise<Account | null> {
  return await updateAccount(kv, accountId, (a) => a, (op, a) => {
    addMessage(
      op,
      clock,
      identifierEmail(ctx, {
        email: a.email,
        firstName: a.firstName,
        identifier: a.identifier,
        accountId: a.id,
      }),
    );
    addAudit(op, clock, {
      actor: staff,
      action: "account.identifier_resent",
      target: { kind: "account", id: a.id },
    });
  });
}

export type ContactChange = { email?: string; phone?: string };

/**
 * New e-mail and/or phone. The old e-mail address is told (so a hijacked change is noticed),
 * the e-mail index moves with the address.
 */
export async function changeContact(
  kv: Deno.Kv,
  clock: Clock,
  ctx: Ctx,
  accountId: string,
  change: ContactChange,
  staff: Actor,
): Promise<Account | null> {
  let before: Account | undefined;
  return await updateAccount(kv, accountId, (a) => {
    before = a;
    const email = change.email?.toLowerCase() ?? a.email;
    const phone = change.phone ?? a.phone;
    if (email === a.email && phone === a.phone) return null;
    return { ...a, email, phone };
  }, (op, a) => {
    const old = before!;
    if (old.email !== a.email) addMoveEmailIndex(op, a.id, old.email, a.email);
    const what = [
      old.email !== a.email ? "adres e-mail" : "",
      old.phone !== a.phone ? "numer telefonu" : "",
    ].filter(Boolean).join(" i ");
    addMessage(
      op,
      clock,
      contactChangedEmail(ctx, { to: old.email, firstName: a.firstName, accountId: a.id, what }),
    );
    if (old.email !== a.email) {
      addMessage(
        op,
        clock,
        contactChangedEmail(ctx, { to: a.email, firstName: a.firstName, accountId: a.id, what }),
      );
    }
    addAudit(op, clock, {
      actor: staff,
      action: "account.contact_changed",
      target: { kind: "account", id: a.id },
      details: { email: old.email !== a.email, phone: old.phone !== a.phone },
    });
  });
}

export async function setAccountBlocked(
  kv: Deno.Kv,
  clock: Clock,
  accountId: string,
  blocked: boolean,
  staff: Actor,
): Promise<Account | null> {
  const sessionIds = blocked ? await listOwnerSessionIds(kv, "resident", accountId) : [];
  const updated = await updateAccount(
    kv,
    accountId,
    (
      a,
    ) => (a.status === (blocked ? "blocked" : "active")
      ? null
      : { ...a, status: blocked ? "blocked" : "active" }),
    (op, a) => {
      addEndSessions(op, "resident", a.id, sessionIds.slice(0, 300));
      addAudit(op, clock, {
        actor: staff,
        action: blocked ? "account.blocked" : "account.unblocked",
        target: { kind: "account", id: a.id },
      });
    },
  );
  // Sessions opened meanwhile (or beyond the batch) end too.
  if (updated && blocked) await invalidateOwnerSessions(kv, "resident", accountId);
  return updated;
}

/** Ends every session of a resident; the audit entry lands with the (first) deletions. */
export async function endAccountSessions(
  kv: Deno.Kv,
  clock: Clock,
  accountId: string,
  staff: Actor,
): Promise<number> {
  const ids = await listOwnerSessionIds(kv, "resident", accountId);
  const op = kv.atomic();
  addEndSessions(op, "resident", accountId, ids.slice(0, 300));
  addAudit(op, clock, {
    actor: staff,
    action: "account.sessions_ended",
    target: { kind: "account", id: accountId },
    details: { ended: ids.length },
  });
  await op.commit();
  if (ids.length > 300) await invalidateOwnerSessions(kv, "resident", accountId);
  return ids.length;
}

/** Staff lift a login lockout: the resident may try again at once. */
export async function unlockLogin(
  kv: Deno.Kv,
  clock: Clock,
  accountId: string,
  staff: Actor,
): Promise<Account | null> {
  const entry = await kv.get<Account>(keys.accounts(accountId));
  if (!entry.value) return null;
  const op = kv.atomic();
  addClearLockout(op, entry.value.identifier);
  addAudit(op, clock, {
    actor: staff,
    action: "account.unlocked",
    target: { kind: "account", id: accountId },
  });
  await op.commit();
  return entry.value;
}

/** Replaces the units an account may see, moving the unit index with them. */
export async function setAccountUnits(
  kv: Deno.Kv,
  clock: Clock,
  accountId: string,
  unitIds: string[],
  staff: Actor,
): Promise<Account | null> {
  let before: string[] = [];
  const wanted = [...new Set(unitIds)];
  return await updateAccount(kv, accountId, (a) => {
    before = a.unitIds;
    return { ...a, unitIds: wanted };
  }, (op, a) => {
    for (const id of before) if (!wanted.includes(id)) op.delete(keys.accountsByUnit(id, a.id));
    for (const id of wanted) if (!before.includes(id)) op.set(keys.accountsByUnit(id, a.id), a.id);
    addAudit(op, clock, {
      actor: staff,
      action: "account.units_changed",
      target: { kind: "account", id: a.id },
      details: { units: wanted.join(",") },
    });
  });
}

export type AccountUnitsChange = {
  /** The units the account keeps (others are dropped; ids it does not hold are ignored). */
  keep: string[];
  /** A unit to add, by its address; all three empty = none. */
  address: { street: string; building: string; unit: string };
};

/**
 * Keeps the chosen units of an account and adds the ones at the address given, in one change.
 * `no_unit_at_address` when the register has no unit there (nothing changes).
 */
export async function changeAccountUnits(
  kv: Deno.Kv,
  clock: Clock,
  account: Account,
  change: AccountUnitsChange,
  staff: Actor,
): Promise<{ ok: true } | { ok: false; reason: "no_unit_at_address" }> {
  const keep = change.keep.filter((id) => account.unitIds.includes(id));
  const { street, building, unit } = change.address;
  let add: string[] = [];
  if (street || building || unit) {
    const found = await findUnitsByAddress(kv, street, building, unit);
    if (found.length === 0) return { ok: false, reason: "no_unit_at_address" };
    add = found.map((u) => u.id);
  }
  await setAccountUnits(kv, clock, account.id, [...keep, ...add], staff);
  return { ok: true };
}
