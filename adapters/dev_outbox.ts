/**
 * Development stand-in for Resend and Twilio: every message that would have been sent is
 * stored in KV and listed at /dev/outbox. Never wired in production (see main.ts).
 */
import type { Clock } from "../domain/shared/clock.ts";
import { keys } from "../domain/shared/keys.ts";
import type { Mailer, SmsSender } from "../domain/messaging/messages.ts";

export type OutboxEntry = {
  id: string;
  messageId: string;
  channel: "email" | "sms";
  to: string;
  subject?: string;
  text: string;
  createdAt: string;
};

export function createDevOutbox(kv: Deno.Kv, clock: Clock): Mailer & SmsSender {
  // Keyed by the message id (a ULID, so the list stays in time order): a delivery repeated
  // after a crash mid-send shows once, as Resend's idempotency key makes it for real e-mail.
  const store = async (entry: Omit<OutboxEntry, "id" | "createdAt">) => {
    const now = clock();
    const id = entry.messageId;
    const key = keys.devOutbox(id);
    await kv.atomic().check({ key, versionstamp: null })
      .set(key, { id, createdAt: now.toISOString(), ...entry }).commit();
    return { providerId: `outbox-${id}` };
  };
  return {
    sendEmail: (e) =>
      store({ messageId: e.id, channel: "email", to: e.to, subject: e.subject, text: e.text }),
    sendSms: (s) => store({ messageId: s.id, channel: "sms", to: s.to, text: s.text }),
  };
}

/** Everything in the outbox, oldest first. */
export async function listOutbox(kv: Deno.Kv): Promise<OutboxEntry[]> {
  const out: OutboxEntry[] = [];
  for await (const e of kv.list<OutboxEntry>({ prefix: keys.devOutboxAll() })) out.push(e.value);
  return out;
}
