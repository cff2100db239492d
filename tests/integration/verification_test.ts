/**
 * Issue 13, verification: the office must not hand a stranger's balance to an applicant.
 * The name check on the request's card, approval without a match only with a confirmation and a
 * reason, addresses as people write them, the register search inside the card, and the
 * registration form's street suggestions and address check (which reveal nothing about flats).
 */
import assert from "node:assert/strict";
import { type AccessRequest, listAccessRequests } from "../../domain/access/access_requests.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { keys } from "../../domain/shared/keys.ts";
import { testApp, type TestClient } from "../helpers.ts";
import { smallRegister } from "../fixtures/small_register.ts";

type T = Awaited<ReturnType<typeof testApp>>;

const person = {
  email: "halina@example.pl",
  phone: "600 123 456",
  street: "Kazimierza Wielkiego",
  building: "12",
  unit: "3",
  rodo_ack: "on",
};

async function setUp() {
  const t = await testApp();
  const units = await smallRegister(t.kv, t.clock);
  return { t, units };
}

async function apply(
  t: T,
  fields: Partial<typeof person> & { first_name: string; last_name: string },
): Promise<AccessRequest> {
  const res = await t.post("/rejestracja", { ...person, ...fields });
  assert.equal(res.status, 303, `registration of ${fields.first_name} ${fields.last_name}`);
  const pending = await listAccessRequests(t.kv, "pending");
  return pending[pending.length - 1];
}

/** The request's card, cut out of the staff page. */
function card(html: string, requestId: string): string {
  const start = html.indexOf(`<section class="card request" id="wniosek-${requestId}"`);
  assert.ok(start >= 0, `a card for ${requestId}`);
  return html.slice(start, html.indexOf("</section>", start));
}

/** unit ids of the card's checkboxes, and which are ticked. */
function checkboxes(html: string): { value: string; checked: boolean }[] {
  return [...html.matchAll(/<input type="checkbox" name="unit_id" value="([^"]+)"[^>]*>/g)].map((
    m,
  ) => ({ value: m[1], checked: /\bchecked\b/.test(m[0]) }));
}

async function staffPage(staff: TestClient): Promise<string> {
  const res = await staff.get("/admin/wnioski");
  assert.equal(res.status, 200);
  return await res.text();
}

Deno.test("request card: the name check says zgodne / częściowo zgodne / niezgodne; only a match is ticked", async () => {
  const { t, units } = await setUp();
  await using _ = t;
  const halina = await apply(t, { first_name: "Halina", last_name: "Wójcik" });
  const anna = await apply(t, {
    first_name: "Anna",
    last_name: "Dąbrowska",
    email: "anna@example.pl",
  });
  const marcin = await apply(t, {
    first_name: "marcin",
    last_name: "DABROWSKI",
    email: "marcin@example.pl",
  });
  const html = await staffPage(await t.staffClient());

  const h = card(html, halina.id);
  assert.match(h, /imię i nazwisko: niezgodne/);
  assert.match(h, /w rejestrze: Marcin Dąbrowski/);
  assert.doesNotMatch(h, /zgodny adres/);
  assert.deepEqual(checkboxes(h), [{ value: units.u3.id, checked: false }], "nothing ticked");

  const a = card(html, anna.id);
  assert.match(a, /imię i nazwisko: częściowo zgodne \(to samo nazwisko: Marcin Dąbrowski\)/);
  assert.deepEqual(checkboxes(a), [{ value: units.u3.id, checked: false }]);

  const m = card(html, marcin.id);
  assert.match(m, /imię i nazwisko: zgodne/);
  // The flat ticked; the garage the register also gives him offered, not ticked; no other unit
  // of the building listed.
  assert.deepEqual(checkboxes(m), [
    { value: units.u3.id, checked: true },
    { value: units.g1.id, checked: false },
  ]);
});

Deno.test("approving without a name match needs a confirmation and a reason, recorded with the approval in one atomic operation", async () => {
  const { t, units } = await setUp();
  await using _ = t;
  const halina = await apply(t, { first_name: "Halina", last_name: "Wójcik" });
  const staff = await t.staffClient();
  const approve = (fields: Record<string, string | string[]>) =>
    staff.post(`/admin/wnioski/${halina.id}/zatwierdz`, fields);

  const ticked = await approve({ units_chosen: "1", unit_id: units.u3.id });
  assert.equal(ticked.status, 422, "a ticked unit with another person's name is not enough");
  const page = await ticked.text();
  assert.match(page, /nie jest zgodne z rejestrem dla wybranego lokalu/);
  assert.match(
    card(page, halina.id),
    new RegExp(`value="${units.u3.id}" id="[^"]+" checked`),
    "the choice stays ticked on the card",
  );
  assert.equal((await approve({})).status, 422, "nor is a plain POST linking the typed address");
  const noReason = await approve({ unit_id: units.u3.id, confirm_mismatch: "on" });
  assert.equal(noReason.status, 422);
  assert.match(await noReason.text(), /Podaj uzasadnienie/);
  const stillPending = (await t.kv.get<AccessRequest>(keys.requests(halina.id))).value;
  assert.equal(stillPending?.status, "pending");

  const reason = "Najemczyni lokalu, umowa najmu okazana w biurze 3.12.2026.";
  const ok = await approve({
    units_chosen: "1",
    unit_id: units.u3.id,
    confirm_mismatch: "on",
    confirm_reason: reason,
  });
  assert.equal(ok.status, 303);
  const approved = await t.kv.get<AccessRequest>(keys.requests(halina.id));
  assert.equal(approved.value?.status, "approved");
  const entry = (await listAudit(t.kv)).find((e) => e.action === "request.approved");
  assert.ok(entry);
  assert.deepEqual(
    [entry.details?.nameCheck, entry.details?.nameConfirmed, entry.details?.nameConfirmReason],
    ["mismatch", true, reason],
  );
  // Keys written by one atomic operation share its versionstamp.
  const audit = await t.kv.get(keys.auditLog(entry.id));
  assert.equal(audit.versionstamp, approved.versionstamp, "audit and approval in one commit");
});

