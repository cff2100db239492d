/**
 * Sprawy i zgłoszenia: a resident writes to the office (a fault, a question about a charge, a
 * request for a certificate…), the office replies, changes the status and keeps internal notes.
 *
 *   ["matters", id]                       Matter
 *   ["matter_counter", year]              the last number given that year
 *   ["matters_by_unit", unitId, id]       id   (a unit's accounts see the matter)
 *   ["matters_by_account", accountId, id] id   (the author sees a common-parts matter)
 *   ["matter_entries", matterId, id]      MatterEntry: the thread residents see
 *   ["matter_notes", matterId, id]        MatterNote: staff only, never read for residents
 *
 * Every change (with its audit entry and, for a staff reply, the resident's e-mail) is one
 * atomic operation that checks the matter's versionstamp, so concurrent changes cannot both
 * pass a status check. Attachments are staged in the file store first and become visible in the
 * same operation as the matter.
 */
import type { Account } from "../accounts/accounts.ts";
import { getAccount } from "../accounts/accounts.ts";
import { consumeRateLimit, type RateLimitRule } from "../accounts/rate_limit.ts";
import { type Actor, addAudit } from "../backoffice/audit.ts";
import {
  getBuilding,
  getUnits,
  listBuildings,
  type Unit,
  unitAddress,
} from "../backoffice/register.ts";
import type { FileRefusal, FileStore, StagedFile, StoredFile } from "../files/file_store.ts";
import { addMessage } from "../messaging/messages.ts";
import { type MatterCtx, matterReplyEmail } from "./matter_notifications.ts";
import { wantsNotification } from "../accounts/notification_prefs.ts";
import { formatIsoDate, polishDate } from "../shared/calendar.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";

export const MATTER_CATEGORIES = [
  "awaria",
  "rozliczenie",
  "zaswiadczenie",
  "liczba_osob",
  "inne",
] as const;
export type MatterCategory = typeof MATTER_CATEGORIES[number];

export const matterCategoryLabels: Readonly<Record<MatterCategory, string>> = {
  awaria: "Awaria / usterka",
  rozliczenie: "Pytanie o rozliczenie",
  zaswiadczenie: "Wniosek o zaświadczenie lub dokument",
  liczba_osob: "Zmiana liczby osób",
  inne: "Inne",
};

export const MATTER_STATUSES = ["przyjete", "w_realizacji", "zakonczone", "odrzucone"] as const;
export type MatterStatus = typeof MATTER_STATUSES[number];

export const matterStatusLabels: Readonly<Record<MatterStatus, string>> = {
  przyjete: "Przyjęte",
  w_realizacji: "W realizacji",
  zakonczone: "Zakończone",
  odrzucone: "Odrzucone",
};

/** Where each status may go; "zakończone" and "odrzucone" are final. */
export const MATTER_TRANSITIONS: Readonly<Record<MatterStatus, readonly MatterStatus[]>> = {
  przyjete: ["w_realizacji", "zakonczone", "odrzucone"],
  w_realizacji: ["zakonczone", "odrzucone"],
  zakonczone: [],
  odrzucone: [],
};

export function isOpenStatus(status: MatterStatus): boolean {
  return status === "przyjete" || status === "w_realizacji";
}

export const MAX_ATTACHMENTS = 3;
export const MAX_DESCRIPTION_CHARS = 4000;
export const MAX_REPLY_CHARS = 4000;
/** New matters per account: enough for a real week, too few for a flood. */
export const NEW_MATTER_LIMIT: RateLimitRule = { limit: 10, windowMs: 24 * 60 * 60_000 };
/** Replies per account: a lively exchange fits, a script does not. */
export const REPLY_LIMIT: RateLimitRule = { limit: 30, windowMs: 60 * 60_000 };
const MAX_ATTEMPTS = 40;

