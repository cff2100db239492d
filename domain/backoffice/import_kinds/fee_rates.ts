/**
 * Import of fee rates: per unit, component and first month, the rate and the base it is charged
 * on (see `domain/balance/fee_rates.ts`).
 *
 * Identity: the unit, the month from which the rate applies, and the component. Rates are
 * settings, not documents: a stored rate with other figures is a change.
 */
import { z } from "zod";
import type { Clock } from "../../shared/clock.ts";
import { formatDecimal, parseDecimal } from "../../shared/csv.ts";
import { type FeeRate, getFeeRates, sameFeeRate, saveFeeRates } from "../../balance/fee_rates.ts";
import { basisAmount, type BasisUnit, getChargeComponents } from "../../balance/ledger.ts";
import { getUnitIdsByExternalIds } from "../register.ts";
import {
  basisUnitWords,
  type ChunkOutcome,
  codeField,
  type ColumnDef,
  emptyOutcome,
  type ImportKindDef,
  nonNegativeMoneyField,
  optionalMoneyField,
  periodField,
  type PlannedRow,
  type SourceRow,
  type StoredRow,
  textField,
  wordField,
} from "./types.ts";
import {
  addedRow,
  changedRow,
  refusedRow,
  unchangedRow,
  unknownUnitReason,
  zl,
} from "./planned.ts";

export const feeRateColumns: readonly ColumnDef[] = [
  {
    key: "unit",
    header: "lokal",
    aliases: ["kod lokalu"],
    required: true,
    meaning: "kod lokalu",
    format: "np. KW12/7",
  },
  {
    key: "period",
    header: "od miesiąca",
    aliases: ["od", "okres"],
    required: true,
    meaning: "pierwszy miesiąc, w którym stawka obowiązuje",
    format: "01.2027 albo 2027-01",
  },
  {
    key: "component",
    header: "składnik",
    aliases: ["składnik opłat"],
    required: true,
    meaning: "kod składnika opłat; musi być na liście składników spółdzielni",
    format: "np. eksploatacja",
  },
  {
    key: "rate",
    header: "stawka",
    required: true,
    meaning: "stawka w zł za jednostkę podstawy",
    format: "2,60",
  },
  {
    key: "quantity",
    header: "ilość",
    required: false,
    meaning: "podstawa: metry, osoby, m³ lub lokale; pusta przy jednostce „lokal” = 1",
    format: "54,30 albo 3",
  },
  {
    key: "unitLabel",
    header: "jednostka",
    required: true,
    meaning: "jednostka podstawy",
    format: "m², os., m³ albo lokal",
  },
  {
    key: "amount",
    header: "kwota",
    aliases: ["kwota miesięczna"],
    required: false,
    meaning:
      "miesięczna kwota do sprawdzenia: musi równać się stawce × ilości (zaokrąglonej do grosza)",
    format: "zł, np. 141,18",
  },
];

const feeRateSchema = z.object({
  unit: codeField(),
  period: periodField,
  component: textField({ required: true, max: 40 }),
  rate: nonNegativeMoneyField,
  quantity: z.string().transform((s, ctx) => {
    if (s.trim() === "") return undefined;
    const r = parseDecimal(s, 3, { allowNegative: false });
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.message });
      return z.NEVER;
    }
    return r.value;
  }),
  unitLabel: wordField(basisUnitWords, { required: true, expected: "m², os., m³ albo lokal" }),
  amount: optionalMoneyField,
}).superRefine((row, ctx) => {
  if (!/^[a-z0-9_]{1,40}$/.test(row.component)) {
    ctx.addIssue({
      code: "custom",
      path: ["component"],
      message: `„${row.component}” — kod składnika to małe litery, cyfry i _`,
    });
  }
  if (row.quantity === undefined && row.unitLabel !== "lokal") {
    ctx.addIssue({ code: "custom", path: ["quantity"], message: "brak wartości" });
  }
});

export type FeeRateRow = z.output<typeof feeRateSchema>;

export type FeeRateApply = FeeRate;

function quantityText(milli: number): string {
  return formatDecimal(milli, 3).replace(/,?0+$/, "");
}

