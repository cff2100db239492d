/**
 * Many letters at once: staff upload a ZIP (or several files) with a CSV that names, for each
 * file, the unit it goes to. First a preview: every CSV line and every file is checked and the
 * good files are staged in the file store (invisible); then staff publish the preview.
 *
 *   ["document_bulk_previews", previewId]            BulkPreview (expires in an hour, like
 *   ["document_bulk_items", previewId, n]            BulkItem     the staged files)
 *   ["document_batch_letters", batchId, unitId, sha] document id of a published letter
 *   ["document_batches", batchId]                    DocumentBatch
 *
 * The batch id is derived from the content (which file goes to which unit, titles, kinds): the
 * same ZIP and CSV uploaded again form the same batch, and a letter already published in it is
 * shown as such and not published twice. Each letter is one atomic operation (its record,
 * index, file, e-mails, audit entry and the batch-letter key, checked to be new); at the end
 * one operation records the batch and its audit entry.
 */
import type { Actor } from "../backoffice/audit.ts";
import { addAudit } from "../backoffice/audit.ts";
import { getUnitByExternalId } from "../backoffice/register.ts";
import type { FileStore, StagedFile } from "../files/file_store.ts";
import { SNIFF_BYTES, sniffFileType } from "../files/file_type.ts";
import { addMessage } from "../messaging/messages.ts";
import { newDocumentEmail } from "../messaging/notifications.ts";
import type { Clock } from "../shared/clock.ts";
import { foldWord, sha256Hex } from "../shared/csv.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";
import { CONTROL_CHARS } from "../shared/text.ts";
import { type BulkFile, type MappingLine, parseMapping, unpackUpload } from "./bulk_files.ts";
import {
  type Document,
  DOCUMENT_TITLE_MAX,
  documentCategories,
  type DocumentCategory,
  documentCategoryLabels,
  indexKey,
  letterRecipients,
  type MessageCtx,
} from "./documents.ts";

/** A preview waits this long for staff to publish it; staged files are swept after an hour. */
export const BULK_PREVIEW_TTL_MS = 55 * 60_000;

export const bulkRefusalLabels = {
  missing_file_name: "W wierszu brakuje nazwy pliku.",
  missing_unit: "W wierszu brakuje kodu lokalu.",
  unknown_unit: "Nie ma lokalu o takim kodzie.",
  missing_file: "Nie ma takiego pliku wśród przesłanych (ani w archiwum ZIP).",
  listed_twice: "Ten plik jest w CSV więcej niż raz — nie wiadomo, do którego lokalu go wysłać.",
  name_twice: "Wśród przesłanych jest kilka plików o tej nazwie.",
  not_in_csv: "Tego pliku nie ma w CSV, więc nie wiadomo, do którego lokalu go wysłać.",
  type_not_accepted: "To nie jest PDF, JPG ani PNG (sprawdzono zawartość pliku, nie nazwę).",
  empty: "Plik jest pusty.",
  too_large: "Plik ma więcej niż 20 MB.",
  damaged: "Nie da się odczytać tego pliku z archiwum (uszkodzony albo nietypowo spakowany).",
  bad_title: "Tytuł ma mniej niż 3 albo więcej niż 160 znaków lub niedozwolone znaki.",
  bad_category: "Nieznany rodzaj pisma.",
} as const;
export type BulkRefusal = keyof typeof bulkRefusalLabels;

/** A line of the preview: a CSV line (line > 0) or a file the CSV does not name (line null). */
export type BulkLine = {
  line: number | null;
  fileName: string;
  unitCode: string;
  title: string;
  status: "ready" | "already_published" | "refused";
  reason?: BulkRefusal;
};

export type BulkDefaults = { title: string; category: DocumentCategory };

export type BulkPreview = {
  id: string;
  batchId: string;
  createdAt: string;
  createdBy: string;
  items: number;
};

type BulkItem = {
  documentId: string;
  fileName: string;
  unitId: string;
  unitCode: string;
  title: string;
  category: DocumentCategory;
  sha256: string;
  staged: StagedFile;
};

export type DocumentBatch = {
  id: string;
  publishedAt: string;
  publishedBy: string;
  letters: number;
};

