/**
 * The page shell in a real browser, against the real server, with JavaScript on and off:
 * language, one h1, the main menu and its current item, zero axe violations, the skip link and
 * the menu reachable by keyboard, htmx loaded under the strict CSP with no violation, and the
 * menu folded above the content on a phone.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  checkAccessibility,
  describeViolations,
  launchBrowser,
  newPage,
  screenshot,
  startServer,
  withServerOutput,
} from "./harness.ts";

const PAGES = [
  { path: "/", current: "Strona główna", shot: "home" },
  { path: "/pomoc", current: "Instrukcja obsługi", shot: "help" },
];
const PHONE = { width: 375, height: 740 };

/** What has the keyboard focus, described for assertions and their messages. */
type Focus = {
  tag: string;
  id: string;
  text: string;
  href: string | null;
  inNav: boolean;
  inMain: boolean;
  afterMain: boolean;
};

function focused(page: Page): Promise<Focus> {
  return page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const d = (globalThis as any).document;
    const el = d.activeElement;
    const main = d.querySelector("main");
    const following = 4; // Node.DOCUMENT_POSITION_FOLLOWING
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 80),
      href: el.getAttribute("href"),
      inNav: !!el.closest('nav[aria-label="Menu główne"]'),
      inMain: main !== null && main !== el && main.contains(el),
      afterMain: main !== null && main !== el && !main.contains(el) &&
        (main.compareDocumentPosition(el) & following) !== 0,
    };
  });
}

/**
 * Collects what would betray a CSP violation or a broken script: console messages naming the
 * Content Security Policy (logged with JavaScript off too), uncaught page errors, and — where
 * page scripts run — `securitypolicyviolation` events, recorded by an init script (init scripts
 * come through the protocol, so the CSP does not stop them).
 */
