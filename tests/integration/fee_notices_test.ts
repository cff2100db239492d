/**
 * Fee-change notices through HTTP: a run that breaks the three-month rule is refused naming the
 * units and components; a valid run sends one letter per unit (the same batch id, the e-mails),
 * and sending again adds none, even concurrently; the paper list names the units without consent
 * (and, after N days, those that did not open the letter); the print is one PDF with one page per
 * letter, image letters included.
 */
import assert from "node:assert/strict";
import { PDFDocument } from "pdf-lib";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { defaultProfile } from "../../domain/backoffice/cooperative.ts";
import {
  listDocumentsForStaff,
  openDocumentFor,
  publishDocument,
} from "../../domain/documents/documents.ts";
import { getFeeNoticeRun, sendFeeNoticeRun } from "../../domain/documents/fee_notices.ts";
import { paperList } from "../../domain/documents/paper.ts";
import { kvFileStore } from "../../domain/files/kv_file_store.ts";
import { listMessages } from "../../domain/messaging/messages.ts";
import { JUSTIFICATION, seedFeeNoticeData } from "../fee_notice_fixture.ts";
import { PNG } from "../file_fixtures.ts";
import { testAdmin, testApp } from "../helpers.ts";

async function fixture() {
  const t = await testApp(); // today: 25 November 2026
  const units = await seedFeeNoticeData(t);
  const staff = await t.staffClient();
  return { t, staff, ...units };
}

async function prepare(
  staff: Awaited<ReturnType<typeof fixture>>["staff"],
  period: string,
): Promise<string> {
  const res = await staff.post("/admin/zawiadomienia", {
    period,
    external: "woda",
    payment_day: "10",
    justification: JUSTIFICATION,
  });
  assert.equal(res.status, 303, await res.text());
  const m = /^\/admin\/zawiadomienia\/([0-9A-Z]{26})\?wynik=przygotowano$/.exec(
    res.headers.get("location") ?? "",
  );
  assert.ok(m, res.headers.get("location") ?? "no location");
  return m[1];
}

Deno.test("a run that breaks the three-month rule is refused, naming the units", async () => {
  const { t, staff } = await fixture();
  await using _ = t;
  const runId = await prepare(staff, "02.2027");
  const page = await (await staff.get(`/admin/zawiadomienia/${runId}`)).text();
  assert.match(page, /30\.09\.2026|31\.10\.2026/);
  assert.match(page, /po terminie/);

  const res = await staff.post(`/admin/zawiadomienia/${runId}/wyslij`, {});
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /minął ustawowy termin zawiadomienia/);
  assert.match(html, /31 października 2026 r\./); // the last day for February 2027
  assert.match(html, /KW12\/7 \(Eksploatacja\)/);
  assert.match(html, /KW12\/8 \(Eksploatacja\)/);
  assert.doesNotMatch(html, /KW12\/9 \(/); // no change in February for it
  assert.equal((await listDocumentsForStaff(t.kv)).length, 0, "no letter was sent");
  assert.ok(!(await listAudit(t.kv, 100)).some((e) => e.action === "document.fee_notices_sent"));
});

Deno.test("a late external-cost component is named too (14 days before the payment date)", async () => {
  const { t, staff } = await fixture();
  await using _ = t;
  const runId = await prepare(staff, "04.2027");
  // 28 March 2027: past 31 December 2026 and past 27 March 2027 (10 April − 14 days).
  t.clock.set(new Date("2027-03-28T10:00:00Z"));
  const later = await t.staffClient("office", "biuro2"); // the first session has expired
  const res = await later.post(`/admin/zawiadomienia/${runId}/wyslij`, {});
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /KW12\/7 \(Eksploatacja, Woda i ścieki\)/);
  assert.match(html, /27 marca 2027 r\./);
});

