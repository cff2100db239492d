import assert from "node:assert/strict";
import { manualClock } from "../../domain/shared/clock.ts";
import { makeNrb } from "../../domain/shared/nrb.ts";
import {
  addressKey,
  createBuilding,
  createUnit,
  findUnitsByAddress,
  getUnit,
  getUnits,
  listBuildings,
  listUnitsOfBuilding,
  type NewUnit,
  unitAddress,
} from "../../domain/backoffice/register.ts";

const clock = manualClock(new Date("2026-11-20T10:00:00Z"));

function account(n: number): string {
  return makeNrb("99900015", String(n).padStart(16, "0"));
}

async function setup(kv: Deno.Kv) {
  const building = await createBuilding(kv, clock, {
    street: "Słowiańska",
    number: "27a",
    postalCode: "67-200",
    city: "Głogów",
  });
  const unit = (
    number: string,
    kind: NewUnit["kind"] = "flat",
    n = Number(number) || 99,
  ): NewUnit => ({
    buildingId: building.id,
    number,
    kind,
    areaCm2: 485000,
    persons: 2,
    bankAccount: account(n),
    occupants: ["Zofia Wiśniewska"],
  });
  return { building, unit };
}

Deno.test("addressKey: case, spaces, diacritics, the ul. prefix and unit prefixes", () => {
  const k = addressKey("Słowiańska", "27a", "4");
  assert.equal(k, "slowianska|27a|4");
  assert.equal(addressKey("ul. Słowiańska", "27 A", "m. 4"), k);
  assert.equal(addressKey("  UL.SŁOWIAŃSKA ", "27a", "lok. 4"), k);
  assert.equal(addressKey("ulica   Slowianska", " 27a ", " 4 "), k);
  assert.equal(addressKey("ul Słowiańska", "27a", "4"), k);
  assert.equal(
    addressKey("Kazimierza  Wielkiego", "12", "G3"),
    addressKey("ul. kazimierza wielkiego", "12", "g3"),
  );
  // A street that merely begins with "ul" keeps it.
  assert.equal(addressKey("Ułańska", "1", "1"), "ulanska|1|1");
  // Decomposed and composed diacritics are the same.
  assert.equal(addressKey("Z\u0301ro\u0301dlana", "1", "1"), addressKey("Źródlana", "1", "1"));
  assert.notEqual(addressKey("Słowiańska", "27", "4"), k);
});

Deno.test("createUnit writes the unit and its indexes; lookups find it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { building, unit } = await setup(kv);
    const spaced = { ...unit("4"), bankAccount: `PL ${account(4).replace(/(\d{4})/g, "$1 ")}` };
    const created = await createUnit(kv, clock, spaced);
    assert.ok(created.ok);
    assert.equal(created.unit.bankAccount, account(4));
    assert.deepEqual(await getUnit(kv, created.unit.id), created.unit);
    assert.equal(await getUnit(kv, "nope"), null);
    assert.deepEqual(await listBuildings(kv), [building]);

    const found = await findUnitsByAddress(kv, "ul. Slowianska", "27 A", "m. 4");
    assert.deepEqual(found.map((u) => u.id), [created.unit.id]);
    assert.deepEqual(await findUnitsByAddress(kv, "Słowiańska", "27a", "5"), []);
    assert.equal(unitAddress(building, created.unit), "ul. Słowiańska 27a/4");
  } finally {
    kv.close();
  }
});

Deno.test("createUnit refuses an unknown building and an invalid account", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { unit } = await setup(kv);
    assert.deepEqual(await createUnit(kv, clock, { ...unit("1"), buildingId: "x" }), {
      ok: false,
      reason: "unknown_building",
    });
    const bad = account(1).slice(0, 25) + ((Number(account(1)[25]) + 1) % 10);
    assert.deepEqual(await createUnit(kv, clock, { ...unit("1"), bankAccount: bad }), {
      ok: false,
      reason: "invalid_bank_account",
    });
    await assert.rejects(createUnit(kv, clock, { ...unit("1"), areaCm2: 48.5 }), RangeError);
  } finally {
    kv.close();
  }
});

Deno.test("getUnits batches by 10 and keeps order; units of a building sort naturally", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const { building, unit } = await setup(kv);
    const ids: string[] = [];
    for (const n of ["10", "2", "G1", "1", "11", "3", "4", "5", "6", "7", "8", "9"]) {
      const r = await createUnit(kv, clock, unit(n, n.startsWith("G") ? "garage" : "flat"));
      assert.ok(r.ok);
      ids.push(r.unit.id);
    }
    const other = await createBuilding(kv, clock, {
      street: "Obrońców Pokoju",
      number: "5",
      postalCode: "67-200",
      city: "Głogów",
    });
    const elsewhere = await createUnit(kv, clock, { ...unit("1"), buildingId: other.id });
    assert.ok(elsewhere.ok);

    const reversed = [...ids].reverse();
    const got = await getUnits(kv, [...reversed.slice(0, 6), "missing", ...reversed.slice(6)]);
    assert.deepEqual(got.map((u) => u.id), reversed);

    const listed = await listUnitsOfBuilding(kv, building.id);
    assert.deepEqual(
      listed.map((u) => u.number),
      ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "G1"],
    );
    assert.deepEqual((await listUnitsOfBuilding(kv, other.id)).map((u) => u.id), [
      elsewhere.unit.id,
    ]);
    assert.equal(
      unitAddress(building, listed[11]),
      "ul. Słowiańska 27a, garaż G1",
    );
  } finally {
    kv.close();
  }
});
