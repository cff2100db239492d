/**
 * Issue 15 in a real browser, JavaScript off and on: staff publish a document for everyone and a
 * letter to the demo flat on /admin/dokumenty; the resident finds both in "Dokumenty", downloads
 * the letter (the very bytes); staff then see the first opening. The bulk page checks a ZIP with
 * a CSV and publishes it. Zero axe violations on /ebok/dokumenty, /admin/dokumenty and the bulk
 * page (its preview too); no sideways scroll on /ebok/dokumenty at 320 px.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { zipSync } from "fflate";
import { getUnit } from "../../domain/backoffice/register.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { pdfBytes } from "../file_fixtures.ts";
import {
  assertNoAxeViolations,
  assertNoProblems,
  DEFAULT_TODAY,
  launchBrowser,
  newPage,
  type Server,
  signInDemoStaff,
  startServer,
  type TestBrowser,
  watchPage,
  withServerOutput,
} from "./harness.ts";
import { clockStartingOn } from "../../domain/shared/clock.ts";

/** The demo flat's unit code and the demo resident's name (the demo is deterministic). */
async function demoFlat(): Promise<{ code: string; residentName: string }> {
  await using kv = await Deno.openKv(":memory:");
  const coop = await seedDemoCooperative(kv, clockStartingOn(DEFAULT_TODAY));
  const unit = await getUnit(kv, coop.demoResident.flatUnitId);
  assert.ok(unit?.externalId);
  const r = coop.demoResident;
  return { code: unit.externalId, residentName: `${r.firstName} ${r.lastName}` };
}

async function residentLogin(browser: TestBrowser, server: Server, javaScript: boolean) {
  const page = await newPage(browser, { javaScript });
  await page.goto(`${server.baseUrl}/logowanie`);
  await page.fill("#identifier", server.demo.resident.identifier);
  await page.fill("#password", server.demo.resident.password);
  await page.click("form[action='/logowanie'] button[type=submit]");
  await page.waitForURL(`${server.baseUrl}/ebok`);
  return page;
}

const pdfFile = (name: string, bytes: Uint8Array) => ({
  name,
  mimeType: "application/pdf",
  buffer: Buffer.from(bytes),
});

/** Fills and sends the publish form on /admin/dokumenty; waits for the notice. */
async function publish(
  page: Page,
  f: { title: string; category: string; unitCode?: string; file: ReturnType<typeof pdfFile> },
) {
  const form = page.locator("form[action='/admin/dokumenty'][method='post']");
  await form.locator("#title").fill(f.title);
  await form.locator("#file").setInputFiles(f.file);
  await form.locator("#category").selectOption(f.category);
  if (f.unitCode) await form.locator("#unit_code").fill(f.unitCode);
  await form.getByRole("button", { name: "Opublikuj" }).click();
  await page.waitForURL(/\/admin\/dokumenty\?wynik=opublikowano$/);
  assert.match(await page.locator("p.notice.ok").innerText(), /Dokument opublikowany/);
}

