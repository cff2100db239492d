/**
 * Import of balance entries ("zapisy na koncie lokalu"): opening balances, charges, payments,
 * interest and corrections, as the accounting system posts them.
 *
 * Identity: the unit and the accounting system's document number. Posted entries are immutable:
 * a document already posted with the same content is "unchanged", with a different content it is
 * refused ("zmiana zaksięgowanego dokumentu") — a mistake is corrected by a new document (a
 * correction). Applying goes through `postEntriesMatchingPayments` (payments/matching.ts: `postEntries` plus
 * the online payments' matching) per unit, which is itself idempotent by
 * document number and keeps the unit's totals in the same atomic op as its entries.
 */
import { z } from "zod";
import type { Clock } from "../../shared/clock.ts";
import { formatDatePl, formatDecimal, parseDecimal } from "../../shared/csv.ts";
import { keys } from "../../shared/keys.ts";
import {
  basisAmount,
  type EntryKind,
  entryKindLabels,
  getChargeComponents,
  type LedgerEntry,
  type LedgerTotals,
  type NewLedgerEntry,
} from "../../balance/ledger.ts";
import { postEntriesMatchingPayments } from "../../payments/matching.ts";
import { notePaymentsBooked } from "../../messaging/payment_notices.ts";
import { getUnitIdsByExternalIds } from "../register.ts";
import {
  basisUnitWords,
  type ChunkOutcome,
  codeField,
  type ColumnDef,
  dateField,
  emptyOutcome,
  getManyValues,
  type ImportKindDef,
  moneyField,
  optionalMoneyField,
  optionalPeriodField,
  optionalText,
  type PlannedRow,
  type SourceRow,
  type StoredRow,
  wordField,
} from "./types.ts";
import { addedRow, groupBy, refusedRow, unchangedRow, unknownUnitReason } from "./planned.ts";

const kindWords: Record<string, EntryKind> = {
  "naliczenie": "charge",
  "oplata": "charge",
  "charge": "charge",
  "wplata": "payment",
  "platnosc": "payment",
  "payment": "payment",
  "odsetki": "interest",
  "interest": "interest",
  "korekta": "correction",
  "correction": "correction",
  "bilans otwarcia": "opening_balance",
  "bilans_otwarcia": "opening_balance",
  "bo": "opening_balance",
  "saldo poczatkowe": "opening_balance",
  "opening_balance": "opening_balance",
};

const quantityField = z.string().transform((s, ctx) => {
  if (s.trim() === "") return undefined;
  const r = parseDecimal(s, 3, { allowNegative: false });
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.message });
    return z.NEVER;
  }
  return r.value;
});

export const ledgerColumns: readonly ColumnDef[] = [
  {
    key: "unit",
    header: "lokal",
    aliases: ["kod lokalu"],
    required: true,
    meaning: "kod lokalu w systemie księgowym (jak w imporcie lokali)",
    format: "tekst, np. KW12/7",
  },
  {
    key: "documentNo",
    header: "dokument",
    aliases: ["numer dokumentu", "nr dokumentu"],
    required: true,
    meaning:
      "numer dokumentu księgowego — tożsamość zapisu: ten sam numer w tym samym lokalu to ten sam zapis",
    format: "tekst do 200 znaków, np. PK/2026/11/0001",
  },
  {
    key: "kind",
    header: "rodzaj",
    required: true,
    meaning: "rodzaj zapisu",
    format: "naliczenie, wpłata, odsetki, korekta albo bilans otwarcia",
  },
  {
    key: "postedOn",
    header: "data",
    aliases: ["data księgowania"],
    required: true,
    meaning: "data księgowania",
    format: "25.11.2026 albo 2026-11-25",
  },
  {
    key: "period",
    header: "okres",
    aliases: ["miesiąc"],
    required: false,
    meaning: "miesiąc, którego zapis dotyczy; pusty = miesiąc daty księgowania",
    format: "11.2026 albo 2026-11",
  },
  {
    key: "component",
    header: "składnik",
    aliases: ["składnik opłat"],
    required: false,
    meaning:
      "kod składnika opłat (np. eksploatacja, zw_scieki); wymagany dla naliczeń; musi być na liście składników spółdzielni",
    format: "małe litery, cyfry i _",
  },
  {
    key: "amount",
    header: "kwota",
    required: true,
    meaning:
      "kwota w złotych: naliczenia i odsetki ≥ 0; wpłata dodatnia to wpłacone pieniądze; korekta i bilans otwarcia ze znakiem (+ zwiększa należność, − zmniejsza)",
    format: "1 234,56 albo -12,50",
  },
  {
    key: "description",
    header: "opis",
    required: false,
    meaning: "opis widoczny dla mieszkańca; pusty = rodzaj zapisu i miesiąc",
    format: "tekst do 300 znaków",
  },
  {
    key: "rate",
    header: "stawka",
    required: false,
    meaning: "stawka naliczenia w zł za jednostkę (razem z ilością i jednostką albo wcale)",
    format: "2,48",
  },
  {
    key: "quantity",
    header: "ilość",
    required: false,
    meaning: "podstawa naliczenia (metry, osoby, m³, lokale)",
    format: "54,30 albo 3",
  },
  {
    key: "unitLabel",
    header: "jednostka",
    required: false,
    meaning: "jednostka podstawy",
    format: "m², os., m³ albo lokal",
  },
];

