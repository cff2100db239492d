/**
 * Prepares the benchmark database through the real domain modules, before the server starts:
 * the development demo (a resident with a flat and a garage, two years of history), a flat with
 * ten years of monthly charges by component and payments, the same for one year, and a new flat
 * with no entries, each with its own resident account. The 10-year and 1-year flats also have a
 * cold and a hot water meter with month-end readings over their years; the new flat has the two
 * meters and no reading. The 1-year flat shows the same pages as the 10-year one (a full page of
 * statement lines, twelve months of water), so the two tell whether history costs.
 */
import { createAccount, getAccountByIdentifier } from "../domain/accounts/accounts.ts";
import { type Clock, systemClock } from "../domain/shared/clock.ts";
import { DEMO_RESIDENT_PASSWORD, seedDemoIfEmpty } from "../domain/demo/demo.ts";
import { demoChargeComponents } from "../domain/demo/demo_data.ts";
import {
  basisAmount,
  type BasisUnit,
  getTotals,
  type NewLedgerEntry,
  postEntries,
} from "../domain/balance/ledger.ts";
import { makeNrb, makeSortCode } from "../domain/shared/nrb.ts";
import { createPasswordHasher } from "../domain/accounts/password.ts";
import { createBuilding, createUnit } from "../domain/backoffice/register.ts";
import { addMeter, addReadings } from "../domain/water/water.ts";
import { addMonths as addPeriods, lastDayOf } from "../domain/shared/calendar.ts";

export const BENCH_PASSWORD = "Bench-Haslo-1";
export const HISTORY_YEARS = 10;

export type BenchResident = {
  label: string;
  identifier: string;
  password: string;
  unitIds: string[];
  /** Ledger entries over all the resident's units. */
  entries: number;
};

export type BenchData = {
  demo: BenchResident;
  longHistory: BenchResident;
  oneYear: BenchResident;
  fresh: BenchResident;
  seedMs: number;
};

type Draft = Omit<NewLedgerEntry, "unitId">;

/** "YYYY-MM" of a date in Poland. */
function periodInPoland(d: Date): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Warsaw",
    year: "numeric",
    month: "2-digit",
  }).format(d).slice(0, 7);
}

function dateInPoland(d: Date): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Warsaw",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(d);
}

