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

export type RequestStatus = "pending" | "approved" | "rejected";

export type RegistrationData = {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  street: string;
  building: string;
  unit: string;
};

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
  | { ok: false; reason: "not_found" | "not_pending" | "no_units" };

/**
 * Grants access: creates the account with a new identifier and a start password, and in the
 * same atomic operation marks the request approved, queues the identifier e-mail and the
 * start-password SMS, and writes the audit entry.
 */
export async function approveAccessRequest(
  kv: Deno.Kv,
  clock: Clock,
  hasher: PasswordHasher,
  ctx: MessageCtx & { startPasswordTtlMs: number },
  input: { requestId: string; unitIds: string[]; staff: Actor; allowNoUnits?: boolean },
): Promise<ApproveResult> {
  const entry = await kv.get<AccessRequest>(keys.requests(input.requestId));
  if (!entry.value) return { ok: false, reason: "not_found" };
  if (entry.value.status !== "pending") return { ok: false, reason: "not_pending" };
  if (input.unitIds.length === 0 && !input.allowNoUnits) return { ok: false, reason: "no_units" };
  const request = entry.value;
  const start = await newStartPassword(hasher, clock, ctx.startPasswordTtlMs);
  const now = clock().toISOString();
  const account = await createAccount(kv, clock, {
    firstName: request.firstName,
    lastName: request.lastName,
    email: request.email,
    phone: request.phone,
    unitIds: [...new Set(input.unitIds)],
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
