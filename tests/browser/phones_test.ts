/**
 * Money in sight on every phone, on any date (issue 10). For each of the demo flat's four states —
 * due, overdue with interest, settled, overpaid: the server's clock is set to a day that gives
 * it (`EBOK_TODAY`, see domain/demo/demo_data.ts) — every resident page at 320, 375 and 1280 px,
 * JavaScript on and off:
 *
 * - the document does not scroll sideways;
 * - every amount of money and every date in `main` (all `<details>` opened) lies inside the
 *   viewport and inside any box that clips it (no money in a table that scrolls sideways; the
 *   charts, which scroll inside their frame, are images whose figures are in the table beside
 *   them, so their SVG text is not counted);
 * - on a phone the main menu is one row, a `<details>` disclosure that opens without JavaScript;
 *   on a desktop its links show;
 * - the first screen of /ebok (320 × 640, 375 × 667) shows the amount due — or "Rozliczone",
 *   or the overpayment — and, when something is due, the date to pay by; the words match the
 *   state;
 * - zero axe violations on every page at 320 px (JavaScript on, the overdue state: the pages
 *   with the most on them; all_pages_test checks every page at 1280 px, on and off).
 *
 * Then, on one server: nothing of the account after "Wyloguj" and Back (JavaScript on: htmx's
 * history; off: the browser's own), the busy spinner on a slow login, a focus outline that is
 * not the error colour, chart labels of 14 px, the office hours and the emergency number.
 * The JavaScript-on run of the due and overpaid states writes the first screens of /ebok,
 * /ebok/saldo and /ebok/wplaty at 320 px to docs/screenshots/phone-*.png.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { DemoFlatState } from "../../domain/demo/demo_data.ts";
import {
  checkAccessibility,
  DEMO_STATE_DATES,
  describeViolations,
  launchBrowser,
  newPage,
  repoRoot,
  type Server,
  startServer,
  type TestPage,
  withServerOutput,
} from "./harness.ts";

const PAGES = [
  "/ebok",
  "/ebok/saldo",
  "/ebok/naliczenia",
  "/ebok/wplaty",
  "/ebok/woda",
  "/ebok/woda/odczyt",
  "/ebok/konto",
  "/pomoc",
];
/** Pages that show money in every state. */
const MONEY_PAGES = new Set(["/ebok", "/ebok/saldo", "/ebok/naliczenia", "/ebok/wplaty"]);
const VIEWPORTS = [
  { width: 320, height: 640 },
  { width: 375, height: 667 },
  { width: 1280, height: 800 },
];
const STATES: DemoFlatState[] = ["due", "overdue", "settled", "overpaid"];
const MENU = 'nav[aria-label="Menu główne"]';
const WAIT_MS = 10_000;
const DOCS_SCREENSHOTS = join(repoRoot, "docs", "screenshots");
/** The JavaScript-on run of these states writes these pages' first screens at 320 px. */
const SCREENSHOT_STATES = new Set<DemoFlatState>(["due", "overpaid"]);
const SCREENSHOT_PAGES = new Set(["/ebok", "/ebok/saldo", "/ebok/wplaty"]);
/** axe runs at 320 px in the state with the most on its pages (arrears, interest). */
const AXE_STATE: DemoFlatState = "overdue";
const DOCS_SCREENSHOT_MAX_BYTES = 300 * 1024;

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

function plain(text: string | null): string {
  return (text ?? "").replace(/[\u00a0\u202f]/g, " ").replace(/\s+/g, " ").trim();
}

async function logIn(browser: Browser, server: Server, javaScript: boolean) {
  await using page = await newPage(browser, { javaScript });
  await page.goto(`${server.baseUrl}/logowanie`);
  await page.fill("#identifier", server.demo.resident.identifier);
  await page.fill("#password", server.demo.resident.password);
  await Promise.all([
    page.waitForURL(`${server.baseUrl}/ebok`, { timeout: WAIT_MS }),
    page.click("form[action='/logowanie'] button[type=submit]"),
  ]);
  return await page.context().storageState();
}