Deno.test("an address written short or in lower case („Kaz. Wielkiego” 12 „m. 15”) finds its unit on the card", async () => {
  const { t, units } = await setUp();
  await using _ = t;
  const ewa = await apply(t, {
    first_name: "Ewa",
    last_name: "Lis",
    street: "ul.Kaz.Wielkiego",
    building: "12",
    unit: "m. 15",
  });
  assert.deepEqual([ewa.street, ewa.building, ewa.unit], ["Kaz. Wielkiego", "12", "15"]);
  const lower = await apply(t, {
    first_name: "Jan",
    last_name: "Nowak",
    email: "jan@example.pl",
    street: "kazimierza wielkiego",
    building: "12",
    unit: "lok. 5",
  });
  const html = await staffPage(await t.staffClient());
  const e = card(html, ewa.id);
  assert.match(e, /adres w rejestrze/);
  assert.doesNotMatch(e, /nie ma w rejestrze/);
  assert.deepEqual(checkboxes(e), [{ value: units.u15.id, checked: true }]);
  assert.deepEqual(checkboxes(card(html, lower.id)), [{ value: units.u5.id, checked: true }]);
});

Deno.test("the card finds a unit through a register search (htmx fragment, plain GET page), not a list of the building", async () => {
  const { t, units } = await setUp();
  await using _ = t;
  const halina = await apply(t, { first_name: "Halina", last_name: "Wójcik", unit: "99" });
  const staff = await t.staffClient();
  const list = card(await staffPage(staff), halina.id);
  assert.match(list, /lokalu nie ma w rejestrze/);
  assert.deepEqual(checkboxes(list), [], "no unit of the building offered unasked");
  assert.match(list, new RegExp(`<form id="szukaj-${halina.id}" method="get"`));
  assert.match(list, new RegExp(`name="q" form="szukaj-${halina.id}"`));

  const q = encodeURIComponent("Kaz. Wielkiego 12/5");
  const fragment = await staff.get(`/admin/wnioski/${halina.id}?q=${q}`, {
    "hx-request": "true",
  });
  assert.equal(fragment.status, 200);
  assert.match(fragment.headers.get("vary") ?? "", /HX-Request/);
  const part = await fragment.text();
  assert.match(part, new RegExp(`^<div id="wyniki-${halina.id}"`));
  assert.doesNotMatch(part, /<html/);
  assert.deepEqual(checkboxes(part), [{ value: units.u5.id, checked: false }]);
  assert.match(part, /imię i nazwisko: niezgodne/);

  const full = await staff.get(`/admin/wnioski/${halina.id}?q=${encodeURIComponent("Dąbrowski")}`);
  assert.equal(full.status, 200);
  const html = await full.text();
  assert.match(html, /<h1>Wniosek o dostęp<\/h1>/);
  // The results sit inside the approval form: tick one and approve (with the confirmation).
  const form = html.slice(html.indexOf(`action="/admin/wnioski/${halina.id}/zatwierdz"`));
  assert.deepEqual(
    checkboxes(form.slice(0, form.indexOf("</form>"))).map((c) => c.value).sort(),
    [units.u3.id, units.g1.id].sort(),
  );
  const res = await staff.post(`/admin/wnioski/${halina.id}/zatwierdz`, {
    units_chosen: "1",
    unit_id: units.u3.id,
    confirm_mismatch: "on",
    confirm_reason: "Zameldowana, potwierdzone w biurze.",
  });
  assert.equal(res.status, 303);

  assert.equal((await staff.get("/admin/wnioski/01ARZ3NDEKTSV4RRFFQ69G5FAV")).status, 404);
  // A unit the card lists already is not offered twice.
  const marcin = await apply(t, {
    first_name: "Marcin",
    last_name: "Dąbrowski",
    email: "marcin@example.pl",
  });
  const twice = await (await staff.get(
    `/admin/wnioski/${marcin.id}?q=${encodeURIComponent("Kaz. Wielkiego 12/3")}`,
    { "hx-request": "true" },
  )).text();
  assert.deepEqual(checkboxes(twice), []);
  assert.match(twice, /pasuje tylko lokal z listy powyżej/);
});