export type Matter = {
  id: string;
  /** "Z/2026/0042". */
  number: string;
  accountId: string;
  /** The author, as staff read it ("Jan Kowalski"). */
  authorName: string;
  /** The unit concerned, or null for the building's common parts. */
  unitId: string | null;
  buildingId: string | null;
  /** "ul. Kazimierza Wielkiego 12/7" or "Części wspólne: ul. Kazimierza Wielkiego 12". */
  placeLabel: string;
  category: MatterCategory;
  description: string;
  status: MatterStatus;
  rejectionReason?: string;
  assignedTo: { id: string; name: string } | null;
  attachmentIds: string[];
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  /** Who wrote last in the thread: the queue shows matters waiting for the office. */
  lastReplyBy: "resident" | "staff";
  /** A "zmiana liczby osób" matter: the number the resident states, from which day. */
  occupants?: { persons: number; from: string };
};

export type MatterEntry = {
  id: string;
  at: string;
  kind: "reply" | "status";
  author: { kind: "resident" | "staff"; id: string; name: string };
  text: string;
  /** For a status change. */
  status?: MatterStatus;
};

export type MatterNote = {
  id: string;
  at: string;
  author: { id: string; name: string };
  text: string;
};

/** A place a resident may choose: one of their units or the common parts of its building. */
export type MatterPlace = {
  value: string;
  label: string;
  unitId: string | null;
  buildingId: string | null;
};

const COMMON_PREFIX = "wspolne:";

/** The account's units, then the common parts of each of their buildings. */
export async function matterPlaces(kv: Deno.Kv, account: Account): Promise<MatterPlace[]> {
  const units = await getUnits(kv, account.unitIds);
  const places: MatterPlace[] = [];
  const commons: MatterPlace[] = [];
  const seen = new Set<string>();
  for (const unit of units) {
    const building = await getBuilding(kv, unit.buildingId);
    places.push({
      value: unit.id,
      label: building ? unitAddress(building, unit) : `Lokal ${unit.number}`,
      unitId: unit.id,
      buildingId: unit.buildingId,
    });
    if (!seen.has(unit.buildingId)) {
      seen.add(unit.buildingId);
      commons.push({
        value: COMMON_PREFIX + unit.buildingId,
        label: building
          ? `Części wspólne: ul. ${building.street} ${building.number}`
          : "Części wspólne budynku",
        unitId: null,
        buildingId: unit.buildingId,
      });
    }
  }
  return [...places, ...commons];
}

export function formatMatterNumber(year: string, seq: number): string {
  return `Z/${year}/${String(seq).padStart(4, "0")}`;
}

export type NewMatterInput = {
  account: Account;
  category: string;
  place: string;
  description: string;
  attachments: readonly { name: string; body: Blob | Uint8Array }[];
  /** For "liczba_osob": the new number of occupants and the day it applies from (YYYY-MM-DD). */
  persons?: string;
  from?: string;
};

export const MAX_PERSONS = 20;

export type MatterFieldErrors = Partial<
  Record<"category" | "place" | "description" | "attachment" | "persons" | "from", string>
>;

export type CreateMatterResult =
  | { ok: true; matter: Matter }
  | { ok: false; reason: "invalid"; errors: MatterFieldErrors }
  | { ok: false; reason: "rate_limited"; retryAt: Date }
  | { ok: false; reason: "file_refused"; refusal: FileRefusal; fileName: string }
  | { ok: false; reason: "conflict" };

function isCategory(s: string): s is MatterCategory {
  return (MATTER_CATEGORIES as readonly string[]).includes(s);
}

function residentActor(account: Account): Actor {
  return { kind: "resident", id: account.id, label: account.identifier };
}

/** Trimmed text without control characters other than line breaks and tabs. */
function cleanText(s: string): string {
  // deno-lint-ignore no-control-regex
  return s.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").trim();
}

/**
 * A resident's new matter: validated, counted against the account's limit, its attachments
 * checked by content, then the matter, its number, its attachments and its audit entry in one
 * operation.
 */
