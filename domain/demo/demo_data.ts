/**
 * Deterministic demo data: the cooperative "Nadodrze" in Głogów, three buildings with flats and
 * garages, two years of charges, payments and water readings ending with the month of `clock()`,
 * and the water settlements of the last two complete half-years for the flats of the first
 * building (the older booked on the ledger).
 *
 * Every value comes from a small seeded PRNG (never Math.random), so two seedings on the same
 * day give the same registers, amounts and readings (only the ids differ: ULIDs carry time).
 * Demo bank accounts use the bank number 999, which (to our knowledge) no Polish bank holds, so
 * no demo NRB can be anybody's real account.
 */
import {
  addDays,
  addMonths,
  addYears,
  dayOf,
  daysBetween,
  formatIsoDate,
  lastDayOf,
  periodNumeric,
  polishDate,
} from "../shared/calendar.ts";
import type { Clock } from "../shared/clock.ts";
import { type CooperativeProfile, saveCooperativeProfile } from "../backoffice/cooperative.ts";
import { keys } from "../shared/keys.ts";
import {
  basisAmount,
  type BasisUnit,
  type ChargeComponent,
  listEntries,
  type NewLedgerEntry,
  postEntries,
  postEntry,
  saveChargeComponents,
} from "../balance/ledger.ts";
import { makeNrb, makeSortCode } from "../shared/nrb.ts";
import { createBuilding, createUnit, type UnitKind } from "../backoffice/register.ts";
import {
  addMeter,
  addReadings,
  getUnitWater,
  type Meter,
  type NewReading,
  type ReadingSource,
  swapMeter,
} from "../water/water.ts";
import {
  computeSettlement,
  postSettlementToLedger,
  saveSettlement,
} from "../water/water_settlements.ts";

export type DemoCooperative = {
  buildings: { id: string; street: string; number: string }[];
  units: { id: string; buildingId: string; number: string; kind: UnitKind; externalId: string }[];
  demoResident: {
    firstName: string;
    lastName: string;
    email: string;
    /** E.164. */
    phone: string;
    flatUnitId: string;
    garageUnitId: string;
    /** The address as the resident types it into the registration form. */
    street: string;
    building: string;
    unit: string;
  };
};

export const demoProfile: CooperativeProfile = {
  name: "Spółdzielnia Mieszkaniowa „Nadodrze” w Głogowie",
  shortName: "SM Nadodrze",
  address: "ul. Piastowska 14, 67-200 Głogów",
  email: "ebok@smnadodrze.pl",
  phone: "+48 76 833 41 20",
  nip: "6930012348",
  officeHours: "poniedziałek 8:00–17:00, wtorek–piątek 7:00–15:00",
  emergencyPhone: "+48 76 833 41 99",
};

export const demoChargeComponents: ChargeComponent[] = [
  { code: "eksploatacja", label: "Eksploatacja" },
  { code: "fundusz_remontowy", label: "Fundusz remontowy" },
  { code: "co_zaliczka", label: "Centralne ogrzewanie – zaliczka" },
  { code: "cw_podgrzanie", label: "Ciepła woda – zaliczka na podgrzanie" },
  { code: "zw_scieki", label: "Zimna woda i ścieki – zaliczka" },
  { code: "odpady", label: "Wywóz odpadów" },
  { code: "domofon", label: "Domofon" },
  { code: "antena", label: "Antena zbiorcza" },
  { code: "odsetki", label: "Odsetki za zwłokę" },
];

/** Rates in grosze per unit of the base in the first year shown; +5 % every January after. */
const baseRates = {
  eksploatacja: 248, // zł/m²
  eksploatacjaGarage: 165, // zł/m²
  fundusz_remontowy: 190, // zł/m²
  fundusz_remontowyGarage: 120, // zł/m²
  co_zaliczka: 325, // zł/m²
  cw_podgrzanie: 2390, // zł/m³ of declared hot water
  zw_scieki: 1645, // zł/m³ of declared water (cold + hot)
  odpady: 3100, // zł/person
  domofon: 500, // zł/unit
  antena: 1250, // zł/unit
};
/** Declared monthly water per person, in litres (= thousandths of m³). */
const DECLARED_TOTAL_LITRES = 2800;
const DECLARED_HOT_LITRES = 1000;
/** Statutory interest for late payment, in hundredths of a per cent a year (11,25 %). */
const INTEREST_BP = 1125;

