import assert from "node:assert/strict";
import { type Account, createAccount } from "../../domain/accounts/accounts.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { getUnit } from "../../domain/backoffice/register.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { listMessages } from "../../domain/messaging/messages.ts";
import { getMatter, listMattersForResident, personsWord } from "../../domain/matters/matters.ts";
import { keys } from "../../domain/shared/keys.ts";
import { JPEG, PNG } from "../file_fixtures.ts";
import { TEST_ORIGIN, testApp, type TestClient } from "../helpers.ts";

const PASSWORD = "Moje-Haslo-1";

type T = Awaited<ReturnType<typeof testApp>>;

async function residentOf(t: T, unitIds: string[], email: string, firstName = "Anna") {
  const account = await createAccount(t.kv, t.clock, {
    firstName,
    lastName: "Nowak",
    email,
    phone: "+48600100200",
    unitIds,
    passwordHash: await t.hasher.hash(PASSWORD),
  });
  const c = t.client();
  const res = await c.post("/logowanie", { identifier: account!.identifier, password: PASSWORD });
  assert.equal(res.status, 303);
  return { account: account as Account, c };
}

async function fixture() {
  const t = await testApp({ start: new Date("2026-11-25T10:00:00Z") });
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const flat = coop.demoResident.flatUnitId;
  const otherFlat = coop.units.find((u) => u.kind === "flat" && u.id !== flat)!.id;
  const a = await residentOf(t, [flat], "anna@example.pl");
  const b = await residentOf(t, [otherFlat], "bogdan@example.pl", "Bogdan");
  return { t, flat, otherFlat, a, b };
}

/** A multipart POST with the client's cookies, as a browser sends a form with files. */
function postMultipart(
  t: T,
  c: TestClient,
  path: string,
  fields: Record<string, string>,
  files: { name: string; bytes: Uint8Array; type?: string }[] = [],
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) {
    form.append(
      "attachment",
      new File([f.bytes as Uint8Array<ArrayBuffer>], f.name, { type: f.type ?? "" }),
    );
  }
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  return t.app.request(path, {
    method: "POST",
    body: form,
    headers: { cookie, origin: TEST_ORIGIN },
  });
}

function idFrom(res: Response): string {
  const location = res.headers.get("location") ?? "";
  const m = location.match(/^\/ebok\/zgloszenia\/([0-9A-Z]+)$/);
  assert.ok(m, `redirect to the matter's page, got ${location}`);
  return m[1];
}

