import assert from "node:assert/strict";
import { computeTotals, type LedgerEntry } from "../../domain/balance/ledger.ts";
import {
  amountDue,
  arrearsOrigin,
  balanceBefore,
  balanceChartRows,
  dueDate,
  monthlySummary,
  runningStatement,
  statementCsv,
  statementCsvFilename,
} from "../../domain/balance/statement.ts";
import { balanceChartSvg } from "../../views/charts.ts";
import { nextWorkingDay, polishHolidays } from "../../domain/shared/calendar.ts";
import { csvAmount, csvText } from "../../domain/shared/csv_export.ts";

const UNIT = "unit-1";
let seq = 0;

function entry(
  fields: Omit<LedgerEntry, "id" | "unitId" | "documentNo" | "description"> & {
    documentNo?: string;
    description?: string;
  },
): LedgerEntry {
  seq++;
  return {
    id: `e${String(seq).padStart(2, "0")}`,
    unitId: UNIT,
    documentNo: `DOC/${seq}`,
    description: `${fields.kind} ${fields.period}`,
    ...fields,
  };
}

const eksploatacja = { rate: 600, quantityMilli: 50_000, unitLabel: "m²" as const };
const odpady = { rate: 3100, quantityMilli: 2000, unitLabel: "os." as const };

// Three months of a flat: a debt brought forward, fees, a payment settling everything, a late
// payment with interest, a correction for an earlier month, then an overpayment.
const E = [
  entry({ kind: "opening_balance", postedOn: "2026-09-01", period: "2026-09", amount: 10_000 }),
  entry({
    kind: "charge",
    postedOn: "2026-09-01",
    period: "2026-09",
    component: "eksploatacja",
    amount: 30_000,
    basis: eksploatacja,
  }),
  entry({
    kind: "charge",
    postedOn: "2026-09-01",
    period: "2026-09",
    component: "odpady",
    amount: 6200,
    basis: odpady,
  }),
  entry({ kind: "payment", postedOn: "2026-09-10", period: "2026-09", amount: 46_200 }),
  entry({
    kind: "charge",
    postedOn: "2026-10-01",
    period: "2026-10",
    component: "eksploatacja",
    amount: 30_000,
    basis: eksploatacja,
  }),
  entry({
    kind: "charge",
    postedOn: "2026-10-01",
    period: "2026-10",
    component: "odpady",
    amount: 6200,
    basis: odpady,
  }),
  entry({ kind: "payment", postedOn: "2026-10-20", period: "2026-10", amount: 36_200 }),
  entry({
    kind: "interest",
    postedOn: "2026-10-20",
    period: "2026-10",
    component: "odsetki",
    amount: 50,
  }),
  // Posted in October, concerning September.
  entry({
    kind: "correction",
    postedOn: "2026-10-25",
    period: "2026-09",
    component: "odpady",
    amount: -1000,
  }),
  entry({
    kind: "charge",
    postedOn: "2026-11-01",
    period: "2026-11",
    component: "eksploatacja",
    amount: 30_000,
    basis: eksploatacja,
  }),
  entry({
    kind: "charge",
    postedOn: "2026-11-01",
    period: "2026-11",
    component: "odpady",
    amount: 6200,
    basis: odpady,
  }),
  entry({ kind: "payment", postedOn: "2026-11-05", period: "2026-11", amount: 50_000 }),
];
const BALANCES = [
  10_000,
  40_000,
  46_200,
  0,
  30_000,
  36_200,
  0,
  50,
  -950,
  29_050,
  35_250,
  -14_750,
];

/** A fixed shuffle: the functions must not depend on the order entries come in. */
const SHUFFLED = [E[7], E[0], E[11], E[3], E[9], E[1], E[5], E[10], E[2], E[8], E[4], E[6]];

function ids(rows: { entry: LedgerEntry }[]): string[] {
  return rows.map((r) => r.entry.id);
}