const ledgerSchema = z.object({
  unit: codeField(),
  documentNo: codeField(200),
  kind: wordField(kindWords, {
    required: true,
    expected: "naliczenie, wpłata, odsetki, korekta albo bilans otwarcia",
  }),
  postedOn: dateField,
  period: optionalPeriodField,
  component: optionalText(40),
  amount: moneyField,
  description: optionalText(300),
  rate: optionalMoneyField,
  quantity: quantityField,
  unitLabel: wordField(basisUnitWords, { required: false, expected: "m², os., m³ albo lokal" }),
}).superRefine((row, ctx) => {
  const kind = row.kind as EntryKind;
  if (kind === "charge" && !row.component) {
    ctx.addIssue({ code: "custom", path: ["component"], message: "naliczenie wymaga składnika" });
  }
  if (row.component !== undefined && !/^[a-z0-9_]{1,40}$/.test(row.component)) {
    ctx.addIssue({
      code: "custom",
      path: ["component"],
      message: `„${row.component}” — kod składnika to małe litery, cyfry i _`,
    });
  }
  if ((kind === "charge" || kind === "interest") && row.amount < 0) {
    ctx.addIssue({
      code: "custom",
      path: ["amount"],
      message: "kwota naliczenia nie może być ujemna — zmniejszenie należności to korekta",
    });
  }
  const basis = [row.rate, row.quantity, row.unitLabel].filter((v) => v !== undefined).length;
  if (basis !== 0 && basis !== 3) {
    ctx.addIssue({
      code: "custom",
      path: ["rate"],
      message: "stawkę, ilość i jednostkę podaje się razem albo wcale",
    });
  } else if (basis === 3 && kind === "charge") {
    const expected = basisAmount({ rate: row.rate!, quantityMilli: row.quantity! });
    if (expected !== row.amount) {
      ctx.addIssue({
        code: "custom",
        path: ["amount"],
        message: `${formatDecimal(row.amount, 2)} zł różni się od stawki × ilości = ${
          formatDecimal(expected, 2)
        } zł`,
      });
    }
  }
});

export type LedgerRow = z.output<typeof ledgerSchema>;

/** What applying needs: the unit and the entry. */
export type LedgerApply = { unitId: string; entry: Omit<NewLedgerEntry, "unitId"> };

function monthLabel(period: string): string {
  return `${period.slice(5, 7)}.${period.slice(0, 4)}`;
}

/** The entry a row makes (deterministic: a re-import makes the same entry). */
function entryOf(row: LedgerRow): Omit<NewLedgerEntry, "unitId"> {
  const kind = row.kind as EntryKind;
  const period = row.period ?? row.postedOn.slice(0, 7);
  const entry: Omit<NewLedgerEntry, "unitId"> = {
    kind,
    postedOn: row.postedOn,
    period,
    amount: row.amount,
    documentNo: row.documentNo,
    description: row.description ?? `${entryKindLabels[kind]} za ${monthLabel(period)}`,
  };
  if (row.component) entry.component = row.component;
  if (row.rate !== undefined && row.quantity !== undefined && row.unitLabel !== undefined) {
    entry.basis = { rate: row.rate, quantityMilli: row.quantity, unitLabel: row.unitLabel };
  }
  return entry;
}

