/**
 * Requests for access (the registration form) and the staff decision on them. Each change of
 * a request lands in one atomic operation with the messages and audit entry it causes.
 */
import { type Account, createAccount, listAccountsByEmail } from "../accounts/accounts.ts";
import { type Actor, addAudit } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import { addStartPasswordSms, newStartPassword } from "../accounts/credentials.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { addMessage } from "../messaging/messages.ts";
import {
  identifierEmail,
  registrationHasAccount,
  registrationReceived,
  registrationStillPending,
  rejectionEmail,
} from "../messaging/notifications.ts";
import type { PasswordHasher } from "../accounts/password.ts";
import { getUnits, type Unit } from "../backoffice/register.ts";
import { CONTROL_CHARS } from "../shared/text.ts";
import { checkName, type NameCheck, type NameVerdict, weakestVerdict } from "./name_check.ts";
import { type RegistrationData, tidyRegistrationData } from "./registration_form.ts";

export type { RegistrationData };

export type RequestStatus = "pending" | "approved" | "rejected";

export type AccessRequest = RegistrationData & {
  id: string;
  status: RequestStatus;
  createdAt: string;
  rodo: { version: string; acknowledgedAt: string };
  clientAddress?: string;
  decidedAt?: string;
  decidedBy?: string;
  rejectReason?: string;
  accountId?: string;
  unitIds?: string[];
};

type MessageCtx = { coop: CooperativeProfile; baseUrl: string };

export type SubmitResult = {
  outcome: "created" | "already_pending" | "has_account";
  requestId?: string;
};

/**
 * Stores a new request and its confirmation e-mail together. While one request for the e-mail
 * is pending, a second creates nothing (the resident is reminded by e-mail instead); the web
 * answer is the same either way, so it reveals nothing.
 */
export async function submitAccessRequest(
  kv: Deno.Kv,
  clock: Clock,
  ctx: MessageCtx,
  data: RegistrationData,
  meta: { rodoVersion: string; clientAddress?: string },
): Promise<SubmitResult> {
  data = tidyRegistrationData(data);
  const email = data.email.toLowerCase();
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = clock();
    const pendingIndex = await kv.get<string>(keys.requestsPendingByEmail(email));
    if (pendingIndex.value) {
      const existing = (await kv.get<AccessRequest>(keys.requests(pendingIndex.value))).value;
      if (existing) {
        const op = kv.atomic().check(pendingIndex);
        addMessage(
          op,
          clock,
          registrationStillPending(ctx, {
            email,
            firstName: existing.firstName,
            requestId: existing.id,
            submittedAt: new Date(existing.createdAt),
          }),
        );
        if ((await op.commit()).ok) return { outcome: "already_pending", requestId: existing.id };
        continue;
      }
    }
    const accounts = (await listAccountsByEmail(kv, email)).filter((a) => a.status === "active");
    if (accounts.length) {
      const op = kv.atomic();
      addMessage(
        op,
        clock,
        registrationHasAccount(ctx, {
          email,
          identifiers: accounts.map((a) => a.identifier),
        }),
      );
      await op.commit();
      return { outcome: "has_account" };
    }
    const request: AccessRequest = {
      ...data,
      email,
      id: newId(now),
      status: "pending",
      createdAt: now.toISOString(),
      rodo: { version: meta.rodoVersion, acknowledgedAt: now.toISOString() },
      clientAddress: meta.clientAddress,
    };
    const op = kv.atomic()
      .check({ key: keys.requestsPendingByEmail(email), versionstamp: null })
      .set(keys.requests(request.id), request)
      .set(keys.requestsByStatus("pending", request.id), request.id)
      .set(keys.requestsPendingByEmail(email), request.id);
    addMessage(
      op,
      clock,
      registrationReceived(ctx, {
        email,
        firstName: request.firstName,
        requestId: request.id,
      }),
    );
    if ((await op.commit()).ok) return { outcome: "created", requestId: request.id };
  }
  throw new Error("registration kept conflicting; gave up");
}

export async function getAccessRequest(kv: Deno.Kv, id: string): Promise<AccessRequest | null> {
  return (await kv.get<AccessRequest>(keys.requests(id))).value;
}

/** Requests with a status, oldest first. */
export async function listAccessRequests(
  kv: Deno.Kv,
  status: RequestStatus,
  limit = 200,
): Promise<AccessRequest[]> {
  const out: AccessRequest[] = [];
  const reverse = status !== "pending";
  for await (
    const e of kv.list<string>({ prefix: keys.requestsByStatusAll(status) }, { limit, reverse })
  ) {
    const r = await getAccessRequest(kv, e.value);
    if (r) out.push(r);
  }
  return out;
}

function decide(
  op: Deno.AtomicOperation,
  entry: Deno.KvEntry<AccessRequest>,
  next: AccessRequest,
) {
  op.check(entry)
    .set(keys.requests(next.id), next)
    .delete(keys.requestsByStatus("pending", next.id))
    .set(keys.requestsByStatus(next.status, next.id), next.id)
    .delete(keys.requestsPendingByEmail(next.email));
}

