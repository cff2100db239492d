/**
 * Documents of the cooperative (statute, regulations, resolutions, …: for every resident or for
 * chosen buildings) and letters to one unit (fee notices, settlements, certificates, replies).
 *
 *   ["documents", id]                       Document (ULID id)
 *   ["documents_shared", id]                id — documents for all or for buildings, not withdrawn
 *   ["documents_by_unit", unitId, id]       id — letters to the unit, not withdrawn
 *   ["document_first_open", id]             FirstOpen — a letter's first opening, written once
 *
 * Every change is one atomic operation: publishing completes the staged file, writes the record,
 * its index, the audit entry and (for a letter) the e-mails "W eBOK jest nowy dokument" together.
 * Replacing publishes a new version and marks the old one (kept, still downloadable); withdrawing
 * removes the file and the index, keeping the record for the office's history.
 */
import type { Account } from "../accounts/accounts.ts";
import { type Actor, addAudit } from "../backoffice/audit.ts";
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import { type Building, getUnitByExternalId, getUnits } from "../backoffice/register.ts";
import type { FileRefusal, FileStore, StagedFile, StoredFile } from "../files/file_store.ts";
import { addMessage } from "../messaging/messages.ts";
import { newDocumentEmail } from "../messaging/notifications.ts";
import { wantsNotification } from "../accounts/notification_prefs.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { foldText } from "../shared/text.ts";

export const documentCategoryLabels = {
  statut: "Statut",
  regulaminy: "Regulaminy",
  uchwaly: "Uchwały",
  protokoly: "Protokoły",
  sprawozdania: "Sprawozdania finansowe",
  cenniki: "Cenniki",
  komunikaty: "Komunikaty",
  zawiadomienia: "Zawiadomienia o opłatach",
  rozliczenia: "Rozliczenia",
  zaswiadczenia: "Zaświadczenia",
  odpowiedzi: "Odpowiedzi na pisma",
  pisma: "Pisma",
} as const;
export type DocumentCategory = keyof typeof documentCategoryLabels;
export const documentCategories = Object.keys(documentCategoryLabels) as DocumentCategory[];

export function isDocumentCategory(s: string): s is DocumentCategory {
  return Object.hasOwn(documentCategoryLabels, s);
}

export const DOCUMENT_TITLE_MAX = 160;

/** Who sees a document: every resident, residents of chosen buildings, or one unit (a letter). */
export type DocumentAudience =
  | { kind: "all" }
  | { kind: "buildings"; buildingIds: string[] }
  | { kind: "unit"; unitId: string; unitCode: string };

export type Document = {
  id: string;
  title: string;
  category: DocumentCategory;
  audience: DocumentAudience;
  fileId: string;
  fileName: string;
  fileType: StoredFile["type"];
  size: number;
  publishedAt: string;
  /** The staff member, as the audit log labels them. */
  publishedBy: string;
  /** The version this one replaced. */
  replaces?: string;
  /** Set on an old version when a new one was published in its place. */
  replacedBy?: string;
  replacedAt?: string;
  withdrawnAt?: string;
  withdrawnBy?: string;
  /** Letters sent together (a fee-notice run, a bulk upload) share one batch id. */
  batchId?: string;
};

/** A letter's first opening by a resident: the proof of delivery staff see. */
export type FirstOpen = { accountId: string; accountLabel: string; at: string };

export type MessageCtx = { coop: CooperativeProfile; baseUrl: string };

export type DocumentDraft = {
  title: string;
  category: DocumentCategory;
  /** A unit's code (the accounting system's, e.g. "KW12/7"): the document is a letter to it. */
  unitCode?: string;
  /** Chosen buildings; none (and no unit) means every resident. */
  buildingIds?: string[];
  file: { name: string; body: Blob | Uint8Array | ReadableStream<Uint8Array> };
};

export type PublishResult =
  | { ok: true; document: Document; emailsQueued: number }
  | FileRefusal
  | { ok: false; reason: "unknown_unit" | "unknown_building" | "not_found" | "not_current" };

