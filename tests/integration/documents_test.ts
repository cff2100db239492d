/**
 * Documents and letters through HTTP: staff publish with multipart/form-data, residents see
 * only their own unit's letters and the documents for everyone or their building, the first
 * opening of a letter is recorded once, a withdrawn file is gone, a renamed executable is
 * refused, and the e-mail about a new letter says nothing of its content.
 */
import assert from "node:assert/strict";
import { createAccount } from "../../domain/accounts/accounts.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { createBuilding, createUnit } from "../../domain/backoffice/register.ts";
import { listDocumentsForStaff } from "../../domain/documents/documents.ts";
import {
  ECORRESPONDENCE_CONSENT_TEXT,
  getEcorrespondenceConsent,
} from "../../domain/documents/consent.ts";
import { listMessages } from "../../domain/messaging/messages.ts";
import { makeNrb, makeSortCode } from "../../domain/shared/nrb.ts";
import { keys } from "../../domain/shared/keys.ts";
import { pdfBytes } from "../file_fixtures.ts";
import { TEST_ORIGIN, testApp, TestClient } from "../helpers.ts";

const PASSWORD = "Moje-Haslo-2026";
type T = Awaited<ReturnType<typeof testApp>>;

async function fixture() {
  const t = await testApp();
  const b1 = await createBuilding(t.kv, t.clock, {
    street: "Kazimierza Wielkiego",
    number: "12",
    postalCode: "67-200",
    city: "Głogów",
    externalId: "KW12",
  });
  const b2 = await createBuilding(t.kv, t.clock, {
    street: "Słowiańska",
    number: "3",
    postalCode: "67-200",
    city: "Głogów",
    externalId: "SL3",
  });
  const unit = async (buildingId: string, number: string, code: string, sort: string) => {
    const r = await createUnit(t.kv, t.clock, {
      buildingId,
      number,
      kind: "flat",
      areaCm2: 500000,
      persons: 2,
      bankAccount: makeNrb(makeSortCode("9990001"), sort),
      occupants: ["Jan Testowy"],
      externalId: code,
    });
    assert.ok(r.ok);
    return r.unit;
  };
  const u1 = await unit(b1.id, "7", "KW12/7", "4600000000000007");
  const u2 = await unit(b2.id, "1", "SL3/1", "4600000000000001");
  const passwordHash = await t.hasher.hash(PASSWORD);
  const account = async (firstName: string, email: string, unitId: string) => {
    const a = await createAccount(t.kv, t.clock, {
      firstName,
      lastName: "Testowa",
      email,
      phone: "+48600123456",
      unitIds: [unitId],
      passwordHash,
    });
    assert.ok(a);
    return a;
  };
  const zofia = await account("Zofia", "zofia@example.pl", u1.id);
  const marek = await account("Marek", "marek@example.pl", u2.id);
  const staff = await t.staffClient();
  const signIn = async (identifier: string) => {
    const c = t.client();
    const res = await c.post("/logowanie", { identifier, password: PASSWORD });
    assert.equal(res.status, 303);
    return c;
  };
  return {
    t,
    b1,
    b2,
    u1,
    u2,
    zofia,
    marek,
    staff,
    zofiaClient: await signIn(zofia.identifier),
    marekClient: await signIn(marek.identifier),
  };
}

function cookieOf(client: TestClient): string {
  return [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}

/** A multipart POST as a browser sends the form (same origin, the client's cookies). */
function upload(
  t: T,
  client: TestClient,
  path: string,
  fields: Record<string, string | string[]>,
  file?: { name: string; bytes: Uint8Array<ArrayBuffer>; type?: string },
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
  }
  if (file) {
    form.append(
      "file",
      new File([file.bytes], file.name, { type: file.type ?? "application/pdf" }),
    );
  }
  return t.app.request(path, {
    method: "POST",
    body: form,
    headers: { origin: TEST_ORIGIN, cookie: cookieOf(client) },
  });
}