Deno.test("documents in Chromium: staff publish, the resident opens the letter, staff see the first opening — JavaScript off and on", async (t) => {
  const { code: flatCode, residentName } = await demoFlat();
  await using server = await startServer();
  await using browser = await launchBrowser();
  const base = server.baseUrl;

  for (const javaScript of [false, true]) {
    const mode = javaScript ? "JavaScript on" : "JavaScript off";
    await t.step(mode, () =>
      withServerOutput(server, async () => {
        const shared = `Regulamin porządku domowego (${mode})`;
        const letter = `Rozliczenie wody 2026 (${mode})`;
        const letterBytes = pdfBytes(90_000);

        await using staff = await newPage(browser, { javaScript });
        const staffProblems = await watchPage(staff);
        await signInDemoStaff(staff, server);
        await staff.goto(`${base}/admin/dokumenty`);
        await assertNoAxeViolations(staff, `/admin/dokumenty (${mode})`);
        await publish(staff, {
          title: shared,
          category: "regulaminy",
          file: pdfFile("regulamin.pdf", pdfBytes(20_000)),
        });
        await publish(staff, {
          title: letter,
          category: "rozliczenia",
          unitCode: flatCode,
          file: pdfFile("rozliczenie wody – lokal.pdf", letterBytes),
        });
        const row = staff.locator("tr").filter({ hasText: letter });
        assert.match(await row.innerText(), /jeszcze nie otwarto/);
        await assertNoAxeViolations(staff, `/admin/dokumenty after publishing (${mode})`);

        // The resident: both in "Dokumenty"; the letter downloads byte for byte.
        await using resident = await residentLogin(browser, server, javaScript);
        const residentProblems = await watchPage(resident);
        await resident.getByRole("navigation").first().getByRole("link", { name: "Dokumenty" })
          .click();
        await resident.waitForURL(`${base}/ebok/dokumenty`);
        assert.equal(await resident.getByRole("link", { name: shared }).count(), 1);
        await assertNoAxeViolations(resident, `/ebok/dokumenty (${mode})`);
        const [download] = await Promise.all([
          resident.waitForEvent("download"),
          resident.getByRole("link", { name: letter }).click(),
        ]);
        assert.equal(download.suggestedFilename(), "rozliczenie wody – lokal.pdf");
        const got = new Uint8Array(await readFile((await download.path())!));
        assert.deepEqual(got, letterBytes, "the downloaded letter is the uploaded file");

        // Staff see the first opening: when and by whom.
        await staff.goto(`${base}/admin/dokumenty`);
        const opened = await staff.locator("tr").filter({ hasText: letter }).innerText();
        assert.doesNotMatch(opened, /jeszcze nie otwarto/);
        assert.match(opened, /\d{2}:\d{2}/, "the time of the first opening");
        assert.ok(opened.includes(residentName), `${residentName} in the row: ${opened}`);

        // Bulk: a ZIP with one letter and a CSV; the preview, then publishing.
        await staff.goto(`${base}/admin/dokumenty/zbiorczo`);
        await assertNoAxeViolations(staff, `/admin/dokumenty/zbiorczo (${mode})`);
        const zip = zipSync({ "pismo.pdf": pdfBytes(5_000), "obce.pdf": pdfBytes(3_000) });
        await staff.locator("#files").setInputFiles({
          name: "pisma.zip",
          mimeType: "application/zip",
          buffer: Buffer.from(zip),
        });
        await staff.locator("#csv").setInputFiles({
          name: "lista.csv",
          mimeType: "text/csv",
          buffer: Buffer.from(`plik;lokal\npismo.pdf;${flatCode}\n`),
        });
        await staff.locator("#title").fill(`Zaświadczenie (${mode})`);
        await staff.getByRole("button", { name: "Sprawdź pliki" }).click();
        await staff.getByRole("heading", { name: /Podgląd/ }).waitFor();
        const preview = await staff.locator("table").first().innerText();
        assert.match(preview, /pismo\.pdf[\s\S]*do wysłania/);
        assert.match(preview, /obce\.pdf[\s\S]*Tego pliku nie ma w CSV/);
        await assertNoAxeViolations(staff, `the bulk preview (${mode})`);
        await staff.getByRole("button", { name: "Opublikuj pisma (1)" }).click();
        await staff.waitForURL(/zbiorczo\?opublikowano=1&/);
        await resident.goto(`${base}/ebok/dokumenty`);
        assert.equal(
          await resident.getByRole("link", { name: `Zaświadczenie (${mode})` }).count(),
          1,
        );

        assertNoProblems(staffProblems, `staff pages (${mode})`);
        assertNoProblems(residentProblems, `resident pages (${mode})`);
      }));
  }

  await t.step("320 px: /ebok/dokumenty has no sideways scroll", async () => {
    await using page = await newPage(browser, {
      javaScript: true,
      viewport: { width: 320, height: 640 },
    });
    await page.goto(`${base}/logowanie`);
    await page.fill("#identifier", server.demo.resident.identifier);
    await page.fill("#password", server.demo.resident.password);
    await page.click("form[action='/logowanie'] button[type=submit]");
    await page.waitForURL(`${base}/ebok`);
    await page.goto(`${base}/ebok/dokumenty`);
    const sideways = await page.evaluate(() => {
      // deno-lint-ignore no-explicit-any
      const d = (globalThis as any).document;
      return Math.max(d.documentElement.scrollWidth, d.body.scrollWidth) -
        d.documentElement.clientWidth;
    });
    assert.ok(sideways <= 0, `sideways scroll of ${sideways} px at 320 px`);
    await assertNoAxeViolations(page, "/ebok/dokumenty at 320 px");
  });
});
