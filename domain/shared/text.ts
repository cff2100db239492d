/** Control characters other than tab and line breaks have no place in form input or imported text. */
// deno-lint-ignore no-control-regex
export const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
