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
import { formatDatePl, formatDecimal } from "../../shared/csv.ts";
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

const zl = (grosze: number) => `${formatDecimal(grosze, 2)} zł`;
const m3 = (litres: number) => `${formatDecimal(litres, 3)} m³`;

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

async function plan(
  kv: Deno.Kv,
  clock: Clock,
  rows: SourceRow<SettlementRow>[],
): Promise<PlannedRow<SettlementApply>[]> {
  const unitIds = await getUnitIdsByExternalIds(kv, rows.map((r) => r.data.unit));
  const storedOf = new Map<string, WaterSettlement[]>();
  const acceptedOf = new Map<string, { from: string; to: string; line: number }[]>();
  const out: PlannedRow<SettlementApply>[] = [];
  for (const row of rows) {
    const d = row.data;
    const refuse = (reason: string) =>
      out.push({ index: row.index, line: row.line, action: "refused", reason });
    const unitId = unitIds.get(d.unit);
    if (!unitId) {
      refuse(`nieznany lokal „${d.unit}” — nie ma go w rejestrze`);
      continue;
    }
    let stored = storedOf.get(unitId);
    if (!stored) storedOf.set(unitId, stored = await listSettlements(kv, unitId));
    const same = stored.find((s) => s.to === d.to);
    if (same) {
      if (!sameFigures(same, d)) {
        refuse(
          `rozliczenie lokalu ${d.unit} za okres do ${
            formatDatePl(d.to)
          } jest już zapisane z innymi danymi — zapisanego rozliczenia import nie zmienia`,
        );
      } else if (d.post && !same.postedToLedger) {
        out.push({
          index: row.index,
          line: row.line,
          action: "change",
          note: "zaksięgowanie wyniku na koncie lokalu",
          apply: { t: "post", id: same.id },
        });
      } else out.push({ index: row.index, line: row.line, action: "unchanged" });
      continue;
    }
    const overlap = stored.find((s) => s.from <= d.to && d.from <= s.to);
    if (overlap) {
      refuse(
        `okres nachodzi na zapisane rozliczenie ${formatDatePl(overlap.from)}–${
          formatDatePl(overlap.to)
        }`,
      );
      continue;
    }
    const accepted = acceptedOf.get(unitId) ?? [];
    const inFile = accepted.find((s) => s.from <= d.to && d.from <= s.to);
    if (inFile) {
      refuse(`okres nachodzi na rozliczenie z wiersza ${inFile.line}`);
      continue;
    }

    // The figures, by the rules of water_settlements.ts; the notes from the readings held.
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
    const difference = totalActual - totalAdvances;
    if (d.difference !== undefined && d.difference !== difference) {
      refuse(
        `wynik w pliku ${zl(d.difference)} różni się od wyliczonego ${zl(difference)} (koszt ${
          zl(totalActual)
        } − zaliczki ${zl(totalAdvances)})`,
      );
      continue;
    }
    accepted.push({ from: d.from, to: d.to, line: row.line });
    acceptedOf.set(unitId, accepted);
    out.push({
      index: row.index,
      line: row.line,
      action: "add",
      ...(d.post ? { note: "z zaksięgowaniem wyniku" } : {}),
      apply: {
        t: "add",
        post: d.post,
        draft: {
          id: newId(clock()),
          unitId,
          from: d.from,
          to: d.to,
          days: notes.days,
          cold,
          hot,
          totalActual,
          totalAdvances,
          difference,
          estimated: notes.estimated,
          estimatedAtEnds: notes.estimatedAtEnds,
          swaps: notes.swaps,
          componentCodes: { ...defaultWaterComponentCodes },
        },
      },
    });
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