const femaleNames = [
  "Anna",
  "Maria",
  "Katarzyna",
  "Małgorzata",
  "Agnieszka",
  "Barbara",
  "Ewa",
  "Krystyna",
  "Elżbieta",
  "Zofia",
  "Joanna",
  "Magdalena",
  "Teresa",
  "Danuta",
  "Jadwiga",
  "Halina",
];
const maleNames = [
  "Piotr",
  "Krzysztof",
  "Andrzej",
  "Tomasz",
  "Paweł",
  "Jan",
  "Michał",
  "Marcin",
  "Stanisław",
  "Józef",
  "Grzegorz",
  "Łukasz",
  "Zbigniew",
  "Jerzy",
  "Tadeusz",
  "Wojciech",
];
/** [male form, female form] */
const surnames: [string, string][] = [
  ["Nowak", "Nowak"],
  ["Kowalski", "Kowalska"],
  ["Wiśniewski", "Wiśniewska"],
  ["Wójcik", "Wójcik"],
  ["Kowalczyk", "Kowalczyk"],
  ["Kamiński", "Kamińska"],
  ["Lewandowski", "Lewandowska"],
  ["Szymański", "Szymańska"],
  ["Woźniak", "Woźniak"],
  ["Dąbrowski", "Dąbrowska"],
  ["Kozłowski", "Kozłowska"],
  ["Jankowski", "Jankowska"],
  ["Mazur", "Mazur"],
  ["Kwiatkowski", "Kwiatkowska"],
  ["Krawczyk", "Krawczyk"],
  ["Piotrowski", "Piotrowska"],
  ["Grabowski", "Grabowska"],
  ["Pawłowski", "Pawłowska"],
  ["Michalski", "Michalska"],
  ["Król", "Król"],
  ["Wieczorek", "Wieczorek"],
  ["Jabłoński", "Jabłońska"],
  ["Wróbel", "Wróbel"],
  ["Majewski", "Majewska"],
  ["Olszewski", "Olszewska"],
  ["Stępień", "Stępień"],
  ["Malinowski", "Malinowska"],
  ["Jaworski", "Jaworska"],
];

type BuildingPlan = {
  /** The accounting system's code of the building; a unit's code is "<building code>/<number>". */
  code: string;
  street: string;
  number: string;
  flats: number;
  garages: number;
  readings: { every: "month" | "quarter"; source: ReadingSource };
};

const buildingPlans: BuildingPlan[] = [
  {
    code: "KW12",
    street: "Kazimierza Wielkiego",
    number: "12",
    flats: 12,
    garages: 3,
    readings: { every: "month", source: "radio" },
  },
  {
    code: "OP5A",
    street: "Obrońców Pokoju",
    number: "5a",
    flats: 12,
    garages: 2,
    readings: { every: "quarter", source: "visit" },
  },
  {
    code: "SL27",
    street: "Słowiańska",
    number: "27",
    flats: 12,
    garages: 2,
    readings: { every: "quarter", source: "resident" },
  },
];

/** The demo resident's flat and garage, in the first building. */
const DEMO_FLAT_NUMBER = "7";
const DEMO_GARAGE_NUMBER = "G2";
const demoPerson = {
  firstName: "Katarzyna",
  lastName: "Zielińska",
  email: "katarzyna.zielinska@example.com",
  phone: "+48512345678",
};

/**
 * The demo flat's state today, chosen by the day of the month (in Poland) the data is seeded on,
 * so a test — or anybody trying the demo — gets each state by choosing the date (`EBOK_TODAY`):
 *
 * - days 1–7, `due`: this month's fees are charged and not paid yet, nothing is late;
 * - days 8–14, `overdue`: the fees of the two previous months are unpaid and an interest note
 *   for them was posted on the 1st; this month's fees are charged too;
 * - days 15–22, `settled`: everything is paid (this month's fees on the 10th);
 * - days 23 to the month's end, `overpaid`: this month was paid on the 10th with a round sum
 *   above the fees, so the flat has an overpayment.
 *
 * The demo garage is always paid in full (this month's fees on the 10th).
 */
export type DemoFlatState = "due" | "overdue" | "settled" | "overpaid";

export function demoFlatState(today: string): DemoFlatState {
  const day = Number(today.slice(8, 10));
  return day <= 7 ? "due" : day <= 14 ? "overdue" : day <= 22 ? "settled" : "overpaid";
}

/** A day of the month on which the demo flat is in each state (for tests choosing a date). */
export const demoFlatStateDays: Record<DemoFlatState, number> = {
  due: 4,
  overdue: 11,
  settled: 18,
  overpaid: 26,
};

