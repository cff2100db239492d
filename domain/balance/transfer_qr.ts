/**
 * The Polish transfer QR code ("kod 2D"), as scanned by Polish banking apps: "Rekomendacja
 * Związku Banków Polskich dotycząca kodu dwuwymiarowego („2D”), umożliwiającego realizację
 * polecenia przelewu oraz aktywację usług bankowych na rynku polskim", version 1.0 (2013).
 *
 * The payload is nine fields joined by `|`, in this order:
 *  1. recipient's NIP: 10 digits, or empty (the recommendation asks institutions to give it);
 *  2. country code: `PL`;
 *  3. the recipient's account: 26 NRB digits;
 *  4. the amount in grosze: exactly 6 digits, zero-padded (so at most 9 999,99 zł);
 *  5. the recipient's name: at most 20 characters;
 *  6. the transfer title: at most 32 characters;
 *  7.–9. reserved (a direct debit id ≤ 20, an Invoobill id ≤ 12, a reserve ≤ 24): left empty.
 * The whole text is at most 160 characters, encoded as UTF-8 in a QR code of error-correction
 * level L (which is what the apps expect; a higher level only makes the code denser).
 *
 * Decisions where the recommendation leaves room:
 * - Amounts: an amount of "000000" lets the resident type the amount in the banking app. It is
 *   used whenever the amount cannot be given truthfully: zero or negative (nothing is owed:
 *   an overpayment) and above 999 999 grosze (more than 6 digits fit). Never a wrong amount.
 * - Characters: UTF-8 is the encoding, so Polish letters stay as they are (ą, ć, ę, ł, ń, ó, ś,
 *   ź, ż and capitals). Typographic dashes and quotes become their ASCII forms; other letters
 *   with diacritics lose them (é → e); `|`, line breaks, tabs and other control characters
 *   become spaces; anything else outside letters, digits, space and common punctuation (emoji,
 *   zero-width characters…) is dropped. Whitespace runs become one space. Both text fields are
 *   then trimmed and cut to their limit on a character boundary.
 * - Invalid configuration (an NRB failing its checksum, a NIP failing its check digit, an empty
 *   recipient or title) throws a RangeError: it is a bug or a wrong setting, not a user error.
 */
import { encode } from "uqr";
import { isValidNrb, normalizeNrb } from "../shared/nrb.ts";

export const QR_SEPARATOR = "|";
/** Six digits of grosze: 9 999,99 zł. */
export const QR_MAX_AMOUNT_GROSZE = 999_999;
export const QR_MAX_RECIPIENT = 20;
export const QR_MAX_TITLE = 32;
export const QR_MAX_PAYLOAD = 160;

export type TransferQrInput = {
  /** The recipient's NIP: 10 digits (dashes, spaces and a "PL" prefix allowed), or empty. */
  nip?: string;
  /** The recipient's NRB (spaces and a "PL" prefix allowed). */
  account: string;
  /** Integer grosze; see the amount rule at the top of this module. */
  amountGrosze: number;
  recipient: string;
  title: string;
};

/** Strips spaces, dashes and a leading "PL" from a NIP. */
export function normalizeNip(input: string): string {
  const compact = input.replace(/[\s\u00a0-]/g, "");
  return /^pl/i.test(compact) ? compact.slice(2) : compact;
}

/** True for a 10-digit NIP whose last digit is its check digit (weights 6 5 7 2 3 4 5 6 7). */
export function isValidNip(input: string): boolean {
  const nip = normalizeNip(input);
  if (!/^\d{10}$/.test(nip)) return false;
  const weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nip[i]) * weights[i];
  const check = sum % 11;
  return check !== 10 && check === Number(nip[9]);
}

/** The amount field: 6 digits, or "000000" (the resident types it) when it cannot be given. */
export function qrAmountField(amountGrosze: number): string {
  if (!Number.isSafeInteger(amountGrosze)) {
    throw new RangeError(`amount: expected integer grosze, got ${amountGrosze}`);
  }
  if (amountGrosze <= 0 || amountGrosze > QR_MAX_AMOUNT_GROSZE) return "000000";
  return String(amountGrosze).padStart(6, "0");
}

const ALLOWED = /^[A-Za-z0-9ĄĆĘŁŃÓŚŹŻąćęłńóśźż .,\-/()+:?'"&#@*_%!]$/;
const TYPOGRAPHIC: Record<string, string> = {
  "\u2010": "-",
  "\u2011": "-",
  "\u2012": "-",
  "\u2013": "-",
  "\u2014": "-",
  "\u2212": "-",
  "\u201e": '"',
  "\u201c": '"',
  "\u201d": '"',
  "\u00ab": '"',
  "\u00bb": '"',
  "\u201a": "'",
  "\u2018": "'",
  "\u2019": "'",
  "\u2026": "...",
};

/**
 * A text field of the payload: characters as described at the top of this module, whitespace
 * collapsed, trimmed, at most `max` characters.
 */
export function sanitizeQrText(text: string, max: number): string {
  let out = "";
  for (const ch of text.normalize("NFC")) {
    if (ALLOWED.test(ch)) {
      out += ch;
    } else if (/[\s|\p{Cc}]/u.test(ch)) {
      out += " ";
    } else if (ch in TYPOGRAPHIC) {
      out += TYPOGRAPHIC[ch];
    } else {
      // A letter with a diacritic that is not Polish: keep the base letter if that is allowed.
      const base = ch.normalize("NFD").replace(/\p{M}/gu, "");
      if (base.length === 1 && ALLOWED.test(base)) out += base;
    }
  }
  const collapsed = out.replace(/ {2,}/g, " ").trim();
  // Every character kept is one UTF-16 unit, so slicing cannot split one.
  return collapsed.slice(0, max).trimEnd();
}

/** The payload of the transfer QR code; throws a RangeError on invalid configuration. */
export function transferQrPayload(input: TransferQrInput): string {
  const account = normalizeNrb(input.account);
  if (!isValidNrb(account)) throw new RangeError("account: not a valid NRB");
  const nip = input.nip ? normalizeNip(input.nip) : "";
  if (nip !== "" && !isValidNip(nip)) throw new RangeError("nip: not a valid NIP");
  const recipient = sanitizeQrText(input.recipient, QR_MAX_RECIPIENT);
  if (recipient === "") throw new RangeError("recipient: empty");
  const title = sanitizeQrText(input.title, QR_MAX_TITLE);
  if (title === "") throw new RangeError("title: empty");
  const payload = [
    nip,
    "PL",
    account,
    qrAmountField(input.amountGrosze),
    recipient,
    title,
    "",
    "",
    "",
  ].join(QR_SEPARATOR);
  // At most 10 + 2 + 26 + 6 + 20 + 32 + 8 separators = 104 characters: always within 160.
  if (payload.length > QR_MAX_PAYLOAD) throw new RangeError("payload longer than 160");
  return payload;
}

/** The QR code's modules (true = dark), without the quiet zone: byte mode, UTF-8, level L. */
export function transferQrMatrix(payload: string): boolean[][] {
  const bytes = Array.from(new TextEncoder().encode(payload));
  try {
    // Bytes, not the string: byte mode always, whatever characters the payload has.
    return encode(bytes, { ecc: "L", boostEcc: false, border: 0, maxVersion: 10 }).data;
  } catch (e) {
    throw new RangeError(`payload does not fit a QR code of versions 1–10: ${e}`);
  }
}