Deno.test("runningStatement: the balance after each entry, in posting order", () => {
  const rows = runningStatement(SHUFFLED);
  assert.deepEqual(ids(rows), E.map((e) => e.id));
  assert.deepEqual(rows.map((r) => r.balanceAfter), BALANCES);
  assert.deepEqual(
    rows.map((r) => r.effect),
    [10_000, 30_000, 6200, -46_200, 30_000, 6200, -36_200, 50, -1000, 30_000, 6200, -50_000],
  );
  assert.equal(rows.at(-1)?.balanceAfter, computeTotals(E).balance);
});

Deno.test("runningStatement: filters pick rows but keep the true running balance", () => {
  const at = (i: number) => ({ id: E[i].id, balance: BALANCES[i] });
  const pick = (rows: ReturnType<typeof runningStatement>) =>
    rows.map((r) => ({ id: r.entry.id, balance: r.balanceAfter }));

  assert.deepEqual(
    pick(runningStatement(SHUFFLED, { filter: { kinds: ["payment"] } })),
    [at(3), at(6), at(11)],
  );
  assert.deepEqual(
    pick(runningStatement(SHUFFLED, { filter: { component: "odpady" } })),
    [at(2), at(5), at(8), at(10)],
  );
  // By the month an entry concerns: the correction posted in October belongs to September.
  assert.deepEqual(
    pick(runningStatement(SHUFFLED, { filter: { period: "2026-09" } })),
    [at(0), at(1), at(2), at(3), at(8)],
  );
  assert.deepEqual(
    pick(runningStatement(SHUFFLED, { filter: { kinds: ["charge"], period: "2026-11" } })),
    [at(9), at(10)],
  );
  assert.equal(runningStatement(SHUFFLED, { filter: { year: 2026 } }).length, 12);
  assert.equal(runningStatement(SHUFFLED, { filter: { year: 2025 } }).length, 0);
  assert.throws(() => runningStatement(E, { filter: { period: "2026-13" } }), RangeError);
});

Deno.test("runningStatement: the tail of a ledger continues from the balance before it", () => {
  const totals = computeTotals(E);
  const tail = E.slice(9);
  const before = balanceBefore(totals, tail);
  assert.equal(before, -950);
  assert.deepEqual(
    runningStatement(tail, { balanceBefore: before }).map((r) => r.balanceAfter),
    BALANCES.slice(9),
  );
});

Deno.test("monthlySummary: per month by period, components add up, balances chain", () => {
  const months = monthlySummary(SHUFFLED);
  assert.deepEqual(months, [
    {
      period: "2026-09",
      opening: 10_000,
      charged: 35_200,
      paid: 46_200,
      balanceAtEnd: -1000,
      components: [
        { kind: "charge", code: "eksploatacja", amount: 30_000, basis: eksploatacja, entries: 1 },
        { kind: "charge", code: "odpady", amount: 6200, basis: odpady, entries: 1 },
        { kind: "correction", code: "odpady", amount: -1000, entries: 1 },
      ],
    },
    {
      period: "2026-10",
      opening: 0,
      charged: 36_250,
      paid: 36_200,
      balanceAtEnd: -950,
      components: [
        { kind: "charge", code: "eksploatacja", amount: 30_000, basis: eksploatacja, entries: 1 },
        { kind: "charge", code: "odpady", amount: 6200, basis: odpady, entries: 1 },
        { kind: "interest", code: "odsetki", amount: 50, entries: 1 },
      ],
    },
    {
      period: "2026-11",
      opening: 0,
      charged: 36_200,
      paid: 50_000,
      balanceAtEnd: -14_750,
      components: [
        { kind: "charge", code: "eksploatacja", amount: 30_000, basis: eksploatacja, entries: 1 },
        { kind: "charge", code: "odpady", amount: 6200, basis: odpady, entries: 1 },
      ],
    },
  ]);
  let balance = 0;
  for (const m of months) {
    assert.equal(m.components.reduce((s, c) => s + c.amount, 0), m.charged);
    balance += m.opening + m.charged - m.paid;
    assert.equal(m.balanceAtEnd, balance);
  }
  assert.equal(balance, computeTotals(E).balance);
});