type Placement = {
  /** How many CSS px the document is wider than the viewport. */
  sideways: number;
  /** Money amounts and dates found in main (rendered ones). */
  found: number;
  /** Those outside the viewport or cut off by a clipping box, described. */
  outside: string[];
};

/**
 * Opens every `<details>` in main (so folded amounts count too), then finds each money amount
 * ("1 234,56 zł") and date ("15.12.2026") in main's text and checks its boxes against the
 * viewport and every clipping ancestor. SVG text (the charts) is left out.
 */
function moneyPlacement(page: Page): Promise<Placement> {
  return page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const w = globalThis as any;
    const d = w.document;
    const main = d.querySelector("main");
    for (const details of main.querySelectorAll("details")) details.open = true;
    const root = d.documentElement;
    const vw = root.clientWidth;
    const re = /−?\d{1,3}(?:[\u00a0 ]\d{3})*,\d{2}[\u00a0 ]zł|\b\d{2}\.\d{2}\.\d{4}\b/g;
    const walker = d.createTreeWalker(main, 4 /* NodeFilter.SHOW_TEXT */);
    const outside: string[] = [];
    let found = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest("svg")) continue;
      for (const m of node.data.matchAll(re)) {
        const range = d.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
        if (rects.length === 0) continue; // not rendered (e.g. a visually hidden header)
        if (parent.closest(".visually-hidden")) continue;
        found++;
        const label = `"${m[0].replace(/\u00a0/g, " ")}" in <${parent.tagName.toLowerCase()}` +
          `${parent.className ? ` class="${parent.className}"` : ""}>`;
        for (const r of rects) {
          if (r.left < -0.5 || r.right > vw + 0.5) {
            outside.push(
              `${label} at ${Math.round(r.left)}…${Math.round(r.right)} (viewport ${vw})`,
            );
          }
          for (let a = parent; a && a !== d.body; a = a.parentElement) {
            const style = w.getComputedStyle(a);
            if (style.overflowX === "visible" && style.overflowY === "visible") continue;
            const box = a.getBoundingClientRect();
            if (r.left < box.left - 0.5 || r.right > box.right + 0.5) {
              outside.push(
                `${label} cut off by <${a.tagName.toLowerCase()} class="${a.className}"> ` +
                  `(${Math.round(r.left)}…${Math.round(r.right)} vs ${Math.round(box.left)}…` +
                  `${Math.round(box.right)})`,
              );
            }
          }
        }
      }
    }
    return { sideways: root.scrollWidth - vw, found, outside: outside.slice(0, 8) };
  });
}

/** The main menu on a phone: one row with a "Menu" disclosure; on a desktop: the links. */
async function assertMenu(page: Page, width: number, where: string) {
  const nav = page.locator(MENU);
  const summary = nav.locator("details.menu-fold > summary");
  const links = nav.locator("a");
  if (width < 768) {
    assert.ok(await summary.isVisible(), `the "Menu" button shows on ${where}`);
    const box = await nav.boundingBox();
    assert.ok(box && box.height <= 64, `the menu is one row on ${where}: ${JSON.stringify(box)}`);
    assert.equal(await links.first().isVisible(), false, `the menu starts folded on ${where}`);
  } else {
    assert.equal(await summary.isVisible(), false, `no "Menu" button on ${where}`);
    const count = await links.count();
    for (let i = 0; i < count; i++) {
      assert.ok(await links.nth(i).isVisible(), `menu link ${i + 1} shows on ${where}`);
    }
  }
}

/** What /ebok's first screen says, and where its amount and date are (scrolled to the top). */
async function firstScreen(page: Page) {
  return await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const d = (globalThis as any).document;
    const box = (el: { getBoundingClientRect(): { top: number; bottom: number } } | null) =>
      el
        ? { top: el.getBoundingClientRect().top, bottom: el.getBoundingClientRect().bottom }
        : null;
    const summary = d.querySelector("main section.summary");
    return {
      words: summary?.querySelector(".balance")?.textContent ?? "",
      sentence: summary?.querySelector(".due-line")?.textContent ?? "",
      balance: box(summary?.querySelector(".balance") ?? null),
      dueDate: box(summary?.querySelector(".due-date") ?? null),
    };
  });
}

