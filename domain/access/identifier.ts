/**
 * Resident identifiers: short, unambiguous and easy to read aloud on the phone, e.g. "KTM-4827".
 * Letters that look or sound alike (I, L, O, Q, V) and digits 0 and 1 are left out.
 */
import { randomInt } from "../shared/ids.ts";

const LETTERS = "ABCDEFGHJKMNPRSTUWXYZ";
const DIGITS = "23456789";

export function newIdentifier(): string {
  let s = "";
  for (let i = 0; i < 3; i++) s += LETTERS[randomInt(LETTERS.length)];
  s += "-";
  for (let i = 0; i < 4; i++) s += DIGITS[randomInt(DIGITS.length)];
  return s;
}

/** What a resident types ("ktm 4827", "KTM4827") → the stored form "KTM-4827", or null. */
export function normalizeIdentifier(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]+/g, "");
  if (!/^[A-Z]{3}[0-9]{4}$/.test(compact)) return null;
  return `${compact.slice(0, 3)}-${compact.slice(3)}`;
}