/** Month indexes (0 = the oldest of the 24) of the demo flat's special events. */
const DEMO_PARTIAL_AT = 5;
const DEMO_LATE_AT = 9;
const DEMO_OVERPAY_AT = 14;
const DEMO_CORRECTION_AT = 17;
/** Month-end index (0 = the first reading) of the demo flat's estimated reading and swap. */
const DEMO_ESTIMATED_READING_AT = 7;
const DEMO_SWAP_AT = 14;
/**
 * The demo household used less water in the half-year of the newer water settlement (part of
 * the family away): its monthly consumption then is this per cent of the usual, so that
 * settlement ends with an overpayment, while the older one (usual consumption, above the
 * declared quantity the advances are charged on) ends with an underpayment.
 */
const DEMO_QUIET_PERCENT = 70;

/** mulberry32: a tiny, well-spread 32-bit PRNG; enough for demo data. */
function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in [min, max]. */
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof seededRandom>;

type PlannedUnit = {
  buildingIndex: number;
  number: string;
  kind: UnitKind;
  areaCm2: number;
  persons: number;
  occupants: string[];
  hasKitchenMeters: boolean;
  isDemo: boolean;
};

function planUnits(rng: Rng): PlannedUnit[] {
  const units: PlannedUnit[] = [];
  // Nobody appears in two households.
  const used = new Set<string>([
    `${demoPerson.firstName} ${demoPerson.lastName}`,
    "Marek Zieliński",
  ]);
  const person = (firstNames: readonly string[], surname: string): string => {
    let name = `${rng.pick(firstNames)} ${surname}`;
    for (let tries = 0; used.has(name) && tries < 50; tries++) {
      name = `${rng.pick(firstNames)} ${surname}`;
    }
    used.add(name);
    return name;
  };
  buildingPlans.forEach((plan, buildingIndex) => {
    const households: string[][] = [];
    for (let n = 1; n <= plan.flats; n++) {
      const isDemo = buildingIndex === 0 && String(n) === DEMO_FLAT_NUMBER;
      const [male, female] = rng.pick(surnames);
      let occupants: string[];
      if (isDemo) {
        occupants = [`${demoPerson.firstName} ${demoPerson.lastName}`, "Marek Zieliński"];
      } else if (rng.chance(0.55)) {
        occupants = [person(femaleNames, female), person(maleNames, male)];
      } else {
        occupants = [rng.chance(0.5) ? person(femaleNames, female) : person(maleNames, male)];
      }
      const persons = isDemo ? 3 : Math.min(4, occupants.length + rng.int(0, 2));
      households.push(occupants);
      units.push({
        buildingIndex,
        number: String(n),
        kind: "flat",
        // 32,00–72,00 m² to the square centimetre's hundred (0,01 m²).
        areaCm2: isDemo ? 543000 : rng.int(3200, 7200) * 100,
        persons,
        occupants,
        hasKitchenMeters: isDemo || rng.chance(0.5),
        isDemo,
      });
    }
    for (let g = 1; g <= plan.garages; g++) {
      const number = `G${g}`;
      const isDemo = buildingIndex === 0 && number === DEMO_GARAGE_NUMBER;
      units.push({
        buildingIndex,
        number,
        kind: "garage",
        areaCm2: rng.int(1500, 2100) * 100,
        persons: 0,
        occupants: isDemo
          ? [`${demoPerson.firstName} ${demoPerson.lastName}`]
          : [rng.pick(households)[0]],
        hasKitchenMeters: false,
        isDemo,
      });
    }
  });
  return units;
}

type ChargeLine = { code: string; rate: number; quantityMilli: number; unitLabel: BasisUnit };

function rateIn(base: number, yearIndex: number): number {
  return Math.floor((base * (100 + 5 * yearIndex) + 50) / 100);
}

function chargeLines(unit: PlannedUnit, yearIndex: number): ChargeLine[] {
  const r = (base: number) => rateIn(base, yearIndex);
  const areaMilli = unit.areaCm2 / 10; // cm² → thousandths of m²
  if (unit.kind === "garage") {
    return [
      {
        code: "eksploatacja",
        rate: r(baseRates.eksploatacjaGarage),
        quantityMilli: areaMilli,
        unitLabel: "m²",
      },
      {
        code: "fundusz_remontowy",
        rate: r(baseRates.fundusz_remontowyGarage),
        quantityMilli: areaMilli,
        unitLabel: "m²",
      },
    ];
  }
  return [
    {
      code: "eksploatacja",
      rate: r(baseRates.eksploatacja),
      quantityMilli: areaMilli,
      unitLabel: "m²",
    },
    {
      code: "fundusz_remontowy",
      rate: r(baseRates.fundusz_remontowy),
      quantityMilli: areaMilli,
      unitLabel: "m²",
    },
    {
      code: "co_zaliczka",
      rate: r(baseRates.co_zaliczka),
      quantityMilli: areaMilli,
      unitLabel: "m²",
    },
    {
      code: "cw_podgrzanie",
      rate: r(baseRates.cw_podgrzanie),
      quantityMilli: unit.persons * DECLARED_HOT_LITRES,
      unitLabel: "m³",
    },
    {
      code: "zw_scieki",
      rate: r(baseRates.zw_scieki),
      quantityMilli: unit.persons * DECLARED_TOTAL_LITRES,
      unitLabel: "m³",
    },
    {
      code: "odpady",
      rate: r(baseRates.odpady),
      quantityMilli: unit.persons * 1000,
      unitLabel: "os.",
    },
    { code: "domofon", rate: r(baseRates.domofon), quantityMilli: 1000, unitLabel: "lokal" },
    { code: "antena", rate: r(baseRates.antena), quantityMilli: 1000, unitLabel: "lokal" },
  ];
}

