/**
 * Sessions for residents and for staff, kept apart (different keys, cookies and lifetimes).
 * The cookie holds a random token; KV holds only its SHA-256. Expiry slides with use up to an
 * absolute cap; `expiresAt` in the value decides, KV's expireIn only cleans up.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import { addAudit, type NewAuditEntry } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import { randomToken } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";

export type SessionKind = "resident" | "staff";

export type Session = {
  id: string;
  kind: SessionKind;
  /** Account id for residents, staff id for staff. */
  ownerId: string;
  createdAt: string;
  expiresAt: string;
  absoluteExpiresAt: string;
  lastSeenAt: string;
  /** Opened with a start password: only the password change is allowed. */
  restricted: boolean;
};

export type SessionPolicy = { idleMs: number; absoluteMs: number };

export const sessionPolicies: Record<SessionKind, SessionPolicy> = {
  resident: { idleMs: 30 * 60_000, absoluteMs: 12 * 60 * 60_000 },
  staff: { idleMs: 15 * 60_000, absoluteMs: 8 * 60 * 60_000 },
};

/** Extend the sliding expiry at most this often, to save writes on busy pages. */
const TOUCH_EVERY_MS = 60_000;

export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

function sessionKey(kind: SessionKind, id: string) {
  return kind === "resident" ? keys.sessions(id) : keys.staffSessions(id);
}

function ownerIndexKey(kind: SessionKind, ownerId: string, id: string) {
  return kind === "resident"
    ? keys.sessionsByAccount(ownerId, id)
    : keys.staffSessionsByStaff(ownerId, id);
}

function ownerIndexPrefix(kind: SessionKind, ownerId: string) {
  return kind === "resident"
    ? keys.sessionsByAccountAll(ownerId)
    : keys.staffSessionsByStaffAll(ownerId);
}

/**
 * Adds a new session with a fresh token to the caller's atomic operation (so a login or a
 * password change lands with its audit entry); returns the token for the cookie.
 */
export function addNewSession(
  op: Deno.AtomicOperation,
  clock: Clock,
  kind: SessionKind,
  ownerId: string,
  options: { restricted?: boolean } = {},
): { token: string; session: Session } {
  const policy = sessionPolicies[kind];
  const token = randomToken(20);
  const id = hashToken(token);
  const now = clock().getTime();
  const session: Session = {
    id,
    kind,
    ownerId,
    createdAt: new Date(now).toISOString(),
    lastSeenAt: new Date(now).toISOString(),
    expiresAt: new Date(now + policy.idleMs).toISOString(),
    absoluteExpiresAt: new Date(now + policy.absoluteMs).toISOString(),
    restricted: options.restricted ?? false,
  };
  op.set(sessionKey(kind, id), session, { expireIn: policy.absoluteMs })
    .set(ownerIndexKey(kind, ownerId, id), id, { expireIn: policy.absoluteMs });
  return { token, session };
}

/** A new session with a fresh token; returns the token for the cookie. */
export async function createSession(
  kv: Deno.Kv,
  clock: Clock,
  kind: SessionKind,
  ownerId: string,
  options: { restricted?: boolean } = {},
): Promise<{ token: string; session: Session }> {
  const op = kv.atomic();
  const created = addNewSession(op, clock, kind, ownerId, options);
  await op.commit();
  return created;
}

/** The session a cookie token names (unexpired or not), for ending it with a new login. */
export function sessionIdOfToken(token: string): string | null {
  return /^[a-z2-7]{32}$/.test(token) ? hashToken(token) : null;
}

/** Adds the deletion of sessions (by id) of one owner to the caller's atomic operation. */
export function addEndSessions(
  op: Deno.AtomicOperation,
  kind: SessionKind,
  ownerId: string,
  ids: string[],
) {
  for (const id of ids) op.delete(sessionKey(kind, id)).delete(ownerIndexKey(kind, ownerId, id));
}

/** The ids of an owner's sessions (expired ones too, until KV cleans them up). */
export async function listOwnerSessionIds(
  kv: Deno.Kv,
  kind: SessionKind,
  ownerId: string,
): Promise<string[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: ownerIndexPrefix(kind, ownerId) })) {
    ids.push(e.value);
  }
  return ids;
}

/** The live session for a cookie token, its idle expiry extended; null when absent or expired. */
export async function validateSession(
  kv: Deno.Kv,
  clock: Clock,
  kind: SessionKind,
  token: string,
): Promise<Session | null> {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  return await liveSession(
    kv,
    clock,
    kind,
    await kv.get<Session>(sessionKey(kind, hashToken(token))),
  );
}