export type ApproveResult =
  | { ok: true; account: Account }
  | { ok: false; reason: "not_found" | "not_pending" | "no_units" | "unknown_units" }
  | {
    ok: false;
    /** A unit chosen is not a full name match and the staff member did not confirm it. */
    reason: "name_unconfirmed";
    checks: { unit: Unit; check: NameCheck }[];
  }
  | { ok: false; reason: "confirmation_reason_invalid" };

/**
 * Why staff link a unit whose register names do not match the applicant: 5–500 characters of
 * plain text. Returns the tidy reason, or null when it is not one.
 */
export function confirmationReason(text: string): string | null {
  const reason = text.trim().replace(/\r\n/g, "\n");
  if (reason.length < 5 || reason.length > 500 || CONTROL_CHARS.test(reason)) return null;
  return reason;
}

/**
 * Grants access: creates the account with a new identifier and a start password, and in the
 * same atomic operation marks the request approved, queues the identifier e-mail and the
 * start-password SMS, and writes the audit entry.
 *
 * The name check: every unit linked must list the applicant among its occupants (`checkName`).
 * Otherwise nothing happens unless `confirmMismatch` carries the staff member's reason; the
 * audit entry then records the weakest verdict, the confirmation and the reason.
 */
export async function approveAccessRequest(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  ctx: MessageCtx & { startPasswordTtlMs: number },
  input: {
    requestId: string;
    unitIds: string[];
    staff: Actor;
    allowNoUnits?: boolean;
    /** Staff confirm linking units whose register names do not match, and say why. */
    confirmMismatch?: { reason: string };
  },
): Promise<ApproveResult> {
  const entry = await kv.get<AccessRequest>(keys.requests(input.requestId));
  if (!entry.value) return { ok: false, reason: "not_found" };
  if (entry.value.status !== "pending") return { ok: false, reason: "not_pending" };
  if (input.unitIds.length === 0 && !input.allowNoUnits) return { ok: false, reason: "no_units" };
  const unitIds = [...new Set(input.unitIds)];
  const units = await getUnits(kv, unitIds);
  if (units.length !== unitIds.length) return { ok: false, reason: "unknown_units" };
  const checks = units.map((unit) => ({ unit, check: checkName(entry.value!, unit) }));
  const verdict: NameVerdict = weakestVerdict(checks.map((c) => c.check.verdict));
  let confirmation: string | null = null;
  if (verdict !== "match") {
    if (!input.confirmMismatch) return { ok: false, reason: "name_unconfirmed", checks };
    confirmation = confirmationReason(input.confirmMismatch.reason);
    if (confirmation === null) return { ok: false, reason: "confirmation_reason_invalid" };
  }
  const request = entry.value;
  const start = await newStartPassword(hasher, clock, ctx.startPasswordTtlMs);
  const now = clock().toISOString();
  const account = await createAccount(kv, clock, {
    firstName: request.firstName,
    lastName: request.lastName,
    email: request.email,
    phone: request.phone,
    unitIds,
    passwordHash: null,
    startPassword: start.record,
    requestId: request.id,
  }, (op, account) => {
    decide(op, entry as Deno.KvEntry<AccessRequest>, {
      ...request,
      status: "approved",
      decidedAt: now,
      decidedBy: input.staff.label,
      accountId: account.id,
      unitIds: account.unitIds,
    });
    addMessage(
      op,
      clock,
      identifierEmail(ctx, {
        email: account.email,
        firstName: account.firstName,
        identifier: account.identifier,
        accountId: account.id,
      }),
    );
    addStartPasswordSms(op, clock, ctx, account, start);
    addAudit(op, clock, {
      actor: input.staff,
      action: "request.approved",
      target: { kind: "request", id: request.id },
      details: {
        accountId: account.id,
        identifier: account.identifier,
        units: account.unitIds.join(","),
        ...(units.length > 0 ? { nameCheck: verdict } : {}),
        ...(confirmation !== null ? { nameConfirmed: true, nameConfirmReason: confirmation } : {}),
      },
    });
  });
  return account ? { ok: true, account } : { ok: false, reason: "not_pending" };
}

export type RejectResult = { ok: true } | { ok: false; reason: "not_found" | "not_pending" };

export async function rejectAccessRequest(
  kv: Deno.Kv,
  clock: Clock,
  ctx: MessageCtx,
  input: { requestId: string; reason: string; staff: Actor },
): Promise<RejectResult> {
  const entry = await kv.get<AccessRequest>(keys.requests(input.requestId));
  if (!entry.value) return { ok: false, reason: "not_found" };
  if (entry.value.status !== "pending") return { ok: false, reason: "not_pending" };
  const request = entry.value;
  const op = kv.atomic();
  decide(op, entry as Deno.KvEntry<AccessRequest>, {
    ...request,
    status: "rejected",
    decidedAt: clock().toISOString(),
    decidedBy: input.staff.label,
    rejectReason: input.reason,
  });
  addMessage(
    op,
    clock,
    rejectionEmail(ctx, {
      email: request.email,
      firstName: request.firstName,
      requestId: request.id,
      reason: input.reason,
    }),
  );
  addAudit(op, clock, {
    actor: input.staff,
    action: "request.rejected",
    target: { kind: "request", id: request.id },
  });
  return (await op.commit()).ok ? { ok: true } : { ok: false, reason: "not_pending" };
}
