/**
 * What a file is, judged by its first bytes (the `file-type` package), never by its name or the
 * browser's Content-Type. eBOK keeps only PDF, JPEG and PNG.
 */
import { fileTypeFromBuffer } from "file-type";

export const ACCEPTED_TYPES = ["application/pdf", "image/jpeg", "image/png"] as const;
export type AcceptedType = typeof ACCEPTED_TYPES[number];

/** The extension a downloaded file of each type should end with. */
export const EXTENSION_OF: Readonly<Record<AcceptedType, string>> = {
  "application/pdf": "pdf",
  "image/jpeg": "jpg",
  "image/png": "png",
};

/** `file-type` reads at most this many leading bytes for the types eBOK accepts. */
export const SNIFF_BYTES = 4100;

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"

export type SniffResult =
  | { ok: true; type: AcceptedType }
  /** `detected` is the MIME type `file-type` found (e.g. "application/x-elf"), if any. */
  | { ok: false; detected: string | null };

/** Sniffs the type from the file's first bytes (pass at least SNIFF_BYTES when the file has them). */
export async function sniffFileType(head: Uint8Array): Promise<SniffResult> {
  const found = await fileTypeFromBuffer(head);
  if (!found) return { ok: false, detected: null };
  if ((ACCEPTED_TYPES as readonly string[]).includes(found.mime)) {
    return { ok: true, type: found.mime as AcceptedType };
  }
  // Illustrator saves PDF-compatible files that `file-type` names "ai"; they are PDFs.
  if (found.ext === "ai" && PDF_MAGIC.every((b, i) => head[i] === b)) {
    return { ok: true, type: "application/pdf" };
  }
  return { ok: false, detected: found.mime };
}