async function resolveAudience(
  kv: Deno.Kv,
  draft: DocumentDraft,
): Promise<DocumentAudience | "unknown_unit" | "unknown_building"> {
  const code = draft.unitCode?.trim() ?? "";
  if (code !== "") {
    const unit = await getUnitByExternalId(kv, code);
    return unit ? { kind: "unit", unitId: unit.id, unitCode: code } : "unknown_unit";
  }
  const ids = [...new Set(draft.buildingIds ?? [])];
  if (ids.length === 0) return { kind: "all" };
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<Building[]>(ids.slice(i, i + 10).map((id) => keys.buildings(id)));
    if (got.some((e) => e.value === null)) return "unknown_building";
  }
  return { kind: "buildings", buildingIds: ids };
}

export function indexKey(doc: Document): Deno.KvKey {
  return doc.audience.kind === "unit"
    ? keys.documentsByUnit(doc.audience.unitId, doc.id)
    : keys.documentsShared(doc.id);
}

/** The active accounts of a unit, for the e-mail about a new letter. */
/** The unit's accounts that want the "W eBOK jest nowy dokument" e-mail (Moje konto). */
export async function letterRecipients(kv: Deno.Kv, unitId: string): Promise<Account[]> {
  return (await accountsOfUnit(kv, unitId)).filter((a) => wantsNotification(a, "new_document"));
}

export async function accountsOfUnit(kv: Deno.Kv, unitId: string): Promise<Account[]> {
  const ids: string[] = [];
  for await (const e of kv.list({ prefix: keys.accountsByUnitAll(unitId) })) {
    ids.push(String(e.key[e.key.length - 1]));
  }
  const out: Account[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<Account[]>(ids.slice(i, i + 10).map((id) => keys.accounts(id)));
    for (const e of got) {
      if (e.value && e.value.status === "active" && e.value.unitIds.includes(unitId)) {
        out.push(e.value);
      }
    }
  }
  return out;
}

type PublishOptions = {
  staff: Actor;
  ctx: MessageCtx;
  replaces?: string;
  batchId?: string;
  /**
   * A key that must not exist yet and is set to the new document's id in the same operation:
   * publishing once per key (one letter per unit of a run), however often it is retried.
   */
  onceKey?: Deno.KvKey;
};

/**
 * Publishes a document (or, with `replaces`, a new version of one). The file, the record, its
 * index, the audit entry and a letter's e-mails land in one atomic operation or not at all.
 */
export async function publishDocument(
  kv: Deno.Kv,
  clock: Clock,
  store: FileStore,
  draft: DocumentDraft,
  options: PublishOptions,
): Promise<PublishResult> {
  const title = draft.title.trim().replace(/\s+/g, " ");
  if (!title || title.length > DOCUMENT_TITLE_MAX) throw new RangeError("title length");
  const target = await publicationTarget(kv, draft, options.replaces);
  if (!target.ok) return target;
  const { old, audience } = target;
  const recipients = audience.kind === "unit" ? await letterRecipients(kv, audience.unitId) : [];

  const now = clock();
  const id = newId(now);
  const staged = await store.stage({
    name: draft.file.name,
    body: draft.file.body,
    owner: { kind: "document", id },
    purpose: audience.kind === "unit" ? "letter" : "document",
    uploadedBy: options.staff.id ?? null,
  });
  if (!staged.ok) return staged;
  const file = staged.staged.file;
  const doc: Document = {
    id,
    title,
    category: old?.value ? old.value.category : draft.category,
    audience,
    fileId: file.id,
    fileName: file.name,
    fileType: file.type,
    size: file.size,
    publishedAt: now.toISOString(),
    publishedBy: options.staff.label,
    ...(old?.value ? { replaces: old.value.id } : {}),
    ...(options.batchId ? { batchId: options.batchId } : {}),
  };
  const op = kv.atomic();
  addPublication(op, clock, { doc, staged: staged.staged, store, old, recipients, now, options });
  if (!(await op.commit()).ok) {
    await store.discard(staged.staged);
    // The old version changed meanwhile (replaced or withdrawn), or the sweep took the upload.
    return old ? { ok: false, reason: "not_current" } : { ok: false, reason: "interrupted" };
  }
  return { ok: true, document: doc, emailsQueued: recipients.length };
}

/** Who a document goes to: a new version to its predecessor's readers, else the draft's. */
async function publicationTarget(
  kv: Deno.Kv,
  draft: DocumentDraft,
  replaces: string | undefined,
): Promise<
  | { ok: true; old: Deno.KvEntryMaybe<Document> | null; audience: DocumentAudience }
  | { ok: false; reason: "unknown_unit" | "unknown_building" | "not_found" | "not_current" }
