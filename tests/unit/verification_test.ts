/**
 * The rules under the verification of requests for access (issue 13): the name check, addresses
 * the way people write them, the register search from a request's card, invisible characters,
 * and the one definition of the registration form's fields.
 */
import assert from "node:assert/strict";
import { checkName, compareNames, weakestVerdict } from "../../domain/access/name_check.ts";
import {
  matchStreet,
  tidyBuildingNo,
  tidyStreet,
  tidyUnitNo,
  unitKey,
} from "../../domain/backoffice/addresses.ts";
import { listStreets, matchAddress } from "../../domain/backoffice/register.ts";
import { smallRegister } from "../fixtures/small_register.ts";
import { searchUnits } from "../../domain/backoffice/register_search.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { cleanText, revealInvisible } from "../../domain/shared/text.ts";
import {
  registrationFieldNames,
  registrationFields,
  registrationLabels,
  registrationSchema,
  toRegistrationData,
} from "../../domain/access/registration_form.ts";
import { checkManagedAddress } from "../../domain/access/managed_address.ts";

const clock = manualClock(new Date("2026-11-25T10:00:00Z"));

Deno.test("name check: case, diacritics and order do not count; a surname alone is partial", () => {
  const halina = { firstName: "Halina", lastName: "Wójcik" };
  const marcin = { firstName: "Marcin", lastName: "Dąbrowski" };
  assert.equal(compareNames(halina, "Marcin Dąbrowski"), "mismatch");
  assert.equal(compareNames(marcin, "Marcin Dąbrowski"), "match");
  assert.equal(compareNames(marcin, "MARCIN DABROWSKI"), "match", "case and diacritics");
  assert.equal(compareNames(marcin, "Dąbrowski Marcin"), "match", "surname first");
  assert.equal(
    compareNames({ firstName: "Dąbrowski", lastName: "Marcin" }, "Marcin Dąbrowski"),
    "match",
    "the two fields swapped",
  );
  assert.equal(
    compareNames({ firstName: "Anna", lastName: "Kowalska" }, "Anna Kowalska-Nowak"),
    "match",
    "one part of a double surname",
  );
  assert.equal(
    compareNames({ firstName: "Piotr", lastName: "Dąbrowski" }, "Marcin Dąbrowski"),
    "partial",
  );
  assert.equal(
    compareNames({ firstName: "Anna", lastName: "Dąbrowska" }, "Marcin Dąbrowski"),
    "partial",
    "the other gender's form of the surname",
  );
  assert.equal(
    compareNames({ firstName: "Marcin", lastName: "Kowalski" }, "Marcin Dąbrowski"),
    "mismatch",
  );

  assert.deepEqual(checkName(halina, { occupants: [] }), { verdict: "unknown" });
  assert.deepEqual(checkName(marcin, { occupants: ["Ewa Dąbrowska", "Marcin Dąbrowski"] }), {
    verdict: "match",
    occupant: "Marcin Dąbrowski",
  });
  assert.deepEqual(
    checkName({ firstName: "Jan", lastName: "Dąbrowski" }, { occupants: ["Ewa Dąbrowska"] }),
    {
      verdict: "partial",
      occupant: "Ewa Dąbrowska",
    },
  );
  assert.equal(weakestVerdict(["match", "partial"]), "partial");
  assert.equal(weakestVerdict(["match", "unknown", "mismatch"]), "unknown");
});

Deno.test("streets as people write them: ul./al./os., Kaz. for Kazimierza, no diacritics, leading names left out", () => {
  const kw = "Kazimierza Wielkiego";
  assert.equal(matchStreet("ul. kazimierza wielkiego", kw), "exact");
  assert.equal(matchStreet("KAZIMIERZA WIELKIEGO", kw), "exact");
  assert.equal(matchStreet("Kaz. Wielkiego", kw), "abbreviated");
  assert.equal(matchStreet("ul.Kaz.Wielkiego", kw), "abbreviated");
  assert.equal(matchStreet("K. Wielkiego", kw), "abbreviated");
  assert.equal(matchStreet("Wielkiego", kw), "abbreviated", "the first name left out");
  assert.equal(matchStreet("Kazimierza", kw), null, "the distinctive last word is needed");
  assert.equal(matchStreet("Kaz.", kw), null);
  assert.equal(matchStreet("Wielka", kw), null);
  assert.equal(matchStreet("Slowianska", "Słowiańska"), "exact");
  assert.equal(matchStreet("Obr. Pokoju", "Obrońców Pokoju"), "abbreviated");
  assert.equal(matchStreet("al. Wolności", "Aleja Wolności"), "exact");
  assert.equal(matchStreet("os. Kopernika", "Osiedle Mikołaja Kopernika"), "abbreviated");
  assert.equal(matchStreet("ks. Popiełuszki", "Księdza Jerzego Popiełuszki"), "abbreviated");
  assert.equal(matchStreet("Księdza Jerzego Popiełuszki", "ks. J. Popiełuszki"), "abbreviated");
  assert.equal(matchStreet("Curie-Skłodowskiej", "Marii Curie-Skłodowskiej"), "abbreviated");

  for (
    const typed of ["m. 3", "m3", "M 3", "lok. 3", "lok 3", "lokal 3", "mieszkanie 3", "03", "3"]
  ) {
    assert.equal(unitKey(typed), "3", typed);
  }
  assert.equal(unitKey("G3"), "g3", "a garage keeps its letter");
  assert.equal(tidyStreet("ul.Kaz.Wielkiego"), "Kaz. Wielkiego");
  assert.equal(tidyStreet("ulica  Słowiańska"), "Słowiańska");
  assert.equal(tidyStreet("Ulańska"), "Ulańska", "a street beginning with „Ul” keeps it");
  assert.equal(tidyStreet("al. Wolności"), "al. Wolności");
  assert.equal(tidyUnitNo("m. 3"), "3");
  assert.equal(tidyUnitNo("lok.7a"), "7A");
  assert.equal(tidyBuildingNo("12 a"), "12A");
});