Deno.test("monthlySummary: gaps are filled, two entries of a component lose the basis", () => {
  const a = entry({
    kind: "charge",
    postedOn: "2026-11-01",
    period: "2026-11",
    component: "eksploatacja",
    amount: 30_000,
    basis: eksploatacja,
  });
  const b = entry({
    kind: "charge",
    postedOn: "2027-01-01",
    period: "2027-01",
    component: "eksploatacja",
    amount: 30_000,
    basis: eksploatacja,
  });
  const c = entry({
    kind: "charge",
    postedOn: "2027-01-02",
    period: "2027-01",
    component: "eksploatacja",
    amount: 1500,
  });
  const months = monthlySummary([c, b, a]);
  assert.deepEqual(months.map((m) => m.period), ["2026-11", "2026-12", "2027-01"]);
  assert.deepEqual(months[1], {
    period: "2026-12",
    opening: 0,
    charged: 0,
    paid: 0,
    balanceAtEnd: 30_000,
    components: [],
  });
  assert.deepEqual(months[2].components, [
    { kind: "charge", code: "eksploatacja", amount: 31_500, entries: 2 },
  ]);
  assert.equal(months[2].balanceAtEnd, 61_500);
  assert.deepEqual(monthlySummary([]), []);
  assert.equal(monthlySummary([a], { balanceBefore: -500 })[0].balanceAtEnd, 29_500);
});

Deno.test("dueDate: the 15th, or the next working day after a weekend or holiday", () => {
  assert.equal(dueDate("2026-10"), "2026-10-15"); // a Thursday
  assert.equal(dueDate("2026-11"), "2026-11-16"); // the 15th is a Sunday
  assert.equal(dueDate("2026-08"), "2026-08-17"); // Saturday and the Assumption
  assert.equal(dueDate("2026-02", 31), "2026-03-02"); // the 28th is a Saturday
  assert.equal(dueDate("2024-02", 31), "2024-02-29"); // a leap year's Thursday
  assert.equal(dueDate("2025-06", 19), "2025-06-20"); // Corpus Christi 2025
  assert.equal(dueDate("2026-04", 6), "2026-04-07"); // Easter Monday 2026
  assert.throws(() => dueDate("2026-10", 0), RangeError);
  assert.throws(() => dueDate("2026-10", 32), RangeError);
  const h2026 = polishHolidays(2026);
  for (const d of ["2026-04-05", "2026-04-06", "2026-05-24", "2026-06-04", "2026-12-24"]) {
    assert.ok(h2026.has(d), d);
  }
  assert.equal(polishHolidays(2024).has("2024-12-24"), false);
  assert.equal(nextWorkingDay("2026-12-24"), "2026-12-28"); // Thu–Sun off
  assert.equal(nextWorkingDay("2026-12-31"), "2026-12-31"); // a Thursday
  assert.equal(nextWorkingDay("2028-12-30"), "2029-01-02"); // Sat, Sun, then New Year's Day
});

Deno.test("amountDue: settled, due this month, overdue, arrears, overpayment", () => {
  const due = (entries: LedgerEntry[], today: string, dueDay?: number) =>
    amountDue(computeTotals(entries), entries, today, dueDay);

  // Settled: October paid (late) in full.
  assert.deepEqual(due(E.slice(0, 7), "2026-10-21"), {
    dueNow: 0,
    dueBy: "2026-10-15",
    arrears: 0,
    overpayment: 0,
  });
  // October's fee before its due date, then after it.
  assert.deepEqual(due(E.slice(0, 6), "2026-10-10"), {
    dueNow: 36_200,
    dueBy: "2026-10-15",
    arrears: 0,
    overpayment: 0,
  });
  assert.deepEqual(due(E.slice(0, 6), "2026-10-15").arrears, 0);
  assert.deepEqual(due(E.slice(0, 6), "2026-10-16"), {
    dueNow: 36_200,
    dueBy: "2026-10-15",
    arrears: 36_200,
    overpayment: 0,
  });
  // September never paid: arrears, plus October's fee due by the 15th.
  const unpaid = [E[0], E[1], E[2], E[4], E[5]];
  assert.deepEqual(due(unpaid, "2026-10-05"), {
    dueNow: 82_400,
    dueBy: "2026-10-15",
    arrears: 46_200,
    overpayment: 0,
  });
  // Part of October's fee paid: payments settle the oldest debt first, so no arrears.
  const partly = [...E.slice(0, 6), { ...E[6], amount: 16_200 }];
  assert.deepEqual(due(partly, "2026-10-12"), {
    dueNow: 20_000,
    dueBy: "2026-10-15",
    arrears: 0,
    overpayment: 0,
  });
  // An overpayment covering the month: nothing due, the 15th (a Sunday) moved to Monday.
  assert.deepEqual(due(E, "2026-11-10"), {
    dueNow: 0,
    dueBy: "2026-11-16",
    arrears: 0,
    overpayment: 14_750,
  });
  // December's fee posted in advance is not due in November.
  const early = [
    ...E.slice(0, 11),
    entry({
      kind: "charge",
      postedOn: "2026-11-25",
      period: "2026-12",
      component: "eksploatacja",
      amount: 30_000,
    }),
  ];
  assert.deepEqual(due(early, "2026-11-26"), {
    dueNow: 35_250,
    dueBy: "2026-11-16",
    arrears: 35_250,
    overpayment: 0,
  });
  // Another due day; only the entries of the current month on are needed.
  const tail = E.slice(4, 6);
  assert.deepEqual(amountDue({ balance: 36_200 }, tail, "2026-10-12", 10), {
    dueNow: 36_200,
    dueBy: "2026-10-12", // the 10th is a Saturday
    arrears: 0,
    overpayment: 0,
  });
  assert.throws(() => amountDue({ balance: 0 }, [], "2026-10-32"), RangeError);
});

