/**
 * The PDF of a fee-change notice (pdf-lib), in Roboto from npm so Polish letters come out right
 * (ą ć ę ł ń ó ś ź ż and capitals); the font is subset, so a notice weighs tens of kilobytes.
 * A4, one page for a usual notice; a long justification continues on the next page.
 */
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";
import robotoBold from "@expo-google-fonts/roboto/700Bold/Roboto_700Bold.ttf" with {
  type: "bytes",
};
import robotoRegular from "@expo-google-fonts/roboto/400Regular/Roboto_400Regular.ttf" with {
  type: "bytes",
};
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import type { FeeRate } from "../balance/fee_rates.ts";
import { formatDecimal } from "../shared/csv.ts";
import type { FeeNotice } from "./fee_notices.ts";

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const INK = rgb(0.1, 0.1, 0.1);
const GREY = rgb(0.4, 0.4, 0.4);

/**
 * pdf-lib parses the font with fontkit for every document, and a cold font lays text out slowly
 * (≈0.7 s per notice measured); the parsed fonts are kept for the process instead (≈ten times
 * faster). fontkit's font objects are only read: each document makes its own subset.
 */
const parsedFonts = new Map<string, unknown>();
const cachedFontkit = {
  create(bytes: Uint8Array) {
    // pdf-lib hands over a copy of the bytes: the key is the size and a sample of them.
    const key = `${bytes.byteLength}:${bytes.subarray(0, 4096).join(",")}`;
    let font = parsedFonts.get(key);
    if (!font) {
      font = fontkit.create(bytes);
      parsedFonts.set(key, font);
    }
    return font;
  },
};

/** 12345 → "123,45 zł" */
export function zl(grosze: number): string {
  return `${formatDecimal(grosze, 2)} zł`;
}

/** "54,30 m² × 2,73 zł/m²", "3 os. × 12,00 zł/os.", "1 lokal × 8,00 zł" */
export function basisText(r: Pick<FeeRate, "rate" | "quantityMilli" | "unitLabel">): string {
  let q = formatDecimal(r.quantityMilli, 3);
  q = r.unitLabel === "m²" ? q.slice(0, -1) : q.replace(/,?0+$/, "");
  return r.unitLabel === "lokal"
    ? `${q} lokal × ${zl(r.rate)}`
    : `${q} ${r.unitLabel} × ${zl(r.rate)}/${r.unitLabel}`;
}

/** The signed difference, "+12,34 zł" / "−5,00 zł". */
export function changeText(grosze: number): string {
  return grosze > 0 ? `+${zl(grosze)}` : grosze < 0 ? `−${zl(-grosze)}` : zl(0);
}

/** Splits text into lines no wider than `width` (words kept whole; paragraphs kept). */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  // Each measurement lays the text out with fontkit, which is slow: words are measured once
  // (kerning across a space is ignored, a fraction of a point).
  const words = new Map<string, number>();
  const measure = (w: string) => {
    let v = words.get(w);
    if (v === undefined) words.set(w, v = font.widthOfTextAtSize(w, size));
    return v;
  };
  const space = measure(" ");
  const out: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, "\n").split("\n")) {
    let line = "";
    let lineWidth = 0;
    for (const word of paragraph.split(/[ \t]+/).filter(Boolean)) {
      const w = measure(word);
      if (line && lineWidth + space + w > width) {
        out.push(line);
        line = word;
        lineWidth = w;
      } else {
        lineWidth += line ? space + w : w;
        line = line ? `${line} ${word}` : word;
      }
    }
    out.push(line);
  }
  return out;
}

/** Look-alikes for characters staff may type that the font lacks; anything else becomes "?". */
const FALLBACK: Record<string, string> = {
  "→": "->",
  "←": "<-",
  "⇒": "=>",
  "•": "-",
  "…": "...",
  "\t": " ",
};