type Draft = Omit<NewLedgerEntry, "unitId">;

type PaymentKind = "full" | "partial" | "late" | "overpay" | "none";

/** Who the unit is in the simulation: the demo resident's flat or garage, the debtor, others. */
type LedgerRole = {
  isDemoFlat: boolean;
  isDemoGarage: boolean;
  isDebtor: boolean;
  state: DemoFlatState;
  current: number;
};

/** The balance brought forward: the demo flat's fixed one; most others nil, some owing or ahead. */
function openingAmount(role: LedgerRole, rng: Rng): number {
  const openingRoll = rng.next();
  return role.isDemoFlat
    ? 18790
    : openingRoll < 0.7
    ? 0
    : openingRoll < 0.9
    ? rng.int(10, 500) * 100
    : -rng.int(5, 80) * 100;
}

/** A month's charges, one entry per fee with its rate and quantity. */
function monthChargeDrafts(unit: PlannedUnit, period: string, yearIndex: number): Draft[] {
  const labels = new Map(demoChargeComponents.map((c) => [c.code, c.label]));
  const out: Draft[] = [];
  for (const line of chargeLines(unit, yearIndex)) {
    const amount = basisAmount(line);
    if (amount === 0) continue;
    out.push({
      kind: "charge",
      postedOn: dayOf(period, 1),
      period,
      component: line.code,
      amount,
      documentNo: `NAL/${period}/${line.code}`,
      description: `${labels.get(line.code)} za ${periodNumeric(period)}`,
      basis: { rate: line.rate, quantityMilli: line.quantityMilli, unitLabel: line.unitLabel },
    });
  }
  return out;
}

/** How the month's payment goes: the demo flat follows its script, the debtor stops for three. */
function paymentKindOf(role: LedgerRole, i: number, rng: Rng): PaymentKind {
  if (role.isDemoFlat) {
    if (i === DEMO_PARTIAL_AT) return "partial";
    if (i === DEMO_LATE_AT) return "late";
    if (i === DEMO_OVERPAY_AT) return "overpay";
    if (role.state === "overdue" && i >= role.current - 2) return "none";
    if (i === role.current) {
      return role.state === "overpaid" ? "overpay" : role.state === "settled" ? "full" : "none";
    }
    return "full";
  }
  if (role.isDebtor && i >= 18 && i <= 20) return "none";
  const roll = rng.next();
  return role.isDemoGarage ? "full" : roll < 0.06 ? "late" : roll < 0.1 ? "partial" : "full";
}

/** The day of the month's payment: mid-month, early next month when late. */
function paymentDay(role: LedgerRole, kind: PaymentKind, period: string, i: number, rng: Rng) {
  const paidOn = kind === "late"
    ? dayOf(addMonths(period, 1), rng.int(3, 9))
    : dayOf(period, rng.int(10, 15));
  // The demo units pay this month's fees on the 10th (the random day is still drawn, so the
  // rest of the demo data stays the same whatever the date).
  return (role.isDemoFlat || role.isDemoGarage) && i === role.current ? dayOf(period, 10) : paidOn;
}

/**
 * How much is paid: the whole balance, a standing order's sum (its owner settles the whole
 * balance at first and after a partial payment), the debtor's current fees, 60 % of the
 * balance when partial, a round sum above it when overpaying.
 */
function paymentAmount(
  kind: PaymentKind,
  balance: number,
  instead: { standingOrder: number | null; debtorPaysFees: number | null },
): number {
  if (kind === "partial") return Math.floor((balance * 6) / 10 / 1000) * 1000;
  if (kind === "overpay") return Math.ceil((balance + 10_000) / 10_000) * 10_000;
  return instead.standingOrder ?? instead.debtorPaysFees ?? balance;
}