/** Differences between a stored entry and the one a row makes, in words; empty = the same. */
function differences(stored: LedgerEntry, entry: Omit<NewLedgerEntry, "unitId">): string[] {
  const out: string[] = [];
  if (stored.kind !== entry.kind) {
    out.push(`rodzaj ${entryKindLabels[stored.kind]} ≠ ${entryKindLabels[entry.kind]}`);
  }
  if (stored.amount !== entry.amount) {
    out.push(`kwota ${formatDecimal(stored.amount, 2)} ≠ ${formatDecimal(entry.amount, 2)} zł`);
  }
  if (stored.postedOn !== entry.postedOn) {
    out.push(`data ${formatDatePl(stored.postedOn)} ≠ ${formatDatePl(entry.postedOn)}`);
  }
  if (stored.period !== entry.period) {
    out.push(`okres ${monthLabel(stored.period)} ≠ ${monthLabel(entry.period)}`);
  }
  if ((stored.component ?? "") !== (entry.component ?? "")) {
    out.push(`składnik ${stored.component ?? "—"} ≠ ${entry.component ?? "—"}`);
  }
  if (stored.description !== entry.description) out.push("opis");
  const a = stored.basis;
  const b = entry.basis;
  if (
    (a === undefined) !== (b === undefined) ||
    (a && b &&
      (a.rate !== b.rate || a.quantityMilli !== b.quantityMilli || a.unitLabel !== b.unitLabel))
  ) out.push("podstawa naliczenia");
  return out;
}

function changedDocumentReason(documentNo: string, diff: string[]): string {
  return `zmiana zaksięgowanego dokumentu ${documentNo} (${
    diff.join(", ")
  }) — zaksięgowanych zapisów nie zmienia się; popraw je nowym dokumentem (korektą)`;
}

function cellsOf(row: LedgerRow): string[] {
  return [
    row.unit,
    row.documentNo,
    entryKindLabels[row.kind as EntryKind],
    formatDatePl(row.postedOn),
    row.component ?? "",
    `${formatDecimal(row.amount, 2)} zł`,
  ];
}

/**
 * The stored entries of these documents, per unit. A unit whose file rows are many compared with
 * its history is read whole (one list); otherwise its documents are looked up one by one.
 */
async function storedEntries(
  kv: Deno.Kv,
  wanted: Map<string, Set<string>>,
): Promise<Map<string, Map<string, LedgerEntry>>> {
  const out = new Map<string, Map<string, LedgerEntry>>();
  const unitIds = [...wanted.keys()];
  const totals = await getManyValues<LedgerTotals>(kv, unitIds.map((u) => keys.ledgerTotals(u)));
  const lookups: { unitId: string; documentNo: string }[] = [];
  for (const [i, unitId] of unitIds.entries()) {
    const docs = wanted.get(unitId)!;
    const found = new Map<string, LedgerEntry>();
    out.set(unitId, found);
    const count = totals[i]?.entryCount ?? 0;
    if (count === 0) continue;
    if (docs.size * 5 >= count) {
      for await (const e of kv.list<LedgerEntry>({ prefix: keys.ledgerOfUnit(unitId) })) {
        if (docs.has(e.value.documentNo)) found.set(e.value.documentNo, e.value);
      }
    } else {
      for (const documentNo of docs) lookups.push({ unitId, documentNo });
    }
  }
  const entryKeys = await getManyValues<Deno.KvKey>(
    kv,
    lookups.map((l) => keys.ledgerByDocument(l.unitId, l.documentNo)),
  );
  const present = lookups.map((l, i) => ({ ...l, key: entryKeys[i] })).filter((l) => l.key);
  const entries = await getManyValues<LedgerEntry>(kv, present.map((l) => l.key!));
  present.forEach((l, i) => {
    const entry = entries[i];
    if (entry) out.get(l.unitId)!.set(l.documentNo, entry);
  });
  return out;
}