> {
  if (replaces !== undefined) {
    const old = await kv.get<Document>(keys.documents(replaces));
    if (!old.value) return { ok: false, reason: "not_found" };
    if (old.value.withdrawnAt || old.value.replacedBy) return { ok: false, reason: "not_current" };
    return { ok: true, old, audience: old.value.audience }; // a new version goes to the same readers
  }
  const resolved = await resolveAudience(kv, draft);
  if (typeof resolved === "string") return { ok: false, reason: resolved };
  return { ok: true, old: null, audience: resolved };
}

/** Adds to `op` the document, its index and file, the replaced version, e-mails and audit. */
function addPublication(
  op: Deno.AtomicOperation,
  clock: Clock,
  p: {
    doc: Document;
    staged: StagedFile;
    store: FileStore;
    old: Deno.KvEntryMaybe<Document> | null;
    recipients: Account[];
    now: Date;
    options: PublishOptions;
  },
): void {
  const { doc, old, recipients, options } = p;
  const id = doc.id;
  op.check({ key: keys.documents(id), versionstamp: null })
    .set(keys.documents(id), doc)
    .set(indexKey(doc), id);
  p.store.complete(op, p.staged);
  if (options.onceKey) {
    op.check({ key: options.onceKey, versionstamp: null }).set(options.onceKey, id);
  }
  if (old?.value) {
    op.check(old).set(
      keys.documents(old.value.id),
      {
        ...old.value,
        replacedBy: id,
        replacedAt: p.now.toISOString(),
      } satisfies Document,
    );
  }
  for (const account of recipients) {
    addMessage(
      op,
      clock,
      newDocumentEmail(options.ctx, {
        email: account.email,
        firstName: account.firstName,
        accountId: account.id,
      }),
    );
  }
  const audience = doc.audience;
  addAudit(op, clock, {
    actor: options.staff,
    action: old?.value ? "document.replaced" : "document.published",
    details: {
      documentId: id,
      title: doc.title,
      category: doc.category,
      audience: audience.kind,
      ...(audience.kind === "unit" ? { unit: audience.unitCode } : {}),
      ...(old?.value ? { replaces: old.value.id } : {}),
      ...(options.batchId ? { batchId: options.batchId } : {}),
      emails: recipients.length,
    },
  });
}

export type WithdrawResult = { ok: true } | { ok: false; reason: "not_found" | "withdrawn" };

/** Withdraws a document: residents no longer see it, its file is removed, the record stays. */
export async function withdrawDocument(
  kv: Deno.Kv,
  clock: Clock,
  store: FileStore,
  id: string,
  staff: Actor,
): Promise<WithdrawResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<Document>(keys.documents(id));
    if (!entry.value) return { ok: false, reason: "not_found" };
    if (entry.value.withdrawnAt) return { ok: false, reason: "withdrawn" };
    const doc = entry.value;
    const file = await store.get(doc.fileId);
    const op = kv.atomic()
      .check(entry)
      .set(
        keys.documents(id),
        {
          ...doc,
          withdrawnAt: clock().toISOString(),
          withdrawnBy: staff.label,
        } satisfies Document,
      )
      .delete(indexKey(doc));
    if (file) store.removeWithin(op, file);
    addAudit(op, clock, {
      actor: staff,
      action: "document.withdrawn",
      details: { documentId: id, title: doc.title },
    });
    if ((await op.commit()).ok) return { ok: true };
  }
  throw new Error(`document ${id}: withdrawal kept conflicting`);
}

async function getDocuments(kv: Deno.Kv, ids: string[]): Promise<Document[]> {
  const out: Document[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<Document[]>(ids.slice(i, i + 10).map((id) => keys.documents(id)));
    for (const e of got) if (e.value) out.push(e.value);
  }
  return out;
}

function matchesTitle(doc: Document, search: string | undefined): boolean {
  const q = foldText(search ?? "").trim();
  return q === "" || foldText(doc.title).includes(q);
}

/** The resident's buildings, from their units. */
async function residentScope(kv: Deno.Kv, account: Account) {
  const units = await getUnits(kv, account.unitIds);
  return {
    unitIds: new Set(units.map((u) => u.id)),
    buildingIds: new Set(units.map((u) => u.buildingId)),
  };
}

