/**
 * Polish bank account numbers (NRB, "Numer Rachunku Bankowego").
 *
 * An NRB is 26 digits: 2 check digits, an 8-digit sort code (3-digit bank number, 4-digit
 * branch, 1 check digit) and a 16-digit account number. It is a Polish IBAN without the
 * leading "PL", so it is validated by the IBAN mod-97 rule (ISO 13616): move "PL" and the check
 * digits to the end, letters become numbers (P = 25, L = 21), and the whole number mod 97 must
 * be 1.
 */

/** "PL" with letters converted as in ISO 13616: P = 25, L = 21. */
const PL_DIGITS = "2521";

/** The remainder of a decimal string of any length mod 97, without BigInt. */
function mod97(digits: string): number {
  let rest = 0;
  for (let i = 0; i < digits.length; i += 7) {
    rest = Number(String(rest) + digits.slice(i, i + 7)) % 97;
  }
  return rest;
}

/** Strips spaces (any whitespace, incl. non-breaking), dashes and a leading "PL". */
export function normalizeNrb(input: string): string {
  const compact = input.replace(/[\s\u00a0-]/g, "");
  return /^pl/i.test(compact) ? compact.slice(2) : compact;
}

/** True for a 26-digit NRB (spaces and a leading "PL" allowed) whose IBAN checksum holds. */
export function isValidNrb(input: string): boolean {
  const nrb = normalizeNrb(input);
  if (!/^\d{26}$/.test(nrb)) return false;
  return mod97(nrb.slice(2) + PL_DIGITS + nrb.slice(0, 2)) === 1;
}

/** "12345678901234567890123456" → "12 3456 7890 1234 5678 9012 3456"; other input unchanged. */
export function formatNrb(input: string): string {
  const nrb = normalizeNrb(input);
  if (!/^\d{26}$/.test(nrb)) return input;
  return `${nrb.slice(0, 2)} ${nrb.slice(2).replace(/(\d{4})(?=\d)/g, "$1 ")}`;
}

/** The check digit of a sort code (weights 3, 9, 7, 1, 3, 9, 7 over its first 7 digits). */
function sortCodeCheckDigit(first7: string): number {
  const weights = [3, 9, 7, 1, 3, 9, 7];
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += Number(first7[i]) * weights[i];
  return (10 - (sum % 10)) % 10;
}

/** True for an 8-digit sort code (numer rozliczeniowy) whose last digit checks the others. */
export function isValidSortCode(sortCode: string): boolean {
  return /^\d{8}$/.test(sortCode) &&
    sortCodeCheckDigit(sortCode.slice(0, 7)) === Number(sortCode[7]);
}

/** Completes a 7-digit bank + branch number with its check digit. */
export function makeSortCode(bankAndBranch7: string): string {
  if (!/^\d{7}$/.test(bankAndBranch7)) throw new RangeError("expected 7 digits");
  return bankAndBranch7 + sortCodeCheckDigit(bankAndBranch7);
}

/** Builds an NRB from a sort code and an account number, computing the 2 check digits. */
export function makeNrb(sortCode8: string, account16: string): string {
  if (!/^\d{8}$/.test(sortCode8)) throw new RangeError("sort code: expected 8 digits");
  if (!/^\d{16}$/.test(account16)) throw new RangeError("account number: expected 16 digits");
  const check = 98 - mod97(sortCode8 + account16 + PL_DIGITS + "00");
  return String(check).padStart(2, "0") + sortCode8 + account16;
}
