/**
 * A resident changes their own e-mail address and phone number on "Moje konto" (issue 16 point 4).
 *
 * Both need the current password (a session left open on a shared computer must not be enough to
 * take over the address that gets notices, nor the phone that gets start passwords), and both
 * need proof that the new contact belongs to the resident:
 * - e-mail: a single-use link sent to the NEW address (its token stored only as SHA-256, valid
 *   24 hours); only confirming it changes the address; the OLD address is then told ("nie ja?").
 * - phone: a 6-digit code sent by SMS to the NEW number (valid 10 minutes, 5 wrong tries end
 *   it); the e-mail address is told once the number changed.
 * Each step commits its state, messages and audit entry in one atomic operation.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import { z } from "zod";
import { type Account, addMoveEmailIndex } from "./accounts.ts";
import { type Actor, addAudit } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import { randomInt, randomToken } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { normalizePolishMobile } from "../shared/phone.ts";
import { addMessage } from "../messaging/messages.ts";
import {
  emailChangeLinkEmail,
  ownContactChangedEmail,
  phoneChangeCodeSms,
} from "../messaging/notifications.ts";
import { getLockout, type MessageCtx, recordLoginFailure } from "./credentials.ts";
import type { PasswordHasher } from "./password.ts";
import { consumeRateLimit } from "./rate_limit.ts";

export const EMAIL_LINK_TTL_MS = 24 * 60 * 60_000;
export const PHONE_CODE_TTL_MS = 10 * 60_000;
export const PHONE_CODE_MAX_ATTEMPTS = 5;
/** Requests (links and codes together) per account and hour: each one sends a message. */
const REQUESTS_PER_HOUR = { limit: 5, windowMs: 60 * 60_000 };

/** A pending e-mail change, under the hash of its link's token. */
export type EmailChange = {
  accountId: string;
  oldEmail: string;
  newEmail: string;
  createdAt: string;
  expiresAt: string;
  usedAt?: string;
};

/** A pending phone change: the code's hash and the wrong tries so far. */
export type PhoneChange = {
  phone: string;
  codeHash: string;
  createdAt: string;
  expiresAt: string;
  attempts: number;
};

export type ContactErrors = Partial<
  Record<"email" | "phone" | "current_password" | "code", string>
>;

export type ContactRequestResult =
  | { ok: true; to: string; expiresAt: Date }
  | { ok: false; reason: "invalid"; errors: ContactErrors }
  | { ok: false; reason: "locked" | "rate_limited"; retryAt: Date };

function sha256Hex(text: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(text)));
}

function residentActor(a: Account): Actor {
  return { kind: "resident", id: a.id, label: a.identifier };
}

const emailSchema = z.string().trim().toLowerCase()
  .min(1, "Podaj nowy adres e-mail.")
  .max(254, "Adres e-mail jest za długi.")
  .pipe(z.email("Podaj poprawny adres e-mail, np. jan.kowalski@example.pl."));

/**
 * The checks both requests share: the field's own error, then the current password (a wrong one
 * counts with the login lockout), then the per-account limit.
 */
async function checkRequest(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  account: Account,
  password: string,
  errors: ContactErrors,
): Promise<Exclude<ContactRequestResult, { ok: true }> | null> {
  const locked = await getLockout(kv, clock, account.identifier);
  if (locked) return { ok: false, reason: "locked", retryAt: locked };
  if (!password) errors.current_password = "Podaj obecne hasło, aby potwierdzić zmianę.";
  else if (!account.passwordHash || !await hasher.verify(password, account.passwordHash)) {
    const until = await recordLoginFailure(kv, clock, account.identifier);
    if (until) return { ok: false, reason: "locked", retryAt: until };
    errors.current_password = "Obecne hasło jest nieprawidłowe.";
  }
  if (Object.keys(errors).length) return { ok: false, reason: "invalid", errors };
  const limit = await consumeRateLimit(kv, clock, "contact_change", account.id, REQUESTS_PER_HOUR);
  if (!limit.ok) return { ok: false, reason: "rate_limited", retryAt: limit.retryAt };
  return null;
}

/**
 * Sends the confirmation link to the new address. A newer request replaces an older one (its
 * link stops working). The account itself does not change here.
 */