/** The state's words on /ebok's summary. */
function assertStateWords(
  state: DemoFlatState,
  screen: Awaited<ReturnType<typeof firstScreen>>,
  where: string,
) {
  const words = plain(screen.words);
  const sentence = plain(screen.sentence);
  const money = String.raw`\d{1,3}(?: \d{3})*,\d{2} zł`;
  if (state === "due") {
    assert.match(words, new RegExp(`^Do zapłaty ${money}$`), where);
    assert.match(sentence, new RegExp(`^Zapłać ${money} do \\d{2}\\.12\\.2026\\.$`), where);
  } else if (state === "overdue") {
    assert.match(words, new RegExp(`^Do zapłaty ${money}$`), where);
    assert.match(
      sentence,
      new RegExp(
        `^Zapłać ${money} do \\d{2}\\.12\\.2026\\. W tym zaległość ${money}: opłaty za ` +
          `październik, listopad 2026 i odsetki za zwłokę — `,
      ),
      where,
    );
  } else if (state === "settled") {
    assert.equal(words, "Rozliczone", where);
    assert.equal(sentence, "Nic nie musisz teraz płacić.", where);
  } else {
    assert.match(words, new RegExp(`^Nadpłata ${money}$`), where);
    assert.match(sentence, /^Nadpłata — nic nie musisz płacić\./, where);
  }
}

/** The top of the page at 320 px: the first screen, or `height` px of it. */
async function docsScreenshot(page: Page, name: string, height?: number) {
  await mkdir(DOCS_SCREENSHOTS, { recursive: true });
  const path = join(DOCS_SCREENSHOTS, name);
  await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).scrollTo(0, 0);
  });
  const width = page.viewportSize()!.width;
  const timeout = 30_000; // a picture, not a check: a busy machine may take its time
  await page.screenshot(
    height
      ? { path, fullPage: true, clip: { x: 0, y: 0, width, height }, caret: "initial", timeout }
      : { path, fullPage: false, caret: "initial", timeout },
  );
  const { size } = await Deno.stat(path);
  assert.ok(size < DOCS_SCREENSHOT_MAX_BYTES, `${name} is ${size} bytes, over ~300 KB`);
}

Deno.test("phones: every resident page, four states of the demo flat, 320/375/1280 px, JavaScript on and off — money in sight, no sideways scroll", async (t) => {
  await using browser = await launchBrowser();
  const started = performance.now();

  for (const state of STATES) {
    const today = DEMO_STATE_DATES[state];
    await t.step(`${state} (${today})`, async (t) => {
      await using server = await startServer({ today });
      for (const javaScript of [true, false]) {
        const mode = javaScript ? "JavaScript on" : "JavaScript off";
        await t.step(mode, () =>
          withServerOutput(server, async () => {
            const storageState: StorageState = await logIn(browser, server, javaScript);
            await using page: TestPage = await newPage(browser, {
              javaScript,
              viewport: VIEWPORTS[0],
              context: { storageState },
            });
            page.setDefaultTimeout(WAIT_MS);
            const failures: string[] = [];
            // Each page is loaded once and laid out at each width in turn (the layout is CSS
            // only: media and container queries follow the viewport).
            for (const path of PAGES) {
              await page.setViewportSize(VIEWPORTS[0]);
              const response = await page.goto(server.baseUrl + path);
              assert.equal(response?.status(), 200, `GET ${path} (${state}, ${mode})`);
              for (const viewport of VIEWPORTS) {
                const where = `${path}, ${state}, ${viewport.width} px, ${mode}`;
                await page.setViewportSize(viewport);
                await assertMenu(page, viewport.width, where);
                if (path === "/ebok") {
                  const screen = await firstScreen(page);
                  assertStateWords(state, screen, where);
                  if (viewport.width < 768) {
                    assert.ok(
                      screen.balance && screen.balance.bottom <= viewport.height,
                      `the amount due is on the first screen of ${where}: ${
                        JSON.stringify(screen.balance)
                      }`,
                    );
                    if (state === "due" || state === "overdue") {
                      assert.ok(
                        screen.dueDate && screen.dueDate.bottom <= viewport.height,
                        `the date to pay by is on the first screen of ${where}: ${
                          JSON.stringify(screen.dueDate)
                        }`,
                      );
                    }
                  }
                }
                if (javaScript && viewport.width === 320) {
                  if (SCREENSHOT_STATES.has(state) && SCREENSHOT_PAGES.has(path)) {
                    await docsScreenshot(
                      page,
                      `phone-${path.slice(1).replace("/", "-")}-${state}.png`,
                      path === "/ebok" ? undefined : 1500,
                    );
                  }
                  if (state === AXE_STATE) {
                    const violations = await checkAccessibility(page);
                    if (violations.length) {
                      failures.push(`axe on ${where}:\n${describeViolations(violations)}`);
                    }
                  }
                }
                const placed = await moneyPlacement(page);
                if (placed.sideways > 0) {
                  failures.push(`${where}: the page scrolls sideways by ${placed.sideways} px`);
                }
                if (placed.outside.length) {
                  failures.push(`${where}: out of sight:\n  ${placed.outside.join("\n  ")}`);
                }
                if (MONEY_PAGES.has(path) && placed.found === 0) {
                  failures.push(`${where}: no amount of money found (the check saw nothing)`);
                }
              }
            }
            assert.deepEqual(failures, [], failures.join("\n"));
          }));
      }
    });
  }
  console.log(
    `  4 states × ${PAGES.length} pages × 3 widths × 2: ${
      Math.round(performance.now() - started)
    } ms`,
  );
});

