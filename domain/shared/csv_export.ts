/**
 * Writing CSV for Polish spreadsheets (the statement, the audit log): UTF-8 with a BOM (so Excel
 * reads the Polish letters), `;` between cells, a decimal comma, CRLF line ends.
 */

/** -123456 → "-1234,56": a decimal comma, no thousands separator, no currency sign. */
export function csvAmount(grosze: number): string {
  if (!Number.isSafeInteger(grosze)) throw new RangeError(`not integer grosze: ${grosze}`);
  const abs = Math.abs(grosze);
  const gr = String(abs % 100).padStart(2, "0");
  return `${grosze < 0 ? "-" : ""}${Math.floor(abs / 100)},${gr}`;
}

/**
 * A text cell: a leading `=`, `+`, `-`, `@`, tab or carriage return gets an apostrophe (so a
 * spreadsheet does not run it as a formula), then the cell is quoted if it holds `;`, `"` or a
 * line break, with quotes doubled.
 */
export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Lines of cells already written (`csvText`, `csvAmount`) → the file: BOM, `;`, CRLF. */
export function csvDocument(lines: readonly (readonly string[])[]): string {
  return `\ufeff${lines.map((cells) => cells.join(";")).join("\r\n")}\r\n`;
}