Deno.test("matter: create with a photo → staff reply → e-mail without content → resident reply → close", async () => {
  const { t, flat, a } = await fixture();
  await using _ = t;

  const form = await (await a.c.get("/ebok/zgloszenia/nowe")).text();
  assert.match(
    form,
    /\+48\u00a076\u00a0833\u00a041\u00a099/,
    "the emergency number before the form",
  );
  assert.match(form, /name="category"/);

  const created = await postMultipart(t, a.c, "/ebok/zgloszenia/nowe", {
    category: "awaria",
    place: flat,
    description: "Przecieka kran w łazience.",
  }, [{ name: "kran.png", bytes: PNG, type: "image/png" }]);
  assert.equal(created.status, 303);
  const id = idFrom(created);
  const matter = (await getMatter(t.kv, id))!;
  assert.equal(matter.number, "Z/2026/0001");
  assert.equal(matter.status, "przyjete");
  assert.equal(matter.attachmentIds.length, 1);

  const list = await (await a.c.get("/ebok/zgloszenia")).text();
  assert.match(list, /Z\/2026\/0001/);
  assert.match(list, /Przyjęte/);

  const page = await (await a.c.get(`/ebok/zgloszenia/${id}`)).text();
  assert.match(page, /Przecieka kran w łazience\./);
  assert.match(page, /kran\.png/);
  const download = await a.c.get(`/ebok/zgloszenia/${id}/zalaczniki/${matter.attachmentIds[0]}`);
  assert.equal(download.status, 200);
  assert.equal(download.headers.get("content-type"), "image/png");
  assert.deepEqual(new Uint8Array(await download.arrayBuffer()), PNG);

  // The office: the queue, a reply, an internal note.
  const staff = await t.staffClient();
  const queue = await (await staff.get("/admin/zgloszenia")).text();
  assert.match(queue, new RegExp(`href="/admin/zgloszenia/${id}"`));
  assert.match(queue, /Awaria \/ usterka: <strong>1<\/strong>/);
  const staffPage = await (await staff.get(`/admin/zgloszenia/${id}`)).text();
  assert.match(staffPage, /name="reply"/);

  const secret = "Hydraulik przyjdzie jutro o 9.";
  const replied = await staff.post(`/admin/zgloszenia/${id}/odpowiedz`, { reply: secret });
  assert.equal(replied.status, 303);
  const noted = await staff.post(`/admin/zgloszenia/${id}/notatka`, {
    note: "Notatka wewnętrzna: klucz u sąsiada.",
  });
  assert.equal(noted.status, 303);

  const mails = (await listMessages(t.kv)).filter((m) => m.purpose === "matter_reply");
  assert.equal(mails.length, 1);
  assert.equal(mails[0].to, "anna@example.pl");
  assert.match(mails[0].text, /W eBOK czeka odpowiedź w sprawie Z\/2026\/0001/);
  assert.match(mails[0].text, new RegExp(`/ebok/zgloszenia/${id}`));
  assert.doesNotMatch(mails[0].text, /Hydraulik/, "the e-mail carries no content");
  assert.doesNotMatch(mails[0].subject ?? "", /Hydraulik/);

  // The resident sees the reply, never the note; replies.
  const withReply = await (await a.c.get(`/ebok/zgloszenia/${id}`)).text();
  assert.match(withReply, /Hydraulik przyjdzie jutro o 9\./);
  assert.doesNotMatch(withReply, /klucz u sąsiada/);
  const empty = await a.c.post(`/ebok/zgloszenia/${id}`, { reply: "  " });
  assert.equal(empty.status, 422);
  assert.match(await empty.text(), /Wpisz odpowiedź\./);
  const answered = await a.c.post(`/ebok/zgloszenia/${id}`, { reply: "Dziękuję, będę w domu." });
  assert.equal(answered.status, 303);

  // Status: rejection needs a reason; then w realizacji → zakończone; then final.
  const noReason = await staff.post(`/admin/zgloszenia/${id}/stan`, { status: "odrzucone" });
  assert.equal(noReason.status, 422);
  assert.equal(
    (await staff.post(`/admin/zgloszenia/${id}/stan`, { status: "w_realizacji" })).status,
    303,
  );
  assert.equal(
    (await staff.post(`/admin/zgloszenia/${id}/stan`, { status: "zakonczone" })).status,
    303,
  );
  const again = await staff.post(`/admin/zgloszenia/${id}/stan`, { status: "w_realizacji" });
  assert.equal(again.status, 409, "a closed matter does not reopen");
  assert.equal((await getMatter(t.kv, id))!.status, "zakonczone");
  const late = await a.c.post(`/ebok/zgloszenia/${id}`, { reply: "Jeszcze jedno." });
  assert.equal(late.status, 422);
  assert.match(await (await a.c.get("/ebok/zgloszenia")).text(), /Zakończone/);

  const actions = (await listAudit(t.kv)).map((e) => e.action).filter((x) =>
    x.startsWith("matter.")
  );
  for (
    const expected of [
      "matter.created",
      "matter.staff_replied",
      "matter.note_added",
      "matter.resident_replied",
      "matter.status_changed",
    ]
  ) assert.ok(actions.includes(expected), expected);
});