export async function createMatter(
  kv: Deno.Kv,
  clock: Clock,
  files: FileStore,
  input: NewMatterInput,
): Promise<CreateMatterResult> {
  const valid = await validateNewMatter(kv, input);
  if (!valid.ok) return valid;
  const { place, category, description, occupants } = valid;

  const limit = await consumeRateLimit(
    kv,
    clock,
    "matter_new",
    input.account.id,
    NEW_MATTER_LIMIT,
  );
  if (!limit.ok) return { ok: false, reason: "rate_limited", retryAt: limit.retryAt };

  const now = clock();
  const id = newId(now);
  const staging = await stageAttachments(files, input, id);
  if (!staging.ok) return staging;
  const { staged } = staging;

  const year = polishDate(now).slice(0, 4);
  const counterKey = keys.matterCounter(year);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const counter = await kv.get<number>(counterKey);
    const seq = (counter.value ?? 0) + 1;
    const matter: Matter = {
      id,
      number: formatMatterNumber(year, seq),
      accountId: input.account.id,
      authorName: `${input.account.firstName} ${input.account.lastName}`,
      unitId: place.unitId,
      buildingId: place.buildingId,
      placeLabel: place.label,
      category,
      description,
      status: "przyjete",
      assignedTo: null,
      attachmentIds: staged.map((s) => s.file.id),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      lastReplyBy: "resident",
    };
    if (occupants) matter.occupants = occupants;
    const op = kv.atomic()
      .check(counter)
      .check({ key: keys.matters(id), versionstamp: null })
      .set(counterKey, seq)
      .set(keys.matters(id), matter)
      .set(keys.mattersByAccount(matter.accountId, id), id);
    if (matter.unitId) op.set(keys.mattersByUnit(matter.unitId, id), id);
    for (const s of staged) files.complete(op, s);
    addAudit(op, clock, {
      actor: residentActor(input.account),
      action: "matter.created",
      target: { kind: "account", id: input.account.id },
      details: { matterId: id, number: matter.number, category, attachments: staged.length },
    });
    if ((await op.commit()).ok) return { ok: true, matter };
  }
  await Promise.all(staged.map((s) => files.discard(s)));
  return { ok: false, reason: "conflict" };
}

/** The form's fields checked: the place among the account's, the category, text and dates. */
async function validateNewMatter(
  kv: Deno.Kv,
  input: NewMatterInput,
): Promise<
  | {
    ok: true;
    place: MatterPlace;
    category: MatterCategory;
    description: string;
    occupants: Matter["occupants"];
  }
  | { ok: false; reason: "invalid"; errors: MatterFieldErrors }
> {
  const errors: MatterFieldErrors = {};
  const description = cleanText(input.description);
  if (!isCategory(input.category)) errors.category = "Wybierz, czego dotyczy sprawa.";
  if (description === "") errors.description = "Opisz sprawę.";
  else if (description.length > MAX_DESCRIPTION_CHARS) {
    errors.description = `Opis może mieć najwyżej ${MAX_DESCRIPTION_CHARS} znaków.`;
  }
  const places = await matterPlaces(kv, input.account);
  const place = places.find((p) => p.value === input.place);
  if (!place) errors.place = "Wybierz lokal albo części wspólne budynku.";
  if (input.attachments.length > MAX_ATTACHMENTS) {
    errors.attachment = `Można dodać najwyżej ${MAX_ATTACHMENTS} pliki.`;
  }
  let occupants: Matter["occupants"];
  if (input.category === "liczba_osob") {
    if (place && place.unitId === null) {
      errors.place = "Zmiana liczby osób dotyczy lokalu. Wybierz lokal.";
    }
    const persons = (input.persons ?? "").trim();
    const from = (input.from ?? "").trim();
    if (!/^\d{1,2}$/.test(persons) || Number(persons) > MAX_PERSONS) {
      errors.persons = `Podaj liczbę osób: od 0 do ${MAX_PERSONS}.`;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || Number.isNaN(Date.parse(`${from}T00:00:00Z`))) {
      errors.from = "Podaj datę, od której zmiana obowiązuje.";
    }
    if (!errors.persons && !errors.from) occupants = { persons: Number(persons), from };
  }
  if (Object.keys(errors).length || !place || !isCategory(input.category)) {
    return { ok: false, reason: "invalid", errors };
  }
  return { ok: true, place, category: input.category, description, occupants };
}

/** Stages every attachment (checked by content); on a refusal the ones staged are discarded. */
async function stageAttachments(
  files: FileStore,
  input: NewMatterInput,
  id: string,
): Promise<
  | { ok: true; staged: StagedFile[] }
  | { ok: false; reason: "file_refused"; refusal: FileRefusal; fileName: string }
