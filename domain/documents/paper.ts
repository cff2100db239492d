/**
 * Letters that must still go by post. For every batch of letters (a fee-notice run, a bulk
 * upload: the documents sharing a `batchId`) staff see which units must get paper: those where no
 * resident agreed to electronic delivery (consent.ts), and those whose letter nobody opened within
 * N days (a setting, 14 by default). Those letters print as ONE PDF: PDF letters' pages are copied
 * as they are, JPEG and PNG letters become A4 pages.
 *
 *   ["settings", "paper_letters"]   PaperSettings
 */
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";
import { type Actor, addAudit, recordAudit } from "../backoffice/audit.ts";
import type { FileStore } from "../files/file_store.ts";
import { addDays, polishDate } from "../shared/calendar.ts";
import type { Clock } from "../shared/clock.ts";
import { keys } from "../shared/keys.ts";
import { getEcorrespondenceConsent } from "./consent.ts";
import { accountsOfUnit, type Document, type FirstOpen } from "./documents.ts";

export const DEFAULT_PAPER_AFTER_DAYS = 14;
export const PAPER_AFTER_DAYS_MAX = 90;

export type PaperSettings = {
  /** An unopened letter goes by post this many days after it was published. */
  afterDays: number;
};

export async function getPaperSettings(kv: Deno.Kv): Promise<PaperSettings> {
  const stored = (await kv.get<PaperSettings>(keys.paperSettings())).value;
  return { afterDays: DEFAULT_PAPER_AFTER_DAYS, ...stored };
}

/** Stores the number of days with its audit entry, in one operation. */
export async function savePaperSettings(
  kv: Deno.Kv,
  clock: Clock,
  settings: PaperSettings,
  staff: Actor,
): Promise<void> {
  const d = settings.afterDays;
  if (!Number.isInteger(d) || d < 1 || d > PAPER_AFTER_DAYS_MAX) {
    throw new RangeError(`afterDays: ${d}`);
  }
  const op = kv.atomic().set(keys.paperSettings(), { afterDays: d } satisfies PaperSettings);
  addAudit(op, clock, {
    actor: staff,
    action: "document.paper_days_changed",
    details: { afterDays: d },
  });
  await op.commit();
}

/** A batch of letters, for the list of batches. */
export type LetterBatch = {
  batchId: string;
  /** The title of its first letter (a run's letters share one). */
  title: string;
  letters: number;
  firstPublishedAt: string;
};

/** Letters of one batch (current, not withdrawn), or of all batches. */
async function batchLetters(kv: Deno.Kv, batchId?: string): Promise<Document[]> {
  // A scan of the documents: batches come from two features (runs here, bulk uploads), and the
  // documents of a cooperative number in the thousands, so no separate index is kept.
  const out: Document[] = [];
  for await (const e of kv.list<Document>({ prefix: keys.documentsAll() })) {
    const d = e.value;
    if (!d.batchId || d.withdrawnAt || d.replacedBy || d.audience.kind !== "unit") continue;
    if (batchId === undefined || d.batchId === batchId) out.push(d);
  }
  return out;
}

/** Every batch of letters, newest first. */
export async function listLetterBatches(kv: Deno.Kv): Promise<LetterBatch[]> {
  const byId = new Map<string, LetterBatch>();
  for (const d of await batchLetters(kv)) {
    const b = byId.get(d.batchId!);
    if (b) b.letters++;
    else {
      byId.set(d.batchId!, {
        batchId: d.batchId!,
        title: d.title,
        letters: 1,
        firstPublishedAt: d.publishedAt,
      });
    }
  }
  return [...byId.values()].sort((a, b) => b.firstPublishedAt.localeCompare(a.firstPublishedAt));
}

export type PaperReason = "no_consent" | "not_opened";

export type PaperRow = {
  document: Document;
  unitCode: string;
  firstOpen: FirstOpen | null;
  /** Some resident of the unit agreed to electronic delivery. */
  consent: boolean;
  /** The day an unopened letter goes by post ("YYYY-MM-DD"). */
  paperFrom: string;
  /** Why the letter must go by post; undefined: delivered in eBOK or still waiting. */
  reason?: PaperReason;
};

export type PaperList = {
  batchId: string;
  afterDays: number;
  rows: PaperRow[];
  /** The rows that must go by post. */
  toPrint: PaperRow[];
};