export type PrepareResult =
  | { ok: true; preview: BulkPreview | null; lines: BulkLine[] }
  | { ok: false; message: string };

function validTitle(title: string): boolean {
  return title.length >= 3 && title.length <= DOCUMENT_TITLE_MAX && !CONTROL_CHARS.test(title);
}

function categoryOf(raw: string, fallback: DocumentCategory): DocumentCategory | null {
  if (raw === "") return fallback;
  const w = foldWord(raw);
  return documentCategories.find((c) => c === w || foldWord(documentCategoryLabels[c]) === w) ??
    null;
}

type Checked =
  | { line: MappingLine; refusal: BulkRefusal }
  | {
    line: MappingLine;
    file: BulkFile & { bytes: Uint8Array };
    unitId: string;
    title: string;
    category: DocumentCategory;
  };

/** Checks one CSV line against the files and the register. */
async function checkLine(
  kv: Deno.Kv,
  l: MappingLine,
  ctx: { byName: Map<string, BulkFile[]>; csvCount: Map<string, number>; defaults: BulkDefaults },
): Promise<Checked> {
  const refuse = (refusal: BulkRefusal): Checked => ({ line: l, refusal });
  if (l.fileName === "") return refuse("missing_file_name");
  if ((ctx.csvCount.get(l.fileName) ?? 0) > 1) return refuse("listed_twice");
  const files = ctx.byName.get(l.fileName) ?? [];
  if (files.length === 0) return refuse("missing_file");
  if (files.length > 1) return refuse("name_twice");
  if (l.unitCode === "") return refuse("missing_unit");
  const title = l.title || ctx.defaults.title;
  if (!validTitle(title)) return refuse("bad_title");
  const category = categoryOf(l.category, ctx.defaults.category);
  if (!category) return refuse("bad_category");
  const file = files[0];
  if (file.problem) return refuse(file.problem);
  if (!file.bytes || file.bytes.length === 0) return refuse("empty");
  if (!(await sniffFileType(file.bytes.subarray(0, SNIFF_BYTES))).ok) {
    return refuse("type_not_accepted");
  }
  const unit = await getUnitByExternalId(kv, l.unitCode);
  if (!unit) return refuse("unknown_unit");
  return { line: l, file: { ...file, bytes: file.bytes }, unitId: unit.id, title, category };
}

/**
 * Checks an upload and stages its good files; the preview (null when nothing is left to
 * publish) lets `publishBulkLetters` publish them. Nothing is visible to residents yet.
 */
export async function prepareBulkLetters(
  kv: Deno.Kv,
  clock: Clock,
  store: FileStore,
  input: {
    files: { name: string; bytes: Uint8Array }[];
    csv: Uint8Array;
    defaults: BulkDefaults;
    staff: Actor;
  },
): Promise<PrepareResult> {
  const mapping = parseMapping(input.csv);
  if (!mapping.ok) return mapping;
  const unpacked = unpackUpload(input.files);
  if (!unpacked.ok) return unpacked;

  const checked = await checkLines(kv, mapping.lines, unpacked.files, input.defaults);
  const good = await Promise.all(
    checked.map(async (
      c,
    ) => ("refusal" in c ? null : { ...c, sha256: await sha256Hex(c.file.bytes) })),
  );
  const batchId = await batchIdOf(good);

  const lines: BulkLine[] = [];
  const items: BulkItem[] = [];
  const now = clock();
  for (const [i, c] of checked.entries()) {
    const staged = await stageLine(kv, store, c, good[i], { batchId, now, input });
    lines.push(staged.line);
    if (staged.item) items.push(staged.item);
  }
  lines.push(...unnamedFileLines(mapping.lines, unpacked.files));
  if (items.length === 0) return { ok: true, preview: null, lines };

  const preview: BulkPreview = {
    id: newId(now),
    batchId,
    createdAt: now.toISOString(),
    createdBy: input.staff.label,
    items: items.length,
  };
  await storePreview(kv, preview, items);
  return { ok: true, preview, lines };
}

