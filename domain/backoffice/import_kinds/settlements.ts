/**
 * Import of water settlements as the accounting system computed them: per unit and period, the
 * water used, the prices, the advances charged; eBOK works out the costs and the difference by
 * the rules of `water_settlements.ts` (and refuses a row whose stated result disagrees), takes
 * the notes on estimated readings and meter swaps from the readings it holds, and stores the
 * settlement with `saveSettlement`. With "zaksięguj" = tak the result is also booked on the
 * unit's ledger (`postSettlementToLedger`: a correction, document ROZL-WODA/<end date>).
 *
 * Identity: the unit and the period's last day. A stored settlement with other figures is
 * refused: a settlement is a document, corrected by a new one in the accounting system.
 */
import { z } from "zod";
import type { Clock } from "../../shared/clock.ts";
import { formatDatePl } from "../../shared/csv.ts";
import { newId } from "../../shared/ids.ts";
import { getUnitIdsByExternalIds } from "../register.ts";
import { getUnitWater } from "../../water/water.ts";
import {
  computeSettlement,
  defaultWaterComponentCodes,
  listSettlements,
  postSettlementToLedger,
  saveSettlement,
  waterCost,
  type WaterSettlement,
  type WaterSettlementDraft,
} from "../../water/water_settlements.ts";
import {
  type ChunkOutcome,
  codeField,
  type ColumnDef,
  dateField,
  emptyOutcome,
  type ImportKindDef,
  litresField,
  moneyField,
  nonNegativeMoneyField,
  optionalMoneyField,
  optionalNonNegativeMoneyField,
  type PlannedRow,
  type SourceRow,
  type StoredRow,
  yesNoField,
} from "./types.ts";
import {
  addedRow,
  changedRow,
  m3,
  refusedRow,
  unchangedRow,
  unknownUnitReason,
  zl,
} from "./planned.ts";

export const settlementColumns: readonly ColumnDef[] = [
  {
    key: "unit",
    header: "lokal",
    aliases: ["kod lokalu"],
    required: true,
    meaning: "kod lokalu",
    format: "np. KW12/7",
  },
  {
    key: "from",
    header: "od",
    aliases: ["okres od"],
    required: true,
    meaning: "pierwszy dzień okresu rozliczenia",
    format: "01.01.2026",
  },
  {
    key: "to",
    header: "do",
    aliases: ["okres do"],
    required: true,
    meaning: "ostatni dzień okresu — razem z lokalem tożsamość rozliczenia",
    format: "30.06.2026",
  },
  {
    key: "coldLitres",
    header: "zimna woda",
    aliases: ["zużycie zimnej wody"],
    required: true,
    meaning: "zużycie zimnej wody w okresie, m³",
    format: "18,400",
  },
  {
    key: "hotLitres",
    header: "ciepła woda",
    aliases: ["zużycie ciepłej wody"],
    required: true,
    meaning: "zużycie ciepłej wody w okresie, m³ (0 gdy brak)",
    format: "9,100",
  },
  {
    key: "priceCold",
    header: "cena woda i ścieki",
    required: true,
    meaning: "cena wody i ścieków za m³ całej zużytej wody (zimnej i ciepłej)",
    format: "zł za m³, np. 17,27",
  },
  {
    key: "priceHot",
    header: "cena podgrzania",
    required: false,
    meaning: "cena podgrzania ciepłej wody za m³; pusta = spółdzielnia nie rozlicza podgrzania",
    format: "zł za m³, np. 25,10",
  },
  {
    key: "advancesCold",
    header: "zaliczki woda i ścieki",
    required: true,
    meaning: "zaliczki naliczone w okresie na wodę i ścieki",
    format: "zł, np. 480,00",
  },
  {
    key: "advancesHot",
    header: "zaliczki podgrzanie",
    required: false,
    meaning:
      "zaliczki naliczone w okresie na podgrzanie wody (pusta, gdy podgrzania się nie rozlicza)",
    format: "zł, np. 210,00",
  },
  {
    key: "difference",
    header: "wynik",
    aliases: ["do zapłaty"],
    required: false,
    meaning:
      "wynik z systemu księgowego do sprawdzenia: dodatni = dopłata, ujemny = nadpłata; wiersz z innym wynikiem niż wyliczony jest odrzucany",
    format: "zł, np. 35,12 albo -20,40",
  },
  {
    key: "post",
    header: "zaksięguj",
    required: false,
    meaning: "czy zaksięgować wynik na koncie lokalu (korekta ROZL-WODA/<data końca>)",
    format: "tak albo nie; pusta = nie",
  },
];