Deno.test("arrearsOrigin: the months (and interest) the arrears come from", () => {
  const origin = (entries: LedgerEntry[], today: string) => {
    const totals = computeTotals(entries);
    const due = amountDue(totals, entries, today);
    return arrearsOrigin(entries, { balance: totals.balance, due, today });
  };
  // Nothing overdue: no months.
  assert.deepEqual(origin(E.slice(0, 6), "2026-10-10"), {
    periods: [],
    interest: false,
    earlier: false,
  });
  // September unpaid (and the debt brought forward): before October's due date only
  // September is arrears, after it both.
  const unpaid = [E[0], E[1], E[2], E[4], E[5]];
  assert.deepEqual(origin(unpaid, "2026-10-05"), {
    periods: ["2026-09"],
    interest: false,
    earlier: true,
  });
  assert.deepEqual(origin(unpaid, "2026-10-20").periods, ["2026-09", "2026-10"]);
  // A payment settles the oldest debt first: 10 000 of September's fees are left unpaid.
  const partly = [
    ...unpaid,
    entry({
      kind: "payment",
      postedOn: "2026-10-03",
      period: "2026-10",
      amount: 36_200,
    }),
  ];
  assert.deepEqual(origin(partly, "2026-10-05"), {
    periods: ["2026-09"],
    interest: false,
    earlier: false,
  });
  // Unpaid interest counts as such; a tail of the ledger too short says "earlier".
  const withInterest = [
    ...unpaid,
    entry({
      kind: "interest",
      postedOn: "2026-10-02",
      period: "2026-10",
      component: "odsetki",
      amount: 150,
    }),
  ];
  assert.deepEqual(origin(withInterest, "2026-10-05"), {
    periods: ["2026-09"],
    interest: true,
    earlier: true,
  });
  const totals = computeTotals(withInterest);
  const due = amountDue(totals, withInterest, "2026-10-05");
  assert.deepEqual(
    arrearsOrigin(withInterest.slice(3), { balance: totals.balance, due, today: "2026-10-05" }),
    { periods: [], interest: true, earlier: true },
  );
});

Deno.test("csvAmount and csvText: decimal comma, quoting, formula neutralization", () => {
  assert.equal(csvAmount(-123_456), "-1234,56");
  assert.equal(csvAmount(5), "0,05");
  assert.equal(csvAmount(-5), "-0,05");
  assert.equal(csvAmount(0), "0,00");
  assert.equal(csvAmount(100_000_000), "1000000,00");
  assert.throws(() => csvAmount(1.5), RangeError);
  assert.equal(csvText("zwykły tekst"), "zwykły tekst");
  assert.equal(csvText("a;b"), '"a;b"');
  assert.equal(csvText('powiedział "tak"'), '"powiedział ""tak"""');
  assert.equal(csvText("dwie\nlinie"), '"dwie\nlinie"');
  for (const lead of ["=", "+", "-", "@"]) assert.equal(csvText(`${lead}1+1`), `'${lead}1+1`);
  assert.equal(csvText("\tx"), "'\tx");
  assert.equal(csvText("\rx"), `"'\rx"`);
  assert.equal(csvText("a=b"), "a=b");
});