> {
  const staged: StagedFile[] = [];
  for (const a of input.attachments) {
    const result = await files.stage({
      name: a.name,
      body: a.body,
      owner: { kind: "matter", id },
      purpose: "attachment",
      uploadedBy: input.account.id,
    });
    if (!result.ok) {
      await Promise.all(staged.map((s) => files.discard(s)));
      return { ok: false, reason: "file_refused", refusal: result, fileName: a.name };
    }
    staged.push(result.staged);
  }
  return { ok: true, staged };
}

export async function getMatter(kv: Deno.Kv, id: string): Promise<Matter | null> {
  if (id.length > 40) return null;
  return (await kv.get<Matter>(keys.matters(id))).value;
}

/** The accounts of the matter's unit, and the author of a common-parts matter. */
export function residentMaySee(account: Account, matter: Matter): boolean {
  return matter.unitId !== null
    ? account.unitIds.includes(matter.unitId)
    : matter.accountId === account.id;
}

/** The matter for a resident, or null when it does not exist or is not theirs (both: 404). */
export async function getMatterForResident(
  kv: Deno.Kv,
  account: Account,
  id: string,
): Promise<Matter | null> {
  const matter = await getMatter(kv, id);
  return matter && residentMaySee(account, matter) ? matter : null;
}

/** The resident's matters (their units' and their own), newest first. */
export async function listMattersForResident(kv: Deno.Kv, account: Account): Promise<Matter[]> {
  const ids = new Set<string>();
  const prefixes = [
    keys.mattersByAccountAll(account.id),
    ...account.unitIds.map((u) => keys.mattersByUnitAll(u)),
  ];
  for (const prefix of prefixes) {
    for await (const e of kv.list<string>({ prefix })) ids.add(e.value);
  }
  const found = await Promise.all([...ids].map((id) => getMatter(kv, id)));
  return found
    .filter((m): m is Matter => m !== null && residentMaySee(account, m))
    .sort((a, b) => b.id.localeCompare(a.id));
}

export async function listMatterEntries(kv: Deno.Kv, matterId: string): Promise<MatterEntry[]> {
  const out: MatterEntry[] = [];
  for await (const e of kv.list<MatterEntry>({ prefix: keys.matterEntriesAll(matterId) })) {
    out.push(e.value);
  }
  return out;
}

/** Staff only. */
export async function listMatterNotes(kv: Deno.Kv, matterId: string): Promise<MatterNote[]> {
  const out: MatterNote[] = [];
  for await (const e of kv.list<MatterNote>({ prefix: keys.matterNotesAll(matterId) })) {
    out.push(e.value);
  }
  return out;
}

/** An attachment of the matter, for a resident who may see the matter; else null (404). */
export async function getMatterAttachmentForResident(
  kv: Deno.Kv,
  files: FileStore,
  account: Account,
  matterId: string,
  fileId: string,
): Promise<StoredFile | null> {
  const matter = await getMatterForResident(kv, account, matterId);
  return matter ? getMatterAttachment(files, matter, fileId) : null;
}

/** An attachment of this matter (staff have already been let in). */
export async function getMatterAttachment(
  files: FileStore,
  matter: Matter,
  fileId: string,
): Promise<StoredFile | null> {
  if (!matter.attachmentIds.includes(fileId)) return null;
  const file = await files.get(fileId);
  return file && file.owner.kind === "matter" && file.owner.id === matter.id ? file : null;
}

export type StaffWho = { id: string; name: string; actor: Actor };

export type MatterChangeResult =
  | { ok: true; matter: Matter }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "closed" }
  | { ok: false; reason: "invalid"; message: string }
  | { ok: false; reason: "not_allowed"; from: MatterStatus; to: MatterStatus }
  | { ok: false; reason: "rate_limited"; retryAt: Date }
  | { ok: false; reason: "conflict" };

function textError(text: string, empty: string): string | null {
  if (text === "") return empty;
  if (text.length > MAX_REPLY_CHARS) return `Tekst może mieć najwyżej ${MAX_REPLY_CHARS} znaków.`;
  return null;
}

/**
 * Reads the matter, lets `build` add its change to an operation that checks the matter's
 * versionstamp, and retries when someone else changed the matter meanwhile.
 */
