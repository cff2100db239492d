/**
 * Outgoing e-mail and SMS that must not be lost.
 *
 * The message record in KV is the truth; the KV queue is only the trigger. A caller adds a
 * message to the same atomic operation as the state change that causes it (`addMessage`).
 * `deliverMessage` claims the record (queued → sending) before calling the provider, so two
 * deliveries of the same queue item cannot both send. Failures are retried with back-off;
 * a record found stuck in `sending` is retried for e-mail (Resend's idempotency key is the
 * message id) and marked `uncertain` for SMS (Twilio's POST is not idempotent).
 */
import { type Actor, addAudit } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";

export type Channel = "email" | "sms";
export type MessageState = "queued" | "sending" | "sent" | "failed" | "uncertain";

export type Message = {
  id: string;
  channel: Channel;
  to: string;
  subject?: string;
  text: string;
  /** What caused it, e.g. "registration_received"; shown to staff. */
  purpose: string;
  /** Contains a secret (a start password): the text is dropped once the message is settled. */
  sensitive: boolean;
  /** The account or request the message concerns, for staff views. */
  subjectRef?: string;
  state: MessageState;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  nextAttemptAt: string;
  sentAt?: string;
  providerId?: string;
  lastError?: string;
};

export type OutgoingEmail = { id: string; to: string; subject: string; text: string };
export type OutgoingSms = { id: string; to: string; text: string };

/**
 * Thrown by a transport; `permanent` failures (e.g. an invalid address) are not retried.
 * `uncertain`: the request may have reached the provider (a timeout, a cut connection), so
 * whether it was accepted is unknown — an SMS is then never retried blindly.
 */
export class DeliveryError extends Error {
  constructor(message: string, readonly permanent: boolean, readonly uncertain = false) {
    super(message);
  }
}

/** A send silent this long was cut off (a crash, a hang): the sweep applies the recovery rules. */
export const STUCK_SENDING_MS = 120_000;

/** A message left in `sending` past STUCK_SENDING_MS: shown to staff and counted by /health. */
export function isStuckSending(message: Message, now: Date): boolean {
  return message.state === "sending" &&
    Date.parse(message.updatedAt) + STUCK_SENDING_MS <= now.getTime();
}

/** The e-mail port: Resend in production, the development outbox otherwise. */
export interface Mailer {
  sendEmail(email: OutgoingEmail): Promise<{ providerId: string }>;
}

/** The SMS port: Twilio in production, the development outbox otherwise. */
export interface SmsSender {
  sendSms(sms: OutgoingSms): Promise<{ providerId: string }>;
}

export type Transports = {
  mailer: Mailer;
  sms: SmsSender;
  /** First retry delay; doubles with every attempt. */
  retryBaseMs: number;
  maxAttempts: number;
  /**
   * The longest a provider call may take (default 30 s), whatever the adapter does: a hung
   * provider can neither hold a message in `sending` nor stall the sweep.
   */
  sendTimeoutMs?: number;
};

export const defaultRetry = { retryBaseMs: 5_000, maxAttempts: 8, sendTimeoutMs: 30_000 };

/** The provider call, cut off after `ms` with an uncertain DeliveryError. */
function withSendTimeout<T>(send: () => Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new DeliveryError(`timeout: no answer from the provider in ${ms} ms`, false, true)),
      ms,
    );
  });
  return Promise.race([send(), deadline]).finally(() => clearTimeout(timer));
}

/** The queue item that triggers a delivery. */
export type DeliverMessageJob = { kind: "deliver_message"; messageId: string };

export function isDeliverMessageJob(value: unknown): value is DeliverMessageJob {
  return typeof value === "object" && value !== null &&
    (value as DeliverMessageJob).kind === "deliver_message" &&
    typeof (value as DeliverMessageJob).messageId === "string";
}

export type NewMessage =
  & { purpose: string; sensitive?: boolean; subjectRef?: string }
  & ({ channel: "email"; to: string; subject: string; text: string } | {
    channel: "sms";
    to: string;
    text: string;
  });