export async function requestEmailChange(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  ctx: MessageCtx,
  input: { account: Account; email: string; password: string; clientAddress?: string },
): Promise<ContactRequestResult> {
  const { account } = input;
  const errors: ContactErrors = {};
  const parsed = emailSchema.safeParse(input.email);
  if (!parsed.success) errors.email = parsed.error.issues[0].message;
  else if (parsed.data === account.email) {
    errors.email = "To jest obecny adres konta. Podaj nowy adres.";
  }
  const refused = await checkRequest(kv, clock, hasher, account, input.password, errors);
  if (refused) return refused;
  const newEmail = parsed.data!;

  for (let attempt = 0; attempt < 5; attempt++) {
    const [accountEntry, pointer] = await kv.getMany<[Account, string]>([
      keys.accounts(account.id),
      keys.emailChangeOfAccount(account.id),
    ]);
    const current = accountEntry.value;
    if (!current || current.status !== "active") {
      return { ok: false, reason: "invalid", errors: { email: "Konto nie jest dostępne." } };
    }
    const now = clock();
    const expiresAt = new Date(now.getTime() + EMAIL_LINK_TTL_MS);
    const token = randomToken(20);
    const change: EmailChange = {
      accountId: account.id,
      oldEmail: current.email,
      newEmail,
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    };
    const tokenHash = sha256Hex(token);
    const op = kv.atomic().check(accountEntry).check(pointer)
      .set(keys.emailChanges(tokenHash), change, { expireIn: EMAIL_LINK_TTL_MS * 2 })
      .set(keys.emailChangeOfAccount(account.id), tokenHash, { expireIn: EMAIL_LINK_TTL_MS });
    // An older link stays stored (until it expires) but no longer matches the pointer: refused
    // as replaced, not as unknown.
    addMessage(
      op,
      clock,
      emailChangeLinkEmail(ctx, { to: newEmail, accountId: account.id, token, expiresAt }),
    );
    addAudit(op, clock, {
      actor: residentActor(current),
      action: "account.email_change_requested",
      target: { kind: "account", id: account.id },
      clientAddress: input.clientAddress,
    });
    if ((await op.commit()).ok) return { ok: true, to: newEmail, expiresAt };
  }
  throw new Error(`account ${account.id} kept changing; e-mail change request abandoned`);
}

export type EmailLinkState =
  | { ok: true; change: EmailChange }
  | { ok: false; reason: "unknown" | "used" | "expired" | "stale" };

function tokenShapeOk(token: string): boolean {
  return /^[a-z2-7]{32}$/.test(token);
}

/** What the link's page shows before the resident confirms: nothing changes here. */
export async function checkEmailChangeLink(
  kv: Deno.Kv,
  clock: Clock,
  token: string,
): Promise<EmailLinkState> {
  if (!tokenShapeOk(token)) return { ok: false, reason: "unknown" };
  const tokenHash = sha256Hex(token);
  const change = (await kv.get<EmailChange>(keys.emailChanges(tokenHash))).value;
  if (!change) return { ok: false, reason: "unknown" };
  if (change.usedAt) return { ok: false, reason: "used" };
  if (Date.parse(change.expiresAt) <= clock().getTime()) return { ok: false, reason: "expired" };
  const pointer = await kv.get<string>(keys.emailChangeOfAccount(change.accountId));
  if (pointer.value !== tokenHash) return { ok: false, reason: "stale" };
  return { ok: true, change };
}

export type EmailConfirmResult =
  | { ok: true; account: Account }
  | { ok: false; reason: "unknown" | "used" | "expired" | "stale" };

/**
 * Follows the link: the address changes, the e-mail index moves, the link is marked used, the
 * old address is told — in one operation, once (of concurrent confirmations one wins).
 */