Deno.test("statementCsv: exact bytes of a small statement", () => {
  const rows = runningStatement([
    entry({
      kind: "opening_balance",
      postedOn: "2026-09-01",
      period: "2026-09",
      amount: -123_456,
      documentNo: "BO/2026-09",
      description: "Bilans otwarcia; nadpłata",
    }),
    entry({
      kind: "charge",
      postedOn: "2026-09-01",
      period: "2026-09",
      component: "eksploatacja",
      amount: 30_005,
      documentNo: '=HYPERLINK("x")',
      description: 'Eksploatacja za "wrzesień"',
    }),
    entry({
      kind: "payment",
      postedOn: "2026-09-10",
      period: "2026-09",
      amount: 5,
      documentNo: "-WB/1",
      description: "+48 123\nlinia",
    }),
    entry({
      kind: "charge",
      postedOn: "2026-09-11",
      period: "2026-09",
      component: "nieznany",
      amount: 100,
      documentNo: "NAL/1",
      description: "Składnik spoza listy",
    }),
  ]);
  const csv = statementCsv(rows, {
    components: [{ code: "eksploatacja", label: "Eksploatacja" }],
  });
  const expected = "\ufeff" +
    "Data księgowania;Okres;Rodzaj;Składnik;Nr dokumentu;Opis;Kwota;Saldo po operacji\r\n" +
    '01.09.2026;09.2026;Bilans otwarcia;;BO/2026-09;"Bilans otwarcia; nadpłata";-1234,56;' +
    "-1234,56\r\n" +
    `01.09.2026;09.2026;Naliczenie;Eksploatacja;"'=HYPERLINK(""x"")";` +
    '"Eksploatacja za ""wrzesień""";300,05;-934,51\r\n' +
    `10.09.2026;09.2026;Wpłata;;'-WB/1;"'+48 123\nlinia";-0,05;-934,56\r\n` +
    "11.09.2026;09.2026;Naliczenie;nieznany;NAL/1;Składnik spoza listy;1,00;-933,56\r\n";
  assert.equal(csv, expected);
  const bytes = new TextEncoder().encode(csv);
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.deepEqual(bytes, new TextEncoder().encode(expected));
  // "ę" of "księgowania" as UTF-8.
  assert.deepEqual([...bytes.slice(11, 13)], [0xc4, 0x99]);
  assert.equal(csv.split("\r\n").length, 6); // header, 4 rows, and the empty tail
  assert.equal(
    statementCsv([], { components: [] }),
    "\ufeffData księgowania;Okres;Rodzaj;Składnik;Nr dokumentu;Opis;Kwota;Saldo po operacji\r\n",
  );
});

Deno.test("statementCsvFilename: ASCII, no diacritics", () => {
  assert.equal(
    statementCsvFilename("ul. Słowiańska 27/4", "2026-11-20"),
    "saldo-ul-slowianska-27-4-2026-11-20.csv",
  );
  assert.equal(statementCsvFilename("", "2026-11-20"), "saldo-2026-11-20.csv");
});

/** Checks that every opened element is closed in order (a rough well-formedness test). */
function assertBalancedTags(svg: string) {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) assert.equal(stack.pop(), name, `closing </${name}>`);
    else stack.push(name);
  }
  assert.deepEqual(stack, []);
  assert.doesNotMatch(svg.replace(/<[^>]*>/g, ""), /[<>]/, "no stray angle brackets in text");
}

