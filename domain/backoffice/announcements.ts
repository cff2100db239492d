/**
 * Announcements (komunikaty) of the cooperative to its residents: to everybody or to the
 * residents of chosen buildings, shown on the eBOK dashboard while visible, and optionally
 * e-mailed to every active account in the audience.
 *
 * Keys: `["announcements", id]` → announcement (ULID: lists come back in time order);
 * `["site_settings_stamp"]` → the id last written, re-set in every op that writes an
 * announcement (and by the profile and data-date writers), so processes that remember the list
 * know when to read it again (site_settings.ts);
 * `["announcement_emails", announcementId, accountId]` → the id of the message queued to that
 * account for that announcement.
 *
 * ## E-mail fan-out without duplicates
 * The fan-out walks the accounts in key order (`["accounts", id]`) in small chunks. Each chunk
 * is one atomic op holding, for every account in it, the message (`addMessage`: record, state
 * index, queue trigger) and its marker key, plus the announcement's new progress (`emailed`:
 * the count queued so far and `cursor`, the last account id dealt with). So:
 * - a crash leaves each chunk either wholly done (messages, markers, cursor) or not at all, and
 *   `resumeAnnouncementEmails` carries on after the cursor;
 * - every chunk checks the versionstamp of the announcement it read, so two runners (say a
 *   resume started while the first run still goes) cannot both commit the same chunk: the
 *   loser re-reads the announcement and continues after the winner's cursor;
 * - every marker is checked with `versionstamp: null` in the op that queues its message, so
 *   even were an account offered twice, its second message could not be committed (the op
 *   fails; the runner re-reads the markers and leaves that account out).
 * Delivery itself never sends one message twice (see messages.ts).
 *
 * A chunk holds at most `EMAIL_CHUNK_ACCOUNTS` accounts: with the announcement's check that is
 * 10 checks (the self-hosted denokv floor), ~5 mutations an account (message, state index,
 * reference index, queue trigger, marker) and well under the op's size limit even with a
 * 4000-character text in every message.
 */
import type { Account } from "../accounts/accounts.ts";
import { type Actor, addAudit, type NewAuditEntry, recordAudit } from "./audit.ts";
import { polishDate } from "../shared/calendar.ts";
import type { Clock } from "../shared/clock.ts";
import type { CooperativeProfile } from "./cooperative.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { isIsoDate } from "../shared/calendar.ts";
import { addMessage } from "../messaging/messages.ts";
import { announcementEmail } from "../messaging/notifications.ts";
import { wantsNotification } from "../accounts/notification_prefs.ts";
import type { Building } from "./register.ts";

export const ANNOUNCEMENT_TITLE_MAX = 120;
export const ANNOUNCEMENT_BODY_MAX = 4000;
/** Accounts per atomic op of the e-mail fan-out (see the module comment). */
export const EMAIL_CHUNK_ACCOUNTS = 9;
/** Accounts looked at per chunk at most, so a sparse audience still advances the cursor. */
const SCAN_PER_CHUNK = 500;
/** Markers are needed only while a fan-out may still run or be resumed. */
const MARKER_TTL_MS = 90 * 24 * 60 * 60_000;

export type Audience = { kind: "all" } | { kind: "buildings"; buildingIds: string[] };

export type EmailProgress = {
  /** The author asked for the announcement to be e-mailed too. */
  requested: boolean;
  /** E-mails queued so far. */
  queued: number;
  /** The last account id (in key order) the fan-out has dealt with: where a resume starts. */
  cursor?: string;
  /** When every account of the audience had been dealt with. */
  completedAt?: string;
};

export type Announcement = {
  id: string;
  title: string;
  /** Plain text, at most 4000 characters; paragraphs separated by blank lines. */
  body: string;
  audience: Audience;
  publishedAt: string;
  /** The last day it is shown ("YYYY-MM-DD", in Poland); shown indefinitely when absent. */
  visibleUntil?: string;
  /** The staff member who published it, as the audit log labels them. */
  createdBy: string;
  emailed: EmailProgress;
  withdrawnAt?: string;
  withdrawnBy?: string;
};

export type NewAnnouncement = {
  title: string;
  body: string;
  audience: Audience;
  visibleUntil?: string;
};

export type MessageCtx = { coop: CooperativeProfile; baseUrl: string };

export type CreateAnnouncementResult =
  | { ok: true; announcement: Announcement }
  | { ok: false; reason: "unknown_building" };

export type FanOutOptions = {
  chunkSize?: number;
  /**
   * The staff member who asked to finish a stopped fan-out: "announcement.emails_resumed" is
   * written with the chunk that completes it (alone when there was nothing left to do).
   */
  resumedBy?: Actor;
};