Deno.test("matter: the emergency number comes before the fault form, large and dialable", async () => {
  const { t, a } = await fixture();
  await using _ = t;

  // The first step on the list: one link per category.
  const list = await (await a.c.get("/ebok/zgloszenia")).text();
  assert.match(list, /href="\/ebok\/zgloszenia\/nowe\?rodzaj=awaria"/);

  const box = (html: string) => {
    const m = html.match(/<section[^>]*data-emergency[^>]*>[\s\S]*?<\/section>/);
    assert.ok(m, "the emergency box");
    return m[0];
  };
  const awaria = await (await a.c.get("/ebok/zgloszenia/nowe?rodzaj=awaria")).text();
  assert.ok(
    awaria.indexOf("data-emergency") < awaria.indexOf("data-matter-form"),
    "before the form",
  );
  assert.doesNotMatch(box(awaria).split(">")[0], /hidden/);
  assert.match(
    box(awaria),
    /<p class="emergency-number"><a href="tel:\+48768334199">\+48\u00a076\u00a0833\u00a041\u00a099<\/a>/,
  );
  assert.match(awaria, /<option value="awaria" selected/);
  // Another category chosen: the box is there for JavaScript to show, but hidden.
  const question = await (await a.c.get("/ebok/zgloszenia/nowe?rodzaj=rozliczenie")).text();
  assert.match(box(question).split(">")[0], /hidden/);

  // The setting is checked before it reaches every resident's page.
  const admin = await t.staffClient("admin", "admin");
  const profile = {
    name: "Spółdzielnia Mieszkaniowa Nadodrze",
    shortName: "SM Nadodrze",
    address: "",
    email: "",
    phone: "",
    nip: "",
    officeHours: "",
  };
  const bad = await admin.post("/admin/ustawienia/spoldzielnia", {
    ...profile,
    emergencyPhone: "zadzwoń do pana Józka",
  });
  assert.equal(bad.status, 422);
  const badHtml = await bad.text();
  assert.match(badHtml, /aria-describedby="emergencyPhone-error/);
  assert.match(badHtml, /od 3 do 15 cyfr/);
  const good = await admin.post("/admin/ustawienia/spoldzielnia", {
    ...profile,
    emergencyPhone: "+48 71 300 00 00",
  });
  assert.equal(good.status, 303);
  const after = await (await a.c.get("/ebok/zgloszenia/nowe?rodzaj=awaria")).text();
  assert.match(box(after), /href="tel:\+48713000000"/);
});

Deno.test("matter: the office queue filters by building, status, category and age", async () => {
  const t = await testApp({ start: new Date("2026-11-25T10:00:00Z") });
  await using _ = t;
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const [b1, b2] = coop.buildings;
  const flatIn = (b: string) => coop.units.find((u) => u.kind === "flat" && u.buildingId === b)!;
  const a = await residentOf(t, [flatIn(b1.id).id], "anna@example.pl");
  const first = idFrom(
    await postMultipart(t, a.c, "/ebok/zgloszenia/nowe", {
      category: "awaria",
      place: flatIn(b1.id).id,
      description: "Cieknie kaloryfer.",
    }),
  );
  t.clock.advance(10 * 86_400_000);
  const b = await residentOf(t, [flatIn(b2.id).id], "bogdan@example.pl", "Bogdan");
  const second = idFrom(
    await postMultipart(t, b.c, "/ebok/zgloszenia/nowe", {
      category: "rozliczenie",
      place: `wspolne:${b2.id}`,
      description: "Pytanie o opłatę za windę.",
    }),
  );
  const staff = await t.staffClient();
  const shown = async (query: string) => {
    const html = await (await staff.get(`/admin/zgloszenia${query}`)).text();
    return [first, second].filter((id) => html.includes(`href="/admin/zgloszenia/${id}"`));
  };
  const page = await (await staff.get("/admin/zgloszenia")).text();
  assert.match(page, /<select id="budynek" name="budynek"/);
  assert.match(page, new RegExp(`<option value="${b2.id}" ?>ul\\. ${b2.street} ${b2.number}<`));
  assert.deepEqual(await shown(""), [first, second]);
  assert.deepEqual(await shown(`?budynek=${b1.id}`), [first]);
  assert.deepEqual(await shown(`?budynek=${b2.id}`), [second]);
  assert.deepEqual(await shown("?rodzaj=rozliczenie"), [second]);
  assert.deepEqual(await shown("?wiek=7"), [first]);
  assert.deepEqual(await shown(`?budynek=${b2.id}&wiek=7`), []);
  assert.match(
    await (await staff.get(`/admin/zgloszenia?budynek=${b2.id}`)).text(),
    new RegExp(`<option value="${b2.id}" selected`),
  );
});

Deno.test("matter: another unit's account gets 404 for the matter, its attachment and its list", async () => {
  const { t, flat, a, b } = await fixture();
  await using _ = t;
  const created = await postMultipart(t, a.c, "/ebok/zgloszenia/nowe", {
    category: "rozliczenie",
    place: flat,
    description: "Pytanie o naliczenie za wywóz śmieci.",
  }, [{ name: "skan.jpg", bytes: JPEG }]);
  assert.equal(created.status, 303);
  const id = idFrom(created);
  const fileId = (await getMatter(t.kv, id))!.attachmentIds[0];

  const notFound = await b.c.get("/ebok/zgloszenia/01JZZZZZZZZZZZZZZZZZZZZZZZ");
  assert.equal(notFound.status, 404);
  const page = await b.c.get(`/ebok/zgloszenia/${id}`);
  assert.equal(page.status, 404);
  assert.equal(await page.text(), await notFound.text().catch(() => ""), "same answer");
  assert.equal((await b.c.get(`/ebok/zgloszenia/${id}/zalaczniki/${fileId}`)).status, 404);
  assert.equal((await b.c.post(`/ebok/zgloszenia/${id}`, { reply: "Cudza sprawa" })).status, 404);
  const list = await (await b.c.get("/ebok/zgloszenia")).text();
  assert.doesNotMatch(list, /Z\/2026\/0001/);
  assert.equal((await listMattersForResident(t.kv, b.account)).length, 0);

  // Choosing another account's unit in the form is refused too.
  const foreign = await postMultipart(t, b.c, "/ebok/zgloszenia/nowe", {
    category: "inne",
    place: flat,
    description: "Próba",
  });
  assert.equal(foreign.status, 422);
});

Deno.test("matter: numbers stay unique under 10 concurrent creations", async () => {
  const { t, flat, otherFlat, a, b } = await fixture();
  await using _ = t;
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => {
      const who = i % 2 ? b : a;
      return postMultipart(t, who.c, "/ebok/zgloszenia/nowe", {
        category: "inne",
        place: i % 2 ? otherFlat : flat,
        description: `Zgłoszenie ${i}`,
      });
    }),
  );
  assert.deepEqual(results.map((r) => r.status), Array(10).fill(303));
  const numbers: string[] = [];
  for await (const e of t.kv.list<{ number: string }>({ prefix: keys.mattersAll() })) {
    numbers.push(e.value.number);
  }
  assert.equal(numbers.length, 10);
  assert.deepEqual(
    [...numbers].sort(),
    Array.from({ length: 10 }, (_, i) => `Z/2026/${String(i + 1).padStart(4, "0")}`),
  );
  assert.equal((await t.kv.get(keys.matterCounter("2026"))).value, 10);
});

