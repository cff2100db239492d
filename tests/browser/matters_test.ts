/**
 * Issue 16 in a real browser, both sides: the resident reports a fault with a photo (the
 * emergency number first, in large type), the office replies, the resident reads the reply and
 * answers, the office closes the matter — with JavaScript off and on, at 320 px and 1280 px.
 * With JavaScript the upload shows its progress. axe finds nothing on the resident's and the
 * office's matter pages; no CSP report, no script error.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { PNG } from "../file_fixtures.ts";
import {
  assertNoAxeViolations,
  assertNoProblems,
  launchBrowser,
  newPage,
  type PageProblems,
  type Server,
  signInDemoStaff,
  startServer,
  type TestPage,
  watchPage,
  withServerOutput,
} from "./harness.ts";

const WIDTHS = [320, 1280] as const;
const MATTER_PATH = /\/ebok\/zgloszenia\/[0-9A-Z]{26}$/;
const STAFF_MATTER_PATH = /\/admin\/zgloszenia\/[0-9A-Z]{26}(\?wynik=\w+)?$/;

/** Text with non-breaking spaces as plain ones, whitespace collapsed. */
function plain(text: string | null): string {
  return (text ?? "").replace(/[\u00a0\u202f]/g, " ").replace(/\s+/g, " ").trim();
}

async function residentLogin(page: Page, server: Server) {
  await page.goto(`${server.baseUrl}/logowanie`);
  await page.fill("#identifier", server.demo.resident.identifier);
  await page.fill("#password", server.demo.resident.password);
  await page.getByRole("button", { name: "Zaloguj się" }).click();
  await page.waitForURL(`${server.baseUrl}/ebok`);
}

/** Nothing on the page reaches past the right edge of the window; names what sticks out. */
async function assertNoSidewaysScroll(page: Page, where: string) {
  const result = await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const d = (globalThis as any).document;
    const root = d.documentElement;
    const width = root.clientWidth;
    const culprits: string[] = [];
    for (const el of d.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 0.5) {
        const id = el.id ? `#${el.id}` : "";
        culprits.push(`${el.tagName.toLowerCase()}${id} (right edge ${Math.round(r.right)})`);
      }
    }
    return { tooWide: root.scrollWidth - width, width, culprits: culprits.slice(0, 8) };
  });
  assert.ok(
    result.tooWide <= 0,
    `${where}: ${result.tooWide} px wider than ${result.width} px; ` +
      `sticking out: ${result.culprits.join(", ")}`,
  );
}

/** Watches htmx's progress events on the new-matter form: the largest value the bar showed. */
async function recordUploadProgress(page: Page) {
  await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const w = globalThis as any;
    w.uploadSeen = { max: 0, shown: false };
    w.document.addEventListener("htmx:xhr:progress", () => {
      const status = w.document.querySelector("[data-upload-status]");
      const bar = status?.querySelector("progress");
      if (!status || !bar) return;
      w.uploadSeen.max = Math.max(w.uploadSeen.max, bar.value);
      w.uploadSeen.shown ||= !status.hidden;
    });
  });
}

type Walk = {
  server: Server;
  resident: TestPage;
  staff: TestPage;
  residentProblems: PageProblems;
  staffProblems: PageProblems;
  javaScript: boolean;
  width: number;
};

async function residentReportsFault(w: Walk, description: string): Promise<string> {
  const { resident: page } = w;
  const where = `JS ${w.javaScript ? "on" : "off"}, ${w.width} px`;
  // No category chosen yet: without JavaScript the number shows (it may be a fault); with it,
  // the number waits for "awaria".
  await page.goto(`${w.server.baseUrl}/ebok/zgloszenia/nowe`);
  assert.equal(
    await page.locator("[data-emergency]").isVisible(),
    !w.javaScript,
    `${where}: the number on the form with no category chosen`,
  );
  await page.goto(`${w.server.baseUrl}/ebok/zgloszenia`);
  // The first step: what the matter is about.
  await page.getByRole("link", { name: "Awaria / usterka" }).click();
  await page.waitForURL(/\/ebok\/zgloszenia\/nowe\?rodzaj=awaria$/);
  const box = page.locator("[data-emergency]");
  assert.ok(await box.isVisible(), `${where}: the emergency box before the form`);
  const number = box.locator(".emergency-number a");
  assert.equal(await number.getAttribute("href"), "tel:+48768334199");
  assert.equal(plain(await number.textContent()), "+48 76 833 41 99");
  const fontPx = await number.evaluate((el) =>
    // deno-lint-ignore no-explicit-any
    parseFloat((globalThis as any).getComputedStyle(el).fontSize)
  );
  // Large: at least 1.5 times the 16 px body text (2rem where the screen is wide enough).
  assert.ok(fontPx >= (w.width >= 600 ? 32 : 24), `${where}: large type (${fontPx} px)`);
  const boxTop = (await box.boundingBox())!.y;
  const formTop = (await page.locator("form[data-matter-form]").boundingBox())!.y;
  assert.ok(boxTop < formTop, `${where}: the number above the form`);
  assert.equal(await page.locator("#category").inputValue(), "awaria");
  if (w.javaScript) {
    await page.selectOption("#category", "rozliczenie");
    assert.ok(await box.isHidden(), `${where}: another category hides the number`);
    await page.selectOption("#category", "awaria");
    assert.ok(await box.isVisible(), `${where}: awaria shows it again`);
  }
  await assertNoSidewaysScroll(page, `${where}, the new-matter form`);

  await page.fill("#description", description);
  await page.setInputFiles("#attachment", {
    name: "zaciek.png",
    mimeType: "image/png",
    buffer: Buffer.from(PNG),
  });
  if (w.javaScript) await recordUploadProgress(page);
  await page.getByRole("button", { name: "Wyślij zgłoszenie" }).click();
  await page.waitForURL(MATTER_PATH);
  if (w.javaScript) {
    const seen = await page.evaluate(() =>
      (globalThis as unknown as { uploadSeen: { max: number; shown: boolean } }).uploadSeen
    );
    assert.ok(seen.shown, `${where}: the progress bar was shown`);
    assert.equal(seen.max, 100, `${where}: the progress bar reached 100 %`);
  }
  const heading = plain(await page.locator("h1").textContent());
  assert.match(heading, /^Zgłoszenie Z\/2026\/\d{4}$/);
  assert.ok(await page.getByRole("link", { name: "zaciek.png" }).isVisible());
  assert.match(plain(await page.locator("dl.summary").innerText()), /Stan Przyjęte/);
  await assertNoSidewaysScroll(page, `${where}, the matter page`);
  await assertNoAxeViolations(page, `${where}: the resident's matter page`);
  return heading.replace("Zgłoszenie ", "");
}