const settlementSchema = z.object({
  unit: codeField(),
  from: dateField,
  to: dateField,
  coldLitres: litresField,
  hotLitres: litresField,
  priceCold: nonNegativeMoneyField,
  priceHot: optionalNonNegativeMoneyField,
  advancesCold: moneyField,
  advancesHot: optionalMoneyField,
  difference: optionalMoneyField,
  post: yesNoField(false),
}).superRefine((row, ctx) => {
  if (row.from > row.to) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "koniec okresu przed początkiem" });
  }
  if (row.priceHot === undefined && row.advancesHot !== undefined && row.advancesHot !== 0) {
    ctx.addIssue({
      code: "custom",
      path: ["advancesHot"],
      message: "zaliczki na podgrzanie bez ceny podgrzania",
    });
  }
});

export type SettlementRow = z.output<typeof settlementSchema>;

export type SettlementApply =
  | { t: "add"; draft: WaterSettlementDraft & { id: string }; post: boolean }
  | { t: "post"; id: string };

function cellsOf(row: SettlementRow): string[] {
  return [
    row.unit,
    `${formatDatePl(row.from)}–${formatDatePl(row.to)}`,
    m3(row.coldLitres),
    m3(row.hotLitres),
    row.difference !== undefined ? zl(row.difference) : "",
  ];
}

/** The file's figures of a stored settlement, to compare with a row. */
function sameFigures(s: WaterSettlement, row: SettlementRow): boolean {
  return s.from === row.from && s.to === row.to &&
    s.cold.coldLitres === row.coldLitres && s.cold.hotLitres === row.hotLitres &&
    s.cold.priceGroszePerM3 === row.priceCold && s.cold.advances === row.advancesCold &&
    (s.hot === null
      ? row.priceHot === undefined
      : s.hot.priceGroszePerM3 === row.priceHot && s.hot.advances === (row.advancesHot ?? 0));
}

type Period = { from: string; to: string; line: number };

/** What the unit's stored settlements say about the row: null when it is a new one to work out. */
function againstStored(
  row: SourceRow<SettlementRow>,
  stored: WaterSettlement[],
): PlannedRow<SettlementApply> | null {
  const d = row.data;
  const same = stored.find((s) => s.to === d.to);
  if (same) {
    if (!sameFigures(same, d)) {
      return refusedRow(
        row,
        `rozliczenie lokalu ${d.unit} za okres do ${
          formatDatePl(d.to)
        } jest już zapisane z innymi danymi — zapisanego rozliczenia import nie zmienia`,
      );
    }
    if (d.post && !same.postedToLedger) {
      return changedRow(row, { t: "post", id: same.id }, "zaksięgowanie wyniku na koncie lokalu");
    }
    return unchangedRow(row);
  }
  const overlap = stored.find((s) => s.from <= d.to && d.from <= s.to);
  if (overlap) {
    return refusedRow(
      row,
      `okres nachodzi na zapisane rozliczenie ${formatDatePl(overlap.from)}–${
        formatDatePl(overlap.to)
      }`,
    );
  }
  return null;
}

/** The settlement's figures from the row, by the rules of water_settlements.ts. */
function settlementFigures(d: SettlementRow, notes: ReturnType<typeof computeSettlement>) {
  const litres = d.coldLitres + d.hotLitres;
  const cold = {
    litres,
    coldLitres: d.coldLitres,
    hotLitres: d.hotLitres,
    priceGroszePerM3: d.priceCold,
    actualCost: waterCost(litres, d.priceCold),
    advances: d.advancesCold,
    estimated: notes.cold.estimated,
  };
  const hot = d.priceHot === undefined ? null : {
    litres: d.hotLitres,
    priceGroszePerM3: d.priceHot,
    actualCost: waterCost(d.hotLitres, d.priceHot),
    advances: d.advancesHot ?? 0,
    estimated: notes.hot?.estimated ?? false,
  };
  const totalActual = cold.actualCost + (hot?.actualCost ?? 0);
  const totalAdvances = cold.advances + (hot?.advances ?? 0);
  return { cold, hot, totalActual, totalAdvances, difference: totalActual - totalAdvances };
}

