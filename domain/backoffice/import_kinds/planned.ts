/**
 * What the import kinds share when they plan and apply rows: the planned-row builders (a row is
 * added, changed, unchanged or refused), grouping rows by what they touch, and the few words
 * their reasons and notes repeat.
 */
import { formatDecimal } from "../../shared/csv.ts";
import type { PlannedRow } from "./types.ts";

type Located = { index: number; line: number };

export function refusedRow<A>(row: Located, reason: string): PlannedRow<A> {
  return { index: row.index, line: row.line, action: "refused", reason };
}

export function unchangedRow<A>(row: Located): PlannedRow<A> {
  return { index: row.index, line: row.line, action: "unchanged" };
}

export function addedRow<A>(row: Located, apply: A, note?: string): PlannedRow<A> {
  return {
    index: row.index,
    line: row.line,
    action: "add",
    ...(note !== undefined ? { note } : {}),
    apply,
  };
}

export function changedRow<A>(row: Located, apply: A, note: string): PlannedRow<A> {
  return { index: row.index, line: row.line, action: "change", note, apply };
}

/** "unchanged" when nothing differs, else a change that lists the differences. */
export function unchangedOrChanged<A>(row: Located, changes: string[], apply: A): PlannedRow<A> {
  return changes.length === 0 ? unchangedRow(row) : changedRow(row, apply, changes.join("; "));
}

/** Items by a key, in first-seen order. */
export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}

/** The reason for a row whose unit code the register does not know. */
export const unknownUnitReason = (unit: string) =>
  `nieznany lokal „${unit}” — nie ma go w rejestrze`;

export const m3 = (litres: number) => `${formatDecimal(litres, 3)} m³`;
export const zl = (grosze: number) => `${formatDecimal(grosze, 2)} zł`;
