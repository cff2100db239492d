/**
 * Bulk letters through HTTP: a ZIP (or several files) with a CSV mapping file names to unit
 * codes; the preview refuses bad lines with Polish reasons and publishes nothing; publishing
 * puts each letter in its unit only; resubmitting adds nothing; a zip bomb is stopped.
 */
import assert from "node:assert/strict";
import { zipSync } from "fflate";
import { createAccount } from "../../domain/accounts/accounts.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { createBuilding, createUnit } from "../../domain/backoffice/register.ts";
import { listDocumentsForStaff } from "../../domain/documents/documents.ts";
import { makeNrb, makeSortCode } from "../../domain/shared/nrb.ts";
import { pdfBytes } from "../file_fixtures.ts";
import { TEST_ORIGIN, testApp, TestClient } from "../helpers.ts";

const PASSWORD = "Moje-Haslo-2026";
const BULK = "/admin/dokumenty/zbiorczo";
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
  const u7 = await unit(b1.id, "7", "KW12/7", "4600000000000007");
  await unit(b1.id, "8", "KW12/8", "4600000000000008");
  await unit(b1.id, "9", "KW12/9", "4600000000000009");
  const u1 = await unit(b2.id, "1", "SL3/1", "4600000000000001");
  const passwordHash = await t.hasher.hash(PASSWORD);
  const signedIn = async (firstName: string, email: string, unitId: string) => {
    const a = await createAccount(t.kv, t.clock, {
      firstName,
      lastName: "Testowa",
      email,
      phone: "+48600123456",
      unitIds: [unitId],
      passwordHash,
    });
    assert.ok(a);
    const c = t.client();
    const res = await c.post("/logowanie", { identifier: a.identifier, password: PASSWORD });
    assert.equal(res.status, 303);
    return c;
  };
  return {
    t,
    staff: await t.staffClient(),
    zofia: await signedIn("Zofia", "zofia@example.pl", u7.id),
    marek: await signedIn("Marek", "marek@example.pl", u1.id),
  };
}