async function docIdByTitle(t: T, title: string): Promise<string> {
  const row = (await listDocumentsForStaff(t.kv)).find((r) => r.document.title === title);
  assert.ok(row, `document "${title}" published`);
  return row.document.id;
}

Deno.test("a letter reaches its unit only; first opening recorded once; withdrawn file gone", async () => {
  const { t, staff, zofia, zofiaClient, marekClient } = await fixture();
  await using _ = t;
  const bytes = pdfBytes(150_000); // three chunks

  const sent = await upload(t, staff, "/admin/dokumenty", {
    title: "Rozliczenie wody 2026",
    category: "rozliczenia",
    unit_code: "KW12/7",
  }, { name: "rozliczenie wody – Zofia.pdf", bytes });
  assert.equal(sent.status, 303);
  assert.equal(sent.headers.get("location"), "/admin/dokumenty?wynik=opublikowano");
  const id = await docIdByTitle(t, "Rozliczenie wody 2026");

  // The unit's resident sees it and can download it, byte for byte.
  const list = await zofiaClient.get("/ebok/dokumenty");
  assert.equal(list.status, 200);
  const html = await list.text();
  assert.match(html, /Rozliczenie wody 2026/);
  assert.match(html, new RegExp(`href="/ebok/dokumenty/${id}"`));
  assert.match(
    html,
    /href="\/ebok\/dokumenty"[^>]*aria-current|aria-current[^>]*href="\/ebok\/dokumenty"/,
  );

  // Another unit's resident: not in the list, 404 for the URL (as for an unknown id).
  const other = await (await marekClient.get("/ebok/dokumenty")).text();
  assert.doesNotMatch(other, /Rozliczenie wody 2026/);
  assert.equal((await marekClient.get(`/ebok/dokumenty/${id}`)).status, 404);
  assert.equal((await marekClient.get("/ebok/dokumenty/01ARZ3NDEKTSV4RRFFQ69G5FAV")).status, 404);
  assert.equal(
    await t.kv.get(keys.documentFirstOpen(id)).then((e) => e.versionstamp),
    null,
    "another unit's attempt records nothing",
  );

  // Ten concurrent openings by the unit's resident: every one gets the file, one is recorded.
  const opens = await Promise.all(
    Array.from({ length: 10 }, () => zofiaClient.get(`/ebok/dokumenty/${id}`)),
  );
  for (const res of opens) {
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/pdf");
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);
  }
  const firstOpens = (await listAudit(t.kv, 500)).filter((e) =>
    e.action === "document.first_opened"
  );
  assert.equal(firstOpens.length, 1);
  const recorded = (await t.kv.get<{ accountId: string }>(keys.documentFirstOpen(id))).value;
  assert.equal(recorded?.accountId, zofia.id);

  // Staff see who opened it first.
  const adminHtml = await (await staff.get("/admin/dokumenty")).text();
  assert.match(adminHtml, /Zofia Testowa/);
  assert.match(adminHtml, /lokal KW12\/7/);

  // Withdrawn: gone from the list, 404 for the file (resident and staff), the chunks go.
  const withdrawn = await staff.post(`/admin/dokumenty/${id}/wycofaj`, {});
  assert.equal(withdrawn.status, 303);
  assert.equal((await zofiaClient.get(`/ebok/dokumenty/${id}`)).status, 404);
  assert.equal((await staff.get(`/admin/dokumenty/${id}/plik`)).status, 404);
  assert.doesNotMatch(await (await zofiaClient.get("/ebok/dokumenty")).text(), /Rozliczenie wody/);
  const audit = (await listAudit(t.kv, 500)).map((e) => e.action);
  assert.ok(audit.includes("document.published"));
  assert.ok(audit.includes("document.withdrawn"));
});