async function changeMatter(
  kv: Deno.Kv,
  matterId: string,
  build: (
    matter: Matter,
    op: Deno.AtomicOperation,
  ) => Promise<{ ok: true; matter: Matter } | Exclude<MatterChangeResult, { ok: true }>>,
): Promise<MatterChangeResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = matterId.length > 40 ? null : await kv.get<Matter>(keys.matters(matterId));
    if (!entry?.value) return { ok: false, reason: "not_found" };
    const op = kv.atomic().check(entry);
    const built = await build(entry.value, op);
    if (!built.ok) return built;
    op.set(keys.matters(matterId), built.matter);
    if ((await op.commit()).ok) return built;
  }
  return { ok: false, reason: "conflict" };
}

/** A resident's reply in the thread of an open matter they may see, within REPLY_LIMIT. */
export async function addResidentReply(
  kv: Deno.Kv,
  clock: Clock,
  input: { account: Account; matterId: string; text: string },
): Promise<MatterChangeResult> {
  const text = cleanText(input.text);
  const error = textError(text, "Wpisz odpowiedź.");
  if (error) return { ok: false, reason: "invalid", message: error };
  const limit = await consumeRateLimit(kv, clock, "matter_reply", input.account.id, REPLY_LIMIT);
  if (!limit.ok) return { ok: false, reason: "rate_limited", retryAt: limit.retryAt };
  return await changeMatter(kv, input.matterId, (matter, op) => {
    if (!residentMaySee(input.account, matter)) {
      return Promise.resolve({ ok: false, reason: "not_found" });
    }
    if (!isOpenStatus(matter.status)) return Promise.resolve({ ok: false, reason: "closed" });
    const now = clock();
    const entry: MatterEntry = {
      id: newId(now),
      at: now.toISOString(),
      kind: "reply",
      author: {
        kind: "resident",
        id: input.account.id,
        name: `${input.account.firstName} ${input.account.lastName}`,
      },
      text,
    };
    op.set(keys.matterEntries(matter.id, entry.id), entry);
    addAudit(op, clock, {
      actor: residentActor(input.account),
      action: "matter.resident_replied",
      target: { kind: "account", id: matter.accountId },
      details: { matterId: matter.id, number: matter.number },
    });
    return Promise.resolve({
      ok: true,
      matter: { ...matter, updatedAt: entry.at, lastReplyBy: "resident" },
    });
  });
}

/**
 * The office's reply: the entry, the e-mail telling the author a reply waits (a link, never the
 * content) and the audit entry, together.
 */
export function addStaffReply(
  kv: Deno.Kv,
  clock: Clock,
  input: { staff: StaffWho; matterId: string; text: string; ctx: MatterCtx },
): Promise<MatterChangeResult> {
  const text = cleanText(input.text);
  return changeMatter(kv, input.matterId, async (matter, op) => {
    const error = textError(text, "Wpisz odpowiedź.");
    if (error) return { ok: false, reason: "invalid", message: error };
    const now = clock();
    const entry: MatterEntry = {
      id: newId(now),
      at: now.toISOString(),
      kind: "reply",
      author: { kind: "staff", id: input.staff.id, name: input.staff.name },
      text,
    };
    op.set(keys.matterEntries(matter.id, entry.id), entry);
    const author = await getAccount(kv, matter.accountId);
    if (author && wantsNotification(author, "matter_reply")) {
      addMessage(
        op,
        clock,
        matterReplyEmail(input.ctx, {
          email: author.email,
          firstName: author.firstName,
          accountId: author.id,
          matterId: matter.id,
          number: matter.number,
        }),
      );
    }
    addAudit(op, clock, {
      actor: input.staff.actor,
      action: "matter.staff_replied",
      target: { kind: "account", id: matter.accountId },
      details: {
        matterId: matter.id,
        number: matter.number,
        emailed: Boolean(author && wantsNotification(author, "matter_reply")),
      },
    });
    return { ok: true, matter: { ...matter, updatedAt: entry.at, lastReplyBy: "staff" } };
  });
}

