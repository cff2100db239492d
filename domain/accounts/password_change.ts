/**
 * A resident's password change (the forced one after a start password, and the ordinary one),
 * with the change ticket that spares retyping the current password after a refused new one.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import type { Account } from "./accounts.ts";
import { addAudit } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import { randomToken } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { addMessage } from "../messaging/messages.ts";
import { passwordChangedEmail } from "../messaging/notifications.ts";
import { addClearLockout, getLockout, type MessageCtx, recordLoginFailure } from "./credentials.ts";
import type { PasswordHasher } from "./password.ts";
import { type PasswordErrors, validateNewPassword } from "./password_rule.ts";
import {
  addEndSessions,
  addNewSession,
  invalidateOwnerSessions,
  listOwnerSessionIds,
  type Session,
} from "./sessions.ts";

function sha256Hex(text: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(text)));
}

/**
 * After a refused new password the form need not ask for the current password again: the
 * server remembers, for this session only and for a few minutes, that it was checked, and puts
 * a random ticket (never the password) into the field. The ticket is bound to the session and
 * to the credential it vouches for; only its SHA-256 is stored.
 */
const CHANGE_TICKET_TTL_MS = 10 * 60_000;

type ChangeTicket = { tokenHash: string; credential: string; expiresAt: string };

async function ticketMatches(
  kv: Deno.Kv,
  clock: Clock,
  sessionId: string,
  credentialHash: string,
  typed: string,
): Promise<boolean> {
  if (!/^[a-z2-7]{32}$/.test(typed)) return false;
  const ticket = (await kv.get<ChangeTicket>(keys.passwordChangeTickets(sessionId))).value;
  return !!ticket && Date.parse(ticket.expiresAt) > clock().getTime() &&
    ticket.tokenHash === sha256Hex(typed) && ticket.credential === sha256Hex(credentialHash);
}

async function issueChangeTicket(
  kv: Deno.Kv,
  clock: Clock,
  sessionId: string,
  credentialHash: string,
): Promise<string> {
  const token = randomToken(20);
  const ticket: ChangeTicket = {
    tokenHash: sha256Hex(token),
    credential: sha256Hex(credentialHash),
    expiresAt: new Date(clock().getTime() + CHANGE_TICKET_TTL_MS).toISOString(),
  };
  await kv.set(keys.passwordChangeTickets(sessionId), ticket, { expireIn: CHANGE_TICKET_TTL_MS });
  return token;
}

export type ChangePasswordResult =
  | { ok: true; account: Account; token: string }
  /** `ticket`: the current password was right; the form carries this instead of it. */
  | { ok: false; reason: "invalid"; errors: PasswordErrors; ticket?: string }
  | { ok: false; reason: "locked"; retryAt: Date }
  /** Another request (a double-click, a second tab) changed the password first. */
  | { ok: false; reason: "already_changed" }
  | { ok: false; reason: "unavailable" };

/**
 * Sets the resident's own password. A session opened with the start password must give that
 * (or its change ticket) as the current password. A wrong current password counts with the
 * login lockout. The change, its e-mail, its audit entry, the end of every session and the new
 * session land in one atomic operation, and only if the password verified is still the
 * current one: of concurrent changes exactly one wins.
 */
export async function changeResidentPassword(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  ctx: MessageCtx,
  input: {
    account: Account;
    session: Session;
    current: string;
    next: string;
    confirm: string;
    clientAddress?: string;
  },
): Promise<ChangePasswordResult> {
  const { account, session } = input;
  const withStart = session.restricted;
  const locked = await getLockout(kv, clock, account.identifier);
  if (locked) return { ok: false, reason: "locked", retryAt: locked };
  const credentialHash = withStart ? account.startPassword?.hash : account.passwordHash;
  if (!credentialHash) return { ok: false, reason: withStart ? "already_changed" : "unavailable" };

  const byTicket = await ticketMatches(kv, clock, session.id, credentialHash, input.current);
  const errors = validateNewPassword(input.next, input.confirm, {
    holder: "resident",
    identifier: account.identifier,
    current: byTicket ? undefined : input.current,
  });
  const wrong = withStart
    ? "Hasło startowe jest nieprawidłowe."
    : "Obecne hasło jest nieprawidłowe.";
  let currentOk = byTicket;
  if (!byTicket) {
    if (!input.current) {
      errors.current_password = withStart ? "Podaj hasło startowe z SMS-a." : "Podaj obecne hasło.";
    } else if (await hasher.verify(input.current, credentialHash)) currentOk = true;
    else {
      const until = await recordLoginFailure(kv, clock, account.identifier);
      if (until) return { ok: false, reason: "locked", retryAt: until };
      errors.current_password = wrong;
    }
  }
  if (byTicket && !errors.new_password && await hasher.verify(input.next, credentialHash)) {
    errors.new_password = "Nowe hasło musi się różnić od obecnego.";
  }
  if (Object.keys(errors).length) {
    const ticket = currentOk
      ? await issueChangeTicket(kv, clock, session.id, credentialHash)
      : undefined;
    return { ok: false, reason: "invalid", errors, ticket };
  }

  return await commitPasswordChange(kv, clock, ctx, {
    ...input,
    credentialHash,
    newHash: await hasher.hash(input.next),
  });
}

/**
 * The change, its e-mail, its audit entry, the end of every session and a new one, in one
 * atomic operation — only while `credentialHash` is still the credential it replaces.
 */
async function commitPasswordChange(
  kv: Deno.Kv,
  clock: Clock,
  ctx: MessageCtx,
  input: {
    account: Account;
    session: Session;
    credentialHash: string;
    newHash: string;
    clientAddress?: string;
  },
): Promise<ChangePasswordResult> {
  const { account, session, credentialHash, newHash } = input;
  const withStart = session.restricted;
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<Account>(keys.accounts(account.id));
    const now = entry.value;
    if (!now || now.status !== "active") return { ok: false, reason: "unavailable" };
    const still = withStart ? now.startPassword?.hash : now.passwordHash;
    if (still !== credentialHash) return { ok: false, reason: "already_changed" };
    const at = clock();
    const updated: Account = {
      ...now,
      passwordHash: newHash,
      startPassword: undefined,
      passwordChangedAt: at.toISOString(),
    };
    const sessionIds = (await listOwnerSessionIds(kv, "resident", account.id)).slice(0, 300);
    const op = kv.atomic().check(entry).set(keys.accounts(account.id), updated);
    addMessage(
      op,
      clock,
      passwordChangedEmail(ctx, {
        email: updated.email,
        firstName: updated.firstName,
        accountId: updated.id,
        at,
      }),
    );
    addAudit(op, clock, {
      actor: { kind: "resident", id: updated.id, label: updated.identifier },
      action: withStart ? "password.set_after_start" : "password.changed",
      clientAddress: input.clientAddress,
    });
    // End every session, this one too, and open a fresh one: a new token after the change.
    addEndSessions(op, "resident", account.id, sessionIds);
    const fresh = addNewSession(op, clock, "resident", account.id);
    op.delete(keys.passwordChangeTickets(session.id));
    addClearLockout(op, account.identifier);
    if ((await op.commit()).ok) {
      // Sessions opened while this ran (or beyond the batch) end too.
      await invalidateOwnerSessions(kv, "resident", account.id, fresh.session.id);
      return { ok: true, account: updated, token: fresh.token };
    }
  }
  throw new Error(`account ${account.id} kept changing; password change abandoned`);
}
