import assert from "node:assert/strict";
import { manualClock } from "../../domain/shared/clock.ts";
import { getCooperativeProfile } from "../../domain/backoffice/cooperative.ts";
import {
  demoFlatState,
  demoFlatStateDays,
  getDemoCooperative,
  seedDemoCooperative,
} from "../../domain/demo/demo_data.ts";
import { amountDue, arrearsOrigin } from "../../domain/balance/statement.ts";
import {
  getChargeComponents,
  getTotals,
  type LedgerEntry,
  listEntries,
  recomputeTotals,
} from "../../domain/balance/ledger.ts";
import { isValidNrb } from "../../domain/shared/nrb.ts";
import { findUnitsByAddress, getUnits } from "../../domain/backoffice/register.ts";
import { consumptionByPeriod, getUnitWater } from "../../domain/water/water.ts";

const NOW = new Date("2026-11-20T10:00:00Z");

async function allEntries(kv: Deno.Kv, unitId: string): Promise<LedgerEntry[]> {
  return (await listEntries(kv, unitId)).entries;
}

function isValidNip(nip: string): boolean {
  if (!/^\d{10}$/.test(nip)) return false;
  const weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
  const sum = weights.reduce((s, w, i) => s + w * Number(nip[i]), 0);
  return sum % 11 === Number(nip[9]);
}

Deno.test("demo data: profile, components, registers and valid accounts", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const started = performance.now();
    const demo = await seedDemoCooperative(kv, manualClock(NOW));
    console.log(
      `seeded ${demo.units.length} units in ${Math.round(performance.now() - started)} ms`,
    );

    const profile = await getCooperativeProfile(kv, "x");
    assert.equal(profile.name, "Spółdzielnia Mieszkaniowa „Nadodrze” w Głogowie");
    assert.ok(profile.shortName.length <= 20);
    assert.ok(isValidNip(profile.nip), profile.nip);
    assert.ok(profile.email.includes("@") && profile.officeHours !== "");

    const components = await getChargeComponents(kv);
    assert.ok(components.some((c) => c.code === "eksploatacja"));
    assert.ok(components.some((c) => c.label === "Zimna woda i ścieki – zaliczka"));

    assert.equal(demo.buildings.length, 3);
    assert.ok(demo.units.length >= 30 && demo.units.length <= 60, String(demo.units.length));
    assert.ok(demo.units.filter((u) => u.kind === "garage").length >= 3);
    const units = await getUnits(kv, demo.units.map((u) => u.id));
    assert.equal(units.length, demo.units.length);
    const accounts = new Set(units.map((u) => u.bankAccount));
    assert.equal(accounts.size, units.length, "each unit has its own account");
    for (const u of units) {
      assert.ok(isValidNrb(u.bankAccount), u.bankAccount);
      assert.ok(Number.isSafeInteger(u.areaCm2) && u.areaCm2 > 0);
      assert.ok(u.occupants.length > 0);
    }

    const r = demo.demoResident;
    assert.match(r.phone, /^\+48\d{9}$/);
    const found = await findUnitsByAddress(kv, r.street, r.building, r.unit);
    assert.deepEqual(found.map((u) => u.id), [r.flatUnitId]);
    const [flat, garage] = await getUnits(kv, [r.flatUnitId, r.garageUnitId]);
    assert.equal(flat.kind, "flat");
    assert.equal(garage.kind, "garage");
    assert.ok(flat.occupants.includes(`${r.firstName} ${r.lastName}`));
    assert.ok(garage.occupants.includes(`${r.firstName} ${r.lastName}`));
  } finally {
    kv.close();
  }
});

Deno.test("demo data: totals equal the sum of entries for every unit; nothing in the future", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const demo = await seedDemoCooperative(kv, manualClock(NOW));
    for (const unit of demo.units) {
      const check = await recomputeTotals(kv, unit.id);
      assert.ok(check.equal, `totals of unit ${unit.number}`);
      assert.ok(check.stored.entryCount > 0);
      const entries = await allEntries(kv, unit.id);
      assert.ok(entries.every((e) => e.postedOn <= "2026-11-20"), unit.number);
      for (const e of entries.filter((e) => e.kind === "charge")) {
        assert.ok(e.basis && e.component, e.documentNo);
      }
    }
    const water = await getUnitWater(kv, demo.demoResident.flatUnitId);
    for (const readings of Object.values(water.readingsByMeter)) {
      assert.ok(readings.every((x) => x.readOn <= "2026-11-20"));
    }
  } finally {
    kv.close();
  }
});