/** A status change along MATTER_TRANSITIONS; "odrzucone" needs a reason residents will read. */
export function changeMatterStatus(
  kv: Deno.Kv,
  clock: Clock,
  input: { staff: StaffWho; matterId: string; status: string; reason?: string },
): Promise<MatterChangeResult> {
  const reason = cleanText(input.reason ?? "");
  return changeMatter(kv, input.matterId, (matter, op) => {
    const to = input.status as MatterStatus;
    if (!(MATTER_STATUSES as readonly string[]).includes(input.status)) {
      return Promise.resolve({ ok: false, reason: "invalid", message: "Wybierz nowy stan." });
    }
    if (!MATTER_TRANSITIONS[matter.status].includes(to)) {
      return Promise.resolve({ ok: false, reason: "not_allowed", from: matter.status, to });
    }
    if (to === "odrzucone") {
      const error = textError(reason, "Podaj powód odrzucenia — mieszkaniec go zobaczy.");
      if (error) return Promise.resolve({ ok: false, reason: "invalid", message: error });
    }
    const now = clock();
    const entry: MatterEntry = {
      id: newId(now),
      at: now.toISOString(),
      kind: "status",
      author: { kind: "staff", id: input.staff.id, name: input.staff.name },
      text: to === "odrzucone" ? reason : "",
      status: to,
    };
    op.set(keys.matterEntries(matter.id, entry.id), entry);
    addAudit(op, clock, {
      actor: input.staff.actor,
      action: "matter.status_changed",
      target: { kind: "account", id: matter.accountId },
      details: { matterId: matter.id, number: matter.number, from: matter.status, to },
    });
    const next: Matter = { ...matter, status: to, updatedAt: entry.at };
    if (to === "odrzucone") next.rejectionReason = reason;
    if (!isOpenStatus(to)) next.closedAt = entry.at;
    return Promise.resolve({ ok: true, matter: next });
  });
}

/** A note for staff only; the audit entry records that it was written, not what it says. */
export function addMatterNote(
  kv: Deno.Kv,
  clock: Clock,
  input: { staff: StaffWho; matterId: string; text: string },
): Promise<MatterChangeResult> {
  const text = cleanText(input.text);
  return changeMatter(kv, input.matterId, (matter, op) => {
    const error = textError(text, "Wpisz treść notatki.");
    if (error) return Promise.resolve({ ok: false, reason: "invalid", message: error });
    const now = clock();
    const note: MatterNote = {
      id: newId(now),
      at: now.toISOString(),
      author: { id: input.staff.id, name: input.staff.name },
      text,
    };
    op.set(keys.matterNotes(matter.id, note.id), note);
    addAudit(op, clock, {
      actor: input.staff.actor,
      action: "matter.note_added",
      target: { kind: "account", id: matter.accountId },
      details: { matterId: matter.id, number: matter.number },
    });
    return Promise.resolve({ ok: true, matter: { ...matter, updatedAt: note.at } });
  });
}

/** Assigns the matter to an active staff member (or to nobody, with `assignee` null). */
export function assignMatter(
  kv: Deno.Kv,
  clock: Clock,
  input: { staff: StaffWho; matterId: string; assignee: { id: string; name: string } | null },
): Promise<MatterChangeResult> {
  return changeMatter(kv, input.matterId, (matter, op) => {
    addAudit(op, clock, {
      actor: input.staff.actor,
      action: "matter.assigned",
      target: { kind: "account", id: matter.accountId },
      details: {
        matterId: matter.id,
        number: matter.number,
        assignee: input.assignee?.name ?? "nikt",
      },
    });
    return Promise.resolve({
      ok: true,
      matter: { ...matter, assignedTo: input.assignee, updatedAt: clock().toISOString() },
    });
  });
}

export type MatterQueueFilter = {
  status?: MatterStatus | "otwarte";
  category?: MatterCategory;
  buildingId?: string;
  /** Only matters older than this many days. */
  olderThanDays?: number;
};

export type MatterQueue = {
  matters: Matter[];
  /** Open matters per category, whatever the filter. */
  openByCategory: Record<MatterCategory, number>;
  /** Every building, for the building filter. */
  buildings: { id: string; label: string }[];
};