/** Checks every CSV line against the uploaded files and the register, in CSV order. */
async function checkLines(
  kv: Deno.Kv,
  mappingLines: MappingLine[],
  files: BulkFile[],
  defaults: BulkDefaults,
): Promise<Checked[]> {
  const byName = new Map<string, BulkFile[]>();
  for (const f of files) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  const csvCount = new Map<string, number>();
  for (const l of mappingLines) csvCount.set(l.fileName, (csvCount.get(l.fileName) ?? 0) + 1);
  const checked: Checked[] = [];
  for (const l of mappingLines) {
    checked.push(await checkLine(kv, l, { byName, csvCount, defaults }));
  }
  return checked;
}

type GoodLine = Exclude<Checked, { refusal: BulkRefusal }> & { sha256: string };

/** Same content, same batch: what goes where, with which title and kind. */
async function batchIdOf(good: (GoodLine | null)[]): Promise<string> {
  return (await sha256Hex(
    new TextEncoder().encode(
      good.filter((g) => g !== null)
        .map((g) => [g.unitId, g.sha256, g.title, g.category].join("\t"))
        .sort()
        .join("\n"),
    ),
  )).slice(0, 32);
}

/** The preview line of one checked CSV line; stages its file when it is ready to publish. */
async function stageLine(
  kv: Deno.Kv,
  store: FileStore,
  c: Checked,
  g: GoodLine | null,
  ctx: { batchId: string; now: Date; input: { defaults: BulkDefaults; staff: Actor } },
): Promise<{ line: BulkLine; item?: BulkItem }> {
  const base = { line: c.line.line, fileName: c.line.fileName, unitCode: c.line.unitCode };
  if ("refusal" in c || g === null) {
    const reason = "refusal" in c ? c.refusal : "damaged";
    return {
      line: {
        ...base,
        title: c.line.title || ctx.input.defaults.title,
        status: "refused",
        reason,
      },
    };
  }
  const published = await kv.get(keys.documentBatchLetters(ctx.batchId, g.unitId, g.sha256));
  if (published.versionstamp !== null) {
    return { line: { ...base, title: g.title, status: "already_published" } };
  }
  const documentId = newId(ctx.now);
  const staged = await store.stage({
    name: g.file.name,
    body: g.file.bytes,
    owner: { kind: "document", id: documentId },
    purpose: "letter",
    uploadedBy: ctx.input.staff.id ?? null,
  });
  if (!staged.ok) {
    const reason: BulkRefusal = staged.reason === "interrupted" ? "damaged" : staged.reason;
    return { line: { ...base, title: g.title, status: "refused", reason } };
  }
  return {
    line: { ...base, title: g.title, status: "ready" },
    item: {
      documentId,
      fileName: staged.staged.file.name,
      unitId: g.unitId,
      unitCode: g.line.unitCode,
      title: g.title,
      category: g.category,
      sha256: g.sha256,
      staged: staged.staged,
    },
  };
}

/** Refused lines for uploaded files the CSV does not name. */
function unnamedFileLines(mappingLines: MappingLine[], files: BulkFile[]): BulkLine[] {
  const named = new Set(mappingLines.map((l) => l.fileName));
  return files.filter((f) => !named.has(f.name)).map((f) => ({
    line: null,
    fileName: f.origin,
    unitCode: "",
    title: "",
    status: "refused",
    reason: "not_in_csv",
  }));
}

/** Stores the items in chunks, then the preview (written last: usable only with all items). */
async function storePreview(kv: Deno.Kv, preview: BulkPreview, items: BulkItem[]): Promise<void> {
  const expireIn = BULK_PREVIEW_TTL_MS;
  for (let i = 0; i < items.length; i += 20) {
    const op = kv.atomic();
    items.slice(i, i + 20).forEach((item, j) =>
      op.set(keys.documentBulkItems(preview.id, i + j), item, { expireIn })
    );
    await op.commit();
  }
  await kv.set(keys.documentBulkPreviews(preview.id), preview, { expireIn });
}

export type PublishBulkResult =
  | { ok: true; batchId: string; published: number; alreadyPublished: number; failed: number }
  | { ok: false; reason: "not_found" };

