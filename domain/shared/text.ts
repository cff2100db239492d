/** Control characters other than tab and line breaks have no place in form input or imported text. */
// deno-lint-ignore no-control-regex
export const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** The text without the characters `CONTROL_CHARS` refuses. */
export function stripControlChars(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, "");
}

/**
 * Invisible "format" characters (Unicode category Cf): bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C), zero-width space, joiners and the BOM
 * (U+200B–U+200D, U+2060, U+FEFF), the soft hyphen and the like. They print as nothing, yet a
 * right-to-left override turns "Kowalski" into what reads as another name: text a person typed
 * into a form never needs them.
 */
export const INVISIBLE_CHARS = /\p{Cf}/gu;

/**
 * Form text as it is kept: NFC (one code point per Polish letter, whichever keyboard sent it),
 * no invisible format characters, whitespace runs as one space, no spaces at the ends.
 */
export function cleanText(text: string): string {
  return text.normalize("NFC").replace(INVISIBLE_CHARS, "").replace(/\s+/g, " ").trim();
}

/**
 * Text for staff eyes: any invisible format character left in stored data (from before it was
 * stripped, or from another source) is shown as a visible marker such as "[U+202E]", so it can
 * neither reorder nor hide what is around it.
 */
export function revealInvisible(text: string): string {
  return text.replace(
    INVISIBLE_CHARS,
    (ch) => `[U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`,
  );
}

/**
 * Lower case, no diacritics (ł → l as well), whitespace collapsed: "Dąbrowski" ≈ "DABROWSKI".
 * For comparing names and addresses the way people type them, never for display.
 */
export function foldText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(INVISIBLE_CHARS, "")
    .replace(/[łŁ]/g, "l")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}