Deno.test("balanceChartSvg: titled, accessible, no inline style, data matches the months", () => {
  const months = monthlySummary(E);
  const svg = balanceChartSvg(months, {
    width: 640,
    height: 240,
    title: "Saldo & naliczenia <2026>",
    id: "saldo",
    describedBy: "saldo-tabela",
  });
  assertBalancedTags(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" id="saldo" /);
  assert.match(svg, / role="img"/);
  assert.match(svg, / aria-labelledby="saldo-title"/);
  assert.match(svg, / aria-describedby="saldo-tabela"/);
  assert.match(svg, /<title id="saldo-title">Saldo &amp; naliczenia &lt;2026&gt;<\/title>/);
  assert.doesNotMatch(svg, /style=/);
  for (const cls of ["chart-balance", "chart-charge", "chart-axis"]) {
    assert.match(svg, new RegExp(`class="${cls}"`));
  }
  // Axis labels: Polish month abbreviations, the year, whole złoty.
  for (const label of [">wrz<", ">paź<", ">lis<", ">2026<", "\u00a0zł<"]) {
    assert.ok(svg.includes(label), label);
  }
  assert.ok(svg.includes(">−100\u00a0zł<") || svg.includes(">−200\u00a0zł<"), "a negative tick");

  const bars = [...svg.matchAll(/<rect [^>]*data-period="([^"]+)" data-amount="(-?\d+)"/g)];
  const dots = [...svg.matchAll(/<circle [^>]*data-period="([^"]+)" data-amount="(-?\d+)"/g)];
  assert.deepEqual(bars.map((m) => [m[1], Number(m[2])]), months.map((m) => [m.period, m.charged]));
  assert.deepEqual(
    dots.map((m) => [m[1], Number(m[2])]),
    months.map((m) => [m.period, m.balanceAtEnd]),
  );
  // Every coordinate is an integer, and a larger balance is drawn higher.
  const numbers = svg.match(/ (?:x|y|x1|x2|y1|y2|cx|cy|width|height)="([^"]*)"/g) ?? [];
  for (const n of numbers) assert.match(n, /="-?\d+"$/, n);
  const cy = [...svg.matchAll(/<circle [^>]*cy="(\d+)"/g)].map((m) => Number(m[1]));
  assert.ok(cy[0] < cy[2], "−10 zł above −147,50 zł"); // balances −1000, −950, −14750
  assert.ok(cy[1] <= cy[0]);
  const points = /<polyline points="([^"]+)"/.exec(svg)?.[1].split(" ") ?? [];
  assert.equal(points.length, months.length);

  assert.deepEqual(balanceChartRows(months), [
    {
      period: "2026-09",
      label: "wrzesień 2026",
      shortLabel: "wrz",
      charged: 35_200,
      balanceAtEnd: -1000,
    },
    {
      period: "2026-10",
      label: "październik 2026",
      shortLabel: "paź",
      charged: 36_250,
      balanceAtEnd: -950,
    },
    {
      period: "2026-11",
      label: "listopad 2026",
      shortLabel: "lis",
      charged: 36_200,
      balanceAtEnd: -14_750,
    },
  ]);
});

Deno.test("balanceChartSvg: ten years stay readable; no data says so", () => {
  const many = Array.from({ length: 120 }, (_, i) => ({
    period: `${2017 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`,
    charged: 40_000 + i * 100,
    balanceAtEnd: i % 7 === 0 ? 40_000 : 0,
  }));
  const svg = balanceChartSvg(many, { width: 640, height: 240, title: "Dziesięć lat" });
  assertBalancedTags(svg);
  assert.equal([...svg.matchAll(/<rect [^>]*data-period/g)].length, 120);
  const monthLabels = [...svg.matchAll(/>(sty|lut|mar|kwi|maj|cze|lip|sie|wrz|paź|lis|gru)</g)];
  assert.ok(monthLabels.length <= 20, `${monthLabels.length} month labels`);
  assert.ok(monthLabels.every((m) => m[1] === "sty"));
  assert.match(svg, / id="balance-chart" /);

  const empty = balanceChartSvg([], { width: 320, height: 120, title: "Saldo" });
  assertBalancedTags(empty);
  assert.match(empty, /Brak danych do wykresu/);
  assert.match(empty, /<title id="balance-chart-title">Saldo<\/title>/);
  assert.throws(() => balanceChartSvg([], { width: 10.5, height: 100, title: "x" }), RangeError);
});
