/** Bytes for file-store tests: real magic numbers, random bodies. */

/** `size` bytes: a PDF header, then random bytes (enough for sniffing by content). */
export function pdfBytes(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 65_536) {
    crypto.getRandomValues(out.subarray(i, Math.min(size, i + 65_536)));
  }
  out.set(new TextEncoder().encode("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"));
  return out;
}

/** The start of a 1×1 PNG (signature and IHDR). */
export const PNG = new Uint8Array([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  0,
  0,
  0,
  13,
  0x49,
  0x48,
  0x44,
  0x52,
  0,
  0,
  0,
  1,
  0,
  0,
  0,
  1,
  8,
  6,
  0,
  0,
  0,
  0x1f,
  0x15,
  0xc4,
  0x89,
  0,
  0,
  0,
  0,
]);

/** A JFIF JPEG's start and end markers. */
export const JPEG = new Uint8Array([
  0xff,
  0xd8,
  0xff,
  0xe0,
  0,
  16,
  0x4a,
  0x46,
  0x49,
  0x46,
  0,
  1,
  1,
  0,
  0,
  1,
  0,
  1,
  0,
  0,
  0xff,
  0xd9,
]);