export async function confirmEmailChange(
  kv: Deno.Kv,
  clock: Clock,
  ctx: MessageCtx,
  input: { token: string; clientAddress?: string },
): Promise<EmailConfirmResult> {
  if (!tokenShapeOk(input.token)) return { ok: false, reason: "unknown" };
  const tokenHash = sha256Hex(input.token);
  for (let attempt = 0; attempt < 5; attempt++) {
    const changeEntry = await kv.get<EmailChange>(keys.emailChanges(tokenHash));
    const change = changeEntry.value;
    if (!change) return { ok: false, reason: "unknown" };
    if (change.usedAt) return { ok: false, reason: "used" };
    const now = clock();
    if (Date.parse(change.expiresAt) <= now.getTime()) return { ok: false, reason: "expired" };
    const [accountEntry, pointer] = await kv.getMany<[Account, string]>([
      keys.accounts(change.accountId),
      keys.emailChangeOfAccount(change.accountId),
    ]);
    const account = accountEntry.value;
    // Replaced by a newer request, or the address changed meanwhile (the office): not valid.
    if (
      !account || account.status !== "active" || pointer.value !== tokenHash ||
      account.email !== change.oldEmail
    ) return { ok: false, reason: "stale" };
    const updated: Account = { ...account, email: change.newEmail };
    const op = kv.atomic().check(changeEntry).check(accountEntry).check(pointer)
      .set(keys.accounts(account.id), updated)
      .delete(keys.emailChangeOfAccount(account.id))
      // Kept (marked used) until it would have expired, so a second use is named as such.
      .set(keys.emailChanges(tokenHash), { ...change, usedAt: now.toISOString() }, {
        expireIn: Math.max(60_000, Date.parse(change.expiresAt) - now.getTime()),
      });
    addMoveEmailIndex(op, account.id, change.oldEmail, change.newEmail);
    addMessage(
      op,
      clock,
      ownContactChangedEmail(ctx, {
        to: change.oldEmail,
        accountId: account.id,
        what: "email",
        at: now,
      }),
    );
    addAudit(op, clock, {
      actor: residentActor(account),
      action: "account.email_changed",
      target: { kind: "account", id: account.id },
      clientAddress: input.clientAddress,
    });
    if ((await op.commit()).ok) return { ok: true, account: updated };
  }
  throw new Error("e-mail change kept changing; confirmation abandoned");
}

/** Sends a 6-digit code to the new number; a newer request replaces the older code. */
export async function requestPhoneChange(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  ctx: MessageCtx,
  input: { account: Account; phone: string; password: string; clientAddress?: string },
): Promise<ContactRequestResult> {
  const { account } = input;
  const errors: ContactErrors = {};
  const phone = normalizePolishMobile(input.phone);
  if (!input.phone.trim()) errors.phone = "Podaj nowy numer telefonu komórkowego.";
  else if (!phone) {
    errors.phone = "Podaj polski numer komórkowy: 9 cyfr, np. 600 123 456.";
  } else if (phone === account.phone) {
    errors.phone = "To jest obecny numer konta. Podaj nowy numer.";
  }
  const refused = await checkRequest(kv, clock, hasher, account, input.password, errors);
  if (refused) return refused;

  const now = clock();
  const code = String(randomInt(1_000_000)).padStart(6, "0");
  const expiresAt = new Date(now.getTime() + PHONE_CODE_TTL_MS);
  const change: PhoneChange = {
    phone: phone!,
    codeHash: sha256Hex(`${account.id}:${code}`),
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    attempts: 0,
  };
  const op = kv.atomic()
    .set(keys.phoneChanges(account.id), change, { expireIn: PHONE_CODE_TTL_MS });
  addMessage(op, clock, phoneChangeCodeSms(ctx, { phone: phone!, accountId: account.id, code }));
  addAudit(op, clock, {
    actor: residentActor(account),
    action: "account.phone_change_requested",
    target: { kind: "account", id: account.id },
    clientAddress: input.clientAddress,
  });
  await op.commit();
  return { ok: true, to: phone!, expiresAt };
}

export type PhoneConfirmResult =
  | { ok: true; account: Account }
  | { ok: false; reason: "invalid"; errors: ContactErrors; attemptsLeft: number }
  /** No code waiting: never asked, expired, used, or too many wrong tries. */
  | { ok: false; reason: "no_code" | "too_many" };

/**
 * Checks the code typed. A wrong code counts (also under concurrent tries: the count is part of
 * the checked record); after PHONE_CODE_MAX_ATTEMPTS the code is spent. The right code changes
 * the number and tells the e-mail address, in one operation.
 */
