/**
 * Downloads of stored files, for the area routes (documents, matters) to use once their domain
 * function has decided the caller may see the file:
 *
 *   const file = await openLetterFor(kv, account, c.req.param("id"));   // the area's rule
 *   if (!file) return notFound(c);
 *   return fileResponse(store, file, c.req.raw);
 *
 * The body streams from the store one chunk at a time; a 20 MB file is never held in memory.
 */
import {
  type FileRefusal,
  type FileStore,
  MAX_FILE_BYTES,
  type StoredFile,
} from "../domain/files/file_store.ts";
import { EXTENSION_OF } from "../domain/files/file_type.ts";

export type FileResponseOptions = {
  /** "attachment" (default) saves the file; "inline" opens it in the browser's viewer. */
  disposition?: "attachment" | "inline";
  /** Overrides the stored name (e.g. "Zawiadomienie 2027-01.pdf"); the extension is checked. */
  fileName?: string;
  /** Default "private, no-store": personal files stay out of shared and disk caches. */
  cacheControl?: string;
};

/** Extensions that already fit each type; anything else gets the type's extension appended. */
const FITTING_EXTENSIONS: Readonly<Record<StoredFile["type"], readonly string[]>> = {
  "application/pdf": ["pdf"],
  "image/jpeg": ["jpg", "jpeg", "jpe"],
  "image/png": ["png"],
};

/** The file's name with an extension that matches its content (the type was sniffed). */
export function downloadName(name: string, type: StoredFile["type"]): string {
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  return FITTING_EXTENSIONS[type].includes(ext) ? name : `${name}.${EXTENSION_OF[type]}`;
}

/** Polish (and other) letters without diacritics, for the ASCII fallback name. */
function asciiFallback(name: string): string {
  const out = name
    .replace(/ł/g, "l").replace(/Ł/g, "L")
    .normalize("NFKD").replace(/\p{M}/gu, "")
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/[^\x20-\x7e]/g, "_")
    // Quotes and backslashes would end or escape the quoted-string; % and ; confuse old parsers.
    .replace(/["\\%;]/g, "_");
  return out.trim() === "" ? "plik" : out;
}

/** RFC 5987 ext-value: UTF-8, percent-encoded outside attr-char. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * `Content-Disposition` per RFC 6266: an ASCII `filename` for old clients and `filename*` in
 * UTF-8 that current browsers prefer (e.g. "Uchwała nr 5 – zmiana opłat.pdf").
 */
export function contentDisposition(
  name: string,
  disposition: "attachment" | "inline" = "attachment",
): string {
  return `${disposition}; filename="${asciiFallback(name)}"; filename*=UTF-8''${
    encodeRfc5987(name)
  }`;
}

/** The strong ETag of a file: its content hash. */
export function fileETag(file: StoredFile): string {
  return `"${file.sha256}"`;
}

/** True when `If-None-Match` names this ETag (weak comparison, as RFC 9110 asks) or is "*". */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t.replace(/^W\//, "") === bare;
  });
}

/** The download: 200 with the streamed content, or 304 when the client has this version. */
export function fileResponse(
  store: FileStore,
  file: StoredFile,
  request: Request,
  options: FileResponseOptions = {},
): Response {
  const etag = fileETag(file);
  const headers = new Headers({
    "ETag": etag,
    "Cache-Control": options.cacheControl ?? "private, no-store",
    "X-Content-Type-Options": "nosniff",
  });
  if (etagMatches(request.headers.get("If-None-Match"), etag)) {
    return new Response(null, { status: 304, headers });
  }
  const name = downloadName(options.fileName ?? file.name, file.type);
  headers.set("Content-Type", file.type);
  headers.set("Content-Length", String(file.size));
  headers.set("Content-Disposition", contentDisposition(name, options.disposition));
  if (request.method === "HEAD") return new Response(null, { status: 200, headers });
  return new Response(store.read(file), { status: 200, headers });
}

/**
 * The body limit for a route whose form carries up to `files` files: each up to MAX_FILE_BYTES,
 * plus 1 MiB for the other fields and the multipart framing. (The shared "large" limit in
 * security.ts is exactly 20 MiB, too little for one file of the maximum size.)
 */
export function uploadBodyLimit(files = 1): number {
  return files * MAX_FILE_BYTES + 1024 * 1024;
}

/** The form message for a refused file, in Polish, without gendered past tense. */
export function fileRefusalMessage(refusal: FileRefusal): string {
  switch (refusal.reason) {
    case "empty":
      return "Plik jest pusty. Wybierz plik jeszcze raz.";
    case "too_large":
      return `Plik jest za duży. Można dodać plik do ${
        Math.floor(refusal.maxBytes / (1024 * 1024))
      } MB.`;
    case "type_not_accepted":
      return "Można dodać tylko plik PDF albo zdjęcie JPG lub PNG.";
    case "interrupted":
      return "Przesyłanie pliku zostało przerwane. Spróbuj jeszcze raz.";
  }
}