/** Draws top-down, adding a page when the current one is full. */
class Writer {
  page: PDFPage;
  y: number;
  private glyphs: Set<number>;
  constructor(private doc: PDFDocument, public regular: PDFFont, public bold: PDFFont) {
    this.page = doc.addPage(A4);
    this.y = A4[1] - MARGIN;
    const inBold = new Set(bold.getCharacterSet());
    this.glyphs = new Set(regular.getCharacterSet().filter((c) => inBold.has(c)));
  }
  /** The text with characters the font cannot draw replaced (else pdf-lib draws empty boxes). */
  safe(s: string): string {
    let out = "";
    for (const ch of s) {
      const code = ch.codePointAt(0)!;
      if (this.glyphs.has(code) || ch === "\n") out += ch;
      else out += FALLBACK[ch] ?? (/\s/.test(ch) ? " " : "?");
    }
    return out;
  }
  need(height: number) {
    if (this.y - height < MARGIN) {
      this.page = this.doc.addPage(A4);
      this.y = A4[1] - MARGIN;
    }
  }
  text(
    s: string,
    options: { x?: number; size?: number; bold?: boolean; color?: typeof INK; right?: number } = {},
  ) {
    s = this.safe(s);
    const size = options.size ?? 10;
    const font = options.bold ? this.bold : this.regular;
    const x = options.right !== undefined
      ? options.right - font.widthOfTextAtSize(s, size)
      : options.x ?? MARGIN;
    this.page.drawText(s, { x, y: this.y - size, size, font, color: options.color ?? INK });
  }
  paragraph(s: string, options: { size?: number; bold?: boolean; gap?: number } = {}) {
    const size = options.size ?? 10;
    const lineHeight = size * 1.4;
    const font = options.bold ? this.bold : this.regular;
    for (const line of wrap(this.safe(s), font, size, A4[0] - 2 * MARGIN)) {
      this.need(lineHeight);
      this.text(line, { size, bold: options.bold });
      this.y -= lineHeight;
    }
    this.y -= options.gap ?? 6;
  }
  rule(color = GREY) {
    this.page.drawLine({
      start: { x: MARGIN, y: this.y },
      end: { x: A4[0] - MARGIN, y: this.y },
      thickness: 0.5,
      color,
    });
  }
}

/** Columns of the table: component, old base × rate, old amount, new base × rate, new amount. */
const COL = {
  label: MARGIN,
  oldBasis: 175,
  oldAmountRight: 345,
  newBasis: 360,
  newAmountRight: 545,
};

/** The notice as PDF bytes; `today` ("YYYY-MM-DD") is the date printed on it. */
export async function renderFeeNoticePdf(
  notice: FeeNotice,
  coop: CooperativeProfile,
  today: string,
): Promise<Uint8Array> {
  const doc = await createNoticeDocument(notice, coop, today);
  const regular = await doc.embedFont(robotoRegular, { subset: true });
  const bold = await doc.embedFont(robotoBold, { subset: true });
  const w = new Writer(doc, regular, bold);
  writeLetterHead(w, notice, coop, today);
  writeFeeTable(w, notice);
  writeClosing(w, notice, coop);
  return await doc.save({ useObjectStreams: true });
}

/** An empty PDF with the notice's metadata. */
async function createNoticeDocument(
  notice: FeeNotice,
  coop: CooperativeProfile,
  today: string,
): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(cachedFontkit as unknown as typeof fontkit);
  doc.setTitle(`Zawiadomienie o zmianie opłat — lokal ${notice.unitCode}`);
  doc.setAuthor(coop.name);
  doc.setCreator("eBOK");
  doc.setProducer("eBOK (pdf-lib)");
  // A fixed date keeps the bytes of one notice the same however often it is rendered.
  doc.setCreationDate(new Date(`${today}T12:00:00Z`));
  doc.setModificationDate(new Date(`${today}T12:00:00Z`));
  return doc;
}

/** Sender, date, addressee, title and the statutory opening paragraph. */
function writeLetterHead(
  w: Writer,
  notice: FeeNotice,
  coop: CooperativeProfile,
  today: string,
): void {
  const right = A4[0] - MARGIN;
  w.text(coop.name, { size: 11, bold: true });
  w.text(`${today.slice(8, 10)}.${today.slice(5, 7)}.${today.slice(0, 4)}`, { right });
  w.y -= 15;
  for (
    const line of [
      coop.address,
      [coop.phone && `tel. ${coop.phone}`, coop.email].filter(Boolean).join(", "),
    ]
  ) {
    if (!line) continue;
    w.text(line, { size: 9, color: GREY });
    w.y -= 12;
  }
  w.y -= 18;

  // Addressee.
  w.text(`Lokal ${notice.unitCode}`, { bold: true });
  w.y -= 14;
  for (const line of [notice.occupants.join(", "), notice.address]) {
    if (!line) continue;
    for (const l of wrap(w.safe(line), w.regular, 10, 300)) {
      w.text(l);
      w.y -= 14;
    }
  }
  w.y -= 20;

  w.text("Zawiadomienie o zmianie wysokości opłat", { size: 15, bold: true });
  w.y -= 28;
  const external = notice.lines.some((l) => l.changed && l.external);
  w.paragraph(
    `Na podstawie art. 4 ust. 7${external ? " i 7¹" : ""} ustawy z dnia 15 grudnia 2000 r. ` +
      `o spółdzielniach mieszkaniowych zawiadamiamy, że od ${notice.effectiveDate} zmieniają się ` +
      `miesięczne opłaty za lokal ${notice.unitCode}. Opłaty wnosi się co miesiąc z góry do ` +
      `${notice.paymentDay}. dnia miesiąca.`,
    { gap: 10 },
  );
}