/** The demo flat's interest note for the two unpaid months, to the end of the last one. */
function overdueInterestDraft(periods: string[], i: number, monthFees: number[]): Draft {
  const period = periods[i];
  const until = lastDayOf(periods[i - 1]);
  let interest = 0;
  for (const k of [i - 2, i - 1]) {
    const days = daysBetween(dayOf(periods[k], 15), until);
    interest += Math.floor((monthFees[k] * INTEREST_BP * days) / (10_000 * 365));
  }
  return {
    kind: "interest",
    postedOn: dayOf(period, 1),
    period,
    component: "odsetki",
    amount: interest,
    documentNo: `NO/${period}/1`,
    description: `Odsetki za zwłokę: nieopłacone opłaty za ${periodNumeric(periods[i - 2])} i ${
      periodNumeric(periods[i - 1])
    } (do ${formatIsoDate(until)})`,
  };
}

/** Interest on a payment made after the 15th's due date. */
function lateInterestDraft(period: string, paidOn: string, amount: number): Draft {
  const days = daysBetween(dayOf(period, 15), paidOn);
  const interest = Math.floor((amount * INTEREST_BP * days) / (10_000 * 365));
  return {
    kind: "interest",
    postedOn: paidOn,
    period: paidOn.slice(0, 7),
    component: "odsetki",
    amount: interest,
    documentNo: `NO/${paidOn.slice(0, 7)}/1`,
    description: `Odsetki za zwłokę: wpłata za ${
      periodNumeric(period)
    } z ${days}-dniowym opóźnieniem`,
  };
}

/** The demo flat's correction of the previous month's heating advance. */
function correctionDraft(period: string, previous: string): Draft {
  return {
    kind: "correction",
    postedOn: dayOf(period, 20),
    period: previous,
    component: "co_zaliczka",
    amount: -4570,
    documentNo: `KOR/${period}/1`,
    description: `Korekta zaliczki na centralne ogrzewanie za ${periodNumeric(previous)}`,
  };
}

/**
 * Two years of a unit's ledger, simulated month by month so payments follow the balance. The
 * random draws come in a fixed order (the demo data stays the same whatever the date).
 */
function planLedger(
  unit: PlannedUnit,
  periods: string[],
  today: string,
  rng: Rng,
  isDebtor: boolean,
): Draft[] {
  // The demo resident's flat shows every kind of event and ends in the state chosen by the date;
  // their garage is always paid in full.
  const role: LedgerRole = {
    isDemoFlat: unit.isDemo && unit.kind === "flat",
    isDemoGarage: unit.isDemo && unit.kind === "garage",
    isDebtor,
    state: demoFlatState(today),
    current: periods.length - 1,
  };
  /** The fees of each month, for the demo flat's interest note. */
  const monthFees: number[] = [];
  const drafts: Draft[] = [];
  let balance = 0;
  const post = (d: Draft) => {
    if (d.postedOn > today) return;
    drafts.push(d);
    balance += d.kind === "payment" ? -d.amount : d.amount;
  };

  const first = periods[0];
  post({
    kind: "opening_balance",
    postedOn: dayOf(first, 1),
    period: first,
    amount: openingAmount(role, rng),
    documentNo: `BO/${first}`,
    description: `Bilans otwarcia – saldo na dzień ${formatIsoDate(addDays(dayOf(first, 1), -1))}`,
  });

  // Most pay what they owe; some have a standing order for a round sum, updated every March
  // (so it falls short after the January rise and runs slightly ahead otherwise); one debtor
  // stops paying for three months and then pays only the current fees.
  const standingOrder = !role.isDemoFlat && !isDebtor && rng.chance(0.3);
  let orderAmount = 0;
  let settleNext = true;
  const firstYear = Number(first.slice(0, 4));
  let payments = 0;
  periods.forEach((period, i) => {
    const charges = monthChargeDrafts(unit, period, Number(period.slice(0, 4)) - firstYear);
    charges.forEach(post);
    const monthCharges = charges.reduce((sum, d) => sum + d.amount, 0);
    monthFees.push(monthCharges);

    const kind = paymentKindOf(role, i, rng);
    const paidOn = paymentDay(role, kind, period, i, rng);
    if (role.isDemoFlat && role.state === "overdue" && i === role.current) {
      post(overdueInterestDraft(periods, i, monthFees));
    }
    if (i === 0 || period.endsWith("-03")) orderAmount = Math.ceil(monthCharges / 1000) * 1000;
    const amount = paymentAmount(kind, balance, {
      standingOrder: standingOrder && !settleNext ? orderAmount : null,
      debtorPaysFees: isDebtor && i > 20 ? monthCharges : null,
    });
    settleNext = kind === "partial";
    if (kind !== "none" && amount > 0 && paidOn <= today) {
      payments++;
      post({
        kind: "payment",
        postedOn: paidOn,
        period,
        amount,
        documentNo: `WB/${paidOn}/${payments}`,
        description: `Wpłata – przelew, tytuł: opłaty za ${periodNumeric(period)}`,
      });
      if (role.isDemoFlat && kind === "late") post(lateInterestDraft(period, paidOn, amount));
    }
    if (role.isDemoFlat && i === DEMO_CORRECTION_AT) post(correctionDraft(period, periods[i - 1]));
  });
  return drafts;
}