Deno.test("/rejestracja suggests the cooperative's streets (a datalist, no JavaScript needed)", async () => {
  const { t } = await setUp();
  await using _ = t;
  const html = await (await t.app.request("/rejestracja")).text();
  assert.match(html, /<input id="street" name="street" type="text"[^>]* list="ulice-spoldzielni"/);
  const list = html.slice(html.indexOf('<datalist id="ulice-spoldzielni">'));
  assert.deepEqual(
    [...list.slice(0, list.indexOf("</datalist>")).matchAll(/<option value="([^"]+)"/g)].map((
      m,
    ) => m[1]),
    ["Bolesława Wielkiego", "Kazimierza Wielkiego"],
  );
});

Deno.test("registration: the address check says street/building managed or not before sending — and nothing about flats", async () => {
  const { t } = await setUp();
  await using _ = t;
  const check = async (fields: Record<string, string>, trigger: string) => {
    const res = await t.post("/rejestracja/sprawdz", { ...person, ...fields }, {
      "hx-request": "true",
      "hx-trigger-name": trigger,
    });
    assert.equal(res.status, 200);
    return await res.text();
  };
  const noStreet = await check({ street: "Słowiańska" }, "street");
  assert.match(noStreet, /<div id="address-check"[^>]*hx-swap-oob="true"/);
  assert.match(noStreet, /nie zarządza budynkami przy ulicy „Słowiańska”/);
  assert.match(
    await check({ street: "Kaz. Wielkiego", building: "99" }, "building"),
    /Przy ul\. Kazimierza Wielkiego spółdzielnia zarządza budynkami nr 12 i 14\. Sprawdź numer budynku\./,
  );
  assert.match(
    await check({ street: "Kaz. Wielkiego", building: "12" }, "street"),
    /Budynek ul\. Kazimierza Wielkiego 12 należy do spółdzielni\./,
  );
  // A flat that exists (with people in it), one that does not: the same answer, byte for byte.
  const held = await check({ unit: "3" }, "unit");
  const none = await check({ unit: "99" }, "unit");
  assert.equal(held, none.replace('value="99"', 'value="3"'));
  assert.doesNotMatch(held, /Dąbrowski/);

  // Without JavaScript the form is accepted (CONTRACT.md: a valid form answers 303) and the
  // confirmation page says the address is not in the register.
  const unmanaged = await t.post("/rejestracja", {
    ...person,
    first_name: "Halina",
    last_name: "Wójcik",
    street: "Słowiańska",
  });
  assert.equal(unmanaged.status, 303);
  assert.equal(unmanaged.headers.get("location"), "/rejestracja/wyslano?adres=spoza-rejestru");
  assert.match(
    await (await t.app.request("/rejestracja/wyslano?adres=spoza-rejestru")).text(),
    /Podanego adresu nie ma w rejestrze budynków spółdzielni/,
  );
  // A managed building: sent at once, whether or not the flat exists.
  for (const [unit, email] of [["3", "a@example.pl"], ["99", "b@example.pl"]]) {
    const res = await t.post("/rejestracja", {
      ...person,
      first_name: "Jan",
      last_name: "Kowal",
      email,
      unit,
    });
    assert.equal(res.status, 303, `flat ${unit}`);
  }
});

Deno.test("an empty register: the form checks no address and sends at once", async () => {
  await using t = await testApp();
  const res = await t.post("/rejestracja", {
    ...person,
    first_name: "Halina",
    last_name: "Wójcik",
    street: "Dowolna",
  });
  assert.equal(res.status, 303);
});

Deno.test("right-to-left overrides and zero-width characters: stripped at registration, never shown raw to staff", async () => {
  const { t } = await setUp();
  await using _ = t;
  const sent = await apply(t, {
    first_name: "Ha\u200Blina",
    last_name: "Wój\u202Ecik",
    street: "Kazimierza\u2066 Wielkiego\uFEFF",
  });
  assert.deepEqual([sent.firstName, sent.lastName, sent.street], [
    "Halina",
    "Wójcik",
    "Kazimierza Wielkiego",
  ]);
  // A request kept from before (or written by another way in) still holds them.
  const legacy: AccessRequest = {
    ...sent,
    id: "01JLEGACY0000000000000000X",
    email: "legacy@example.pl",
    firstName: "Jan",
    lastName: "Kowal\u202Eikswo",
    street: "Kazimierza\u200B Wielkiego",
  };
  await t.kv.atomic()
    .set(keys.requests(legacy.id), legacy)
    .set(keys.requestsByStatus("pending", legacy.id), legacy.id)
    .commit();
  const html = await staffPage(await t.staffClient());
  assert.doesNotMatch(html, /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\uFEFF]/);
  assert.match(card(html, legacy.id), /Kowal\[U\+202E\]ikswo/);
  assert.match(card(html, legacy.id), /Kazimierza\[U\+200B\] Wielkiego/);
});