/** The office's queue: oldest open first within the filter. */
export async function listMatterQueue(
  kv: Deno.Kv,
  clock: Clock,
  filter: MatterQueueFilter,
): Promise<MatterQueue> {
  const openByCategory = Object.fromEntries(MATTER_CATEGORIES.map((c) => [c, 0])) as Record<
    MatterCategory,
    number
  >;
  const now = clock().getTime();
  const matters: Matter[] = [];
  for await (const e of kv.list<Matter>({ prefix: keys.mattersAll() })) {
    const m = e.value;
    if (isOpenStatus(m.status)) openByCategory[m.category]++;
    if (filter.status === "otwarte" && !isOpenStatus(m.status)) continue;
    if (filter.status && filter.status !== "otwarte" && m.status !== filter.status) continue;
    if (filter.category && m.category !== filter.category) continue;
    if (filter.buildingId && m.buildingId !== filter.buildingId) continue;
    if (
      filter.olderThanDays !== undefined &&
      now - Date.parse(m.createdAt) < filter.olderThanDays * 86_400_000
    ) continue;
    matters.push(m);
  }
  matters.sort((a, b) => a.id.localeCompare(b.id));
  const buildings = (await listBuildings(kv))
    .map((b) => ({ id: b.id, label: `ul. ${b.street} ${b.number}` }))
    .sort((a, b) => a.label.localeCompare(b.label, "pl", { numeric: true }));
  return { matters, openByCategory, buildings };
}

/** Whole days since the matter came in. */
export function matterAgeDays(matter: Matter, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(matter.createdAt)) / 86_400_000));
}

/**
 * Accepts a "zmiana liczby osób" matter: the unit's number of persons in the register changes,
 * the matter closes, both audited, in one operation that checks the matter and the unit. Of
 * concurrent accepts one commits; the others find the matter closed.
 */
export async function acceptOccupantsChange(
  kv: Deno.Kv,
  clock: Clock,
  input: { staff: StaffWho; matterId: string },
): Promise<MatterChangeResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = input.matterId.length > 40
      ? null
      : await kv.get<Matter>(keys.matters(input.matterId));
    const matter = entry?.value;
    if (!entry || !matter) return { ok: false, reason: "not_found" };
    if (!isOpenStatus(matter.status)) return { ok: false, reason: "closed" };
    if (matter.category !== "liczba_osob" || !matter.occupants || !matter.unitId) {
      return { ok: false, reason: "invalid", message: "To zgłoszenie nie zmienia liczby osób." };
    }
    const unitEntry = await kv.get<Unit>(keys.units(matter.unitId));
    if (!unitEntry.value) return { ok: false, reason: "not_found" };
    const now = clock();
    const { persons, from } = matter.occupants;
    const thread: MatterEntry = {
      id: newId(now),
      at: now.toISOString(),
      kind: "status",
      author: { kind: "staff", id: input.staff.id, name: input.staff.name },
      text: `Zmiana przyjęta: ${persons} ${personsWord(persons)} od ${formatIsoDate(from)}.`,
      status: "zakonczone",
    };
    const next: Matter = {
      ...matter,
      status: "zakonczone",
      updatedAt: thread.at,
      closedAt: thread.at,
    };
    const op = kv.atomic().check(entry).check(unitEntry)
      .set(keys.units(matter.unitId), { ...unitEntry.value, persons })
      // The building's water average (domain/water/water_page.ts) counts its flats' persons.
      .set(keys.buildingWaterStamp(unitEntry.value.buildingId), matter.unitId)
      .set(keys.matters(matter.id), next)
      .set(keys.matterEntries(matter.id, thread.id), thread);
    addAudit(op, clock, {
      actor: input.staff.actor,
      action: "matter.occupants_accepted",
      target: { kind: "account", id: matter.accountId },
      details: {
        matterId: matter.id,
        number: matter.number,
        unitId: matter.unitId,
        personsBefore: unitEntry.value.persons,
        personsAfter: persons,
        from,
      },
    });
    if ((await op.commit()).ok) return { ok: true, matter: next };
  }
  return { ok: false, reason: "conflict" };
}

/** "osoba", "osoby", "osób". */
export function personsWord(n: number): string {
  if (n === 1) return "osoba";
  const last = n % 10;
  const lastTwo = n % 100;
  return last >= 2 && last <= 4 && (lastTwo < 12 || lastTwo > 14) ? "osoby" : "osób";
}