Deno.test("matchAddress finds the unit written as people write it; the exact street wins over a looser one", async () => {
  await using kv = await Deno.openKv(":memory:");
  const r = await smallRegister(kv, clock);
  const found = await matchAddress(kv, { street: "Kaz. Wielkiego", building: "12", unit: "m. 5" });
  assert.deepEqual(found.units.map((u) => u.id), [r.u5.id]);
  assert.deepEqual(found.streets, ["Kazimierza Wielkiego"]);
  assert.deepEqual(found.streetBuildings.map((b) => b.number), ["12", "14"]);

  const loose = await matchAddress(kv, { street: "Wielkiego", building: "3", unit: "" });
  assert.deepEqual(loose.streets.sort(), ["Bolesława Wielkiego", "Kazimierza Wielkiego"]);
  assert.deepEqual(loose.buildings.map((b) => b.street), ["Bolesława Wielkiego"]);

  const none = await matchAddress(kv, { street: "Słowiańska", building: "12", unit: "5" });
  assert.deepEqual([none.streets, none.units, none.emptyRegister], [[], [], false]);
  assert.deepEqual(await listStreets(kv), ["Bolesława Wielkiego", "Kazimierza Wielkiego"]);
});

Deno.test("the registration's address check says street and building managed or not — never anything about flats", async () => {
  await using kv = await Deno.openKv(":memory:");
  await smallRegister(kv, clock);
  assert.equal((await checkManagedAddress(kv, "Słowiańska", "1")).status, "unknown_street");
  const building = await checkManagedAddress(kv, "Kaz. Wielkiego", "99");
  assert.equal(building.status, "unknown_building");
  assert.deepEqual(building.status === "unknown_building" && building.numbers, ["12", "14"]);
  assert.deepEqual(await checkManagedAddress(kv, "kaz. wielkiego", "12"), {
    status: "managed",
    managed: true,
    street: "Kazimierza Wielkiego",
    number: "12",
  });
  // It takes no flat number at all: no answer can depend on one.
  assert.equal(checkManagedAddress.length, 3);
  await using empty = await Deno.openKv(":memory:");
  assert.equal((await checkManagedAddress(empty, "Dowolna", "1")).status, "not_checked");
});

Deno.test("register search from a card: abbreviations, exact numbers (5 is not 15), names, codes", async () => {
  await using kv = await Deno.openKv(":memory:");
  const r = await smallRegister(kv, clock);
  const ids = async (q: string) => (await searchUnits(kv, q)).hits.map((h) => h.unit.id);
  assert.deepEqual(await ids("Kaz. Wielkiego 12/5"), [r.u5.id]);
  assert.deepEqual(await ids("wielkiego 12 m. 5"), [r.u5.id]);
  assert.deepEqual((await ids("dabrowski")).sort(), [r.u3.id, r.g1.id].sort());
  assert.deepEqual(await ids("Nowak Anna"), [r.u5.id]);
  assert.deepEqual(await ids("KW12/15"), [r.u15.id]);
  assert.deepEqual(await ids("Bolesława 5"), [r.bw3.id]);
  assert.deepEqual(await ids("ul. m. nr"), [], "noise words alone find nothing");
  const limited = await searchUnits(kv, "Głogów", 2);
  assert.equal(limited.hits.length, 2);
  assert.equal(limited.truncated, true);
});

Deno.test("invisible characters: stripped from form text, shown as markers to staff", () => {
  const rlo = "Kowal\u202Eikswo";
  assert.equal(cleanText(rlo), "Kowalikswo");
  assert.equal(cleanText("Ha\u200Bli\u200Dna\uFEFF\u00AD"), "Halina");
  assert.equal(cleanText("  Anna \u2066Maria\u2069 "), "Anna Maria");
  assert.equal(revealInvisible(rlo), "Kowal[U+202E]ikswo");
  assert.equal(revealInvisible("Jan"), "Jan");
});

Deno.test("the registration fields are defined once: schema, labels, domain keys and the form's names", () => {
  assert.deepEqual(registrationFieldNames, [
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "building",
    "unit",
    "rodo_ack",
  ]);
  assert.deepEqual(Object.keys(registrationSchema.shape), registrationFieldNames);
  assert.deepEqual(Object.keys(registrationLabels), registrationFieldNames);
  for (const f of registrationFieldNames) {
    assert.equal(registrationLabels[f], registrationFields[f].label);
  }
  const parsed = registrationSchema.parse({
    first_name: " Ha\u200Blina ",
    last_name: "Wójcik",
    email: "Halina@Example.PL",
    phone: "600 123 456",
    street: "ul. Kaz.\u202EWielkiego",
    building: "12 a",
    unit: "m. 5",
    rodo_ack: "on",
  });
  assert.deepEqual(toRegistrationData(parsed), {
    firstName: "Halina",
    lastName: "Wójcik",
    email: "halina@example.pl",
    phone: "+48600123456",
    street: "Kaz. Wielkiego",
    building: "12A",
    unit: "5",
  });
  // Normal form: what is kept parses to itself.
  const again = registrationSchema.parse({ ...parsed });
  assert.deepEqual(again, parsed);
});