Deno.test("matter: a renamed executable is refused and nothing is stored", async () => {
  const { t, flat, a } = await fixture();
  await using _ = t;
  // An ELF header under a photo's name and type.
  const elf = new Uint8Array(4200);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]);
  elf[16] = 0x02;
  elf[18] = 0x3e;
  const res = await postMultipart(t, a.c, "/ebok/zgloszenia/nowe", {
    category: "awaria",
    place: flat,
    description: "Zdjęcie usterki",
  }, [{ name: "zdjecie.jpg", bytes: elf, type: "image/jpeg" }]);
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /Można dodać tylko plik PDF albo zdjęcie JPG lub PNG\./);
  assert.match(html, /Zdjęcie usterki/, "the form keeps what was typed");
  assert.match(html, /aria-describedby="attachment-error/);
  assert.equal((await listMattersForResident(t.kv, a.account)).length, 0);
  let visible = 0;
  for await (const _e of t.kv.list({ prefix: ["files"] })) visible++;
  assert.equal(visible, 0);
  // Staged chunks are discarded at once, not left to the sweep.
  let chunks = 0;
  for await (const _e of t.kv.list({ prefix: ["file_chunks"] })) chunks++;
  assert.equal(chunks, 0);
});

Deno.test("matter: invalid form is 422 with Polish messages; more than three files refused", async () => {
  const { t, flat, a } = await fixture();
  await using _ = t;
  const res = await postMultipart(t, a.c, "/ebok/zgloszenia/nowe", {
    category: "",
    place: flat,
    description: "",
  });
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /Wybierz, czego dotyczy sprawa\./);
  assert.match(html, /Opisz sprawę\./);
  const four = await postMultipart(
    t,
    a.c,
    "/ebok/zgloszenia/nowe",
    { category: "inne", place: flat, description: "Cztery pliki" },
    [1, 2, 3, 4].map((n) => ({ name: `${n}.png`, bytes: PNG })),
  );
  assert.equal(four.status, 422);
  assert.match(await four.text(), /najwyżej 3 pliki/);
});

