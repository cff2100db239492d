/**
 * The page shell in a real browser, against the real server, with JavaScript on and off:
 * language, one h1, the main menu and its current item, zero axe violations, the skip link and
 * the menu reachable by keyboard, htmx loaded under the strict CSP with no violation, and the
 * menu folded above the content on a phone: one row, a "Menu" disclosure that opens without
 * JavaScript.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  assertNoAxeViolations,
  assertNoProblems,
  focusedElement,
  launchBrowser,
  newPage,
  screenshot,
  startServer,
  tabStops,
  watchPage,
  withServerOutput,
} from "./harness.ts";

const PAGES = [
  { path: "/", current: "Strona główna", shot: "home" },
  { path: "/pomoc", current: "Pomoc", shot: "help" },
];
const PHONE = { width: 375, height: 740 };
const MENU = 'nav[aria-label="Menu główne"]';

/** htmx and app.js ran (JavaScript on), or nothing did (off). */
async function assertScripts(page: Page, javaScript: boolean, where: string) {
  const scripts = await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const w = globalThis as any;
    return {
      htmx: typeof w.htmx === "undefined" ? null : String(w.htmx.version),
      appJs: w.document.documentElement.classList.contains("js"),
    };
  });
  if (javaScript) {
    assert.match(scripts.htmx ?? "(window.htmx undefined)", /^2\./, `htmx 2 on ${where}`);
    assert.equal(scripts.appJs, true, `app.js ran on ${where}`);
  } else {
    assert.deepEqual(scripts, { htmx: null, appJs: false }, `no script ran on ${where}`);
  }
}

/** `<html lang="pl">`, one h1, one main menu with one current item; returns the menu labels. */
async function assertStructure(page: Page, path: string, current: string, where: string) {
  assert.equal(await page.locator("html").getAttribute("lang"), "pl", `lang on ${where}`);
  assert.equal(await page.locator("h1").count(), 1, `exactly one h1 on ${where}`);
  const nav = page.locator(MENU);
  assert.equal(await nav.count(), 1, `one <nav aria-label="Menu główne"> on ${where}`);
  const currentItem = nav.locator('a[aria-current="page"]');
  assert.equal(await currentItem.count(), 1, `one aria-current="page" item on ${where}`);
  assert.equal((await currentItem.textContent())?.trim(), current, `current item on ${where}`);
  assert.equal(await currentItem.getAttribute("href"), path, `current item's href on ${where}`);
  const labels = (await nav.locator("a").allTextContents()).map((s) => s.trim());
  assert.ok(labels.length >= 1 && labels.length <= 8, `1–8 menu items on ${where}: ${labels}`);
  return labels;
}

/**
 * The first Tab lands on the skip link, which then shows on screen; Enter on it moves the focus
 * to main#tresc without leaving the page, and the next Tab goes on inside (or after) the content.
 */
async function assertSkipLink(page: Page, path: string, where: string) {
  await page.keyboard.press("Tab");
  const skip = await focusedElement(page);
  assert.deepEqual(
    { tag: skip.tag, text: skip.text, href: skip.href },
    { tag: "a", text: "Przejdź do treści", href: "#tresc" },
    `the first Tab on ${where}`,
  );
  const box = await page.locator(":focus").boundingBox();
  assert.ok(
    box && box.x >= 0 && box.y >= 0 && box.width > 0 && box.height > 0,
    `the focused skip link shows on screen on ${where}: ${JSON.stringify(box)}`,
  );
  await page.keyboard.press("Enter");
  const target = await focusedElement(page);
  assert.deepEqual({ tag: target.tag, id: target.id }, { tag: "main", id: "tresc" }, where);
  assert.equal(new URL(page.url()).pathname, path, `the skip link stays on ${where}`);
  await page.keyboard.press("Tab");
  const next = await focusedElement(page);
  assert.ok(
    next.inMain || next.afterMain,
    `Tab after the skip link goes on in the content on ${where}: ${JSON.stringify(next)}`,
  );
}