/** Adds a message (record, state index, queue trigger) to the caller's atomic operation. */
export function addMessage(op: Deno.AtomicOperation, clock: Clock, draft: NewMessage): Message {
  const now = clock();
  const message: Message = {
    id: newId(now),
    channel: draft.channel,
    to: draft.to,
    subject: draft.channel === "email" ? draft.subject : undefined,
    text: draft.text,
    purpose: draft.purpose,
    sensitive: draft.sensitive ?? false,
    subjectRef: draft.subjectRef,
    state: "queued",
    attempts: 0,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    nextAttemptAt: now.toISOString(),
  };
  op.set(keys.messages(message.id), message)
    .set(keys.messagesByState("queued", message.id), message.id)
    .enqueue({ kind: "deliver_message", messageId: message.id } satisfies DeliverMessageJob);
  if (message.subjectRef) op.set(keys.messagesByRef(message.subjectRef, message.id), message.id);
  return message;
}

export async function getMessage(kv: Deno.Kv, id: string): Promise<Message | null> {
  return (await kv.get<Message>(keys.messages(id))).value;
}

/** Messages, oldest first. */
export async function listMessages(
  kv: Deno.Kv,
  options: { state?: MessageState; limit?: number } = {},
): Promise<Message[]> {
  const limit = options.limit ?? 100;
  if (!options.state) {
    const out: Message[] = [];
    for await (const e of kv.list<Message>({ prefix: keys.messagesAll() }, { limit })) {
      out.push(e.value);
    }
    return out;
  }
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.messagesByStateAll(options.state) }, { limit })
  ) ids.push(e.value);
  const records = await getMany(kv, ids);
  return records.filter((m): m is Message => m !== null);
}

/** Messages about one account or request ("account:<id>", "request:<id>"), oldest first. */
export async function listMessagesByRef(kv: Deno.Kv, ref: string): Promise<Message[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: keys.messagesByRefAll(ref) })) ids.push(e.value);
  return (await getMany(kv, ids)).filter((m): m is Message => m !== null);
}

async function getMany(kv: Deno.Kv, ids: string[]): Promise<(Message | null)[]> {
  const out: (Message | null)[] = [];
  // kv.getMany takes at most 10 keys.
  for (let i = 0; i < ids.length; i += 10) {
    const batch = await kv.getMany<Message[]>(ids.slice(i, i + 10).map((id) => keys.messages(id)));
    out.push(...batch.map((e) => e.value));
  }
  return out;
}

/** Writes a new version of a message, moving its state index, if nobody changed it meanwhile. */
function replace(
  op: Deno.AtomicOperation,
  current: Deno.KvEntry<Message>,
  next: Message,
): Deno.AtomicOperation {
  op.check(current).set(keys.messages(next.id), next);
  if (current.value.state !== next.state) {
    op.delete(keys.messagesByState(current.value.state, next.id))
      .set(keys.messagesByState(next.state, next.id), next.id);
  }
  return op;
}

function settledText(message: Message): string {
  return message.sensitive ? "[treść usunięta po wysłaniu: zawierała hasło]" : message.text;
}

export type DeliveryOutcome =
  | "sent"
  | "retry_scheduled"
  | "failed"
  | "uncertain"
  | "not_queued"
  | "claimed_elsewhere"
  | "missing";

/** Sends one message if it is queued. Safe to call any number of times, also at once. */
export async function deliverMessage(
  kv: Deno.Kv,
  transports: Transports,
  clock: Clock,
  messageId: string,
): Promise<DeliveryOutcome> {
  const entry = await kv.get<Message>(keys.messages(messageId));
  if (!entry.value) return "missing";
  const message = entry.value;
  if (message.state !== "queued") return "not_queued";
  // No "is it due" check: the queue's delay schedules retries, and the claim below keeps an
  // early duplicate trigger from sending twice.
  const now = clock();

  const claimed: Message = {
    ...message,
    state: "sending",
    attempts: message.attempts + 1,
    updatedAt: now.toISOString(),
  };
  const claim = await replace(kv.atomic(), entry as Deno.KvEntry<Message>, claimed).commit();
  if (!claim.ok) return "claimed_elsewhere";

  const result = await sendNow(transports, message);
  const { next, retryDelay } = outcomeOf(transports, message, claimed, result, clock());
  await settle(kv, claimed, next, retryDelay);
  return next.state === "sent"
    ? "sent"
    : next.state === "failed"
    ? "failed"
    : next.state === "uncertain"
    ? "uncertain"
    : "retry_scheduled";
}