/** The table of fee components, old and new, with totals and the change. */
function writeFeeTable(w: Writer, notice: FeeNotice): void {
  w.need(40);
  w.text("Składnik opłat", { size: 9, bold: true });
  w.text("Dotychczas", { x: COL.oldBasis, size: 9, bold: true });
  w.text(`Od ${notice.effectiveDate}`, { x: COL.newBasis, size: 9, bold: true });
  w.y -= 13;
  w.text("stawka × podstawa", { x: COL.oldBasis, size: 8, color: GREY });
  w.text("kwota", { right: COL.oldAmountRight, size: 8, color: GREY });
  w.text("stawka × podstawa", { x: COL.newBasis, size: 8, color: GREY });
  w.text("kwota", { right: COL.newAmountRight, size: 8, color: GREY });
  w.y -= 12;
  w.rule();
  w.y -= 4;
  for (const line of notice.lines) {
    const labelLines = wrap(
      w.safe(`${line.label}${line.external ? "\u00a0*" : ""}`),
      w.regular,
      9.5,
      120,
    );
    const height = Math.max(labelLines.length, 1) * 13 + 4;
    w.need(height);
    labelLines.forEach((l, i) => {
      w.text(l, { size: 9.5, bold: line.changed });
      if (i < labelLines.length - 1) w.y -= 13;
    });
    w.y += (labelLines.length - 1) * 13;
    if (line.old) {
      w.text(basisText(line.old), { x: COL.oldBasis, size: 8.5 });
      w.text(zl(line.old.amount), { right: COL.oldAmountRight, size: 9.5 });
    } else {
      w.text("— (nowy składnik)", { x: COL.oldBasis, size: 8.5, color: GREY });
    }
    w.text(basisText(line.new), { x: COL.newBasis, size: 8.5, bold: line.changed });
    w.text(zl(line.new.amount), { right: COL.newAmountRight, size: 9.5, bold: line.changed });
    w.y -= height;
  }
  w.rule();
  w.y -= 5;
  w.need(30);
  w.text("Razem miesięcznie", { size: 10, bold: true });
  w.text(zl(notice.oldTotal), { right: COL.oldAmountRight, size: 10, bold: true });
  w.text(zl(notice.newTotal), { right: COL.newAmountRight, size: 10, bold: true });
  w.y -= 15;
  w.text(`Zmiana: ${changeText(notice.newTotal - notice.oldTotal)} miesięcznie`, {
    right: COL.newAmountRight,
    size: 9,
  });
  w.y -= 14;
  if (notice.lines.some((l) => l.external)) {
    w.text(
      "* opłata niezależna od spółdzielni (energia, gaz, woda, ścieki, odpady) — art. 4 ust. 7¹",
      { size: 8, color: GREY },
    );
    w.y -= 12;
  }
  w.y -= 14;
}

/** The justification, the closing note and the signature. */
function writeClosing(w: Writer, notice: FeeNotice, coop: CooperativeProfile): void {
  w.need(40);
  w.text("Uzasadnienie", { size: 11, bold: true });
  w.y -= 18;
  w.paragraph(notice.justification, { gap: 16 });

  w.paragraph(
    "Zmienione składniki są wyróżnione pogrubieniem. W razie pytań prosimy o kontakt z biurem " +
      "spółdzielni. Zawiadomienie jest też dostępne w eBOK, w zakładce „Dokumenty”.",
    { size: 9, gap: 24 },
  );
  w.need(30);
  w.text(`Zarząd — ${coop.name}`, { right: A4[0] - MARGIN, size: 10 });
}