Deno.test("the e-mail about a new letter is queued with the letter, without its content", async () => {
  const { t, staff, zofia } = await fixture();
  await using _ = t;
  const res = await upload(t, staff, "/admin/dokumenty", {
    title: "Zawiadomienie o opłatach: 512,40 zł",
    unit_code: "KW12/7",
  }, { name: "zawiadomienie.pdf", bytes: pdfBytes(2_000) });
  assert.equal(res.status, 303);
  const messages = (await listMessages(t.kv)).filter((m) => m.purpose === "document_available");
  assert.equal(messages.length, 1, "one e-mail: the unit's one account");
  const m = messages[0];
  assert.equal(m.to, zofia.email);
  assert.equal(m.subject, "W eBOK jest nowy dokument");
  assert.match(m.text, /\/ebok\/dokumenty/);
  assert.doesNotMatch(m.text + m.subject, /Zawiadomienie|512|zł|\.pdf/);
  // Published without a unit: for everybody, no e-mail.
  const all = await upload(t, staff, "/admin/dokumenty", { title: "Statut spółdzielni" }, {
    name: "statut.pdf",
    bytes: pdfBytes(2_000),
  });
  assert.equal(all.status, 303);
  assert.equal(
    (await listMessages(t.kv)).filter((m) => m.purpose === "document_available").length,
    1,
  );
});

Deno.test("documents for one building and for all; search by title; newer version marks the old", async () => {
  const { t, staff, b1, zofiaClient, marekClient } = await fixture();
  await using _ = t;
  assert.equal(
    (await upload(t, staff, "/admin/dokumenty", {
      title: "Regulamin porządku domowego",
      category: "regulaminy",
    }, { name: "regulamin.pdf", bytes: pdfBytes(1_000) })).status,
    303,
  );
  assert.equal(
    (await upload(t, staff, "/admin/dokumenty", {
      title: "Protokół zebrania budynku",
      category: "protokoly",
      building_id: b1.id,
    }, { name: "protokol.pdf", bytes: pdfBytes(1_000) })).status,
    303,
  );
  const protocol = await docIdByTitle(t, "Protokół zebrania budynku");
  const zofia = await (await zofiaClient.get("/ebok/dokumenty")).text();
  assert.match(zofia, /Regulamin porządku domowego/);
  assert.match(zofia, /Protokół zebrania budynku/);
  assert.ok(
    zofia.indexOf("Protokół zebrania") < zofia.indexOf("Regulamin porządku"),
    "newest first",
  );
  const marek = await (await marekClient.get("/ebok/dokumenty")).text();
  assert.match(marek, /Regulamin porządku domowego/);
  assert.doesNotMatch(marek, /Protokół zebrania budynku/);
  assert.equal((await marekClient.get(`/ebok/dokumenty/${protocol}`)).status, 404);

  const found = await (await zofiaClient.get("/ebok/dokumenty?q=regulamin")).text();
  assert.match(found, /Regulamin porządku domowego/);
  assert.doesNotMatch(found, /Protokół zebrania budynku/);

  const regulamin = await docIdByTitle(t, "Regulamin porządku domowego");
  const replaced = await upload(t, staff, `/admin/dokumenty/${regulamin}/zastap`, {
    title: "Regulamin porządku domowego (2027)",
  }, { name: "regulamin-2027.pdf", bytes: pdfBytes(1_500) });
  assert.equal(replaced.status, 303);
  const rows = await listDocumentsForStaff(t.kv);
  const old = rows.find((r) => r.document.id === regulamin)!.document;
  assert.ok(old.replacedBy, "the old version is kept and marked");
  const now = rows.find((r) => r.document.id === old.replacedBy)!.document;
  assert.equal(now.category, "regulaminy");
  assert.equal(now.replaces, regulamin);
  assert.match(await (await staff.get("/admin/dokumenty")).text(), /zastąpiony nowszą wersją/);
});