/** Hands the message to its provider; a thrown error becomes a `DeliveryError`. */
async function sendNow(
  transports: Transports,
  message: Message,
): Promise<{ providerId: string } | DeliveryError> {
  try {
    return await withSendTimeout(
      () =>
        message.channel === "email"
          ? transports.mailer.sendEmail({
            id: message.id,
            to: message.to,
            subject: message.subject ?? "",
            text: message.text,
          })
          : transports.sms.sendSms({ id: message.id, to: message.to, text: message.text }),
      transports.sendTimeoutMs ?? defaultRetry.sendTimeoutMs,
    );
  } catch (error) {
    return error instanceof DeliveryError
      ? error
      : new DeliveryError(error instanceof Error ? error.message : String(error), false);
  }
}

/** The message after a send attempt that ended at `done`, and the retry's delay if any. */
function outcomeOf(
  transports: Transports,
  message: Message,
  claimed: Message,
  result: { providerId: string } | DeliveryError,
  done: Date,
): { next: Message; retryDelay?: number } {
  let next: Message;
  let retryDelay: number | undefined;
  if (!(result instanceof DeliveryError)) {
    next = {
      ...claimed,
      state: "sent",
      providerId: result.providerId,
      sentAt: done.toISOString(),
      updatedAt: done.toISOString(),
      text: settledText(claimed),
      lastError: undefined,
    };
  } else if (result.uncertain && message.channel === "sms") {
    // Twilio's POST is not idempotent: an SMS that may have gone out is for staff to judge.
    next = {
      ...claimed,
      state: "uncertain",
      lastError: `Przerwane w trakcie wysyłki: nie wiadomo, czy SMS dotarł do operatora. (${
        result.message.slice(0, 300)
      })`,
      updatedAt: done.toISOString(),
    };
  } else if (result.permanent || claimed.attempts >= transports.maxAttempts) {
    next = {
      ...claimed,
      state: "failed",
      lastError: result.message.slice(0, 500),
      updatedAt: done.toISOString(),
    };
  } else {
    retryDelay = transports.retryBaseMs * 2 ** (claimed.attempts - 1);
    next = {
      ...claimed,
      state: "queued",
      lastError: result.message.slice(0, 500),
      updatedAt: done.toISOString(),
      nextAttemptAt: new Date(done.getTime() + retryDelay).toISOString(),
    };
  }
  return { next, retryDelay };
}

/** Records the outcome of a claimed delivery; only this process holds the claim. */
async function settle(kv: Deno.Kv, claimed: Message, next: Message, retryDelay?: number) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await kv.get<Message>(keys.messages(claimed.id));
    if (!current.value || current.value.state !== "sending") return;
    const op = replace(kv.atomic(), current as Deno.KvEntry<Message>, next);
    if (retryDelay !== undefined) {
      op.enqueue({ kind: "deliver_message", messageId: claimed.id } satisfies DeliverMessageJob, {
        delay: retryDelay,
      });
    }
    if ((await op.commit()).ok) return;
  }
  throw new Error(`could not record the outcome of message ${claimed.id}`);
}

/**
 * Re-drives what the queue may have dropped: queued messages overdue by `graceMs` are
 * enqueued again; messages stuck in `sending` longer than `graceMs` (a crash mid-call) go
 * back to `queued` for e-mail and to `uncertain` for SMS.
 */
export async function sweepMessages(
  kv: Deno.Kv,
  clock: Clock,
  graceMs = 60_000,
  /** Deliver here and now instead of enqueueing: where a platform has no queues, this sends. */
  redeliver?: (messageId: string) => Promise<unknown>,
  /** Direct deliveries stop after this long (real time); the next sweep takes the rest. */
  budgetMs = 45_000,
) {
  const now = clock().getTime();
  const startedAt = Date.now();
  let requeued = 0;
  let uncertain = 0;
  let deferred = 0;
  const drive = async (messageId: string) => {
    if (redeliver) await redeliver(messageId);
    else await kv.enqueue({ kind: "deliver_message", messageId } satisfies DeliverMessageJob);
  };
  for (const message of await listMessages(kv, { state: "queued", limit: 500 })) {
    if (Date.parse(message.nextAttemptAt) + graceMs > now) continue;
    if (redeliver && Date.now() - startedAt > budgetMs) {
      deferred++;
      continue;
    }
    await drive(message.id);
    requeued++;
  }
  for (const message of await listMessages(kv, { state: "sending", limit: 500 })) {
    // A send in progress takes seconds; only one silent for two minutes was cut off.
    if (Date.parse(message.updatedAt) + Math.max(graceMs, STUCK_SENDING_MS) > now) continue;
    const entry = await kv.get<Message>(keys.messages(message.id));
    if (!entry.value || entry.value.state !== "sending") continue;
    const stamp = new Date(now).toISOString();
    const next: Message = message.channel === "email"
      ? { ...entry.value, state: "queued", nextAttemptAt: stamp, updatedAt: stamp }
      : {
        ...entry.value,
        state: "uncertain",
        updatedAt: stamp,
        lastError: "Przerwane w trakcie wysyłki: nie wiadomo, czy SMS dotarł do operatora.",
      };
    const op = replace(kv.atomic(), entry as Deno.KvEntry<Message>, next);
    if (next.state === "queued" && !redeliver) {
      op.enqueue({ kind: "deliver_message", messageId: message.id } satisfies DeliverMessageJob);
    }
    if (!(await op.commit()).ok) continue;
    if (next.state === "queued") {
      if (redeliver && Date.now() - startedAt <= budgetMs) await redeliver(message.id);
      requeued++;
    } else uncertain++;
  }
  return deferred ? { requeued, uncertain, deferred } : { requeued, uncertain };
}