/** From the top of the page: the skip link, then every menu link in order, before the content. */
async function assertMenuByKeyboard(page: Page, labels: string[], where: string) {
  const stops = await tabStops(page, labels.length + 8, (f) => f.inMain || f.afterMain);
  const order = stops.map((s) => `${s.tag}${s.inNav ? "[menu]" : ""} "${s.text}"`).join(" → ");
  assert.equal(stops[0]?.text, "Przejdź do treści", `tab order on ${where}: ${order}`);
  const first = stops.findIndex((s) => s.inNav);
  assert.ok(first > 0, `Tab reaches the menu on ${where}: ${order}`);
  assert.deepEqual(
    stops.slice(first, first + labels.length).map((s) => s.inNav ? s.text : `(${s.text})`),
    labels,
    `each menu link in turn, one Tab each, on ${where}: ${order}`,
  );
  assert.ok(
    stops.slice(0, first).every((s) => !s.inMain && !s.afterMain),
    `the menu comes before the content in tab order on ${where}: ${order}`,
  );
}

Deno.test("page shell in Chromium: lang, h1, menu, axe, keyboard, CSP — JavaScript on and off", async (t) => {
  await using server = await startServer();
  await using browser = await launchBrowser();
  const step = (name: string, fn: () => Promise<void>) =>
    t.step(name, () => withServerOutput(server, fn));

  for (const javaScript of [true, false]) {
    const mode = javaScript ? "JavaScript on" : "JavaScript off";
    const suffix = javaScript ? "js" : "nojs";

    for (const { path, current, shot } of PAGES) {
      await step(`${path} with ${mode}`, async () => {
        const where = `${path} (${mode})`;
        await using page = await newPage(browser, { javaScript });
        const problems = await watchPage(page);
        const url = server.baseUrl + path;

        const response = await page.goto(url);
        assert.equal(response?.status(), 200, `GET ${path}`);
        const labels = await assertStructure(page, path, current, where);
        await assertScripts(page, javaScript, where);
        await assertNoAxeViolations(page, where);
        await screenshot(page, `shell-${shot}-desktop-${suffix}`);

        await assertSkipLink(page, path, where);
        await page.goto(url);
        await assertMenuByKeyboard(page, labels, where);
        assertNoProblems(problems, where);
      });
    }

    await step(`phone 375×740 with ${mode}: the menu above the content`, async () => {
      const where = `/ on a phone (${mode})`;
      await using page = await newPage(browser, { javaScript, viewport: PHONE });
      const problems = await watchPage(page);
      await page.goto(server.baseUrl + "/");

      const nav = await page.locator(MENU).boundingBox();
      const main = await page.locator("main#tresc").boundingBox();
      assert.ok(nav && main, `nav and main are rendered on ${where}`);
      assert.ok(
        nav.y + nav.height <= main.y,
        `the menu (bottom ${nav.y + nav.height}) is above main (top ${main.y}) on ${where}`,
      );
      assert.ok(nav.height <= 64, `the menu takes one row on ${where}: ${nav.height} px`);
      const summary = page.locator(`${MENU} details > summary`);
      assert.match((await summary.textContent()) ?? "", /Menu: Strona główna/, where);
      const first = page.locator(`${MENU} a`).first();
      assert.equal(await first.isVisible(), false, `the menu starts folded on ${where}`);
      await summary.click();
      assert.ok(await first.isVisible(), `the "Menu" button opens the menu on ${where}`);
      const tooWide = await page.evaluate(() => {
        // deno-lint-ignore no-explicit-any
        const root = (globalThis as any).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      assert.ok(tooWide <= 0, `no sideways scrolling on ${where}: ${tooWide}px too wide`);
      await assertNoAxeViolations(page, where);
      await screenshot(page, `shell-home-phone-${suffix}`);
      assertNoProblems(problems, where);
    });
  }
});