Deno.test("a renamed executable and a form without title or file are refused with 422", async () => {
  const { t, staff, zofiaClient } = await fixture();
  await using _ = t;
  const elf = new Uint8Array(4_100);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  elf.set([2, 0, 0x3e, 0, 1, 0, 0, 0], 16);
  const refused = await upload(t, staff, "/admin/dokumenty", { title: "Uchwała nr 5" }, {
    name: "uchwala.pdf",
    bytes: elf,
  });
  assert.equal(refused.status, 422);
  const html = await refused.text();
  assert.match(html, /Można dodać tylko plik PDF albo zdjęcie JPG lub PNG\./);
  assert.match(html, /value="Uchwała nr 5"/, "the form keeps what was typed");
  assert.match(html, /aria-describedby="file-error/);
  assert.equal((await listDocumentsForStaff(t.kv)).length, 0);
  assert.doesNotMatch(await (await zofiaClient.get("/ebok/dokumenty")).text(), /Uchwała nr 5/);

  const empty = await upload(t, staff, "/admin/dokumenty", { title: "" });
  assert.equal(empty.status, 422);
  const emptyHtml = await empty.text();
  assert.match(emptyHtml, /Podaj tytuł/);
  assert.match(emptyHtml, /Wybierz plik/);

  const unknownUnit = await upload(t, staff, "/admin/dokumenty", {
    title: "Zaświadczenie",
    unit_code: "XX/99",
  }, { name: "z.pdf", bytes: pdfBytes(1_000) });
  assert.equal(unknownUnit.status, 422);
  assert.match(await unknownUnit.text(), /Nie ma lokalu o takim kodzie/);

  // A resident cannot reach the staff pages.
  assert.notEqual((await zofiaClient.get("/admin/dokumenty")).status, 200);
});

Deno.test("a file of 20 MiB passes the body limit of the documents upload and round-trips", async () => {
  const { t, staff, zofiaClient } = await fixture();
  await using _ = t;
  const bytes = pdfBytes(20 * 1024 * 1024);
  const res = await upload(t, staff, "/admin/dokumenty", { title: "Sprawozdanie finansowe" }, {
    name: "sprawozdanie.pdf",
    bytes,
  });
  assert.equal(res.status, 303);
  const id = await docIdByTitle(t, "Sprawozdanie finansowe");
  const got = await zofiaClient.get(`/ebok/dokumenty/${id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(new Uint8Array(await got.arrayBuffer()), bytes);
});

Deno.test("consent to electronic delivery: given and withdrawn on Moje konto, with date, text and audit", async () => {
  const { t, zofia, zofiaClient } = await fixture();
  await using _ = t;
  const before = await (await zofiaClient.get("/ebok/konto")).text();
  assert.match(before, /Pisma w eBOK zamiast pocztą/);
  assert.match(before, /Pisma przychodzą pocztą\./);
  assert.match(before, /name="zgoda" value="tak"/);

  const given = await zofiaClient.post("/ebok/konto/e-korespondencja", { zgoda: "tak" });
  assert.equal(given.status, 303);
  const consent = await getEcorrespondenceConsent(t.kv, zofia.id);
  assert.equal(consent?.given, true);
  assert.equal(consent?.text, ECORRESPONDENCE_CONSENT_TEXT);
  assert.equal(consent?.at, t.clock().toISOString());
  const after = await (await zofiaClient.get("/ebok/konto?e-korespondencja=tak")).text();
  assert.match(after, /Zgoda zapisana/);
  assert.match(after, /Zgoda wyrażona/);
  assert.match(after, /name="zgoda" value="nie"/);

  // Sent twice: one change only.
  await zofiaClient.post("/ebok/konto/e-korespondencja", { zgoda: "tak" });
  await zofiaClient.post("/ebok/konto/e-korespondencja", { zgoda: "nie" });
  assert.equal((await getEcorrespondenceConsent(t.kv, zofia.id))?.given, false);
  const actions = (await listAudit(t.kv, 500)).map((e) => e.action);
  assert.equal(actions.filter((a) => a === "document.consent_given").length, 1);
  assert.equal(actions.filter((a) => a === "document.consent_withdrawn").length, 1);
  let history = 0;
  for await (const _e of t.kv.list({ prefix: ["ecorrespondence_consent_history", zofia.id] })) {
    history++;
  }
  assert.equal(history, 2);
});