Deno.test("after logout, Back shows nothing of the account; busy spinner; focus; chart labels; contacts", async (t) => {
  await using browser = await launchBrowser();
  await using server = await startServer();
  const base = server.baseUrl;
  const { firstName, lastName } = { firstName: "Katarzyna", lastName: "Zielińska" };
  const step = (name: string, fn: () => Promise<void>) =>
    t.step(name, () => withServerOutput(server, fn));

  for (const javaScript of [true, false]) {
    const mode = javaScript ? "JavaScript on" : "JavaScript off";
    await step(`Wyloguj, then Back (${mode})`, async () => {
      await using page = await newPage(browser, { javaScript });
      page.setDefaultTimeout(WAIT_MS);
      await page.goto(`${base}/logowanie`);
      await page.fill("#identifier", server.demo.resident.identifier);
      await page.fill("#password", server.demo.resident.password);
      await Promise.all([
        page.waitForURL(`${base}/ebok`),
        page.click("form[action='/logowanie'] button[type=submit]"),
      ]);
      // Through the menu, as a resident goes (with JavaScript: htmx's boosted links).
      await Promise.all([
        page.waitForURL(`${base}/ebok/saldo`),
        page.locator(MENU).getByRole("link", { name: "Moje saldo" }).click(),
      ]);
      await page.locator("main h1", { hasText: "Moje saldo" }).waitFor();
      assert.match(await page.locator("body").innerText(), new RegExp(lastName));
      await Promise.all([
        page.waitForURL((u) => u.pathname === "/logowanie"),
        page.getByRole("button", { name: "Wyloguj" }).click(),
      ]);
      await page.locator("main h1").waitFor();
      await page.goBack().catch(() => {});
      // htmx restores a page from its snapshots or reloads it; give either time to happen.
      await page.waitForLoadState("load");
      await page.waitForTimeout(1_000);
      await page.waitForLoadState("load");
      const shown = await page.locator("body").innerText();
      const where = `Back after "Wyloguj" (${mode}), at ${page.url()}`;
      for (const word of [firstName, lastName, "Do zapłaty", "Rozliczone", "Nadpłata"]) {
        assert.ok(!shown.includes(word), `${where} shows "${word}":\n${shown.slice(0, 400)}`);
      }
      assert.equal(new URL(page.url()).pathname, "/logowanie", where);
      if (javaScript) {
        const stored = await page.evaluate(() =>
          // deno-lint-ignore no-explicit-any
          JSON.stringify((globalThis as any).sessionStorage)
        );
        assert.ok(!stored.includes(lastName), `nothing of the account in sessionStorage`);
      }
    });
  }

  await step("a slow login shows a busy spinner on its button (JavaScript on)", async () => {
    await using page = await newPage(browser, { javaScript: true });
    page.setDefaultTimeout(WAIT_MS);
    // The login waits 1.5 s on its way to the server, as an Argon2id login on a busy host can.
    await page.route("**/logowanie", async (route) => {
      if (route.request().method() === "POST") await new Promise((r) => setTimeout(r, 1_500));
      await route.continue();
    });
    await page.goto(`${base}/logowanie`);
    await page.fill("#identifier", server.demo.resident.identifier);
    await page.fill("#password", server.demo.resident.password);
    const button = page.locator("form[action='/logowanie'] button[type=submit]");
    // Caught here, so a failing check below does not leave it dangling.
    const arrived = page.waitForURL(`${base}/ebok`).catch(() => {});
    await button.click();
    await page.waitForTimeout(400);
    const busy = await button.evaluate((b) => {
      // deno-lint-ignore no-explicit-any
      const w = globalThis as any;
      const after = w.getComputedStyle(b, "::after");
      return {
        formBusy: b.closest("form").classList.contains("htmx-request"),
        content: after.content,
        animation: after.animationName,
        cursor: w.getComputedStyle(b).cursor,
      };
    });
    assert.deepEqual(
      busy,
      { formBusy: true, content: '""', animation: "busy-spin", cursor: "progress" },
      "the button shows a spinner while the login is on its way",
    );
    await arrived;
    assert.equal(new URL(page.url()).pathname, "/ebok", "the login went through");
  });

  await step("focus outline, chart labels, office hours and the emergency number", async () => {
    const storageState = await logIn(browser, server, true);
    await using page = await newPage(browser, {
      javaScript: true,
      viewport: VIEWPORTS[0],
      context: { storageState },
    });
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${base}/ebok/saldo`);

    // Focus is visible and never the error colour.
    await page.locator("main a").first().focus();
    const focus = await page.evaluate(() => {
      // deno-lint-ignore no-explicit-any
      const w = globalThis as any;
      const el = w.document.activeElement;
      const probe = w.document.createElement("span");
      probe.className = "error-text";
      w.document.body.append(probe);
      const error = w.getComputedStyle(probe).color;
      probe.remove();
      const style = w.getComputedStyle(el);
      return { outline: style.outlineColor, width: style.outlineWidth, error };
    });
    assert.notEqual(focus.outline, focus.error, `the focus outline is not the error colour`);
    assert.equal(focus.outline, "rgb(11, 61, 107)", "the focus outline is dark blue");
    assert.equal(focus.width, "3px");

    // Chart labels 14 px, and the charts keep their size on a phone (they scroll instead).
    for (
      const [path, chart] of [["/ebok/saldo", "#wykres-salda"], ["/ebok/woda", "#wykres-wody"]]
    ) {
      await page.goto(base + path);
      const sizes = await page.locator(`svg${chart}`).evaluate((svg) => {
        // deno-lint-ignore no-explicit-any
        const w = globalThis as any;
        const texts = [...svg.querySelectorAll("text")];
        return {
          count: texts.length,
          smallest: Math.min(...texts.map((x) => parseFloat(w.getComputedStyle(x).fontSize))),
          drawn: svg.getBoundingClientRect().width,
          own: Number(svg.getAttribute("width")),
        };
      });
      assert.ok(sizes.count > 5, `labels on the chart of ${path}`);
      assert.ok(sizes.smallest >= 14, `chart labels ≥ 14 px on ${path}: ${sizes.smallest}`);
      assert.ok(sizes.drawn >= sizes.own - 0.5, `the chart is not shrunk on ${path}`);
    }

    // The office's hours and the emergency number, on every page.
    const footer = plain(await page.locator("footer.site-footer").innerText());
    assert.match(footer, /Godziny pracy: poniedziałek 8:00–17:00, wtorek–piątek 7:00–15:00/);
    assert.match(footer, /W razie awarii .* tel\. \+48 76 833 41 99/);
    assert.equal(
      await page.locator("footer.site-footer a[href='tel:+48768334199']").count(),
      1,
      "the emergency number can be tapped",
    );
  });
});