async function plan(
  kv: Deno.Kv,
  _clock: Clock,
  rows: SourceRow<LedgerRow>[],
): Promise<PlannedRow<LedgerApply>[]> {
  const unitIds = await getUnitIdsByExternalIds(kv, rows.map((r) => r.data.unit));
  const components = new Set((await getChargeComponents(kv)).map((c) => c.code));
  const out: PlannedRow<LedgerApply>[] = [];
  const wanted = new Map<string, Set<string>>();
  const candidates: { row: SourceRow<LedgerRow>; unitId: string }[] = [];
  for (const row of rows) {
    const unitId = unitIds.get(row.data.unit);
    if (!unitId) {
      out.push(refusedRow(row, `${unknownUnitReason(row.data.unit)} (wczytaj najpierw lokale)`));
      continue;
    }
    if (row.data.component && components.size > 0 && !components.has(row.data.component)) {
      out.push(
        refusedRow(
          row,
          `nieznany składnik opłat „${row.data.component}” — nie ma go na liście składników spółdzielni`,
        ),
      );
      continue;
    }
    let docs = wanted.get(unitId);
    if (!docs) wanted.set(unitId, docs = new Set());
    docs.add(row.data.documentNo);
    candidates.push({ row, unitId });
  }
  const stored = await storedEntries(kv, wanted);
  for (const { row, unitId } of candidates) {
    const entry = entryOf(row.data);
    const existing = stored.get(unitId)?.get(row.data.documentNo);
    if (!existing) out.push(addedRow(row, { unitId, entry }));
    else {
      const diff = differences(existing, entry);
      out.push(
        diff.length === 0
          ? unchangedRow(row)
          : refusedRow(row, changedDocumentReason(row.data.documentNo, diff)),
      );
    }
  }
  return out;
}

async function apply(
  kv: Deno.Kv,
  clock: Clock,
  rows: StoredRow<LedgerApply>[],
): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  for (const [unitId, unitRows] of groupBy(rows, (r) => r.apply.unitId)) {
    // A booked payment that names an online payment clears its "w drodze" entry in the same op.
    const result = await postEntriesMatchingPayments(
      kv,
      clock,
      unitId,
      unitRows.map((r) => r.apply.entry),
    );
    if (!result.ok) {
      throw new Error(`ledger of unit ${unitId}: conflict after ${result.posted} entries`);
    }
    outcome.added += result.posted;
    // "Wpłata zaksięgowana" e-mails: noted here, sent by the notices run (payment_notices.ts).
    await notePaymentsBooked(
      kv,
      clock,
      unitId,
      unitRows.map((r) => r.apply.entry),
      result.duplicates,
    );
    if (result.duplicates.length === 0) continue;
    // Posted before (a crash after the write, or another import meanwhile): the same or not?
    const dupes = new Set(result.duplicates);
    const stored = await storedEntries(kv, new Map([[unitId, dupes]]));
    for (const row of unitRows) {
      if (!dupes.has(row.apply.entry.documentNo)) continue;
      const existing = stored.get(unitId)?.get(row.apply.entry.documentNo);
      const diff = existing ? differences(existing, row.apply.entry) : ["brak zapisu"];
      if (diff.length === 0) outcome.unchanged++;
      else {
        outcome.refused.push({
          line: row.line,
          reason: changedDocumentReason(row.apply.entry.documentNo, diff),
        });
      }
    }
  }
  return outcome;
}

export const ledgerImport: ImportKindDef<LedgerRow, LedgerApply> = {
  kind: "ledger",
  label: "Zapisy na kontach lokali",
  description:
    "Naliczenia, wpłaty, odsetki, korekty i bilanse otwarcia z systemu księgowego — saldo rozliczeń mieszkańców.",
  columns: ledgerColumns,
  sampleHeaders: ["Lokal", "Dokument", "Rodzaj", "Data", "Składnik", "Kwota"],
  schema: ledgerSchema,
  identity: (row) => ({
    key: `${row.unit}\u0000${row.documentNo}`,
    label: `dokument ${row.documentNo} lokalu ${row.unit}`,
  }),
  cells: cellsOf,
  plan,
  apply,
  applyOrder: (a) => a.unitId,
};