Deno.test("matter: an occupants change accepted under concurrent accepts changes the register once", async () => {
  const { t, flat, a } = await fixture();
  await using _ = t;
  const before = (await getUnit(t.kv, flat))!.persons;
  const persons = before + 2;

  const missing = await postMultipart(t, a.c, "/ebok/zgloszenia/nowe", {
    category: "liczba_osob",
    place: flat,
    description: "Urodziły się bliźnięta.",
    persons: "",
    from: "",
  });
  assert.equal(missing.status, 422);
  const html = await missing.text();
  assert.match(html, /Podaj liczbę osób: od 0 do 20\./);
  assert.match(html, /Podaj datę, od której zmiana obowiązuje\./);

  const created = await postMultipart(t, a.c, "/ebok/zgloszenia/nowe", {
    category: "liczba_osob",
    place: flat,
    description: "Urodziły się bliźnięta.",
    persons: String(persons),
    from: "2026-12-01",
  });
  assert.equal(created.status, 303);
  const id = idFrom(created);

  const staff = await t.staffClient("office", "biuro");
  const other = await t.staffClient("office", "biuro2");
  const answers = await Promise.all(
    Array.from(
      { length: 6 },
      (_, i) => (i % 2 ? other : staff).post(`/admin/zgloszenia/${id}/przyjmij-zmiane`, {}),
    ),
  );
  assert.equal(answers.filter((r) => r.status === 303).length, 1);
  assert.equal(answers.filter((r) => r.status === 409).length, 5);
  assert.equal((await getUnit(t.kv, flat))!.persons, persons);
  const matter = (await getMatter(t.kv, id))!;
  assert.equal(matter.status, "zakonczone");
  const accepted = (await listAudit(t.kv)).filter((e) => e.action === "matter.occupants_accepted");
  assert.equal(accepted.length, 1);
  assert.equal(accepted[0].details?.personsBefore, before);
  assert.equal(accepted[0].details?.personsAfter, persons);
  const page = await (await a.c.get(`/ebok/zgloszenia/${id}`)).text();
  assert.match(
    page,
    new RegExp(`Zmiana przyjęta: ${persons} ${personsWord(persons)} od 01\\.12\\.2026\\.`),
  );
});

Deno.test("matter: new matters and replies are limited per account, with a Polish 429", async () => {
  const { t, flat, otherFlat, a, b } = await fixture();
  await using _ = t;
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await postMultipart(t, a.c, "/ebok/zgloszenia/nowe", {
      category: "inne",
      place: flat,
      description: `Sprawa ${i + 1}.`,
    });
    assert.equal(res.status, 303);
    ids.push(idFrom(res));
  }
  const eleventh = await postMultipart(t, a.c, "/ebok/zgloszenia/nowe", {
    category: "inne",
    place: flat,
    description: "Jedenasta sprawa.",
  });
  assert.equal(eleventh.status, 429);
  const refused = await eleventh.text();
  assert.match(refused, /Wysłano dziś już wiele zgłoszeń/);
  assert.match(refused, /Jedenasta sprawa\./, "what was typed comes back");
  assert.equal((await listMattersForResident(t.kv, a.account)).length, 10);

  for (let i = 0; i < 30; i++) {
    const res = await a.c.post(`/ebok/zgloszenia/${ids[0]}`, { reply: `Odpowiedź ${i + 1}.` });
    assert.equal(res.status, 303, `reply ${i + 1}`);
  }
  const tooMany = await a.c.post(`/ebok/zgloszenia/${ids[0]}`, { reply: "Jeszcze jedna." });
  assert.equal(tooMany.status, 429);
  const html = await tooMany.text();
  assert.match(html, /Wysłano już bardzo wiele odpowiedzi\. Spróbuj za godzinę/);
  assert.match(html, /aria-describedby="reply-error"/);
  assert.match(html, /Jeszcze jedna\./);
  // Another account is not held back by this one's limits.
  const other = await postMultipart(t, b.c, "/ebok/zgloszenia/nowe", {
    category: "inne",
    place: otherFlat,
    description: "Sprawa sąsiada.",
  });
  assert.equal(other.status, 303);
  // An hour later replies go again.
  t.clock.advance(61 * 60_000);
  assert.equal(
    (await a.c.post(`/ebok/zgloszenia/${ids[0]}`, { reply: "Po godzinie." })).status,
    303,
  );
});