async function watchProblems(page: Page) {
  const csp: string[] = [];
  const errors: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    // deno-lint-ignore no-explicit-any
    const w = globalThis as any;
    w.__cspViolations = [];
    w.document.addEventListener("securitypolicyviolation", (e: {
      violatedDirective: string;
      blockedURI: string;
      sourceFile: string;
      lineNumber: number;
    }) => {
      w.__cspViolations.push(
        `${e.violatedDirective} blocked ${
          e.blockedURI || "inline"
        } at ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  });
  return {
    csp,
    errors,
    /** The `securitypolicyviolation` events of the current document (JavaScript on only). */
    events: () =>
      // deno-lint-ignore no-explicit-any
      page.evaluate(() => ((globalThis as any).__cspViolations ?? []) as string[]),
  };
}

async function assertNoAxeViolations(page: Page, where: string) {
  const violations = await checkAccessibility(page);
  assert.deepEqual(violations, [], `axe on ${where}:\n${describeViolations(violations)}`);
}

Deno.test({
  name: "page shell in Chromium: lang, h1, menu, axe, keyboard, CSP — JavaScript on and off",
  async fn(t) {
    await using server = await startServer();
    await using browser = await launchBrowser();

    for (const javaScript of [true, false]) {
      const mode = javaScript ? "JavaScript on" : "JavaScript off";
      for (const { path, current, shot } of PAGES) {
        await t.step(`${path} with ${mode}`, () =>
          withServerOutput(server, async () => {
            const where = `${path} (${mode})`;
            await using page = await newPage(browser, { javaScript });
            const problems = await watchProblems(page);
            const url = server.baseUrl + path;

            const response = await page.goto(url);
            assert.equal(response?.status(), 200, `GET ${path}`);

            // Structure.
            assert.equal(await page.locator("html").getAttribute("lang"), "pl");
            assert.equal(await page.locator("h1").count(), 1, `exactly one h1 on ${where}`);
            const nav = page.locator('nav[aria-label="Menu główne"]');
            assert.equal(await nav.count(), 1, `one nav "Menu główne" on ${where}`);
            const currentLinks = nav.locator('a[aria-current="page"]');
            assert.equal(await currentLinks.count(), 1, `one current menu item on ${where}`);
            assert.equal((await currentLinks.textContent())?.trim(), current);
            assert.equal(await currentLinks.getAttribute("href"), path);
            const menu = (await nav.locator("a").allTextContents()).map((s) => s.trim());
            assert.ok(menu.length >= 1 && menu.length <= 8, `1–8 menu items, got ${menu}`);

            // Scripts: htmx and app.js load under the CSP with JavaScript on, nothing runs off.
            const scripts = await page.evaluate(() => {
              // deno-lint-ignore no-explicit-any
              const w = globalThis as any;
              return {
                htmx: typeof w.htmx === "undefined" ? null : String(w.htmx.version),
                appJs: w.document.documentElement.classList.contains("js"),
              };
            });
            if (javaScript) {
              assert.match(scripts.htmx ?? "htmx missing", /^2\./, `htmx 2 loaded on ${where}`);
              assert.equal(scripts.appJs, true, `app.js ran on ${where}`);
            } else {
              assert.deepEqual(scripts, { htmx: null, appJs: false }, `no script ran on ${where}`);
            }

            await assertNoAxeViolations(page, where);
            await screenshot(page, `shell-${shot}-desktop-${javaScript ? "js" : "nojs"}`);

            // Keyboard: the first Tab lands on the skip link, shown on screen; Enter on it moves
            // the focus to the main content, and the next Tab goes on from there.
            await page.keyboard.press("Tab");
            const skip = await focused(page);
            assert.deepEqual(
              { tag: skip.tag, text: skip.text, href: skip.href },
              { tag: "a", text: "Przejdź do treści", href: "#tresc" },
              `first Tab on ${where}`,
            );
            const box = await page.locator(":focus").boundingBox();
            assert.ok(
              box && box.y >= 0 && box.x >= 0 && box.width > 0 && box.height > 0,
              `the focused skip link is visible on screen on ${where}: ${JSON.stringify(box)}`,
            );
            await page.keyboard.press("Enter");
            const target = await focused(page);
            assert.deepEqual({ tag: target.tag, id: target.id }, { tag: "main", id: "tresc" });
            assert.equal(
              new URL(page.url()).pathname,
              path,
              "the skip link does not leave the page",
            );
            await page.keyboard.press("Tab");
            const afterSkip = await focused(page);
            assert.ok(
              afterSkip.inMain || afterSkip.afterMain,
              `Tab after the skip link goes into the content on ${where}, got ${
                JSON.stringify(afterSkip)
              }`,
            );

            // Keyboard from the top of a fresh load: skip link, then on through the header to
            // every menu link in order, all before anything in the main content.
            await page.goto(url);
            const stops: Focus[] = [];
            for (let i = 0; i < menu.length + 6; i++) {
              await page.keyboard.press("Tab");
              const f = await focused(page);
              stops.push(f);
              if (f.inMain || f.afterMain || f.tag === "body") break;
            }
            const describe = stops.map((s) => `${s.tag}${s.inNav ? "[nav]" : ""} "${s.text}"`)
              .join(" → ");
            assert.equal(stops[0]?.text, "Przejdź do treści", `tab order on ${where}: ${describe}`);
            const firstMenu = stops.findIndex((s) => s.inNav);
            assert.ok(firstMenu > 0, `Tab reaches the menu on ${where}: ${describe}`);
            assert.deepEqual(
              stops.slice(firstMenu, firstMenu + menu.length).map((s) => s.inNav ? s.text : null),
              menu,
              `menu links in order, one Tab each, on ${where}: ${describe}`,
            );
            assert.ok(
              stops.slice(0, firstMenu).every((s) => !s.inMain && !s.afterMain),
              `the menu comes before the content in tab order on ${where}: ${describe}`,
            );

            // No CSP violation and no script error, all along.
            assert.deepEqual(problems.csp, [], `CSP messages in the console on ${where}`);
            assert.deepEqual(problems.errors, [], `uncaught errors on ${where}`);
            if (javaScript) {
              assert.deepEqual(await problems.events(), [], `securitypolicyviolation on ${where}`);
            }
          }));
      }
    }

    for (const javaScript of [true, false]) {
      const mode = javaScript ? "JavaScript on" : "JavaScript off";
      await t.step(
        `phone 375×740 with ${mode}: the menu above the content`,
        () =>
          withServerOutput(server, async () => {
            const where = `/ on a phone (${mode})`;
            await using page = await newPage(browser, { javaScript, viewport: PHONE });
            const problems = await watchProblems(page);
            await page.goto(server.baseUrl + "/");
            const nav = await page.locator('nav[aria-label="Menu główne"]').boundingBox();
            const main = await page.locator("main#tresc").boundingBox();
            assert.ok(nav && main, `nav and main are rendered on ${where}`);
            assert.ok(
              nav.y + nav.height <= main.y,
              `nav (bottom ${nav.y + nav.height}) above main (top ${main.y}) on ${where}`,
            );
            const overflow = await page.evaluate(() => {
              // deno-lint-ignore no-explicit-any
              const d = (globalThis as any).document.documentElement;
              return d.scrollWidth - d.clientWidth;
            });
            assert.ok(overflow <= 0, `no sideways scrolling on ${where}: ${overflow}px too wide`);
            await assertNoAxeViolations(page, where);
            await screenshot(page, `shell-home-phone-${javaScript ? "js" : "nojs"}`);
            assert.deepEqual(problems.csp, [], `CSP messages in the console on ${where}`);
            assert.deepEqual(problems.errors, [], `uncaught errors on ${where}`);
            if (javaScript) {
              assert.deepEqual(await problems.events(), [], `securitypolicyviolation on ${where}`);
            }
          }),
      );
    }
  },
});