Deno.test("demo resident: ≥ 24 months of charges and payments on the flat and the garage", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const demo = await seedDemoCooperative(kv, manualClock(NOW));
    const { flatUnitId, garageUnitId } = demo.demoResident;
    for (const unitId of [flatUnitId, garageUnitId]) {
      const entries = await allEntries(kv, unitId);
      const chargedMonths = new Set(
        entries.filter((e) => e.kind === "charge").map((e) => e.period),
      );
      assert.ok(chargedMonths.size >= 24, String(chargedMonths.size));
      assert.ok(chargedMonths.has("2026-11") && chargedMonths.has("2024-12"));
      const paidMonths = new Set(entries.filter((e) => e.kind === "payment").map((e) => e.period));
      assert.ok(paidMonths.size >= 23, String(paidMonths.size));
    }

    const flat = await allEntries(kv, flatUnitId);
    const kinds = new Set(flat.map((e) => e.kind));
    for (const k of ["opening_balance", "charge", "payment", "interest", "correction"] as const) {
      assert.ok(kinds.has(k), k);
    }
    // Components of a flat: rates × base.
    const components = new Set(flat.filter((e) => e.kind === "charge").map((e) => e.component));
    assert.ok(components.size >= 8);
    const garageComponents = new Set(
      (await allEntries(kv, garageUnitId)).filter((e) => e.kind === "charge").map((e) =>
        e.component
      ),
    );
    assert.deepEqual([...garageComponents].sort(), ["eksploatacja", "fundusz_remontowy"]);

    // Some month paid in part, some paid late, one overpaid (the balance went below zero).
    let balance = 0;
    let wentNegative = false;
    for (const e of flat) {
      balance += e.kind === "payment" ? -e.amount : e.amount;
      if (balance < 0) wentNegative = true;
    }
    assert.ok(wentNegative);
    assert.equal(balance, (await getTotals(kv, flatUnitId)).balance);
    assert.ok(flat.some((e) => e.kind === "payment" && e.postedOn.slice(0, 7) > e.period), "late");
  } finally {
    kv.close();
  }
});

Deno.test("demo resident: two years of water readings, a swap and an estimated reading", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const demo = await seedDemoCooperative(kv, manualClock(NOW));
    const { meters, readingsByMeter } = await getUnitWater(kv, demo.demoResident.flatUnitId);
    assert.ok(meters.some((m) => m.kind === "cold") && meters.some((m) => m.kind === "hot"));
    const replaced = meters.find((m) => m.replacedBy);
    assert.ok(replaced);
    assert.ok(meters.some((m) => m.replaces === replaced.id));

    const periods = consumptionByPeriod(meters, readingsByMeter);
    assert.ok(periods.every((p) => p.litres >= 0));
    assert.ok(periods.some((p) => p.estimated));
    const all = Object.values(readingsByMeter).flat().map((r) => r.readOn).sort();
    assert.ok(all[0] <= "2024-11-20" && all[all.length - 1] >= "2026-10-01", `${all[0]}…`);

    // Across the swap the chain has as many months of consumption as any other meter.
    const chain = periods.filter((p) => p.chainId === replaced.id);
    const other = periods.filter((p) => p.chainId === meters[0].id);
    assert.equal(chain.length, other.length);
    for (let i = 1; i < chain.length; i++) assert.equal(chain[i].from, chain[i - 1].to);
  } finally {
    kv.close();
  }
});