function visibleTo(
  doc: Document,
  scope: { unitIds: Set<string>; buildingIds: Set<string> },
): boolean {
  if (doc.withdrawnAt) return false;
  switch (doc.audience.kind) {
    case "all":
      return true;
    case "buildings":
      return doc.audience.buildingIds.some((b) => scope.buildingIds.has(b));
    case "unit":
      return scope.unitIds.has(doc.audience.unitId);
  }
}

/**
 * What the resident may see: letters to their units and documents for everyone or for their
 * buildings, newest first, optionally those whose title contains `search`.
 */
export async function listDocumentsFor(
  kv: Deno.Kv,
  account: Account,
  search?: string,
): Promise<Document[]> {
  const scope = await residentScope(kv, account);
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: keys.documentsSharedAll() })) ids.push(e.value);
  for (const unitId of scope.unitIds) {
    for await (const e of kv.list<string>({ prefix: keys.documentsByUnitAll(unitId) })) {
      ids.push(e.value);
    }
  }
  return (await getDocuments(kv, ids))
    .filter((d) => visibleTo(d, scope) && matchesTitle(d, search))
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export type OpenedDocument = { document: Document; file: StoredFile; firstOpen: boolean };

/**
 * The document and its file if the resident may see it, else null (the route answers 404, the
 * same as for an id that does not exist). A letter's first opening is recorded once: the write
 * checks that no opening was recorded, so of concurrent openings exactly one commits.
 */
export async function openDocumentFor(
  kv: Deno.Kv,
  clock: Clock,
  store: FileStore,
  account: Account,
  id: string,
): Promise<OpenedDocument | null> {
  if (!/^[0-9A-Z]{26}$/.test(id)) return null;
  const doc = (await kv.get<Document>(keys.documents(id))).value;
  if (!doc) return null;
  if (!visibleTo(doc, await residentScope(kv, account))) return null;
  const file = await store.get(doc.fileId);
  if (!file) return null;
  let firstOpen = false;
  if (doc.audience.kind === "unit") {
    const key = keys.documentFirstOpen(id);
    if ((await kv.get(key)).versionstamp === null) {
      const at = clock().toISOString();
      const label = `${account.firstName} ${account.lastName}`;
      const op = kv.atomic()
        .check({ key, versionstamp: null })
        .set(key, { accountId: account.id, accountLabel: label, at } satisfies FirstOpen);
      addAudit(op, clock, {
        actor: { kind: "resident", id: account.id, label },
        action: "document.first_opened",
        target: { kind: "account", id: account.id },
        details: { documentId: id, title: doc.title },
      });
      firstOpen = (await op.commit()).ok;
    }
  }
  return { document: doc, file, firstOpen };
}

export type StaffDocumentRow = { document: Document; firstOpen: FirstOpen | null };

/** Every document for the office, newest first, with a letter's first opening. */
export async function listDocumentsForStaff(
  kv: Deno.Kv,
  search?: string,
): Promise<StaffDocumentRow[]> {
  const docs: Document[] = [];
  for await (const e of kv.list<Document>({ prefix: keys.documentsAll() }, { reverse: true })) {
    if (matchesTitle(e.value, search)) docs.push(e.value);
  }
  const rows: StaffDocumentRow[] = [];
  for (let i = 0; i < docs.length; i += 10) {
    const part = docs.slice(i, i + 10);
    const got = await kv.getMany<FirstOpen[]>(part.map((d) => keys.documentFirstOpen(d.id)));
    part.forEach((d, j) => rows.push({ document: d, firstOpen: got[j].value }));
  }
  return rows;
}

/** A document with its file for the office (any version, not withdrawn). */
export async function openDocumentForStaff(
  kv: Deno.Kv,
  store: FileStore,
  id: string,
): Promise<{ document: Document; file: StoredFile } | null> {
  const doc = (await kv.get<Document>(keys.documents(id))).value;
  if (!doc || doc.withdrawnAt) return null;
  const file = await store.get(doc.fileId);
  return file ? { document: doc, file } : null;
}

export async function getDocument(kv: Deno.Kv, id: string): Promise<Document | null> {
  return (await kv.get<Document>(keys.documents(id))).value;
}
