/**
 * Polish mobile numbers as people type them ("600 123 456", "+48600123456", "0048 600-123-456")
 * → E.164 ("+48600123456"). Only mobile ranges are accepted: the number must take an SMS.
 */
const MOBILE_PREFIXES = new Set([
  "45",
  "50",
  "51",
  "53",
  "57",
  "60",
  "66",
  "69",
  "72",
  "73",
  "78",
  "79",
  "88",
]);

export function normalizePolishMobile(input: string): string | null {
  const compact = input.replace(/[\s\-().\/]/g, "");
  const national = compact.match(/^(?:\+48|0048|48)?(\d{9})$/)?.[1];
  if (!national || !MOBILE_PREFIXES.has(national.slice(0, 2))) return null;
  return `+48${national}`;
}

/** +48600123456 → "600 123 456" for display. */
export function formatPolishMobile(e164: string): string {
  const n = e164.replace(/^\+48/, "");
  return `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
}