async function staffReplies(w: Walk, number: string, reply: string) {
  const { staff: page } = w;
  const where = `JS ${w.javaScript ? "on" : "off"}, ${w.width} px`;
  await page.goto(`${w.server.baseUrl}/admin/zgloszenia`);
  await assertNoAxeViolations(page, `${where}: the office queue`);
  await page.getByRole("link", { name: number, exact: true }).click();
  await page.waitForURL(STAFF_MATTER_PATH);
  await assertNoAxeViolations(page, `${where}: the office's matter page`);
  await page.fill("#reply", reply);
  await page.getByRole("button", { name: "Wyślij odpowiedź" }).click();
  await page.waitForURL(/\?wynik=odpowiedz$/);
  assert.match(plain(await page.locator("[role=status]").textContent()), /Odpowiedź wysłana/);
}

async function residentAnswers(w: Walk, staffReply: string, answer: string) {
  const { resident: page } = w;
  await page.reload();
  const thread = plain(await page.locator("ol.thread").textContent());
  assert.ok(thread.includes(staffReply), "the resident sees the office's reply");
  await page.fill("#reply", answer);
  await page.getByRole("button", { name: "Wyślij odpowiedź" }).click();
  await page.waitForURL(/\?wyslano=1$/);
  assert.equal(
    plain(await page.locator("[role=status]").textContent()),
    "Odpowiedź została wysłana.",
  );
  assert.ok(plain(await page.locator("ol.thread").textContent()).includes(answer));
}

async function staffCloses(w: Walk, answer: string) {
  const { staff: page } = w;
  await page.reload();
  assert.ok(
    plain(await page.locator("ol.thread").textContent()).includes(answer),
    "the office sees the resident's answer",
  );
  await page.selectOption("#status", "zakonczone");
  await page.getByRole("button", { name: "Zmień stan" }).click();
  await page.waitForURL(/\?wynik=stan$/);
  assert.match(plain(await page.locator("dl.summary").innerText()), /Stan Zakończone/);
}

async function residentSeesClosed(w: Walk) {
  const { resident: page } = w;
  const where = `JS ${w.javaScript ? "on" : "off"}, ${w.width} px`;
  await page.goto(page.url().replace(/\?.*$/, ""));
  assert.match(plain(await page.locator("dl.summary").innerText()), /Stan Zakończone/);
  assert.equal(await page.locator("#reply").count(), 0, "a closed matter takes no reply");
  await assertNoSidewaysScroll(page, `${where}, the closed matter`);
  await assertNoAxeViolations(page, `${where}: the resident's closed matter`);
}

for (const javaScript of [false, true]) {
  Deno.test(`matters in Chromium, JavaScript ${javaScript ? "on" : "off"}: a fault with a photo, replies both ways, closed; 320 and 1280 px`, async (t) => {
    await using server = await startServer();
    await using browser = await launchBrowser();
    await using resident = await newPage(browser, { javaScript });
    await using staff = await newPage(browser, { javaScript });
    const residentProblems = await watchPage(resident);
    const staffProblems = await watchPage(staff);
    await residentLogin(resident, server);
    await signInDemoStaff(staff, server);
    for (const width of WIDTHS) {
      await t.step(`${width} px`, () =>
        withServerOutput(server, async () => {
          await resident.setViewportSize({ width, height: 800 });
          await staff.setViewportSize({ width, height: 800 });
          const w: Walk = {
            server,
            resident,
            staff,
            residentProblems,
            staffProblems,
            javaScript,
            width,
          };
          const tag = `${javaScript ? "js" : "bez-js"}-${width}`;
          const number = await residentReportsFault(
            w,
            `Zaciek na suficie w łazience (${tag}).`,
          );
          const reply = `Hydraulik przyjdzie w czwartek (${tag}).`;
          await staffReplies(w, number, reply);
          const answer = `Dziękuję, będę w domu (${tag}).`;
          await residentAnswers(w, reply, answer);
          await staffCloses(w, answer);
          await residentSeesClosed(w);
        }));
    }
    assertNoProblems(residentProblems, `resident, JavaScript ${javaScript ? "on" : "off"}`);
    assertNoProblems(staffProblems, `staff, JavaScript ${javaScript ? "on" : "off"}`);
  });
}