type MeterPlan = {
  kind: "cold" | "hot";
  location: string;
  /** Share of the flat's consumption, in per cent. */
  share: number;
};

type HalfYear = { from: string; to: string };

/** The two latest complete half-years (January–June, July–December) before `current`. */
function settlementHalves(current: string): { older: HalfYear; newer: HalfYear } {
  const last = addMonths(current, -1);
  const year = Number(last.slice(0, 4));
  const month = Number(last.slice(5, 7));
  const half = (y: number, second: boolean): HalfYear =>
    second ? { from: `${y}-07-01`, to: `${y}-12-31` } : { from: `${y}-01-01`, to: `${y}-06-30` };
  if (month === 12) return { older: half(year, false), newer: half(year, true) };
  if (month >= 6) return { older: half(year - 1, true), newer: half(year, false) };
  return { older: half(year - 1, false), newer: half(year - 1, true) };
}

/** The flat's meters: bathroom only, or bathroom and kitchen sharing the consumption. */
function meterPlansOf(unit: PlannedUnit): MeterPlan[] {
  return unit.hasKitchenMeters
    ? [
      { kind: "cold", location: "łazienka", share: 65 },
      { kind: "hot", location: "łazienka", share: 70 },
      { kind: "cold", location: "kuchnia", share: 35 },
      { kind: "hot", location: "kuchnia", share: 30 },
    ]
    : [
      { kind: "cold", location: "łazienka", share: 100 },
      { kind: "hot", location: "łazienka", share: 100 },
    ];
}

/** What seeding one flat's water shares: where, when, and the random source. */
type WaterSeeding = {
  kv: Deno.Kv;
  clock: Clock;
  unitId: string;
  unit: PlannedUnit;
  readingDates: string[];
  rng: Rng;
  quiet: HalfYear;
};

/** Installs the meter (the demo resident's bathroom hot-water meter is the one swapped later). */
function addDemoMeter(w: WaterSeeding, mp: MeterPlan, isSwapped: boolean): Promise<Meter> {
  const { unit, readingDates, rng } = w;
  const swapOn = readingDates[DEMO_SWAP_AT];
  const installedOn = isSwapped
    ? addDays(addYears(swapOn, -5), 12)
    : addDays(readingDates[0], -rng.int(30, 900));
  return addMeter(w.kv, w.clock, {
    unitId: w.unitId,
    kind: mp.kind,
    serialNo: `${mp.kind === "cold" ? "ZW" : "CW"}-${installedOn.slice(2, 4)}${
      String(rng.int(100000, 999999))
    }`,
    location: mp.location,
    installedOn,
    // One of the demo resident's meters nears the end of its legalisation: the eBOK warns.
    legalUntil: unit.isDemo && mp.kind === "cold" && mp.location === "kuchnia"
      ? addDays(readingDates[readingDates.length - 1], 75)
      : addYears(installedOn, 5),
  });
}

/** Swaps the meter on the swap day with its final reading; the new meter starts at 12 litres. */
async function swapDemoMeter(w: WaterSeeding, meter: Meter, finalLitres: number): Promise<Meter> {
  const swapOn = w.readingDates[DEMO_SWAP_AT];
  const swapped = await swapMeter(w.kv, w.clock, {
    oldMeterId: meter.id,
    finalReadingLitres: finalLitres,
    newMeter: {
      serialNo: `CW-${swapOn.slice(2, 4)}${w.rng.int(100000, 999999)}`,
      legalUntil: addYears(swapOn, 5),
    },
    startReadingLitres: 12,
    on: swapOn,
    source: "visit",
    enteredBy: "import",
  });
  if (!swapped.ok) throw new Error(`demo meter swap failed: ${swapped.reason}`);
  return swapped.newMeter;
}

