/** The audit log: who did what, when, to which request or account. Never holds secrets. */
import type { Clock } from "./clock.ts";
import { newId } from "./ids.ts";
import { keys } from "./keys.ts";

export type Actor =
  | { kind: "staff"; id: string; label: string }
  | { kind: "resident"; id: string; label: string }
  | { kind: "system"; id?: undefined; label: string }
  | { kind: "anonymous"; id?: undefined; label: string };

export type AuditEntry = {
  id: string;
  at: string;
  actor: Actor;
  /** e.g. "request.approved", "account.login_failed". */
  action: string;
  target?: { kind: "request" | "account" | "staff" | "message"; id: string };
  details?: Record<string, string | number | boolean>;
  clientAddress?: string;
};

export type NewAuditEntry = Omit<AuditEntry, "id" | "at">;

/** Adds an entry to the caller's atomic operation, so the log and the change land together. */
export function addAudit(op: Deno.AtomicOperation, clock: Clock, entry: NewAuditEntry): AuditEntry {
  const now = clock();
  const full: AuditEntry = { id: newId(now), at: now.toISOString(), ...entry };
  op.set(keys.auditLog(full.id), full);
  return full;
}

export async function recordAudit(kv: Deno.Kv, clock: Clock, entry: NewAuditEntry) {
  const op = kv.atomic();
  const full = addAudit(op, clock, entry);
  await op.commit();
  return full;
}

/** Newest first. */
export async function listAudit(kv: Deno.Kv, limit = 100): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (
    const e of kv.list<AuditEntry>({ prefix: keys.auditLogAll() }, { limit, reverse: true })
  ) {
    out.push(e.value);
  }
  return out;
}
