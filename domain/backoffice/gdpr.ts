/**
 * The GDPR (RODO) duties eBOK carries out itself:
 * - right of access (art. 15): `exportResidentData` gathers everything held about a resident's
 *   account into one JSON-serialisable object, leaving out secrets (listed in `omitted`);
 * - storage limitation (art. 5(1)(e)): `purgeRejectedRequests` deletes rejected registration
 *   requests, and the messages about them, once their retention period has passed. Accounts
 *   are never touched here.
 */
import type { AccessRequest } from "../access/access_requests.ts";
import type { Account } from "../accounts/accounts.ts";
import { type Actor, addAudit, type AuditEntry, recordAudit } from "./audit.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import type { LockoutState } from "../accounts/credentials.ts";
import { normalizeIdentifier } from "../access/identifier.ts";
import { keys } from "../shared/keys.ts";
import { getTotals, type LedgerEntry, type LedgerTotals, listEntries } from "../balance/ledger.ts";
import type { Message } from "../messaging/messages.ts";
import { type Building, getBuilding, getUnits, type Unit, unitAddress } from "./register.ts";
import { listUnitSubmissions, type ReadingSubmission } from "../water/reading_submissions.ts";
import type { Session } from "../accounts/sessions.ts";
import { getUnitWater, type Meter, type Reading } from "../water/water.ts";
import { listSettlements, type WaterSettlement } from "../water/water_settlements.ts";
import type { FileStore } from "../files/file_store.ts";
import { kvFileStore } from "../files/kv_file_store.ts";
import { type ExportedMatter, exportMattersOfAccount } from "../matters/matter_privacy.ts";

const DAY_MS = 24 * 60 * 60_000;

/** How long rejected requests are kept when the operator sets nothing else. */
export const DEFAULT_REJECTED_REQUEST_RETENTION_DAYS = 90;

/**
 * What happens to each field of an account in the export. Typed over every key of `Account`,
 * so a field added to accounts does not compile until somebody decides whether it is exported.
 */
const accountFields: Record<keyof Account, "include" | "omit" | "times"> = {
  id: "include",
  identifier: "include",
  firstName: "include",
  lastName: "include",
  email: "include",
  phone: "include",
  unitIds: "include",
  status: "include",
  passwordHash: "omit",
  startPassword: "times",
  createdAt: "include",
  passwordChangedAt: "include",
  requestId: "include",
  notifications: "include",
};

/** What the export leaves out, in Polish, as the file tells the resident. */
export const EXPORT_OMITTED = [
  "account.passwordHash — skrót (Argon2id) hasła ustawionego przez mieszkańca",
  "account.startPassword.hash — skrót hasła startowego (zostają daty wydania, ważności i użycia)",
  "sessions[].id — skrót (SHA-256) tokenu sesji z ciasteczka",
  "messages[].text wiadomości z hasłem startowym (SMS) — zastąpiony opisem",
  "messages[].providerId, attempts, nextAttemptAt — techniczne dane wysyłki",
  "kody i sekrety TOTP — mają je wyłącznie konta pracowników, nie mieszkańców",
  "matters[]: notatki wewnętrzne biura i osoba prowadząca sprawę — dane robocze biura; " +
  "treść załączników (są ich nazwy, typy i rozmiary; pliki biuro wyda na prośbę)",
];

export type ExportedMessage = Pick<
  Message,
  | "id"
  | "channel"
  | "to"
  | "subject"
  | "text"
  | "purpose"
  | "state"
  | "createdAt"
  | "updatedAt"
  | "sentAt"
  | "lastError"
>;

export type ExportedUnit = {
  id: string;
  address: string;
  kind: Unit["kind"];
  number: string;
  building: Building | null;
  /** Square centimetres (48,50 m² = 485000). */
  areaCm2: number;
  persons: number;
  occupants: string[];
  bankAccount: string;
  ledger: { totals: LedgerTotals; entries: LedgerEntry[] };
  water: { meters: Meter[]; readings: Record<string, Reading[]>; settlements: WaterSettlement[] };
};

export type ResidentDataExport = {
  generatedAt: string;
  note: string;
  omitted: string[];
  account: Record<string, unknown>;
  loginLockout: LockoutState | null;
  requests: AccessRequest[];
  units: ExportedUnit[];
  readingSubmissions: ReadingSubmission[];
  matters: ExportedMatter[];
  messages: ExportedMessage[];
  sessions: Pick<
    Session,
    "createdAt" | "lastSeenAt" | "expiresAt" | "absoluteExpiresAt" | "restricted"
  >[];
  audit: AuditEntry[];
};

function exportAccount(account: Account): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, rule] of Object.entries(accountFields) as [keyof Account, string][]) {
    const value = account[field];
    if (rule === "omit" || value === undefined) continue;
    if (field === "startPassword" && account.startPassword) {
      const { issuedAt, expiresAt, usedAt } = account.startPassword;
      out.startPassword = { issuedAt, expiresAt, ...(usedAt ? { usedAt } : {}) };
      continue;
    }
    out[field] = value;
  }
  out.hasOwnPassword = account.passwordHash !== null;
  return out;
}