/** One meter's installation and readings (monthly or quarterly, as the building's plan says). */
async function seedMeter(w: WaterSeeding, mp: MeterPlan, m: number) {
  const { kv, clock, unit, readingDates, rng, quiet } = w;
  const plan = buildingPlans[unit.buildingIndex].readings;
  const isSwapped = unit.isDemo && mp.kind === "hot" && mp.location === "łazienka";
  let meter = await addDemoMeter(w, mp, isSwapped);
  // Litres per person and month: about 2 m³ of cold water and 1,1 m³ of hot.
  const perPerson = mp.kind === "cold" ? 2000 : 1100;
  let litres = mp.kind === "cold" ? rng.int(30_000, 900_000) : rng.int(10_000, 400_000);
  // Readings are collected and written in one call per meter (and swap), which keeps seeding fast.
  let pending: Omit<NewReading, "meterId">[] = [];
  const flush = async () => {
    const result = await addReadings(kv, clock, meter.id, pending);
    if (!result.ok) throw new Error(`demo readings refused: ${result.reason}`);
    pending = [];
  };
  for (const [k, readOn] of readingDates.entries()) {
    if (k > 0) {
      const monthly = (unit.persons * perPerson * mp.share) / 100;
      const used = Math.floor((monthly * rng.int(75, 125)) / 100);
      const isQuiet = unit.isDemo && readOn >= quiet.from && readOn <= quiet.to;
      litres += isQuiet ? Math.floor((used * DEMO_QUIET_PERCENT) / 100) : used;
    }
    const month = Number(readOn.slice(5, 7));
    const due = plan.every === "month" || k === 0 || month % 3 === 0;
    if (!due) continue;
    if (isSwapped && k === DEMO_SWAP_AT) {
      await flush();
      meter = await swapDemoMeter(w, meter, litres);
      litres = 12;
      continue;
    }
    const estimated = unit.isDemo && m === 0 && k === DEMO_ESTIMATED_READING_AT;
    const source: ReadingSource = estimated ? "estimated" : plan.source;
    pending.push({
      readOn,
      litres,
      source,
      enteredBy: estimated ? "system" : source === "resident" ? "mieszkaniec" : "import",
    });
  }
  await flush();
}

async function seedWater(
  kv: Deno.Kv,
  clock: Clock,
  unitId: string,
  unit: PlannedUnit,
  readingDates: string[],
  rng: Rng,
  quiet: HalfYear,
) {
  const w: WaterSeeding = { kv, clock, unitId, unit, readingDates, rng, quiet };
  for (const [m, mp] of meterPlansOf(unit).entries()) await seedMeter(w, mp, m);
}

/** A clock standing at 10:00 UTC (noon in Poland) of `date`. */
function clockOn(date: string): Clock {
  return () => new Date(`${date}T10:00:00Z`);
}

/**
 * Water settlements of the two latest complete half-years for every flat of the first
 * building, priced at that year's advance rates (so the result reflects the consumption
 * against the declared quantity). The older one is booked on the ledger on the 20th of the
 * month after it ends; a resident who had to pay extra pays it two weeks later (an overpayment
 * stays credited to the fees). The newer one is not booked yet.
 */
async function seedWaterSettlements(
  kv: Deno.Kv,
  unitIds: string[],
  halves: { older: HalfYear; newer: HalfYear },
  firstYear: number,
  today: string,
) {
  for (const unitId of unitIds) {
    const water = await getUnitWater(kv, unitId);
    const { entries } = await listEntries(kv, unitId);
    for (const half of [halves.older, halves.newer]) {
      const yearIndex = Number(half.from.slice(0, 4)) - firstYear;
      const draft = computeSettlement({
        unitId,
        from: half.from,
        to: half.to,
        meters: water.meters,
        readingsByMeter: water.readingsByMeter,
        ledgerEntries: entries,
        prices: {
          cold: rateIn(baseRates.zw_scieki, yearIndex),
          hot: rateIn(baseRates.cw_podgrzanie, yearIndex),
        },
      });
      const nextMonth = addMonths(half.to.slice(0, 7), 1);
      const createdOn = [dayOf(nextMonth, 15), today].sort()[0];
      const saved = await saveSettlement(kv, clockOn(createdOn), draft);
      if (!saved.ok) throw new Error(`demo settlement refused: ${saved.reason}`);
      if (half !== halves.older) continue;
      const postedOn = dayOf(nextMonth, 20);
      const posted = await postSettlementToLedger(kv, clockOn(postedOn), saved.settlement.id);
      if (!posted.ok) throw new Error(`demo settlement not posted: ${posted.reason}`);
      const paidOn = addDays(postedOn, 14);
      if (draft.difference > 0 && paidOn <= today) {
        const paid = await postEntry(kv, clockOn(paidOn), {
          unitId,
          kind: "payment",
          postedOn: paidOn,
          period: paidOn.slice(0, 7),
          amount: draft.difference,
          documentNo: `WB/${paidOn}/ROZL-WODA`,
          description: "Wpłata – przelew, tytuł: dopłata do rozliczenia wody",
        });
        if (!paid.ok) throw new Error(`demo settlement payment not posted: ${paid.reason}`);
      }
    }
  }
}