function assertDraft(input: NewAnnouncement) {
  const title = input.title.trim();
  const body = input.body.trim();
  if (!title || title.length > ANNOUNCEMENT_TITLE_MAX) throw new RangeError("title length");
  if (/[\r\n]/.test(title)) throw new RangeError("title: one line");
  if (!body || body.length > ANNOUNCEMENT_BODY_MAX) throw new RangeError("body length");
  if (input.visibleUntil !== undefined && !isIsoDate(input.visibleUntil)) {
    throw new RangeError(`visibleUntil: ${input.visibleUntil}`);
  }
  if (input.audience.kind === "buildings" && input.audience.buildingIds.length === 0) {
    throw new RangeError("audience: no buildings");
  }
}

/**
 * Publishes an announcement (with its audit entry) and, when `email` is asked for, queues one
 * e-mail per active resident account in the audience. Returns the announcement as it stands
 * after the fan-out.
 */
export async function createAnnouncement(
  kv: Deno.Kv,
  clock: Clock,
  input: NewAnnouncement,
  options: { staff: Actor; email: boolean; ctx: MessageCtx } & FanOutOptions,
): Promise<CreateAnnouncementResult> {
  assertDraft(input);
  const audience: Audience = input.audience.kind === "all"
    ? { kind: "all" }
    : { kind: "buildings", buildingIds: [...new Set(input.audience.buildingIds)] };
  const buildingChecks: Deno.KvEntryMaybe<Building>[] = [];
  if (audience.kind === "buildings") {
    for (let i = 0; i < audience.buildingIds.length; i += 10) {
      buildingChecks.push(
        ...await kv.getMany<Building[]>(
          audience.buildingIds.slice(i, i + 10).map((id) => keys.buildings(id)),
        ),
      );
    }
    if (buildingChecks.some((e) => e.value === null)) {
      return { ok: false, reason: "unknown_building" };
    }
  }
  const now = clock();
  const announcement: Announcement = {
    id: newId(now),
    title: input.title.trim(),
    body: input.body.replace(/\r\n?/g, "\n").trim(),
    audience,
    publishedAt: now.toISOString(),
    visibleUntil: input.visibleUntil,
    createdBy: options.staff.label,
    emailed: { requested: options.email, queued: 0 },
  };
  const op = kv.atomic()
    .check({ key: keys.announcements(announcement.id), versionstamp: null })
    .set(keys.announcements(announcement.id), announcement)
    .set(keys.siteSettingsStamp(), announcement.id);
  addAudit(op, clock, {
    actor: options.staff,
    action: "announcement.published",
    details: {
      announcementId: announcement.id,
      audience: audience.kind,
      buildings: audience.kind === "buildings" ? audience.buildingIds.length : 0,
      email: options.email,
      ...(announcement.visibleUntil ? { visibleUntil: announcement.visibleUntil } : {}),
    },
  });
  if (!(await op.commit()).ok) throw new Error(`announcement id ${announcement.id} taken`);
  if (!options.email) return { ok: true, announcement };
  const done = await resumeAnnouncementEmails(kv, clock, announcement.id, options.ctx, options);
  return { ok: true, announcement: done.announcement ?? announcement };
}

/** The unit ids of the audience's buildings; null for everybody. */
async function audienceUnits(kv: Deno.Kv, audience: Audience): Promise<Set<string> | null> {
  if (audience.kind === "all") return null;
  const ids = new Set<string>();
  for (const buildingId of audience.buildingIds) {
    for await (const e of kv.list<string>({ prefix: keys.unitsByBuildingAll(buildingId) })) {
      ids.add(e.value);
    }
  }
  return ids;
}

function inAudience(account: Account, units: Set<string> | null): boolean {
  // Residents who turned announcement e-mails off still see them in eBOK.
  if (!wantsNotification(account, "announcement")) return false;
  return units === null || account.unitIds.some((id) => units.has(id));
}

export type FanOutResult = {
  /** The announcement after the run; null when there is no such announcement. */
  announcement: Announcement | null;
  /** E-mails queued by this run. */
  queued: number;
};

/**
 * Queues the announcement's e-mails from where the fan-out stopped (or from the start). Does
 * nothing for an announcement not to be e-mailed, withdrawn, or whose fan-out completed. Safe
 * to run any number of times, also at once: nobody is e-mailed twice (see the module comment).
 */