function exportMessage(m: Message): ExportedMessage {
  return {
    id: m.id,
    channel: m.channel,
    to: m.to,
    subject: m.subject,
    text: m.sensitive ? "[pominięto: wiadomość zawierała hasło startowe]" : m.text,
    purpose: m.purpose,
    state: m.state,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    sentAt: m.sentAt,
    lastError: m.lastError,
  };
}

async function messagesByRef(kv: Deno.Kv, ref: string): Promise<Message[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: keys.messagesByRefAll(ref) })) ids.push(e.value);
  const out: Message[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<Message[]>(ids.slice(i, i + 10).map((id) => keys.messages(id)));
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

/** The account's registration requests: by its e-mail or the one that created it. */
async function requestsOf(kv: Deno.Kv, account: Account): Promise<AccessRequest[]> {
  const requests: AccessRequest[] = [];
  for await (const e of kv.list<AccessRequest>({ prefix: keys.requestsAll() })) {
    if (e.value.email === account.email || e.value.id === account.requestId) requests.push(e.value);
  }
  return requests;
}

async function exportUnits(kv: Deno.Kv, account: Account): Promise<ExportedUnit[]> {
  const units: ExportedUnit[] = [];
  for (const unit of await getUnits(kv, account.unitIds)) {
    const building = await getBuilding(kv, unit.buildingId);
    const [totals, ledger, water, settlements] = await Promise.all([
      getTotals(kv, unit.id),
      listEntries(kv, unit.id),
      getUnitWater(kv, unit.id),
      listSettlements(kv, unit.id),
    ]);
    units.push({
      id: unit.id,
      address: building ? unitAddress(building, unit) : unit.number,
      kind: unit.kind,
      number: unit.number,
      building,
      areaCm2: unit.areaCm2,
      persons: unit.persons,
      occupants: unit.occupants,
      bankAccount: unit.bankAccount,
      ledger: { totals, entries: ledger.entries },
      water: { meters: water.meters, readings: water.readingsByMeter, settlements },
    });
  }
  return units;
}

/** The readings this account submitted, in each of its units. */
async function submissionsOf(kv: Deno.Kv, account: Account): Promise<ReadingSubmission[]> {
  const out: ReadingSubmission[] = [];
  for (const unitId of account.unitIds) {
    const mine = (await listUnitSubmissions(kv, unitId, { limit: 10_000 }))
      .filter((s) => s.accountId === account.id);
    out.push(...mine);
  }
  return out;
}

/** The messages about the account or its requests, once each, in time order. */
async function messagesOf(
  kv: Deno.Kv,
  account: Account,
  requests: AccessRequest[],
): Promise<ExportedMessage[]> {
  const refs = [`account:${account.id}`, ...requests.map((r) => `request:${r.id}`)];
  const seen = new Set<string>();
  const messages: ExportedMessage[] = [];
  for (const ref of refs) {
    for (const m of await messagesByRef(kv, ref)) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      messages.push(exportMessage(m));
    }
  }
  return messages.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The account's sessions, their times only (the token's hash stays out). */
async function sessionsOf(kv: Deno.Kv, account: Account): Promise<ResidentDataExport["sessions"]> {
  const sessions: ResidentDataExport["sessions"] = [];
  for await (const e of kv.list<string>({ prefix: keys.sessionsByAccountAll(account.id) })) {
    const s = (await kv.get<Session>(keys.sessions(e.value))).value;
    if (s) {
      sessions.push({
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        expiresAt: s.expiresAt,
        absoluteExpiresAt: s.absoluteExpiresAt,
        restricted: s.restricted,
      });
    }
  }
  return sessions;
}

/** About the account or its requests, by it, or a login attempt naming its identifier. */
async function auditAbout(
  kv: Deno.Kv,
  account: Account,
  requests: AccessRequest[],
): Promise<AuditEntry[]> {
  const ids = new Set([account.id, ...requests.map((r) => r.id)]);
  const audit: AuditEntry[] = [];
  for await (const e of kv.list<AuditEntry>({ prefix: keys.auditLogAll() })) {
    const a = e.value;
    const details = a.details ? Object.values(a.details) : [];
    const typedIdentifier = typeof a.details?.identifier === "string" &&
      normalizeIdentifier(a.details.identifier) === account.identifier;
    if (
      (a.target && ids.has(a.target.id)) || (a.actor.id && ids.has(a.actor.id)) ||
      details.some((v) => typeof v === "string" && ids.has(v)) || typedIdentifier
    ) audit.push(a);
  }
  return audit;
}

