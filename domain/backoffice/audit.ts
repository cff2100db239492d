/**
 * The audit log: who did what, when, to which request or account. Never holds secrets.
 *
 * An entry is written by the domain function that makes the change, in the same atomic operation
 * (`addAudit(op, …)`), so the log and the change land together or not at all. `recordAudit`
 * (an operation of its own) is only for events that change nothing else: a refused login, an
 * export, a read through the API.
 */
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import type { AuditAction } from "./audit_actions.ts";
export type { AuditAction } from "./audit_actions.ts";
import { keys } from "../shared/keys.ts";
import { formatDateTimeSeconds, isIsoDate, nextDay, warsawMidnight } from "../shared/calendar.ts";
import { csvDocument, csvText } from "../shared/csv_export.ts";

export type Actor =
  | { kind: "staff"; id: string; label: string }
  | { kind: "resident"; id: string; label: string }
  | { kind: "system"; id?: undefined; label: string }
  | { kind: "anonymous"; id?: undefined; label: string };

export type AuditEntry = {
  id: string;
  at: string;
  actor: Actor;
  /**
   * What happened, e.g. "request.approved": written as one of `auditActionLabels`
   * (audit_actions.ts); read as a string, since an old entry may hold a name since retired.
   */
  action: string;
  target?: { kind: "request" | "account" | "staff" | "message"; id: string };
  details?: Record<string, string | number | boolean>;
  clientAddress?: string;
};

export type NewAuditEntry = Omit<AuditEntry, "id" | "at" | "action"> & { action: AuditAction };

/** Adds an entry to the caller's atomic operation, so the log and the change land together. */
export function addAudit(op: Deno.AtomicOperation, clock: Clock, entry: NewAuditEntry): AuditEntry {
  const now = clock();
  const full: AuditEntry = { id: newId(now), at: now.toISOString(), ...entry };
  op.set(keys.auditLog(full.id), full);
  return full;
}

/**
 * Who makes a change and when, for domain functions that take it optionally: seeding and tests
 * write without an audit entry; staff and residents always pass one.
 */
export type AuditBy = { actor: Actor; clock: Clock };

/** `addAudit` for an optional `AuditBy`: nothing when the change is made by nobody in particular. */
export function addAuditBy(
  op: Deno.AtomicOperation,
  by: AuditBy | undefined,
  entry: Omit<NewAuditEntry, "actor">,
): void {
  if (by) addAudit(op, by.clock, { actor: by.actor, ...entry });
}

/** An entry that is the whole of its change (a refused login, an export): one operation. */
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

// --- Querying and export (staff's "Dziennik zdarzeń") ---------------------------------------

export type AuditQuery = {
  /** First day, "YYYY-MM-DD" in Poland, inclusive. */
  from?: string;
  /** Last day, "YYYY-MM-DD" in Poland, inclusive. */
  to?: string;
  actorKind?: Actor["kind"];
  /** A family of actions ("login.") or one action ("request.approved"). */
  action?: string;
  /** Entries about it or by it: the target's id, the actor's id, or an id among the details. */
  targetId?: string;
  /** Entries a page. */
  limit: number;
  /** The id of the last entry of the previous page: this page starts just before it. */
  cursor?: string;
  /** Entries looked at, at most (default 10 000), so a rare filter cannot read the whole log. */
  maxScan?: number;
};

export type AuditPage = {
  entries: AuditEntry[];
  /** Pass as `cursor` for the next (older) page; absent when nothing older matches. */
  nextCursor?: string;
  /** The page stopped at `maxScan` before filling: older matches may exist beyond `nextCursor`. */
  scanLimited: boolean;
};

const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function isAuditCursor(s: string): boolean {
  return ULID_PATTERN.test(s);
}

/** The smallest ULID of millisecond `ms`: entries logged at or after `ms` sort from here. */
function ulidFloor(ms: number): string {
  let time = "";
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  return `${time}${"0".repeat(16)}`;
}

function matches(e: AuditEntry, q: AuditQuery): boolean {
  if (q.actorKind && e.actor.kind !== q.actorKind) return false;
  if (
    q.action && !(q.action.endsWith(".") ? e.action.startsWith(q.action) : e.action === q.action)
  ) {
    return false;
  }
  if (q.targetId) {
    const id = q.targetId;
    const inDetails = e.details ? Object.values(e.details).some((v) => v === id) : false;
    if (e.target?.id !== id && e.actor.id !== id && !inDetails) return false;
  }
  return true;
}