Deno.test("a valid run sends one letter per unit; sending again adds none; the paper list and print", async () => {
  const { t, staff, u7, zofia } = await fixture();
  await using _ = t;
  const runId = await prepare(staff, "04.2027");

  // The HTML preview shows rate × base for the old and the new charge.
  const preview = await staff.get(`/admin/zawiadomienia/${runId}/lokal/${u7.id}`);
  assert.equal(preview.status, 200);
  const previewHtml = await preview.text();
  assert.match(previewHtml, /54,30\s*m² × 2,70\s*zł\/m²/); // the February rate is the old one
  assert.match(previewHtml, /54,30\s*m² × 2,73\s*zł\/m²/);
  assert.match(previewHtml, /1 kwietnia 2027 r\./);
  assert.match(previewHtml, /Żółta ściana/);
  const pdf = await staff.get(`/admin/zawiadomienia/${runId}/lokal/${u7.id}/pdf`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get("content-type"), "application/pdf");
  const pdfDoc = await PDFDocument.load(new Uint8Array(await pdf.arrayBuffer()));
  assert.equal(pdfDoc.getPageCount(), 1);

  // Two sends at once (a double click, two staff members): one letter per unit all the same.
  const store = kvFileStore(t.kv, t.clock);
  const ctx = { coop: defaultProfile("SM Test"), baseUrl: "http://localhost:8000" };
  const both = await Promise.all([
    sendFeeNoticeRun(t.kv, t.clock, store, runId, { staff: testAdmin, ctx }),
    sendFeeNoticeRun(t.kv, t.clock, store, runId, { staff: testAdmin, ctx }),
  ]);
  const sentCounts = both.map((r) => r.ok ? r.sent : -1);
  assert.equal(sentCounts[0] + sentCounts[1], 3, `sent: ${sentCounts}`);
  const letters = (await listDocumentsForStaff(t.kv)).map((r) => r.document);
  assert.equal(letters.length, 3);
  assert.ok(letters.every((d) => d.batchId === runId && d.category === "zawiadomienia"));
  assert.deepEqual(
    letters.map((d) => d.audience.kind === "unit" ? d.audience.unitCode : "").sort(),
    ["KW12/7", "KW12/8", "KW12/9"],
  );
  assert.equal(letters[0].title, "Zawiadomienie o zmianie opłat od 1 kwietnia 2027 r.");
  const emails = (await listMessages(t.kv)).filter((m) => m.channel === "email");
  assert.equal(emails.filter((m) => /nowy dokument/i.test(m.subject ?? "")).length, 2);

  // Again, by the form: no new letter.
  const again = await staff.post(`/admin/zawiadomienia/${runId}/wyslij`, {});
  assert.equal(again.status, 303);
  assert.match(again.headers.get("location") ?? "", /wyslano=0$/);
  assert.equal((await listDocumentsForStaff(t.kv)).length, 3);
  const audit = (await listAudit(t.kv, 200)).map((e) => e.action);
  assert.equal(audit.filter((a) => a === "document.fee_notices_sent").length, 1);
  assert.equal(audit.filter((a) => a === "document.published").length, 3);

  // Paper: KW12/8 (an account without consent) and KW12/9 (no account); KW12/7 waits 14 days.
  const paperPage = await staff.get(`/admin/papier/${runId}`);
  assert.equal(paperPage.status, 200);
  const paperHtml = await paperPage.text();
  assert.match(paperHtml, /pocztą trzeba wysłać\s*<strong>2<\/strong>/);
  assert.match(paperHtml, /brak zgody na e-korespondencję/);
  const list = await paperList(t.kv, t.clock, runId);
  assert.deepEqual(list?.toPrint.map((r) => r.unitCode), ["KW12/8", "KW12/9"]);

  const print = await staff.post(`/admin/papier/${runId}/drukuj`, {});
  assert.equal(print.status, 200);
  assert.equal(print.headers.get("content-type"), "application/pdf");
  const printed = await PDFDocument.load(new Uint8Array(await print.arrayBuffer()));
  assert.equal(printed.getPageCount(), 2, "one page per notice to print");

  // Fourteen days later nobody opened KW12/7's letter: it goes by post too.
  t.clock.advance(14 * 86_400_000);
  const later = await paperList(t.kv, t.clock, runId);
  assert.deepEqual(later?.toPrint.map((r) => [r.unitCode, r.reason]), [
    ["KW12/7", "not_opened"],
    ["KW12/8", "no_consent"],
    ["KW12/9", "no_consent"],
  ]);
  const staffLater = await t.staffClient("office", "biuro2"); // the first session has expired
  const print3 = await staffLater.post(`/admin/papier/${runId}/drukuj`, {});
  assert.equal(
    (await PDFDocument.load(new Uint8Array(await print3.arrayBuffer()))).getPageCount(),
    3,
  );

  // Once Zofia opens it, her letter counts as delivered and leaves the paper list.
  const letter7 = letters.find((d) => d.audience.kind === "unit" && d.audience.unitId === u7.id)!;
  assert.ok(await openDocumentFor(t.kv, t.clock, store, zofia, letter7.id));
  const opened = await paperList(t.kv, t.clock, runId);
  assert.deepEqual(opened?.toPrint.map((r) => r.unitCode), ["KW12/8", "KW12/9"]);
  assert.equal(opened?.rows[0].firstOpen?.accountId, zofia.id);
});

Deno.test("any batch prints: an image letter becomes a page of its own", async () => {
  const { t, staff } = await fixture();
  await using _ = t;
  const store = kvFileStore(t.kv, t.clock);
  const ctx = { coop: defaultProfile("SM Test"), baseUrl: "http://localhost:8000" };
  for (const code of ["KW12/8", "KW12/9"]) {
    const r = await publishDocument(t.kv, t.clock, store, {
      title: "Zaświadczenie",
      category: "zaswiadczenia",
      unitCode: code,
      file: { name: "skan.png", body: PNG },
    }, { staff: testAdmin, ctx, batchId: "zbiorczo-1" });
    assert.ok(r.ok);
  }
  const batches = await (await staff.get("/admin/papier")).text();
  assert.match(batches, /href="\/admin\/papier\/zbiorczo-1"/);
  const print = await staff.post("/admin/papier/zbiorczo-1/drukuj", {});
  assert.equal(print.status, 200);
  const printed = await PDFDocument.load(new Uint8Array(await print.arrayBuffer()));
  assert.equal(printed.getPageCount(), 2);
  assert.equal((await staff.get("/admin/papier/nie-ma-takiej")).status, 404);
});

Deno.test("a large run goes out in parts: each call sends up to its limit, the last marks the run", async () => {
  const { t, staff } = await fixture();
  await using _ = t;
  const runId = await prepare(staff, "04.2027");
  const store = kvFileStore(t.kv, t.clock);
  const ctx = { coop: defaultProfile("SM Test"), baseUrl: "http://localhost:8000" };
  const first = await sendFeeNoticeRun(t.kv, t.clock, store, runId, {
    staff: testAdmin,
    ctx,
    limit: 2,
  });
  assert.deepEqual(first, { ok: true, sent: 2, alreadySent: 0, remaining: 1 });
  assert.equal((await getFeeNoticeRun(t.kv, runId))?.sentAt, undefined);
  const second = await sendFeeNoticeRun(t.kv, t.clock, store, runId, {
    staff: testAdmin,
    ctx,
    limit: 2,
  });
  assert.deepEqual(second, { ok: true, sent: 1, alreadySent: 2, remaining: 0 });
  const run = await getFeeNoticeRun(t.kv, runId);
  assert.equal(run?.letters, 3);
  assert.ok(run?.sentAt);
  assert.equal((await listDocumentsForStaff(t.kv)).length, 3);
});