/** The session read in `entry` if still live (its idle expiry extended now and then), else null. */
async function liveSession(
  kv: Deno.Kv,
  clock: Clock,
  kind: SessionKind,
  entry: Deno.KvEntryMaybe<Session>,
): Promise<Session | null> {
  const session = entry.value;
  if (!session) return null;
  const now = clock().getTime();
  if (now >= Date.parse(session.expiresAt) || now >= Date.parse(session.absoluteExpiresAt)) {
    await deleteSession(kv, session);
    return null;
  }
  if (now - Date.parse(session.lastSeenAt) >= TOUCH_EVERY_MS) {
    const policy = sessionPolicies[kind];
    const touched: Session = {
      ...session,
      lastSeenAt: new Date(now).toISOString(),
      expiresAt: new Date(Math.min(now + policy.idleMs, Date.parse(session.absoluteExpiresAt)))
        .toISOString(),
    };
    const expireIn = Math.max(1000, Date.parse(session.absoluteExpiresAt) - now);
    // A lost race only means another request extended it already.
    await kv.atomic().check(entry).set(entry.key, touched, { expireIn }).commit();
    return touched;
  }
  return session;
}

/**
 * Reads the live session of a cookie token together with its owner's record (an account, a staff
 * member), both from KV on every call, so a logout, a block or a password change counts at once
 * in every process. Which owner a session belongs to never changes (the id is the hash of a
 * random token), so the reader remembers it: from the second request of a session on, the
 * session and its owner come in one `getMany`, and the owner named by the session read there is
 * compared with the remembered one. Nothing invalidates this cache: its entries cannot go stale.
 * `extra` keys (at most 8: the cooperative's settings a page shows) come in the same getMany,
 * their entries returned in order; they are read whatever the session's state.
 */
export function createSessionReader<Owner>(
  kv: Deno.Kv,
  clock: Clock,
  kind: SessionKind,
  ownerKey: (ownerId: string) => Deno.KvKey,
  maxSessions = 10_000,
) {
  const ownerOf = new Map<string, string>();
  return async function read(
    token: string,
    extra: readonly Deno.KvKey[] = [],
  ): Promise<
    { session: Session; owner: Owner | null; extra: Deno.KvEntryMaybe<unknown>[] } | null
  > {
    if (!/^[a-z2-7]{32}$/.test(token)) return null;
    if (extra.length > 8) throw new RangeError("a getMany reads at most 10 keys");
    const id = hashToken(token);
    const known = ownerOf.get(id);
    let entry: Deno.KvEntryMaybe<Session>;
    let owner: Deno.KvEntryMaybe<Owner> | undefined;
    let extraEntries: Deno.KvEntryMaybe<unknown>[];
    if (known !== undefined) {
      [entry, owner, ...extraEntries] = await kv.getMany<[Session, Owner, ...unknown[]]>([
        sessionKey(kind, id),
        ownerKey(known),
        ...extra,
      ]);
      if (entry.value?.ownerId !== known) owner = undefined;
    } else if (extra.length) {
      [entry, ...extraEntries] = await kv.getMany<[Session, ...unknown[]]>([
        sessionKey(kind, id),
        ...extra,
      ]);
    } else {
      entry = await kv.get<Session>(sessionKey(kind, id));
      extraEntries = [];
    }
    const session = await liveSession(kv, clock, kind, entry);
    if (!session) {
      ownerOf.delete(id);
      return null;
    }
    if (!owner) {
      owner = await kv.get<Owner>(ownerKey(session.ownerId));
      if (ownerOf.size >= maxSessions) ownerOf.clear();
      ownerOf.set(id, session.ownerId);
    }
    return { session, owner: owner.value, extra: extraEntries };
  };
}

export async function deleteSession(kv: Deno.Kv, session: Session) {
  await kv.atomic()
    .delete(sessionKey(session.kind, session.id))
    .delete(ownerIndexKey(session.kind, session.ownerId, session.id))
    .commit();
}

/** Ends every session of an account (or staff member), except `keepId` if given. */
/**
 * Ends every session of an owner but `keepId`, 100 to an operation. `audit`, when given, is
 * written in the last of them (in one of its own when there was nothing to end), so the entry
 * lands with the change that completes it.
 */
export async function invalidateOwnerSessions(
  kv: Deno.Kv,
  kind: SessionKind,
  ownerId: string,
  keepId?: string,
  audit?: { clock: Clock; entry: (ended: number) => NewAuditEntry },
): Promise<number> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: ownerIndexPrefix(kind, ownerId) })) {
    if (e.value !== keepId) ids.push(e.value);
  }
  let i = 0;
  do {
    const op = kv.atomic();
    for (const id of ids.slice(i, i + 100)) {
      op.delete(sessionKey(kind, id)).delete(ownerIndexKey(kind, ownerId, id));
    }
    i += 100;
    if (i >= ids.length && audit) addAudit(op, audit.clock, audit.entry(ids.length));
    await op.commit();
  } while (i < ids.length);
  return ids.length;
}

export async function listOwnerSessions(
  kv: Deno.Kv,
  clock: Clock,
  kind: SessionKind,
  ownerId: string,
): Promise<Session[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: ownerIndexPrefix(kind, ownerId) })) {
    ids.push(e.value);
  }
  const now = clock().getTime();
  const out: Session[] = [];
  for (const id of ids) {
    const s = (await kv.get<Session>(sessionKey(kind, id))).value;
    if (s && now < Date.parse(s.expiresAt)) out.push(s);
  }
  return out;
}