/** A new settlement: its figures worked out, the notes taken from the readings held. */
async function planNewSettlement(
  kv: Deno.Kv,
  clock: Clock,
  row: SourceRow<SettlementRow>,
  unitId: string,
): Promise<PlannedRow<SettlementApply>> {
  const d = row.data;
  const water = await getUnitWater(kv, unitId);
  const notes = computeSettlement({
    unitId,
    from: d.from,
    to: d.to,
    meters: water.meters,
    readingsByMeter: water.readingsByMeter,
    ledgerEntries: [],
    prices: { cold: d.priceCold, hot: d.priceHot ?? null },
  });
  const figures = settlementFigures(d, notes);
  if (d.difference !== undefined && d.difference !== figures.difference) {
    return refusedRow(
      row,
      `wynik w pliku ${zl(d.difference)} różni się od wyliczonego ${
        zl(figures.difference)
      } (koszt ${zl(figures.totalActual)} − zaliczki ${zl(figures.totalAdvances)})`,
    );
  }
  return addedRow(row, {
    t: "add",
    post: d.post,
    draft: {
      id: newId(clock()),
      unitId,
      from: d.from,
      to: d.to,
      days: notes.days,
      ...figures,
      estimated: notes.estimated,
      estimatedAtEnds: notes.estimatedAtEnds,
      swaps: notes.swaps,
      componentCodes: { ...defaultWaterComponentCodes },
    },
  }, d.post ? "z zaksięgowaniem wyniku" : undefined);
}

async function plan(
  kv: Deno.Kv,
  clock: Clock,
  rows: SourceRow<SettlementRow>[],
): Promise<PlannedRow<SettlementApply>[]> {
  const unitIds = await getUnitIdsByExternalIds(kv, rows.map((r) => r.data.unit));
  const storedOf = new Map<string, WaterSettlement[]>();
  const acceptedOf = new Map<string, Period[]>();
  const out: PlannedRow<SettlementApply>[] = [];
  for (const row of rows) {
    const d = row.data;
    const unitId = unitIds.get(d.unit);
    if (!unitId) {
      out.push(refusedRow(row, unknownUnitReason(d.unit)));
      continue;
    }
    let stored = storedOf.get(unitId);
    if (!stored) storedOf.set(unitId, stored = await listSettlements(kv, unitId));
    const decided = againstStored(row, stored);
    if (decided) {
      out.push(decided);
      continue;
    }
    const accepted = acceptedOf.get(unitId) ?? [];
    const inFile = accepted.find((s) => s.from <= d.to && d.from <= s.to);
    const planned = inFile
      ? refusedRow<SettlementApply>(row, `okres nachodzi na rozliczenie z wiersza ${inFile.line}`)
      : await planNewSettlement(kv, clock, row, unitId);
    if (planned.action === "add") {
      accepted.push({ from: d.from, to: d.to, line: row.line });
      acceptedOf.set(unitId, accepted);
    }
    out.push(planned);
  }
  return out;
}

async function apply(
  kv: Deno.Kv,
  clock: Clock,
  rows: StoredRow<SettlementApply>[],
): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  for (const row of rows) {
    const a = row.apply;
    let id: string;
    if (a.t === "add") {
      // The id was drawn at preview: saving again (after a crash) is a no-op.
      const saved = await saveSettlement(kv, clock, a.draft);
      if (!saved.ok) {
        if (saved.reason === "conflict") throw new Error("settlement: conflict");
        outcome.refused.push({
          line: row.line,
          reason: `rozliczenie za okres do ${formatDatePl(a.draft.to)} zapisano w międzyczasie`,
        });
        continue;
      }
      outcome.added++;
      if (!a.post) continue;
      id = saved.settlement.id;
    } else {
      id = a.id;
    }
    const posted = await postSettlementToLedger(kv, clock, id);
    if (!posted.ok) {
      if (posted.reason === "conflict") throw new Error("settlement posting: conflict");
      outcome.refused.push({ line: row.line, reason: "rozliczenia nie ma już w rejestrze" });
      continue;
    }
    if (a.t === "post") {
      if (posted.alreadyPosted) outcome.unchanged++;
      else outcome.changed++;
    }
  }
  return outcome;
}

export const settlementsImport: ImportKindDef<SettlementRow, SettlementApply> = {
  kind: "settlements",
  label: "Rozliczenia wody",
  description:
    "Rozliczenia zużycia wody za okres (zwykle półrocze): zużycie, ceny, zaliczki; wynik liczy eBOK i porównuje z plikiem.",
  columns: settlementColumns,
  sampleHeaders: ["Lokal", "Okres", "Zimna woda", "Ciepła woda", "Wynik"],
  schema: settlementSchema,
  identity: (row) => ({
    key: `${row.unit}\u0000${row.to}`,
    label: `rozliczenie lokalu ${row.unit} za okres do ${formatDatePl(row.to)}`,
  }),
  cells: cellsOf,
  plan,
  apply,
};