Deno.test("demo data is deterministic and seeding twice writes nothing new", async () => {
  const a = await Deno.openKv(":memory:");
  const b = await Deno.openKv(":memory:");
  try {
    const clock = manualClock(NOW);
    const first = await seedDemoCooperative(a, clock);
    const other = await seedDemoCooperative(b, clock);
    const summary = async (kv: Deno.Kv, demo: typeof first) => {
      const out: unknown[] = [];
      for (const u of demo.units) {
        const { lastPaymentId: _, ...totals } = await getTotals(kv, u.id);
        out.push([u.number, u.kind, totals]);
      }
      return out;
    };
    assert.deepEqual(await summary(a, first), await summary(b, other));

    const again = await seedDemoCooperative(a, clock);
    assert.deepEqual(again, first);
    assert.deepEqual(await getDemoCooperative(a), first);
    assert.equal((await recomputeTotals(a, first.demoResident.flatUnitId)).equal, true);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("demo data seeded early on the first of a month stays in the past", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    // 00:30 on 1 March in Poland is still 28 February in UTC.
    const demo = await seedDemoCooperative(kv, manualClock(new Date("2026-02-28T23:30:00Z")));
    const entries = await allEntries(kv, demo.demoResident.flatUnitId);
    assert.ok(entries.every((e) => e.postedOn <= "2026-03-01"));
    assert.ok(entries.some((e) => e.period === "2026-03" && e.kind === "charge"));
    assert.equal(new Set(entries.filter((e) => e.kind === "charge").map((e) => e.period)).size, 24);
    assert.equal((await recomputeTotals(kv, demo.demoResident.flatUnitId)).equal, true);
  } finally {
    kv.close();
  }
});

Deno.test("the demo flat's state follows the day of the month; the garage is always paid", async () => {
  assert.equal(demoFlatState("2026-12-01"), "due");
  assert.equal(demoFlatState("2026-12-07"), "due");
  assert.equal(demoFlatState("2026-12-08"), "overdue");
  assert.equal(demoFlatState("2026-12-14"), "overdue");
  assert.equal(demoFlatState("2026-12-15"), "settled");
  assert.equal(demoFlatState("2026-12-22"), "settled");
  assert.equal(demoFlatState("2026-12-23"), "overpaid");
  assert.equal(demoFlatState("2027-02-28"), "overpaid");
  // In a long month and in February (a new year too).
  for (const month of ["2026-12", "2027-02"]) {
    for (const [state, day] of Object.entries(demoFlatStateDays)) {
      const today = `${month}-${String(day).padStart(2, "0")}`;
      assert.equal(demoFlatState(today), state);
      const kv = await Deno.openKv(":memory:");
      try {
        const demo = await seedDemoCooperative(kv, manualClock(new Date(`${today}T10:00:00Z`)));
        const { flatUnitId, garageUnitId } = demo.demoResident;
        const dueOf = async (unitId: string) => {
          const totals = await getTotals(kv, unitId);
          const entries = await allEntries(kv, unitId);
          const due = amountDue(totals, entries, today);
          return { totals, due, origin: arrearsOrigin(entries, { ...totals, due, today }) };
        };
        const flat = await dueOf(flatUnitId);
        const garage = await dueOf(garageUnitId);
        const where = `${state} on ${today}`;
        assert.equal(garage.due.arrears, 0, `the garage has no arrears (${where})`);
        assert.equal(garage.totals.balance, state === "due" ? garage.due.dueNow : 0, where);
        if (state === "due") {
          assert.ok(flat.due.dueNow > 0 && flat.due.arrears === 0, where);
          assert.equal(flat.totals.balance, flat.due.dueNow, where);
        } else if (state === "overdue") {
          assert.ok(flat.due.arrears > 0 && flat.due.dueNow > flat.due.arrears, where);
          assert.equal(flat.origin.periods.length, 2, `two months unpaid (${where})`);
          assert.equal(flat.origin.interest, true, `with interest (${where})`);
          assert.equal(flat.origin.earlier, false, where);
        } else if (state === "settled") {
          assert.equal(flat.totals.balance, 0, where);
        } else {
          assert.ok(flat.totals.balance < 0 && flat.due.overpayment > 0, where);
          assert.equal(flat.due.dueNow, 0, where);
        }
        assert.equal((await recomputeTotals(kv, flatUnitId)).equal, true, where);
      } finally {
        kv.close();
      }
    }
  }
});