/**
 * Audit entries matching the query, newest first, a page at a time. The dates bound the KV
 * range (ids are ULIDs, so time-ordered); the other filters are applied while reading.
 */
export async function queryAudit(kv: Deno.Kv, query: AuditQuery): Promise<AuditPage> {
  if (query.from !== undefined && !isIsoDate(query.from)) {
    throw new RangeError(`from: ${query.from}`);
  }
  if (query.to !== undefined && !isIsoDate(query.to)) throw new RangeError(`to: ${query.to}`);
  if (query.cursor !== undefined && !isAuditCursor(query.cursor)) {
    throw new RangeError("cursor");
  }
  const limit = Math.max(1, Math.floor(query.limit));
  const maxScan = query.maxScan ?? 10_000;
  const prefix = keys.auditLogAll();
  const start = query.from ? ulidFloor(warsawMidnight(query.from)) : undefined;
  let end = query.to ? ulidFloor(warsawMidnight(nextDay(query.to))) : undefined;
  if (query.cursor && (end === undefined || query.cursor < end)) end = query.cursor;
  if (start !== undefined && end !== undefined && start >= end) {
    return { entries: [], scanLimited: false };
  }
  const selector: Deno.KvListSelector = start !== undefined && end !== undefined
    ? { start: keys.auditLog(start), end: keys.auditLog(end) }
    : start !== undefined
    ? { prefix, start: keys.auditLog(start) }
    : end !== undefined
    ? { prefix, end: keys.auditLog(end) }
    : { prefix };

  const entries: AuditEntry[] = [];
  let scanned = 0;
  let lastScanned: string | undefined;
  for await (
    const e of kv.list<AuditEntry>(selector, { reverse: true, batchSize: Math.min(500, limit + 1) })
  ) {
    if (scanned === maxScan) {
      return { entries, nextCursor: lastScanned, scanLimited: true };
    }
    scanned++;
    lastScanned = e.value.id;
    if (!matches(e.value, query)) continue;
    if (entries.length === limit) {
      return { entries, nextCursor: entries[limit - 1].id, scanLimited: false };
    }
    entries.push(e.value);
  }
  return { entries, scanLimited: false };
}

/**
 * The entries matching `query` (newest first, at most `query.limit`) as CSV (`auditCsv`), the
 * export itself logged as "audit.exported" with the filter it used (its only write).
 */
export async function exportAudit(
  kv: Deno.Kv,
  clock: Clock,
  query: Omit<AuditQuery, "cursor">,
  by: Actor,
): Promise<string> {
  const page = await queryAudit(kv, query);
  const filter = { from: query.from, to: query.to, action: query.action };
  await recordAudit(kv, clock, {
    actor: by,
    action: "audit.exported",
    details: {
      entries: page.entries.length,
      ...Object.fromEntries(Object.entries(filter).filter(([, v]) => v)),
      ...(query.actorKind ? { actorKind: query.actorKind } : {}),
      ...(query.targetId ? { targetId: query.targetId } : {}),
    },
  });
  return auditCsv(page.entries);
}

export const actorKindLabels: Record<Actor["kind"], string> = {
  staff: "pracownik",
  resident: "mieszkaniec",
  system: "system",
  anonymous: "niezalogowany",
};

const AUDIT_CSV_HEADER = [
  "Czas",
  "Kto (rodzaj)",
  "Kto",
  "Id wykonawcy",
  "Zdarzenie",
  "Dotyczy (rodzaj)",
  "Dotyczy (id)",
  "Szczegóły",
  "Adres klienta",
];

/**
 * Audit entries as CSV for Polish spreadsheets, like the statement export: UTF-8 with a BOM,
 * `;` between cells, CRLF line ends, a Polish header row, times in Poland
 * ("25.11.2026, 11:00:00"). Every text cell goes through `csvText`, so a value beginning with
 * `=`, `+`, `-` or `@` (a login typed by anybody, say) is never run as a formula.
 */
export function auditCsv(entries: readonly AuditEntry[]): string {
  const lines = [AUDIT_CSV_HEADER.map(csvText)];
  for (const e of entries) {
    lines.push(
      [
        formatDateTimeSeconds(new Date(e.at)),
        actorKindLabels[e.actor.kind] ?? e.actor.kind,
        e.actor.label,
        e.actor.id ?? "",
        e.action,
        e.target?.kind ?? "",
        e.target?.id ?? "",
        e.details ? Object.entries(e.details).map(([k, v]) => `${k}: ${v}`).join(", ") : "",
        e.clientAddress ?? "",
      ].map(csvText),
    );
  }
  return csvDocument(lines);
}