function addMonths(period: string, n: number): string {
  const [y, m] = period.split("-").map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** A 48,60 m² flat for 2 persons: the eight components of a flat's monthly fee. */
const AREA_MILLI = 48_600;
const PERSONS = 2;
const lines: { code: string; rate: number; quantityMilli: number; unitLabel: BasisUnit }[] = [
  { code: "eksploatacja", rate: 180, quantityMilli: AREA_MILLI, unitLabel: "m²" },
  { code: "fundusz_remontowy", rate: 140, quantityMilli: AREA_MILLI, unitLabel: "m²" },
  { code: "co_zaliczka", rate: 240, quantityMilli: AREA_MILLI, unitLabel: "m²" },
  { code: "cw_podgrzanie", rate: 1750, quantityMilli: PERSONS * 1000, unitLabel: "m³" },
  { code: "zw_scieki", rate: 1200, quantityMilli: PERSONS * 2800, unitLabel: "m³" },
  { code: "odpady", rate: 2300, quantityMilli: PERSONS * 1000, unitLabel: "os." },
  { code: "domofon", rate: 400, quantityMilli: 1000, unitLabel: "lokal" },
  { code: "antena", rate: 900, quantityMilli: 1000, unitLabel: "lokal" },
];

/**
 * `years` × 12 months ending with the current one: an opening balance, then each month eight
 * charges (rates +4 % every January) and one payment (every seventh month only 80 % of what is
 * owed, settled the month after). Nothing is dated after `today`.
 */
export function longHistoryDrafts(clock: Clock, years = HISTORY_YEARS): Draft[] {
  const today = dateInPoland(clock());
  const current = periodInPoland(clock());
  const months = years * 12;
  const first = addMonths(current, -(months - 1));
  const labels = new Map(demoChargeComponents.map((c) => [c.code, c.label]));
  const drafts: Draft[] = [];
  let balance = 0;
  const post = (d: Draft) => {
    if (d.postedOn > today) return;
    drafts.push(d);
    balance += d.kind === "payment" ? -d.amount : d.amount;
  };
  post({
    kind: "opening_balance",
    postedOn: `${first}-01`,
    period: first,
    amount: 0,
    documentNo: `BO/${first}`,
    description: "Bilans otwarcia",
  });
  for (let i = 0; i < months; i++) {
    const period = addMonths(current, i - (months - 1));
    const yearIndex = Math.floor(i / 12);
    for (const line of lines) {
      const rate = Math.floor((line.rate * (100 + 4 * yearIndex) + 50) / 100);
      const basis = { rate, quantityMilli: line.quantityMilli, unitLabel: line.unitLabel };
      post({
        kind: "charge",
        postedOn: `${period}-01`,
        period,
        component: line.code,
        amount: basisAmount(basis),
        documentNo: `NAL/${period}/${line.code}`,
        description: `${labels.get(line.code) ?? line.code} za ${period.slice(5)}.${
          period.slice(0, 4)
        }`,
        basis,
      });
    }
    const amount = i % 7 === 6 ? Math.floor((balance * 8) / 10) : balance;
    if (amount > 0) {
      post({
        kind: "payment",
        postedOn: `${period}-12`,
        period,
        amount,
        documentNo: `WB/${period}`,
        description: `Wpłata – przelew, tytuł: opłaty za ${period.slice(5)}.${period.slice(0, 4)}`,
      });
    }
  }
  return drafts;
}

/** Seeds an empty KV at `kvPath`; the KV is closed again before this returns. */
export async function seedBenchData(kvPath: string): Promise<BenchData> {
  const started = performance.now();
  const clock = systemClock;
  const hasher = createPasswordHasher();
  const kv = await Deno.openKv(kvPath);
  try {
    const demo = await seedDemoIfEmpty(kv, clock, hasher);
    if (!demo) throw new Error("the bench KV was not empty: demo seeding skipped");
    const demoUnitIds = (await getAccountByIdentifier(kv, demo.resident.identifier))?.unitIds ?? [];
    let demoEntries = 0;
    for (const id of demoUnitIds) demoEntries += (await getTotals(kv, id)).entryCount;

    const building = await createBuilding(kv, clock, {
      street: "Benchmarkowa",
      number: "1",
      postalCode: "67-200",
      city: "Głogów",
    });
    const sortCode = makeSortCode("9990002");
    const unit = async (number: string, seq: number) => {
      const created = await createUnit(kv, clock, {
        buildingId: building.id,
        number,
        kind: "flat",
        areaCm2: AREA_MILLI * 10,
        persons: PERSONS,
        bankAccount: makeNrb(sortCode, `7700${String(seq).padStart(12, "0")}`),
        occupants: [`Bench ${number}`],
      });
      if (!created.ok) throw new Error(`bench unit ${number} refused: ${created.reason}`);
      return created.unit;
    };
    const longUnit = await unit("10", 1);
    const newUnit = await unit("11", 2);
    const yearUnit = await unit("12", 3);

    const posted = await postEntries(kv, clock, longUnit.id, longHistoryDrafts(clock));
    if (!posted.ok) throw new Error(`posting the 10-year ledger failed: ${posted.reason}`);
    const postedYear = await postEntries(kv, clock, yearUnit.id, longHistoryDrafts(clock, 1));
    if (!postedYear.ok) throw new Error(`posting the 1-year ledger failed: ${postedYear.reason}`);

    // Water: two meters each; month-end readings over the 10-year and the 1-year flat's years.
    const current = periodInPoland(clock());
    const yearsOf = new Map([[longUnit.id, HISTORY_YEARS], [yearUnit.id, 1]]);
    for (const u of [longUnit, newUnit, yearUnit]) {
      const years = yearsOf.get(u.id) ?? HISTORY_YEARS;
      const since = addPeriods(current, -years * 12);
      for (const kind of ["cold", "hot"] as const) {
        const meter = await addMeter(kv, clock, {
          unitId: u.id,
          kind,
          serialNo: `B-${u.number}-${kind}`,
          location: "łazienka",
          installedOn: `${since}-01`,
          legalUntil: `${addPeriods(current, 36)}-01`,
        });
        if (u === newUnit) continue;
        const perMonth = kind === "cold" ? 4200 : 2100;
        const readings = Array.from({ length: years * 12 }, (_, i) => ({
          readOn: lastDayOf(addPeriods(since, i)),
          litres: (i + 1) * perMonth + (i % 3) * 100,
          source: "radio" as const,
          enteredBy: "bench",
        }));
        const added = await addReadings(kv, clock, meter.id, readings);
        if (!added.ok) throw new Error(`bench readings refused: ${added.reason}`);
      }
    }

    const passwordHash = await hasher.hash(BENCH_PASSWORD);
    const resident = async (unitId: string, firstName: string, email: string) => {
      const account = await createAccount(kv, clock, {
        firstName,
        lastName: "Benchmarkowa",
        email,
        phone: "+48600000000",
        unitIds: [unitId],
        passwordHash,
        passwordChangedAt: clock().toISOString(),
      });
      if (!account) throw new Error(`bench account ${email} not created`);
      return account.identifier;
    };
    const longId = await resident(longUnit.id, "Dziesięcioletnia", "bench.long@example.com");
    const newId = await resident(newUnit.id, "Nowa", "bench.new@example.com");
    const yearId = await resident(yearUnit.id, "Roczna", "bench.year@example.com");

    return {
      demo: {
        label: "demo resident (flat + garage, 2 years)",
        identifier: demo.resident.identifier,
        password: DEMO_RESIDENT_PASSWORD,
        unitIds: demoUnitIds,
        entries: demoEntries,
      },
      longHistory: {
        label: `${HISTORY_YEARS}-year unit`,
        identifier: longId,
        password: BENCH_PASSWORD,
        unitIds: [longUnit.id],
        entries: posted.totals.entryCount,
      },
      oneYear: {
        label: "1-year unit",
        identifier: yearId,
        password: BENCH_PASSWORD,
        unitIds: [yearUnit.id],
        entries: postedYear.totals.entryCount,
      },
      fresh: {
        label: "new unit",
        identifier: newId,
        password: BENCH_PASSWORD,
        unitIds: [newUnit.id],
        entries: 0,
      },
      seedMs: Math.round(performance.now() - started),
    };
  } finally {
    kv.close();
    hasher.close();
  }
}