export async function resumeAnnouncementEmails(
  kv: Deno.Kv,
  clock: Clock,
  id: string,
  ctx: MessageCtx,
  options: FanOutOptions = {},
): Promise<FanOutResult> {
  const chunkSize = Math.max(1, Math.min(options.chunkSize ?? EMAIL_CHUNK_ACCOUNTS, 99));
  let units: Set<string> | null | undefined;
  let queued = 0;
  let conflicts = 0;
  while (true) {
    const entry = await kv.get<Announcement>(keys.announcements(id));
    const a = entry.value;
    if (!a) return { announcement: null, queued };
    if (!a.emailed.requested || a.emailed.completedAt || a.withdrawnAt) {
      if (options.resumedBy) {
        await recordAudit(kv, clock, resumedEntry(options.resumedBy, id, queued));
      }
      return { announcement: a, queued };
    }
    units ??= await audienceUnits(kv, a.audience);

    const { chunk, last, exhausted } = await nextAudienceChunk(kv, a, units, chunkSize);
    const fresh = await notYetEmailed(kv, id, chunk);
    const op = kv.atomic().check(entry);
    const next = addFanOutStep(op, clock, ctx, {
      id,
      a,
      fresh,
      last,
      exhausted,
      resumedBy: options.resumedBy,
      queuedBefore: queued,
    });
    if ((await op.commit()).ok) {
      queued += fresh.length;
      conflicts = 0;
      if (exhausted) return { announcement: next, queued };
      continue;
    }
    // Another runner advanced the announcement, or a marker appeared: read again and go on.
    if (++conflicts >= 50) throw new Error(`announcement ${id}: e-mail fan-out kept conflicting`);
  }
}

/** Up to `chunkSize` accounts of the audience after the cursor; `exhausted` at the list's end. */
async function nextAudienceChunk(
  kv: Deno.Kv,
  a: Announcement,
  units: Set<string> | null,
  chunkSize: number,
): Promise<{ chunk: Account[]; last: string | undefined; exhausted: boolean }> {
  const chunk: Account[] = [];
  let last = a.emailed.cursor;
  let scanned = 0;
  const selector: Deno.KvListSelector = a.emailed.cursor
    ? { prefix: keys.accountsAll(), start: keys.accounts(a.emailed.cursor) }
    : { prefix: keys.accountsAll() };
  for await (const e of kv.list<Account>(selector, { batchSize: 100 })) {
    if (e.value.id === a.emailed.cursor) continue; // `start` is inclusive
    if (chunk.length === chunkSize || scanned === SCAN_PER_CHUNK) {
      return { chunk, last, exhausted: false };
    }
    scanned++;
    last = e.value.id;
    if (inAudience(e.value, units)) chunk.push(e.value);
  }
  return { chunk, last, exhausted: true };
}

/** Accounts already e-mailed for this announcement (only after an anomaly) are left out. */
async function notYetEmailed(kv: Deno.Kv, id: string, chunk: Account[]): Promise<Account[]> {
  const fresh: Account[] = [];
  for (let i = 0; i < chunk.length; i += 10) {
    const part = chunk.slice(i, i + 10);
    const markers = await kv.getMany<string[]>(
      part.map((acc) => keys.announcementEmails(id, acc.id)),
    );
    part.forEach((acc, j) => {
      if (markers[j].versionstamp === null) fresh.push(acc);
    });
  }
  return fresh;
}

/**
 * Adds to `op` one step of the fan-out: the chunk's e-mails with their markers, the advanced
 * cursor, and at the end the audit entries. Returns the announcement as it will be stored.
 */
function addFanOutStep(
  op: Deno.AtomicOperation,
  clock: Clock,
  ctx: MessageCtx,
  s: {
    id: string;
    a: Announcement;
    fresh: Account[];
    last: string | undefined;
    exhausted: boolean;
    resumedBy?: Actor;
    queuedBefore: number;
  },
): Announcement {
  const { a, fresh, exhausted } = s;
  const id = s.id;
  const publishedAt = new Date(a.publishedAt);
  for (const acc of fresh) {
    const message = addMessage(
      op,
      clock,
      announcementEmail(ctx, {
        email: acc.email,
        firstName: acc.firstName,
        accountId: acc.id,
        title: a.title,
        body: a.body,
        publishedAt,
      }),
    );
    op.check({ key: keys.announcementEmails(id, acc.id), versionstamp: null })
      .set(keys.announcementEmails(id, acc.id), message.id, { expireIn: MARKER_TTL_MS });
  }
  const next: Announcement = {
    ...a,
    emailed: {
      requested: true,
      queued: a.emailed.queued + fresh.length,
      cursor: s.last,
      completedAt: exhausted ? clock().toISOString() : undefined,
    },
  };
  op.set(keys.announcements(id), next).set(keys.siteSettingsStamp(), id);
  if (exhausted) {
    addAudit(op, clock, {
      actor: { kind: "system", label: "wysyłka komunikatu" },
      action: "announcement.emails_queued",
      details: { announcementId: id, queued: next.emailed.queued },
    });
    if (s.resumedBy) {
      addAudit(op, clock, resumedEntry(s.resumedBy, id, s.queuedBefore + fresh.length));
    }
  }
  return next;
}