export async function confirmPhoneChange(
  kv: Deno.Kv,
  clock: Clock,
  ctx: MessageCtx,
  input: { account: Account; code: string; clientAddress?: string },
): Promise<PhoneConfirmResult> {
  const typed = input.code.replace(/\s/g, "");
  for (let attempt = 0; attempt < 10; attempt++) {
    const [changeEntry, accountEntry] = await kv.getMany<[PhoneChange, Account]>([
      keys.phoneChanges(input.account.id),
      keys.accounts(input.account.id),
    ]);
    const change = changeEntry.value;
    const account = accountEntry.value;
    const now = clock();
    if (!change || !account || Date.parse(change.expiresAt) <= now.getTime()) {
      return { ok: false, reason: "no_code" };
    }
    if (change.attempts >= PHONE_CODE_MAX_ATTEMPTS) return { ok: false, reason: "too_many" };
    if (!typed) {
      return {
        ok: false,
        reason: "invalid",
        errors: { code: "Wpisz 6-cyfrowy kod z SMS-a." },
        attemptsLeft: PHONE_CODE_MAX_ATTEMPTS - change.attempts,
      };
    }
    const op = kv.atomic().check(changeEntry).check(accountEntry);
    if (!/^\d{6}$/.test(typed) || sha256Hex(`${account.id}:${typed}`) !== change.codeHash) {
      const attempts = change.attempts + 1;
      op.set(keys.phoneChanges(account.id), { ...change, attempts }, {
        expireIn: Math.max(1000, Date.parse(change.expiresAt) - now.getTime()),
      });
      addAudit(op, clock, {
        actor: residentActor(account),
        action: "account.phone_code_failed",
        target: { kind: "account", id: account.id },
        details: { attempts },
        clientAddress: input.clientAddress,
      });
      if (!(await op.commit()).ok) continue;
      if (attempts >= PHONE_CODE_MAX_ATTEMPTS) return { ok: false, reason: "too_many" };
      return {
        ok: false,
        reason: "invalid",
        errors: { code: "Kod jest nieprawidłowy. Sprawdź SMS i wpisz go ponownie." },
        attemptsLeft: PHONE_CODE_MAX_ATTEMPTS - attempts,
      };
    }
    const updated: Account = { ...account, phone: change.phone };
    op.set(keys.accounts(account.id), updated).delete(keys.phoneChanges(account.id));
    addMessage(
      op,
      clock,
      ownContactChangedEmail(ctx, {
        to: account.email,
        accountId: account.id,
        what: "phone",
        at: now,
      }),
    );
    addAudit(op, clock, {
      actor: residentActor(account),
      action: "account.phone_changed",
      target: { kind: "account", id: account.id },
      clientAddress: input.clientAddress,
    });
    if ((await op.commit()).ok) return { ok: true, account: updated };
  }
  throw new Error(`account ${input.account.id} kept changing; phone confirmation abandoned`);
}

/** What "Moje konto" shows of changes under way. */
export type PendingContactChanges = {
  email?: { to: string; expiresAt: Date };
  phone?: { to: string; expiresAt: Date; attemptsLeft: number };
};

export async function getPendingContactChanges(
  kv: Deno.Kv,
  clock: Clock,
  accountId: string,
): Promise<PendingContactChanges> {
  const now = clock().getTime();
  const [pointer, phone] = await kv.getMany<[string, PhoneChange]>([
    keys.emailChangeOfAccount(accountId),
    keys.phoneChanges(accountId),
  ]);
  const out: PendingContactChanges = {};
  if (pointer.value) {
    const change = (await kv.get<EmailChange>(keys.emailChanges(pointer.value))).value;
    if (change && !change.usedAt && Date.parse(change.expiresAt) > now) {
      out.email = { to: change.newEmail, expiresAt: new Date(change.expiresAt) };
    }
  }
  const p = phone.value;
  if (p && Date.parse(p.expiresAt) > now && p.attempts < PHONE_CODE_MAX_ATTEMPTS) {
    out.phone = {
      to: p.phone,
      expiresAt: new Date(p.expiresAt),
      attemptsLeft: PHONE_CODE_MAX_ATTEMPTS - p.attempts,
    };
  }
  return out;
}
