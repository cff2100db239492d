/**
 * Addresses the way people write them, against the way the register keeps them. Pure functions:
 * the registration form tidies what was typed with them, and `matchAddress` (register.ts) finds
 * the register's buildings and units with them.
 *
 * People write "ul. Kaz. Wielkiego 12 m. 5", "Kazimierza Wielkiego 12/5", "kazimierza wielkiego
 * 12 lok 5", "Wielkiego 12 m5" — all the same flat. So: the kind of street ("ul.", "al.", "os.",
 * "pl.") is left out, letter case and diacritics do not count, a word written short with a dot
 * ("Kaz.", "ks.", "gen.", "św.") stands for any word it begins, leading words may be left out
 * ("Mickiewicza" for "Adama Mickiewicza") but the last, distinctive word must be there, and the
 * flat's number loses its "m." / "m" / "lok." / "mieszkanie" / "nr".
 */
import { cleanText, foldText } from "../shared/text.ts";

type Word = { text: string; short: boolean };

/** Words naming the kind of street, left out when they open the name. */
const STREET_KINDS = new Set([
  "ul",
  "ulica",
  "al",
  "aleja",
  "aleje",
  "os",
  "osiedle",
  "pl",
  "plac",
  "skwer",
  "rondo",
]);

function words(street: string): Word[] {
  const out: Word[] = [];
  for (const raw of foldText(street).replace(/\./g, ". ").split(/[\s,;\-–—/"„”'’`]+/)) {
    const text = raw.replace(/\.+$/, "").replace(/[^\p{L}\p{N}]/gu, "");
    if (text) out.push({ text, short: raw.endsWith(".") });
  }
  while (out.length > 1 && STREET_KINDS.has(out[0].text)) out.shift();
  return out;
}

function sameWord(typed: Word, known: Word): boolean {
  if (typed.text === known.text) return true;
  // "Kaz." for "Kazimierza"; the register may abbreviate too ("ks." for "Księdza").
  if (typed.short && known.text.startsWith(typed.text)) return true;
  return known.short && typed.text.startsWith(known.text);
}

export type StreetMatch = "exact" | "abbreviated";

/**
 * Whether the street typed names the register's street: "exact" when the same words are there
 * (case, diacritics and the kind of street aside), "abbreviated" when the typed words are the
 * register's in the same order with some shortened or leading ones left out; else null.
 */
export function matchStreet(typed: string, known: string): StreetMatch | null {
  const t = words(typed);
  const k = words(known);
  if (t.length === 0 || k.length === 0) return null;
  if (t.length === k.length && t.every((w, i) => w.text === k[i].text)) return "exact";
  // The typed words, in order, among the register's; the register's last word among them.
  let ki = 0;
  let lastMatched = false;
  for (const w of t) {
    while (ki < k.length && !sameWord(w, k[ki])) ki++;
    if (ki === k.length) return null;
    lastMatched = ki === k.length - 1;
    ki++;
  }
  if (!lastMatched) return null;
  // At least one whole word of three letters or more, so "K." alone never names a street.
  return t.some((w, i) => !w.short && w.text.length >= 3 && k.some((x) => x.text === t[i].text))
    ? "abbreviated"
    : null;
}

/** The building number compared: "12 A" = "12a" = "nr 12A". */
export function buildingKey(number: string): string {
  return foldText(number).replace(/^nr\.?\s*/, "").replace(/\s+/g, "");
}

/** The unit number compared: "m. 3" = "m3" = "lok. 3" = "mieszkanie 3" = "03" = "3". */
export function unitKey(number: string): string {
  return foldText(number)
    .replace(/^(?:mieszkanie|mieszk\.?|m\.?|lokal|lok\.?|nr\.?)\s*(?=\d)/, "")
    .replace(/\s+/g, "")
    .replace(/^0+(?=\d)/, "");
}

/**
 * The street as kept on a request: tidy text, without a leading "ul." / "ulica" (the kind most
 * streets are; "al." or "os." stay, they tell staff something), a space after each dot
 * ("Kaz.Wielkiego" → "Kaz. Wielkiego").
 */
export function tidyStreet(typed: string): string {
  return cleanText(typed)
    .replace(/^(?:ulica|ul\.?)(?:\s+|(?<=\.))/i, "")
    .replace(/\.(?=\p{L})/gu, ". ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The building number as kept: no spaces, a letter after the number in upper case ("12a" → "12A"). */
export function tidyBuildingNo(typed: string): string {
  return cleanText(typed).replace(/^nr\.?\s*/i, "").replace(/\s+/g, "").toUpperCase();
}

/** The unit number as kept: without "m." / "lok." and the like ("m. 3" → "3", "lok.7a" → "7A"). */
export function tidyUnitNo(typed: string): string {
  return cleanText(typed)
    .replace(/^(?:mieszkanie|mieszk\.?|m\.?|lokal|lok\.?|nr\.?)\s*(?=\d)/i, "")
    .replace(/\s+/g, "")
    .toUpperCase();
}