/** "2,48 zł/m² × 54,3 = 134,66 zł" */
function rateText(r: FeeRate): string {
  return `${zl(r.rate)}/${r.unitLabel} × ${quantityText(r.quantityMilli)} = ${zl(r.amount)}`;
}

function cellsOf(row: FeeRateRow): string[] {
  return [
    row.unit,
    `${row.period.slice(5, 7)}.${row.period.slice(0, 4)}`,
    row.component,
    `${zl(row.rate)}/${row.unitLabel}`,
    row.quantity !== undefined ? quantityText(row.quantity) : "1",
  ];
}

async function plan(
  kv: Deno.Kv,
  _clock: Clock,
  rows: SourceRow<FeeRateRow>[],
): Promise<PlannedRow<FeeRateApply>[]> {
  const unitIds = await getUnitIdsByExternalIds(kv, rows.map((r) => r.data.unit));
  const components = new Set((await getChargeComponents(kv)).map((c) => c.code));
  const out: PlannedRow<FeeRateApply>[] = [];
  const candidates: { row: SourceRow<FeeRateRow>; rate: FeeRate }[] = [];
  for (const row of rows) {
    const d = row.data;
    const refuse = (reason: string) => out.push(refusedRow(row, reason));
    const unitId = unitIds.get(d.unit);
    if (!unitId) {
      refuse(unknownUnitReason(d.unit));
      continue;
    }
    if (components.size > 0 && !components.has(d.component)) {
      refuse(`nieznany składnik opłat „${d.component}” — nie ma go na liście składników`);
      continue;
    }
    const quantityMilli = d.quantity ?? 1000;
    const amount = basisAmount({ rate: d.rate, quantityMilli });
    if (d.amount !== undefined && d.amount !== amount) {
      refuse(
        `kwota ${zl(d.amount)} różni się od stawki × ilości: ${zl(d.rate)} × ${
          quantityText(quantityMilli)
        } = ${zl(amount)}`,
      );
      continue;
    }
    candidates.push({
      row,
      rate: {
        unitId,
        period: d.period,
        component: d.component,
        rate: d.rate,
        quantityMilli,
        unitLabel: d.unitLabel as BasisUnit,
        amount,
      },
    });
  }
  const stored = new Map(
    (await getFeeRates(kv, candidates.map((c) => c.rate))).map((r) => [
      `${r.unitId}|${r.period}|${r.component}`,
      r,
    ]),
  );
  for (const { row, rate } of candidates) {
    const existing = stored.get(`${rate.unitId}|${rate.period}|${rate.component}`);
    if (!existing) out.push(addedRow(row, rate));
    else if (sameFeeRate(existing, rate)) out.push(unchangedRow(row));
    else out.push(changedRow(row, rate, `stawka ${rateText(existing)} → ${rateText(rate)}`));
  }
  return out;
}

async function apply(
  kv: Deno.Kv,
  _clock: Clock,
  rows: StoredRow<FeeRateApply>[],
): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  const stored = new Map(
    (await getFeeRates(kv, rows.map((r) => r.apply))).map((r) => [
      `${r.unitId}|${r.period}|${r.component}`,
      r,
    ]),
  );
  const toSave: FeeRate[] = [];
  for (const row of rows) {
    const existing = stored.get(`${row.apply.unitId}|${row.apply.period}|${row.apply.component}`);
    if (existing && sameFeeRate(existing, row.apply)) outcome.unchanged++;
    else {
      toSave.push(row.apply);
      if (existing) outcome.changed++;
      else outcome.added++;
    }
  }
  await saveFeeRates(kv, toSave);
  return outcome;
}

export const feeRatesImport: ImportKindDef<FeeRateRow, FeeRateApply> = {
  kind: "fee_rates",
  label: "Stawki opłat",
  description: "Stawki opłat lokali: składnik, stawka i podstawa od danego miesiąca.",
  columns: feeRateColumns,
  sampleHeaders: ["Lokal", "Od miesiąca", "Składnik", "Stawka", "Ilość"],
  schema: feeRateSchema,
  identity: (row) => ({
    key: `${row.unit}\u0000${row.period}\u0000${row.component}`,
    label: `stawka ${row.component} lokalu ${row.unit} od ${row.period.slice(5, 7)}.${
      row.period.slice(0, 4)
    }`,
  }),
  cells: cellsOf,
  plan,
  apply,
};