function resumedEntry(staff: Actor, announcementId: string, queued: number): NewAuditEntry {
  return {
    actor: staff,
    action: "announcement.emails_resumed",
    details: { announcementId, queued },
  };
}

/** Announcements whose e-mail fan-out was asked for and has not finished (e.g. after a crash). */
export async function listUnfinishedEmailFanOuts(kv: Deno.Kv): Promise<Announcement[]> {
  return (await listAnnouncements(kv)).filter((a) =>
    a.emailed.requested && !a.emailed.completedAt && !a.withdrawnAt
  );
}

/**
 * Finishes every fan-out left unfinished (a crash, a deploy mid-way) whose announcement was
 * published more than `graceMs` ago, so a run still going in a request is left to finish
 * itself (running both at once would still e-mail nobody twice, only conflict). For a
 * periodic job; returns the e-mails queued.
 */
export async function resumeUnfinishedAnnouncementEmails(
  kv: Deno.Kv,
  clock: Clock,
  ctx: MessageCtx,
  graceMs = 10 * 60_000,
): Promise<number> {
  const before = clock().getTime() - graceMs;
  let queued = 0;
  for (const a of await listUnfinishedEmailFanOuts(kv)) {
    if (Date.parse(a.publishedAt) > before) continue;
    queued += (await resumeAnnouncementEmails(kv, clock, a.id, ctx)).queued;
  }
  return queued;
}

export async function getAnnouncement(kv: Deno.Kv, id: string): Promise<Announcement | null> {
  return (await kv.get<Announcement>(keys.announcements(id))).value;
}

/** Every announcement, newest first (for staff). */
export async function listAnnouncements(kv: Deno.Kv, limit = 500): Promise<Announcement[]> {
  const out: Announcement[] = [];
  for await (
    const e of kv.list<Announcement>({ prefix: keys.announcementsAll() }, { limit, reverse: true })
  ) out.push(e.value);
  return out;
}

export type AnnouncementState = "visible" | "expired" | "withdrawn";

/** Whether residents see it now (audience aside). */
export function announcementState(a: Announcement, now: Date): AnnouncementState {
  if (a.withdrawnAt) return "withdrawn";
  if (a.visibleUntil && polishDate(now) > a.visibleUntil) return "expired";
  return "visible";
}

/**
 * What a resident with units in `buildingIds` sees now, newest first: not withdrawn, published,
 * not past its last day, and addressed to everybody or to one of those buildings. Reads every
 * announcement (O(number of announcements)): a cooperative publishes a few a month.
 */
export async function listAnnouncementsFor(
  kv: Deno.Kv,
  clock: Clock,
  buildingIds: string[],
): Promise<Announcement[]> {
  const all: Announcement[] = [];
  for await (
    const e of kv.list<Announcement>({ prefix: keys.announcementsAll() }, { reverse: true })
  ) all.push(e.value);
  return announcementsFor(all, clock(), buildingIds);
}

/** Of `all` (newest first), those a resident of `buildingIds` sees at `now`. */
export function announcementsFor(
  all: readonly Announcement[],
  now: Date,
  buildingIds: string[],
): Announcement[] {
  const nowIso = now.toISOString();
  const mine = new Set(buildingIds);
  return all.filter((a) =>
    announcementState(a, now) === "visible" && a.publishedAt <= nowIso &&
    (a.audience.kind !== "buildings" || a.audience.buildingIds.some((b) => mine.has(b)))
  );
}

export type WithdrawResult =
  | { ok: true; announcement: Announcement }
  | { ok: false; reason: "not_found" | "already_withdrawn" };

/** Hides an announcement from residents (and stops an unfinished e-mail fan-out). */
export async function withdrawAnnouncement(
  kv: Deno.Kv,
  clock: Clock,
  id: string,
  staff: Actor,
): Promise<WithdrawResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<Announcement>(keys.announcements(id));
    if (!entry.value) return { ok: false, reason: "not_found" };
    if (entry.value.withdrawnAt) return { ok: false, reason: "already_withdrawn" };
    const next: Announcement = {
      ...entry.value,
      withdrawnAt: clock().toISOString(),
      withdrawnBy: staff.label,
    };
    const op = kv.atomic().check(entry).set(keys.announcements(id), next)
      .set(keys.siteSettingsStamp(), id);
    addAudit(op, clock, {
      actor: staff,
      action: "announcement.withdrawn",
      details: { announcementId: id },
    });
    if ((await op.commit()).ok) return { ok: true, announcement: next };
  }
  throw new Error(`announcement ${id} kept changing; withdrawal abandoned`);
}