/** The letters of a batch with what each needs, by unit code; null for an unknown batch. */
export async function paperList(
  kv: Deno.Kv,
  clock: Clock,
  batchId: string,
): Promise<PaperList | null> {
  const letters = await batchLetters(kv, batchId);
  if (letters.length === 0) return null;
  const { afterDays } = await getPaperSettings(kv);
  const today = polishDate(clock());
  const consentByUnit = new Map<string, boolean>();
  const opens = new Map<string, FirstOpen>();
  for (let i = 0; i < letters.length; i += 10) {
    const part = letters.slice(i, i + 10);
    const got = await kv.getMany<FirstOpen[]>(part.map((d) => keys.documentFirstOpen(d.id)));
    part.forEach((d, j) => {
      if (got[j].value) opens.set(d.id, got[j].value!);
    });
  }
  const rows: PaperRow[] = [];
  for (const d of letters) {
    if (d.audience.kind !== "unit") continue;
    const unitId = d.audience.unitId;
    if (!consentByUnit.has(unitId)) {
      let consent = false;
      for (const account of await accountsOfUnit(kv, unitId)) {
        if ((await getEcorrespondenceConsent(kv, account.id))?.given) {
          consent = true;
          break;
        }
      }
      consentByUnit.set(unitId, consent);
    }
    const consent = consentByUnit.get(unitId)!;
    const firstOpen = opens.get(d.id) ?? null;
    const paperFrom = addDays(polishDate(new Date(d.publishedAt)), afterDays);
    const reason: PaperReason | undefined = !consent
      ? "no_consent"
      : !firstOpen && today >= paperFrom
      ? "not_opened"
      : undefined;
    rows.push({
      document: d,
      unitCode: d.audience.unitCode,
      firstOpen,
      consent,
      paperFrom,
      reason,
    });
  }
  rows.sort((a, b) => a.unitCode.localeCompare(b.unitCode, "pl", { numeric: true }));
  return { batchId, afterDays, rows, toPrint: rows.filter((r) => r.reason) };
}

const A4: [number, number] = [595.28, 841.89];

/** Appends one stored letter to the print: its pages, or an image on an A4 page. */
async function appendLetter(out: PDFDocument, bytes: Uint8Array, type: Document["fileType"]) {
  if (type === "application/pdf") {
    const src = await PDFDocument.load(bytes, { ignoreEncryption: true });
    for (const page of await out.copyPages(src, src.getPageIndices())) out.addPage(page);
    return;
  }
  const image = type === "image/png" ? await out.embedPng(bytes) : await out.embedJpg(bytes);
  const page = out.addPage(A4);
  const margin = 28;
  const scale = Math.min(
    (A4[0] - 2 * margin) / image.width,
    (A4[1] - 2 * margin) / image.height,
    1,
  );
  const w = image.width * scale;
  const h = image.height * scale;
  page.drawImage(image, { x: (A4[0] - w) / 2, y: A4[1] - margin - h, width: w, height: h });
}

export type PrintResult =
  | { ok: true; pdf: Uint8Array; letters: number; pages: number; skipped: string[] }
  | { ok: false; reason: "not_found" | "nothing_to_print" };

/**
 * The letters of a batch that must go by post, as one PDF, with an audit entry naming the units.
 * A letter whose PDF cannot be read gets a page saying so (it is printed from "Dokumenty").
 */
export async function printPaperLetters(
  kv: Deno.Kv,
  clock: Clock,
  store: FileStore,
  batchId: string,
  staff: Actor,
): Promise<PrintResult> {
  const list = await paperList(kv, clock, batchId);
  if (!list) return { ok: false, reason: "not_found" };
  if (list.toPrint.length === 0) return { ok: false, reason: "nothing_to_print" };
  const out = await PDFDocument.create();
  out.setTitle(`Pisma do wysłania pocztą — ${list.toPrint[0].document.title}`);
  out.setCreator("eBOK");
  const skipped: string[] = [];
  for (const row of list.toPrint) {
    const file = await store.get(row.document.fileId);
    try {
      if (!file) throw new Error("file missing");
      await appendLetter(out, await store.readBytes(file), row.document.fileType);
    } catch {
      skipped.push(row.unitCode);
      const font = await out.embedFont(StandardFonts.Helvetica);
      const page = out.addPage(A4);
      // The standard font has no Polish letters: this note is written without them.
      page.drawText(`Lokal ${row.unitCode}: pisma nie udalo sie dolaczyc.`, {
        x: 50,
        y: 780,
        size: 12,
        font,
        color: rgb(0.6, 0, 0),
      });
      page.drawText("Wydrukuj je osobno z listy dokumentow.", { x: 50, y: 760, size: 12, font });
    }
  }
  const pdf = await out.save({ useObjectStreams: true });
  await recordAudit(kv, clock, {
    actor: staff,
    action: "document.paper_printed",
    details: {
      batchId,
      letters: list.toPrint.length,
      units: list.toPrint.map((r) => r.unitCode).slice(0, 200).join(", "),
      ...(skipped.length ? { skipped: skipped.join(", ") } : {}),
    },
  });
  return { ok: true, pdf, letters: list.toPrint.length, pages: out.getPageCount(), skipped };
}