const EXPORT_NOTE = (identifier: string) =>
  `Kopia danych osobowych przetwarzanych w eBOK o koncie ${identifier}, ` +
  "przygotowana na żądanie (art. 15 RODO). Nie zawiera haseł, ich skrótów, haseł " +
  "startowych ani tokenów sesji (lista w polu „omitted”): nie są to informacje o osobie, " +
  "a ich ujawnienie osłabiłoby ochronę konta. Kwoty podano w groszach, zużycie wody " +
  "w litrach, powierzchnię w cm², rozmiar plików w bajtach, czas w UTC (ISO 8601).";

/**
 * Everything eBOK holds about a resident's account, for a copy on request (art. 15 RODO):
 * the account (without secrets), its registration request(s), its units with their ledger,
 * meters, readings and water settlements, its reading submissions, the matters it opened (thread
 * and attachments' names and sizes), the messages about it or its requests, its sessions (times
 * only) and the audit entries about it or by it. Reads the whole audit log and every request: a
 * rare, staff-initiated operation. Null: no such account.
 */
export async function exportResidentData(
  kv: Deno.Kv,
  accountId: string,
  clock: Clock = systemClock,
  /** The staff member who downloads it: the export is logged (its only write). */
  by?: Actor,
  files: FileStore = kvFileStore(kv, clock),
): Promise<ResidentDataExport | null> {
  const account = (await kv.get<Account>(keys.accounts(accountId))).value;
  if (!account) return null;
  const requests = await requestsOf(kv, account);
  const [units, readingSubmissions, matters, messages, sessions, audit, loginLockout] =
    await Promise.all([
      exportUnits(kv, account),
      submissionsOf(kv, account),
      exportMattersOfAccount(kv, files, account.id),
      messagesOf(kv, account, requests),
      sessionsOf(kv, account),
      auditAbout(kv, account, requests),
      kv.get<LockoutState>(keys.lockouts(account.identifier)).then((e) => e.value),
    ]);
  if (by) {
    await recordAudit(kv, clock, {
      actor: by,
      action: "account.data_exported",
      target: { kind: "account", id: accountId },
    });
  }
  return {
    generatedAt: clock().toISOString(),
    note: EXPORT_NOTE(account.identifier),
    omitted: [...EXPORT_OMITTED],
    account: exportAccount(account),
    loginLockout,
    requests,
    units,
    readingSubmissions,
    matters,
    messages,
    sessions,
    audit,
  };
}

export type PurgeResult = { requests: number; messages: number };

/**
 * Deletes rejected registration requests decided more than `retentionDays` ago: the request,
 * its status index key (and the pending-by-e-mail key, should it still point to it) and the
 * messages about it (record, state and reference index keys). Each request goes in one atomic
 * op checked against its current version. Writes one audit entry with the counts (no personal
 * data) when anything was deleted. Never touches accounts, approved or pending requests.
 * Meant to run daily; safe to run at any time and more than once.
 */
export async function purgeRejectedRequests(
  kv: Deno.Kv,
  clock: Clock,
  retentionDays: number,
): Promise<PurgeResult> {
  if (!Number.isSafeInteger(retentionDays) || retentionDays < 1) {
    throw new RangeError(`retentionDays: ${retentionDays}`);
  }
  const cutoff = clock().getTime() - retentionDays * DAY_MS;
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: keys.requestsByStatusAll("rejected") })) {
    ids.push(e.value);
  }
  let requests = 0;
  let messages = 0;
  for (const id of ids) {
    const entry = await kv.get<AccessRequest>(keys.requests(id));
    const request = entry.value;
    if (!request) {
      await kv.delete(keys.requestsByStatus("rejected", id)); // a stale index key
      continue;
    }
    if (request.status !== "rejected") continue;
    if (Date.parse(request.decidedAt ?? request.createdAt) > cutoff) continue;

    const ref = `request:${id}`;
    const about = await messagesByRef(kv, ref);
    // Messages first, in ops well within the limits; the request last, so a crash midway
    // leaves the request for the next run to finish.
    for (let i = 0; i < about.length; i += 300) {
      const op = kv.atomic();
      for (const m of about.slice(i, i + 300)) {
        op.delete(keys.messages(m.id))
          .delete(keys.messagesByState(m.state, m.id))
          .delete(keys.messagesByRef(ref, m.id));
      }
      await op.commit();
    }
    // Index keys whose message was already gone.
    for await (const e of kv.list<string>({ prefix: keys.messagesByRefAll(ref) })) {
      await kv.delete(e.key);
    }
    const op = kv.atomic()
      .check(entry)
      .delete(keys.requests(id))
      .delete(keys.requestsByStatus("rejected", id));
    const pending = await kv.get<string>(keys.requestsPendingByEmail(request.email));
    if (pending.value === id) op.check(pending).delete(pending.key);
    if ((await op.commit()).ok) {
      requests++;
      messages += about.length;
    }
  }
  if (requests > 0) {
    const op = kv.atomic();
    addAudit(op, clock, {
      actor: { kind: "system", label: "retencja danych (RODO)" },
      action: "request.purged",
      details: { requests, messages, retentionDays },
    });
    await op.commit();
  }
  return { requests, messages };
}