function cookieOf(client: TestClient): string {
  return [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}

type Upload = { name: string; bytes: Uint8Array };

/** The bulk form as a browser sends it: files (several allowed), the CSV, title and kind. */
function sendBulk(
  t: T,
  staff: TestClient,
  files: Upload[],
  csv: string,
  title = "Rozliczenie 2026",
) {
  const form = new FormData();
  form.append("title", title);
  form.append("category", "rozliczenia");
  for (const f of files) {
    form.append("files", new File([f.bytes as Uint8Array<ArrayBuffer>], f.name));
  }
  form.append("csv", new File([new TextEncoder().encode(csv)], "lista.csv", { type: "text/csv" }));
  return t.app.request(BULK, {
    method: "POST",
    body: form,
    headers: { origin: TEST_ORIGIN, cookie: cookieOf(staff) },
  });
}

function previewIdOf(html: string): string {
  const m = html.match(/name="preview_id" value="([0-9A-Z]{26})"/);
  assert.ok(m, "the preview offers publishing");
  return m[1];
}

const publish = (staff: TestClient, previewId: string) =>
  staff.post(`${BULK}/publikuj`, { preview_id: previewId });

async function letters(t: T) {
  return (await listDocumentsForStaff(t.kv)).map((r) => r.document);
}

Deno.test("a ZIP of three PDFs with a CSV: three letters to the right units, once", async () => {
  const { t, staff, zofia, marek } = await fixture();
  await using _ = t;
  const pdfs = { "a.pdf": pdfBytes(70_000), "b.pdf": pdfBytes(5_000), "c.pdf": pdfBytes(9_000) };
  const zip = zipSync({
    "pisma/a.pdf": pdfs["a.pdf"],
    "pisma/b.pdf": pdfs["b.pdf"],
    "c.pdf": pdfs["c.pdf"],
  });
  const csv =
    "plik;lokal;tytul\na.pdf;KW12/7;Rozliczenie wody – Zofia\nb.pdf;KW12/8;\nc.pdf;KW12/9;\n";

  const checked = await sendBulk(t, staff, [{ name: "pisma.zip", bytes: zip }], csv);
  assert.equal(checked.status, 200);
  const html = await checked.text();
  assert.equal(html.match(/do wysłania<\/span>/g)?.length, 3);
  assert.match(html, /Opublikuj pisma \(3\)/);
  assert.equal((await letters(t)).length, 0, "a preview publishes nothing");

  // A double click: two publications of one preview at once still give three letters.
  const id = previewIdOf(html);
  const [r1, r2] = await Promise.all([publish(staff, id), publish(staff, id)]);
  assert.ok([r1.status, r2.status].includes(303));
  const docs = await letters(t);
  assert.equal(docs.length, 3);
  const byUnit = new Map(
    docs.map((d) => [d.audience.kind === "unit" ? d.audience.unitCode : "", d]),
  );
  assert.deepEqual([...byUnit.keys()].sort(), ["KW12/7", "KW12/8", "KW12/9"]);
  assert.equal(new Set(docs.map((d) => d.batchId)).size, 1, "one batch id for the upload");
  assert.ok(docs[0].batchId);
  const zofiaLetter = byUnit.get("KW12/7")!;
  assert.equal(zofiaLetter.title, "Rozliczenie wody – Zofia");
  assert.equal(byUnit.get("KW12/8")!.title, "Rozliczenie 2026", "the form's title by default");
  assert.equal(zofiaLetter.category, "rozliczenia");

  // The unit's resident gets exactly that file; another unit's resident gets 404.
  const got = await zofia.get(`/ebok/dokumenty/${zofiaLetter.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(new Uint8Array(await got.arrayBuffer()), pdfs["a.pdf"]);
  assert.match(await (await zofia.get("/ebok/dokumenty")).text(), /Rozliczenie wody – Zofia/);
  assert.equal((await marek.get(`/ebok/dokumenty/${zofiaLetter.id}`)).status, 404);
  assert.doesNotMatch(await (await marek.get("/ebok/dokumenty")).text(), /Rozliczenie/);

  // The same form again: the preview is gone, nothing is added.
  const again = await publish(staff, id);
  assert.equal(again.status, 422);
  assert.match(await again.text(), /Tego podglądu już nie ma/);
  // The same ZIP and CSV uploaded again: shown as already published, nothing to publish.
  const resent = await sendBulk(t, staff, [{ name: "pisma.zip", bytes: zip }], csv);
  const resentHtml = await resent.text();
  assert.equal(resentHtml.match(/już opublikowane w tej wysyłce/g)?.length, 3);
  assert.doesNotMatch(resentHtml, /name="preview_id"/);
  assert.equal((await letters(t)).length, 3);

  const audit = (await listAudit(t.kv, 500)).map((e) => e.action);
  assert.equal(audit.filter((a) => a === "document.bulk_letter_published").length, 3);
  assert.equal(audit.filter((a) => a === "document.bulk_published").length, 1);
});

Deno.test("the preview refuses bad lines with Polish reasons; the good ones are published", async () => {
  const { t, staff } = await fixture();
  await using _ = t;
  const elf = new Uint8Array(4_100);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  elf.set([2, 0, 0x3e, 0, 1, 0, 0, 0], 16);
  const zip = zipSync({
    "dobre.pdf": pdfBytes(3_000),
    "program.pdf": elf, // a renamed executable
    "nadmiarowy.pdf": pdfBytes(2_000), // not in the CSV
    "dwa_razy.pdf": pdfBytes(2_000),
    "obcy.pdf": pdfBytes(2_000),
  });
  const csv = [
    "plik;lokal",
    "dobre.pdf;KW12/7",
    "program.pdf;KW12/8",
    "brak.pdf;KW12/9",
    "obcy.pdf;XX/99",
    "dwa_razy.pdf;KW12/8",
    "dwa_razy.pdf;KW12/9",
  ].join("\r\n");
  const res = await sendBulk(t, staff, [{ name: "pisma.zip", bytes: zip }], csv);
  assert.equal(res.status, 200);
  const html = await res.text();
  for (
    const reason of [
      "To nie jest PDF, JPG ani PNG (sprawdzono zawartość pliku, nie nazwę).",
      "Nie ma takiego pliku wśród przesłanych (ani w archiwum ZIP).",
      "Nie ma lokalu o takim kodzie.",
      "Ten plik jest w CSV więcej niż raz",
      "Tego pliku nie ma w CSV",
    ]
  ) assert.ok(html.includes(reason), reason);
  assert.equal(html.match(/odrzucone<\/span>/g)?.length, 6);
  assert.match(html, /Opublikuj pisma \(1\)/);

  assert.equal((await publish(staff, previewIdOf(html))).status, 303);
  const docs = await letters(t);
  assert.deepEqual(docs.map((d) => d.fileName), ["dobre.pdf"]);
});

Deno.test("several PDFs without a ZIP work too; a CSV without the columns is refused", async () => {
  const { t, staff } = await fixture();
  await using _ = t;
  const files = [
    { name: "x.pdf", bytes: pdfBytes(2_000) },
    { name: "y.pdf", bytes: pdfBytes(2_000) },
  ];
  const bad = await sendBulk(t, staff, files, "nazwa;mieszkanie\nx.pdf;KW12/7\n");
  assert.equal(bad.status, 422);
  assert.match(await bad.text(), /co najmniej „plik” i „lokal”/);

  const ok = await sendBulk(t, staff, files, "plik;lokal\nx.pdf;KW12/7\ny.pdf;SL3/1\n");
  assert.equal(ok.status, 200);
  assert.equal((await publish(staff, previewIdOf(await ok.text()))).status, 303);
  assert.equal((await letters(t)).length, 2);
});

Deno.test("a zip bomb is stopped at the unpacked-size cap", async () => {
  const { t, staff } = await fixture();
  await using _ = t;
  // 70 MiB of zeros packs into well under 100 KB.
  const bomb = zipSync({ "a.pdf": new Uint8Array(70 * 1024 * 1024) }, { level: 9 });
  assert.ok(bomb.length < 200_000);
  const res = await sendBulk(
    t,
    staff,
    [{ name: "bomba.zip", bytes: bomb }],
    "plik;lokal\na.pdf;KW12/7\n",
  );
  assert.equal(res.status, 422);
  assert.match(await res.text(), /więcej niż 60 MB/);
  assert.equal((await letters(t)).length, 0);
});