/** Publishes one staged letter; false when the batch already has it (or the upload was lost). */
async function publishItem(
  kv: Deno.Kv,
  clock: Clock,
  store: FileStore,
  preview: BulkPreview,
  item: BulkItem,
  options: { staff: Actor; ctx: MessageCtx },
): Promise<"published" | "already_published" | "failed"> {
  const recipients = await letterRecipients(kv, item.unitId);
  const file = item.staged.file;
  const doc: Document = {
    id: item.documentId,
    title: item.title,
    category: item.category,
    audience: { kind: "unit", unitId: item.unitId, unitCode: item.unitCode },
    fileId: file.id,
    fileName: file.name,
    fileType: file.type,
    size: file.size,
    publishedAt: clock().toISOString(),
    publishedBy: options.staff.label,
    batchId: preview.batchId,
  };
  const letterKey = keys.documentBatchLetters(preview.batchId, item.unitId, item.sha256);
  const op = kv.atomic()
    .check({ key: letterKey, versionstamp: null })
    .check({ key: keys.documents(doc.id), versionstamp: null })
    .set(keys.documents(doc.id), doc)
    .set(indexKey(doc), doc.id)
    .set(letterKey, doc.id);
  store.complete(op, item.staged);
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
  addAudit(op, clock, {
    actor: options.staff,
    action: "document.bulk_letter_published",
    details: {
      documentId: doc.id,
      title: doc.title,
      category: doc.category,
      unit: item.unitCode,
      batchId: preview.batchId,
      emails: recipients.length,
    },
  });
  if ((await op.commit()).ok) return "published";
  // Does nothing when another request completed this file (its pending marker is gone).
  await store.discard(item.staged);
  return (await kv.get(letterKey)).versionstamp !== null ? "already_published" : "failed";
}

/**
 * Publishes the letters of a preview. Safe to repeat (a double click, a resubmitted form): a
 * letter the batch already has is counted, not published again.
 */
export async function publishBulkLetters(
  kv: Deno.Kv,
  clock: Clock,
  store: FileStore,
  previewId: string,
  options: { staff: Actor; ctx: MessageCtx },
): Promise<PublishBulkResult> {
  if (!/^[0-9A-Z]{26}$/.test(previewId)) return { ok: false, reason: "not_found" };
  const header = await kv.get<BulkPreview>(keys.documentBulkPreviews(previewId));
  if (!header.value) return { ok: false, reason: "not_found" };
  const preview = header.value;
  const items: BulkItem[] = [];
  for await (const e of kv.list<BulkItem>({ prefix: keys.documentBulkItemsAll(previewId) })) {
    items.push(e.value);
  }
  const count = { published: 0, already_published: 0, failed: 0 };
  for (const item of items) {
    count[await publishItem(kv, clock, store, preview, item, options)]++;
  }
  const batchKey = keys.documentBatches(preview.batchId);
  const before = await kv.get<DocumentBatch>(batchKey);
  const batch: DocumentBatch = {
    id: preview.batchId,
    publishedAt: before.value?.publishedAt ?? clock().toISOString(),
    publishedBy: before.value?.publishedBy ?? options.staff.label,
    letters: (before.value?.letters ?? 0) + count.published,
  };
  // Only the request that removes the preview records the batch (a double click does not).
  const op = kv.atomic().check(header).check(before).delete(header.key).set(batchKey, batch);
  addAudit(op, clock, {
    actor: options.staff,
    action: "document.bulk_published",
    details: {
      batchId: preview.batchId,
      published: count.published,
      alreadyPublished: count.already_published,
      failed: count.failed,
    },
  });
  if ((await op.commit()).ok) {
    for (let i = 0; i < items.length; i += 100) {
      const del = kv.atomic();
      for (let j = i; j < Math.min(items.length, i + 100); j++) {
        del.delete(keys.documentBulkItems(previewId, j));
      }
      await del.commit();
    }
  }
  return {
    ok: true,
    batchId: preview.batchId,
    published: count.published,
    alreadyPublished: count.already_published,
    failed: count.failed,
  };
}

/** The letters of one batch, for the office (newest first). */
export async function getDocumentBatch(
  kv: Deno.Kv,
  batchId: string,
): Promise<DocumentBatch | null> {
  if (!/^[0-9a-f]{32}$/.test(batchId)) return null;
  return (await kv.get<DocumentBatch>(keys.documentBatches(batchId))).value;
}