/** Staff decision: send a failed or uncertain message again. */
/** Puts a failed or uncertain message back in the queue, with the staff member's audit entry. */
export async function resendMessage(
  kv: Deno.Kv,
  clock: Clock,
  messageId: string,
  by?: Actor,
) {
  const entry = await kv.get<Message>(keys.messages(messageId));
  const m = entry.value;
  if (!m) return { ok: false as const, reason: "missing" as const };
  if (m.state !== "failed" && m.state !== "uncertain") {
    return { ok: false as const, reason: "not_resendable" as const };
  }
  const stamp = clock().toISOString();
  const next: Message = { ...m, state: "queued", nextAttemptAt: stamp, updatedAt: stamp };
  const op = replace(kv.atomic(), entry as Deno.KvEntry<Message>, next)
    .enqueue({ kind: "deliver_message", messageId } satisfies DeliverMessageJob);
  if (by) {
    addAudit(op, clock, {
      actor: by,
      action: "message.resent",
      target: { kind: "message", id: messageId },
    });
  }
  return (await op.commit()).ok
    ? { ok: true as const }
    : { ok: false as const, reason: "conflict" as const };
}

/** How long Resend keeps an idempotency key: a repeat within it is dropped, not sent. */
export const EMAIL_IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60_000;

/**
 * After a restore from a backup: a message that was `queued` or `sending` when the backup was
 * taken may have gone out since. An SMS (Twilio has no idempotency key) becomes `uncertain`,
 * for staff to judge; an e-mail goes back to `queued` — its id is Resend's idempotency key, so a
 * repeat is dropped — unless the backup is older than Resend keeps keys (24 h): then it too
 * becomes `uncertain`. Nothing already `sent` is ever sent again.
 */
export async function holdMessagesAfterRestore(
  kv: Deno.Kv,
  clock: Clock,
  backupTakenAt: Date,
): Promise<{ requeued: number; uncertain: number }> {
  const now = clock();
  const emailsSafe = now.getTime() - backupTakenAt.getTime() < EMAIL_IDEMPOTENCY_WINDOW_MS - 60_000;
  let requeued = 0;
  let uncertain = 0;
  for (const state of ["queued", "sending"] as const) {
    // All ids first: the loop moves records out of this state index.
    const ids: string[] = [];
    for await (const e of kv.list<string>({ prefix: keys.messagesByStateAll(state) })) {
      ids.push(e.value);
    }
    for (const id of ids) {
      const entry = await kv.get<Message>(keys.messages(id));
      const m = entry.value;
      if (!m || m.state !== state) continue;
      if (m.channel === "email" && emailsSafe && state === "queued") continue;
      const stamp = now.toISOString();
      const next: Message = m.channel === "email" && emailsSafe
        ? { ...m, state: "queued", nextAttemptAt: stamp, updatedAt: stamp }
        : {
          ...m,
          state: "uncertain",
          updatedAt: stamp,
          lastError:
            "Przywrócono z kopii zapasowej: nie wiadomo, czy wiadomość wysłano po jej wykonaniu.",
        };
      if ((await replace(kv.atomic(), entry as Deno.KvEntry<Message>, next).commit()).ok) {
        if (next.state === "queued") requeued++;
        else uncertain++;
      }
    }
  }
  return { requeued, uncertain };
}