/** The buildings of the plan, in its order. */
async function seedBuildings(kv: Deno.Kv, clock: Clock): Promise<DemoCooperative["buildings"]> {
  const buildings: DemoCooperative["buildings"] = [];
  for (const plan of buildingPlans) {
    const b = await createBuilding(kv, clock, {
      street: plan.street,
      number: plan.number,
      postalCode: "67-200",
      city: "Głogów",
      externalId: plan.code,
    });
    buildings.push({ id: b.id, street: b.street, number: b.number });
  }
  return buildings;
}

/** A planned unit in the register, with its code "<building code>/<number>". */
async function seedUnit(
  kv: Deno.Kv,
  clock: Clock,
  unit: PlannedUnit,
  buildings: DemoCooperative["buildings"],
  { bankAccount }: { bankAccount: string },
): Promise<DemoCooperative["units"][number]> {
  const externalId = `${buildingPlans[unit.buildingIndex].code}/${unit.number}`;
  const created = await createUnit(kv, clock, {
    buildingId: buildings[unit.buildingIndex].id,
    number: unit.number,
    kind: unit.kind,
    areaCm2: unit.areaCm2,
    persons: unit.persons,
    bankAccount,
    occupants: unit.occupants,
    externalId,
  });
  if (!created.ok) throw new Error(`demo unit refused: ${created.reason}`);
  return {
    id: created.unit.id,
    buildingId: created.unit.buildingId,
    number: unit.number,
    kind: unit.kind,
    externalId,
  };
}

/** The demo data seeded before, if any. */
export async function getDemoCooperative(kv: Deno.Kv): Promise<DemoCooperative | null> {
  return (await kv.get<DemoCooperative>(keys.demoCooperative())).value;
}

/**
 * Seeds the demo cooperative. Seeding a database that already holds it returns what was seeded
 * then and writes nothing.
 */
export async function seedDemoCooperative(kv: Deno.Kv, clock: Clock): Promise<DemoCooperative> {
  const existing = await getDemoCooperative(kv);
  if (existing) return existing;

  const rng = seededRandom(0x4e_41_44_4f); // "NADO"
  const today = polishDate(clock());
  const current = today.slice(0, 7);
  const periods = Array.from({ length: 24 }, (_, i) => addMonths(current, i - 23));
  // 25 month-end readings (24 months of consumption), up to the end of the last full month.
  const readingDates = Array.from({ length: 25 }, (_, i) => lastDayOf(addMonths(current, i - 25)));
  const halves = settlementHalves(current);

  await saveCooperativeProfile(kv, demoProfile);
  await saveChargeComponents(kv, demoChargeComponents);

  const sortCode = makeSortCode("9990001");
  const buildings = await seedBuildings(kv, clock);

  const planned = planUnits(rng);
  const debtorIndex = planned.findIndex((u) => u.buildingIndex === 2 && u.number === "4");
  const units: DemoCooperative["units"] = [];
  let flatUnitId = "";
  let garageUnitId = "";
  for (const [seq, unit] of planned.entries()) {
    const created = await seedUnit(kv, clock, unit, buildings, {
      bankAccount: makeNrb(sortCode, `4600${String(seq + 1).padStart(12, "0")}`),
    });
    const id = created.id;
    units.push(created);
    if (unit.isDemo && unit.kind === "flat") flatUnitId = id;
    if (unit.isDemo && unit.kind === "garage") garageUnitId = id;

    const drafts = planLedger(unit, periods, today, rng, seq === debtorIndex);
    const posted = await postEntries(kv, clock, id, drafts);
    if (!posted.ok) throw new Error(`demo ledger of unit ${unit.number} not posted`);
    if (unit.kind === "flat") {
      await seedWater(kv, clock, id, unit, readingDates, rng, halves.newer);
    }
  }
  await seedWaterSettlements(
    kv,
    units.filter((u) => u.kind === "flat" && u.buildingId === buildings[0].id).map((u) => u.id),
    halves,
    Number(periods[0].slice(0, 4)),
    today,
  );

  const demo: DemoCooperative = {
    buildings,
    units,
    demoResident: {
      ...demoPerson,
      flatUnitId,
      garageUnitId,
      street: `ul. ${buildingPlans[0].street}`,
      building: buildingPlans[0].number,
      unit: DEMO_FLAT_NUMBER,
    },
  };
  await kv.set(keys.demoCooperative(), demo);
  return demo;
}
