/**
 * The resident's balance views in a real browser, against the real server with demo data (the
 * demo resident holds a flat and a garage with two years of history), JavaScript on and off:
 * the dashboard (balance in words, bank account, copy button, transfer QR), the statement
 * (running balance, unit switcher, monthly charges opening to their components, chart and its
 * data table, filters — a page load without JavaScript, an htmx swap with history with it —
 * paging, CSV, print layout), the charges and payments pages, and a phone viewport. Every page
 * is checked with axe and for CSP violations and script errors, and screenshotted.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import {
  assertNoAxeViolations,
  assertNoProblems,
  launchBrowser,
  newPage,
  repoRoot,
  screenshotDir,
  softChecks,
  startServer,
  type TestPage,
  watchPage,
  withServerOutput,
} from "./harness.ts";

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };
const MENU = 'nav[aria-label="Menu główne"]';
const STATEMENT_ROWS = "#wyciag table.statement > tbody > tr";
const DOCS_SCREENSHOTS = join(repoRoot, "docs", "screenshots");
const DOCS_SCREENSHOT_MAX_BYTES = 300 * 1024;
/** How long to wait for an htmx swap or a navigation before the assertion that follows fails. */
const WAIT_MS = 5_000;
const SCREENSHOT_TIMEOUT_MS = 30_000;

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

/** Text with non-breaking and narrow spaces as plain ones, whitespace collapsed. */
function plain(text: string | null): string {
  return (text ?? "").replace(/[\u00a0\u202f]/g, " ").replace(/\s+/g, " ").trim();
}

async function text(locator: Locator): Promise<string> {
  return plain(await locator.textContent());
}

/** "1 234,56 zł" / "−45,70 zł" → grosze; "" → 0. */
function grosze(amount: string): number {
  const t = plain(amount).replace(/ /g, "").replace(/zł$/, "").replace("−", "-");
  if (t === "") return 0;
  assert.match(t, /^-?\d+,\d{2}$/, `an amount in złoty: "${amount}"`);
  return Math.round(Number(t.replace(",", ".")) * 100);
}

const BALANCE_WORDS = /^(?:(?:Do zapłaty|Nadpłata) \d{1,3}(?: \d{3})*,\d{2} zł|Rozliczone)$/;
const DATA_AS_OF = /^Dane z systemu księgowego według stanu na \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}\.$/;

/** Whether each button that needs JavaScript (sent `hidden`, shown by app.js) is on screen. */
function scriptButtonsShown(page: Page): Promise<boolean[]> {
  return page.locator("main button[data-copy], main button[data-print]").evaluateAll((buttons) =>
    buttons.map((b) => (b as unknown as { offsetParent: unknown }).offsetParent !== null)
  );
}

async function assertScriptButtons(page: Page, javaScript: boolean, where: string) {
  const shown = await scriptButtonsShown(page);
  assert.ok(shown.length > 0, `buttons that need JavaScript on ${where}`);
  assert.deepEqual(
    shown,
    shown.map(() => javaScript),
    javaScript
      ? `app.js shows the "Kopiuj numer"/"Drukuj zestawienie" buttons on ${where}`
      : `no "Kopiuj numer"/"Drukuj zestawienie" button shows without JavaScript on ${where}: ` +
        `they are sent \`hidden\`, but app.css's \`button { display: inline-block }\` ` +
        `overrides the UA's \`[hidden] { display: none }\``,
  );
}

/** Runs `action` (a click, a goto) and waits until the URL satisfies `check` (and has loaded). */
async function navigate(
  page: Page,
  action: () => Promise<unknown>,
  check: (url: URL) => boolean,
  where: string,
) {
  await Promise.all([
    page.waitForURL(check, { timeout: WAIT_MS }).catch((e) => {
      throw new Error(`${where}: the URL is ${page.url()}, not the one expected (${e})`);
    }),
    action(),
  ]);
}

/** Polls `fn` in the page (JavaScript on only: a scriptless page runs no timers). */
async function until(page: Page, fn: () => boolean): Promise<void> {
  await page.waitForFunction(fn, undefined, { timeout: WAIT_MS }).catch(() => {});
}

/** The `tr` rows of the statement: class, cells' text, amounts in grosze. */
async function statementRows(page: Page) {
  const rows = await page.locator(STATEMENT_ROWS).evaluateAll((trs) =>
    trs.map((tr) => ({
      kind: tr.getAttribute("class") ?? "",
      cells: [...tr.children].map((td) => td.textContent ?? ""),
    }))
  );
  return rows.map((r) => ({
    kind: r.kind,
    date: plain(r.cells[0]),
    operation: plain(r.cells[1]),
    charge: grosze(r.cells[2]),
    payment: grosze(r.cells[3]),
    balance: grosze(r.cells[4]),
  }));
}

/** Rows are newest first: each row's balance is the next (older) one's plus its own effect. */
function assertRunningBalance(rows: Awaited<ReturnType<typeof statementRows>>, where: string) {
  for (let i = 0; i + 1 < rows.length; i++) {
    const [row, older] = [rows[i], rows[i + 1]];
    assert.equal(
      row.balance,
      older.balance + row.charge - row.payment,
      `the running balance of row ${i + 1} (${row.date} ${row.operation.slice(0, 40)}) on ` +
        `${where}: ${older.balance} + ${row.charge} − ${row.payment}`,
    );
  }
}

/** The balance in words and a figure in grosze agree ("Do zapłaty" = positive). */
function assertWordsMatch(words: string, balance: number, where: string) {
  const expected = balance > 0 ? /^Do zapłaty / : balance < 0 ? /^Nadpłata / : /^Rozliczone$/;
  assert.match(words, expected, `the balance in words vs ${balance} gr on ${where}`);
  if (balance !== 0) assert.equal(grosze(words.replace(/^\D+/, "")), Math.abs(balance), where);
}

/** The page is no wider than the viewport; names what sticks out (outside `.table-wrap`) if not. */
async function assertNoSidewaysScroll(page: Page, where: string) {
  const result = await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const d = (globalThis as any).document;
    const root = d.documentElement;
    const width = root.clientWidth;
    const culprits: string[] = [];
    for (const el of d.querySelectorAll("body *")) {
      if (el.closest(".table-wrap") && !el.classList.contains("table-wrap")) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 0.5) {
        const id = el.id ? `#${el.id}` : "";
        const cls = typeof el.className === "string" && el.className
          ? `.${el.className.trim().split(/\s+/).join(".")}`
          : "";
        culprits.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(r.right)})`);
      }
    }
    return { tooWide: root.scrollWidth - width, width, culprits: culprits.slice(0, 8) };
  });
  assert.ok(
    result.tooWide <= 0,
    `no sideways scrolling on ${where}: ${result.tooWide}px wider than ${result.width}px; ` +
      `sticking out: ${result.culprits.join(", ")}`,
  );
}

/** Logs the demo resident in and returns the context's cookies for the pages that follow. */
async function logIn(
  browser: Browser,
  baseUrl: string,
  resident: { identifier: string; password: string },
  javaScript: boolean,
): Promise<StorageState> {
  await using page = await newPage(browser, { javaScript });
  await page.goto(`${baseUrl}/logowanie`);
  await page.locator("#identifier").fill(resident.identifier);
  await page.locator("#password").fill(resident.password);
  await navigate(
    page,
    () => page.getByRole("button", { name: "Zaloguj się" }).click(),
    (u) => u.pathname === "/ebok",
    "the login",
  );
  return await page.context().storageState();
}

/**
 * A full-page PNG in tests/output/screenshots/, like the harness's `screenshot`, but with
 * `caret: "initial"`: Playwright's default caret hiding leaves an empty `style=""` on every
 * input, which htmx's settle later copies onto the swapped-in input — `setAttribute("style")`,
 * which the CSP blocks, so the screenshot itself would cause a CSP report on the next swap.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({
    path: join(screenshotDir, `${name}.png`),
    fullPage: true,
    caret: "initial",
    // A picture, not a check: a long page on a busy machine may take its time.
    timeout: SCREENSHOT_TIMEOUT_MS,
  });
}

/** A viewport (not full-page) PNG for the README, in docs/screenshots/. */
async function docsScreenshot(page: Page, name: string) {
  await mkdir(DOCS_SCREENSHOTS, { recursive: true });
  const path = join(DOCS_SCREENSHOTS, name);
  await page.screenshot({
    path,
    fullPage: false,
    caret: "initial",
    timeout: SCREENSHOT_TIMEOUT_MS,
  });
  const { size } = await Deno.stat(path);
  assert.ok(size < DOCS_SCREENSHOT_MAX_BYTES, `${name} is ${size} bytes, over ~300 KB`);
}

/** Downloads the statement's CSV by its link and checks the BOM and the header row. */
async function assertCsvDownload(page: Page, where: string) {
  const link = page.getByRole("link", { name: "Pobierz CSV (Excel)" });
  assert.match((await link.getAttribute("href")) ?? "", /^\/ebok\/saldo\.csv\?/, where);
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: WAIT_MS }),
    link.click(),
  ]);
  assert.match(download.suggestedFilename(), /\.csv$/, `the file name (${where})`);
  const bytes = await Deno.readFile(await download.path());
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], `a UTF-8 BOM first (${where})`);
  const csv = new TextDecoder().decode(bytes.slice(3));
  const [header, ...rows] = csv.split(/\r?\n/).filter((l) => l !== "");
  assert.ok(
    header.startsWith("Data księgowania;Okres;"),
    `the header row (${where}): ${header}`,
  );
  assert.ok(rows.length > 20, `two years of rows in the CSV (${where}): ${rows.length}`);
}

Deno.test("balance views in Chromium: dashboard, statement, charges, payments — JavaScript on and off", async (t) => {
  await using server = await startServer();
  await using browser = await launchBrowser();
  const base = server.baseUrl;

  for (const javaScript of [true, false]) {
    const mode = javaScript ? "JavaScript on" : "JavaScript off";
    const suffix = javaScript ? "js" : "nojs";

    await t.step(mode, async (t) => {
      const storageState = await withServerOutput(
        server,
        () => logIn(browser, base, server.demo.resident, javaScript),
      );
      const open = async (viewport = DESKTOP): Promise<TestPage> => {
        const page = await newPage(browser, {
          javaScript,
          viewport,
          context: {
            storageState,
            permissions: javaScript ? ["clipboard-read", "clipboard-write"] : [],
          },
        });
        // A missing element fails its step in seconds, not Playwright's default 30 s.
        page.setDefaultTimeout(WAIT_MS);
        return page;
      };
      const step = (name: string, fn: () => Promise<void>) =>
        t.step(name, () => withServerOutput(server, fn));

      await step(`1. /ebok: units, balance, account number, QR (${mode})`, async () => {
        const where = `/ebok (${mode})`;
        await using page = await open();
        const problems = await watchPage(page);
        const response = await page.goto(`${base}/ebok`);
        assert.equal(response?.status(), 200, `GET /ebok`);

        // "Dzień dobry", the full name on its own line (UX.md).
        assert.equal(await text(page.locator("main h1")), "Dzień dobry", where);
        assert.match(
          await text(page.locator("main h1 + p.greeting-name")),
          /^\p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+$/u,
          where,
        );
        assert.equal(await page.locator("h1").count(), 1, `one h1 on ${where}`);
        const cards = page.locator("main section.unit-card");
        assert.equal(await cards.count(), 2, `a card per unit on ${where}`);
        assert.deepEqual(
          (await cards.locator("> p.muted").allTextContents()).map(plain),
          ["mieszkanie", "garaż"],
          `the flat's and the garage's cards on ${where}`,
        );
        const summary = page.locator("main section.summary");
        assert.match(await text(summary.locator("h2")), /^Razem za wszystkie lokale$/, where);
        assert.match(await text(summary.locator("p.big .balance")), BALANCE_WORDS, where);

        for (let i = 0; i < 2; i++) {
          const card = cards.nth(i);
          const name = `${await text(card.locator("h2"))} on ${where}`;
          assert.match(await text(card.locator("p.big .balance")), BALANCE_WORDS, name);
          const details = card.getByRole("link", { name: "Szczegóły salda i historia" });
          assert.match(
            (await details.getAttribute("href")) ?? "",
            /^\/ebok\/saldo\?lokal=\w+$/,
            `the card links its statement (${name})`,
          );

          const nrb = card.locator("code.nrb-value");
          const formatted = await text(nrb);
          assert.match(formatted, /^\d{2}( \d{4}){6}$/, `26 digits in groups (${name})`);
          const qr = card.locator("svg.transfer-qr[role=img]");
          assert.equal(await qr.count(), 1, `a transfer QR code (${name})`);
          assert.match(
            (await qr.getAttribute("aria-label")) ?? "",
            /^Kod QR przelewu: \S/,
            `the QR code's aria-label (${name})`,
          );
          assert.ok(await qr.isVisible(), `the QR code shows (${name})`);

          const copy = card.getByRole("button", { name: "Kopiuj numer", includeHidden: true });
          assert.equal(await copy.count(), 1, `a "Kopiuj numer" button (${name})`);
        }
        const soft = softChecks();
        await soft.check(() => assertScriptButtons(page, javaScript, where));
        assert.match(await text(page.locator("main p.data-as-of")), DATA_AS_OF, where);

        await assertNoAxeViolations(page, where);
        if (javaScript) await docsScreenshot(page, "dashboard.png");
        await screenshot(page, `balance-dashboard-desktop-${suffix}`);

        const firstCard = cards.first();
        const nrb = firstCard.locator("code.nrb-value");
        const digits = (await text(nrb)).replace(/ /g, "");
        if (javaScript) {
          const copy = firstCard.getByRole("button", { name: "Kopiuj numer" });
          await copy.click();
          await firstCard.getByRole("button", { name: "Skopiowano" }).waitFor({ timeout: WAIT_MS })
            .catch(() => {});
          assert.equal(
            await text(firstCard.locator("button[data-copy]")),
            "Skopiowano",
            `the button confirms the copy (${where})`,
          );
          const copied = await page.evaluate(() =>
            // deno-lint-ignore no-explicit-any
            (globalThis as any).navigator.clipboard.readText()
          );
          assert.equal(copied, digits, `the clipboard holds the 26 digits (${where})`);
          assert.match(copied, /^\d{26}$/, where);
        } else {
          assert.notEqual(
            await nrb.evaluate((el) =>
              // deno-lint-ignore no-explicit-any
              (globalThis as any).getComputedStyle(el).userSelect
            ),
            "none",
            `the number is selectable (${where})`,
          );
          await nrb.click({ clickCount: 3 });
          const selected = await page.evaluate(() =>
            // deno-lint-ignore no-explicit-any
            String((globalThis as any).getSelection())
          );
          assert.equal(
            plain(selected).replace(/ /g, ""),
            digits,
            `selecting the number takes its digits (${where})`,
          );
        }
        assertNoProblems(problems, where);
        soft.done(where);
      });

      await step(`2. /ebok/saldo: statement, switcher, details, chart (${mode})`, async () => {
        const where = `/ebok/saldo (${mode})`;
        await using page = await open();
        const problems = await watchPage(page);
        const response = await page.goto(`${base}/ebok/saldo`);
        assert.equal(response?.status(), 200, `GET /ebok/saldo`);
        assert.equal(await text(page.locator("main h1")), "Moje saldo", where);
        if (javaScript) await docsScreenshot(page, "saldo.png");
        await screenshot(page, `balance-saldo-desktop-${suffix}`);

        // The statement: newest first, with the balance after each operation.
        const headers = (await page.locator("table.statement > thead th").allTextContents())
          .map(plain);
        assert.deepEqual(
          headers,
          ["Data", "Operacja", "Opłata (+)", "Wpłata lub zwrot (−)", "Saldo po operacji"],
          `the statement's columns on ${where}`,
        );
        const rows = await statementRows(page);
        assert.equal(rows.length, 24, `a full first page of 24 lines on ${where}`);
        assertRunningBalance(rows, where);
        const lead = await text(page.locator("main p.lead .balance"));
        assertWordsMatch(lead, rows[0].balance, `the lead vs the newest line on ${where}`);
        assert.match(
          await text(page.locator("main p", { hasText: /^\s*Pozycji: / }).first()),
          /^Pozycji: \d+, od najnowszej\. Strona 1 z \d+\.$/,
          where,
        );
        assert.match(await text(page.locator("main p.data-as-of")), DATA_AS_OF, where);
        const print = page.getByRole("button", { name: "Drukuj zestawienie", includeHidden: true });
        assert.equal(await print.count(), 1, `a "Drukuj zestawienie" button on ${where}`);
        const soft = softChecks();
        await soft.check(() => assertScriptButtons(page, javaScript, where));
        await soft.check(async () => {
          // The month filter offers the months as a list (a month field makes some browsers
          // ask for "2026-11" typed by hand).
          const months = (await page.locator("select#okres option").allTextContents()).map(plain);
          assert.equal(months[0], "wszystkie", where);
          assert.ok(months.length > 12, `the months to choose from on ${where}: ${months}`);
          assert.ok(
            months.slice(1).every((m) => /^\p{Ll}+ \d{4}$/u.test(m)),
            `months in words on ${where}: ${months}`,
          );
        });

        // The unit switcher: to the garage and back.
        const switcher = page.locator('nav.unit-switcher[aria-label="Wybór lokalu"]');
        const current = switcher.locator('a[aria-current="true"]');
        assert.match(await text(current), /\/7$/, `the flat is the current unit on ${where}`);
        const unitId = async (name: RegExp) =>
          new URL(
            (await switcher.getByRole("link", { name }).getAttribute("href")) ?? "",
            base,
          ).searchParams.get("lokal");
        const unitIds = { flat: await unitId(/\/7$/), garage: await unitId(/garaż/) };
        assert.ok(unitIds.flat && unitIds.garage, `?lokal= in the switcher's links (${where})`);
        await navigate(
          page,
          () => switcher.getByRole("link", { name: /garaż/ }).click(),
          (u) => u.pathname === "/ebok/saldo" && u.searchParams.get("lokal") === unitIds.garage,
          `the garage via the unit switcher (${where})`,
        );
        await current.filter({ hasText: "garaż" }).waitFor({ timeout: WAIT_MS }).catch(() => {});
        assert.match(await text(current), /garaż G2$/, `the garage is current on ${where}`);
        assert.match(await text(page.locator("main p.lead")), /garaż G2: /, where);
        const garageRows = await statementRows(page);
        assert.ok(garageRows.length > 0, `the garage's statement has lines on ${where}`);
        assertRunningBalance(garageRows, `the garage's statement on ${where}`);
        await navigate(
          page,
          () => switcher.getByRole("link", { name: /\/7$/ }).click(),
          (u) => u.pathname === "/ebok/saldo" && u.searchParams.get("lokal") === unitIds.flat,
          `back to the flat via the unit switcher (${where})`,
        );
        await current.filter({ hasText: /\/7$/ }).waitFor({ timeout: WAIT_MS }).catch(() => {});
        assert.match(await text(current), /\/7$/, `the flat is current again on ${where}`);

        // A month's charges: one line that opens to its components and their basis.
        const charges = page.locator(`${STATEMENT_ROWS}.kind-charges`).first();
        const summary = charges.locator("details > summary");
        assert.match(await text(summary), /^Opłaty za \p{Ll}+ \d{4} \(\d+ składników\)$/u, where);
        const components = charges.locator("details table.components");
        assert.equal(await components.isVisible(), false, `the components start folded (${where})`);
        await summary.click();
        assert.equal(
          await charges.locator("details").evaluate((d) =>
            (d as unknown as { open: boolean }).open
          ),
          true,
          `the summary opens the line (${where})`,
        );
        assert.ok(await components.isVisible(), `the components show (${where})`);
        const basis = (await components.locator("tbody tr td:nth-child(2)").allTextContents())
          .map(plain);
        assert.ok(basis.some((b) => /m² × /.test(b)), `a "m² ×" basis (${where}): ${basis}`);

        // The chart, with its title, and its data as a table.
        const chart = page.locator("svg#wykres-salda");
        assert.equal(await chart.getAttribute("role"), "img", `the chart's role (${where})`);
        const title = chart.locator("> title");
        assert.equal(await title.count(), 1, `the chart has a <title> (${where})`);
        assert.match(await text(title), /^Opłaty w kolejnych miesiącach/, where);
        assert.equal(await chart.getAttribute("aria-labelledby"), await title.getAttribute("id"));
        const chartData = page.locator("section.chart details", {
          has: page.locator("summary", { hasText: "Dane wykresu w tabeli" }),
        });
        await chartData.locator("summary").click();
        const months = chartData.locator("table#wykres-salda-dane > tbody > tr > th");
        assert.ok(await months.first().isVisible(), `the chart's table opens (${where})`);
        const monthNames = (await months.allTextContents()).map(plain);
        assert.ok(monthNames.length >= 12, `a year or more of months (${where}): ${monthNames}`);
        assert.ok(
          monthNames.every((m) => /^\p{Ll}+ \d{4}$/u.test(m)),
          `month names (${where}): ${monthNames}`,
        );

        await soft.check(async () => {
          // The legend's colours are the series' colours.
          const paint = (selector: string) =>
            chart.locator(selector).first().evaluate((el) => {
              // deno-lint-ignore no-explicit-any
              const style = (globalThis as any).getComputedStyle(el);
              return { fill: style.fill, stroke: style.stroke };
            });
          const legendLine = await paint(".chart-legend line.chart-balance");
          const balanceLine = await paint("polyline");
          assert.equal(
            legendLine.stroke,
            balanceLine.stroke,
            `the legend's "saldo na koniec miesiąca" line has the balance line's colour on ` +
              `${where} (app.css .chart-balance { stroke } repaints the legend line, not the ` +
              `polyline, whose own stroke attribute wins over the <g>'s)`,
          );
          const legendSwatch = await paint(".chart-legend rect.chart-charge");
          const bar = await paint("g.chart-charge > rect");
          assert.equal(legendSwatch.fill, bar.fill, `the legend's bar colour on ${where}`);
        });

        await assertNoAxeViolations(page, `${where} with a <details> opened`);
        await screenshot(page, `balance-saldo-details-desktop-${suffix}`);
        assertNoProblems(problems, where);
        soft.done(where);
      });

      await step(`2. /ebok/saldo: filters, paging, CSV (${mode})`, async () => {
        const where = `/ebok/saldo filters (${mode})`;
        await using page = await open();
        const problems = await watchPage(page);
        await page.goto(`${base}/ebok/saldo`);
        const all = await statementRows(page);
        assert.ok(all.some((r) => r.kind === "kind-charges"), `charges before filtering`);
        const kind = page.getByLabel("Rodzaj operacji");

        const soft = softChecks();
        if (javaScript) {
          await page.evaluate(() => {
            // deno-lint-ignore no-explicit-any
            const w = globalThis as any;
            w.__ebokSamePage = true;
            // The live region that is to announce the new count of lines ("Pozycji: …").
            w.__ebokLiveRegion = [...w.document.querySelectorAll("main [aria-live]")]
              .find((el) => /^\s*Pozycji: /.test(el.textContent)) ?? null;
            w.__ebokLiveRegionText = w.__ebokLiveRegion?.textContent;
          });
          await navigate(
            page,
            () => kind.selectOption({ label: "Wpłata" }),
            (u) => u.searchParams.get("rodzaj") === "payment",
            `the URL pushed by the filter (${where})`,
          );
          await until(page, () => {
            // deno-lint-ignore no-explicit-any
            const d = (globalThis as any).document;
            const trs = [...d.querySelectorAll("#wyciag table.statement > tbody > tr")];
            return trs.length > 0 && trs.every((tr) => tr.classList.contains("kind-payment"));
          });
          assert.equal(
            await page.evaluate(() =>
              // deno-lint-ignore no-explicit-any
              (globalThis as any).__ebokSamePage
            ),
            true,
            `changing the filter swaps #wyciag in place, no page load (${where})`,
          );
          assert.equal(await page.locator("#wyciag").count(), 1, `one #wyciag after the swap`);
          assert.ok(
            await page.getByRole("button", { name: "Drukuj zestawienie" }).isVisible(),
            `app.js shows "Drukuj zestawienie" in the swapped-in region (${where})`,
          );
          await soft.check(async () => {
            const live = await page.evaluate(() => {
              // deno-lint-ignore no-explicit-any
              const w = globalThis as any;
              const before = w.__ebokLiveRegion;
              return {
                found: before !== null,
                stillInPage: before !== null && before.isConnected,
                text: before?.textContent ?? null,
                textBefore: w.__ebokLiveRegionText ?? null,
              };
            });
            assert.ok(live.found, `an aria-live region says "Pozycji: …" on ${where}`);
            assert.ok(
              live.stillInPage && /^Pozycji: \d+,/.test(plain(live.text)) &&
                live.text !== live.textBefore,
              `the aria-live="polite" count of lines is announced after the htmx filter swap ` +
                `on ${where}: screen readers announce changes to a live region already in the ` +
                `page, but hx-swap="outerHTML" on #wyciag replaces the region itself (the old ` +
                `one, still saying "${plain(live.text)}", is ${
                  live.stillInPage ? "in the page" : "gone"
                }), so the new count is never read out`,
            );
          });
        } else {
          await kind.selectOption({ label: "Wpłata" });
          await navigate(
            page,
            () => page.getByRole("button", { name: "Pokaż" }).click(),
            (u) => u.pathname === "/ebok/saldo" && u.searchParams.get("rodzaj") === "payment",
            `"Pokaż" (${where})`,
          );
          assert.equal(await kind.inputValue(), "payment", `the filter stays chosen (${where})`);
        }
        const payments = await statementRows(page);
        assert.ok(payments.length > 0, `payment lines (${where})`);
        assert.deepEqual(
          [...new Set(payments.map((r) => r.kind))],
          ["kind-payment"],
          `only payments after filtering (${where})`,
        );
        assert.match(
          (await page.getByRole("link", { name: "Pobierz CSV (Excel)" }).getAttribute("href")) ??
            "",
          /[?&]rodzaj=payment(&|$)/,
          `the CSV link follows the filter (${where})`,
        );
        await screenshot(page, `balance-saldo-filtered-desktop-${suffix}`);

        if (javaScript) {
          await navigate(
            page,
            () => page.goBack(),
            (u) => u.pathname === "/ebok/saldo" && !u.searchParams.has("rodzaj"),
            `Back after filtering (${where})`,
          );
          await until(page, () =>
            // deno-lint-ignore no-explicit-any
            (globalThis as any).document.querySelector(
              "#wyciag table.statement > tbody > tr.kind-charges",
            ) !== null);
          const restored = await statementRows(page);
          assert.deepEqual(
            restored.map((r) => `${r.date} ${r.kind}`),
            all.map((r) => `${r.date} ${r.kind}`),
            `Back restores the unfiltered list (${where})`,
          );
          assert.equal(await kind.inputValue(), "", `Back shows "wszystkie" again (${where})`);
          await page.goto(`${base}/ebok/saldo`);
        } else {
          await page.goto(`${base}/ebok/saldo`);
        }

        // Paging: "Starsze →" to page 2, whose first line continues page 1's running balance.
        const pager = page.locator('nav.pager[aria-label="Strony zestawienia"]');
        await navigate(
          page,
          () => pager.getByRole("link", { name: "Starsze →" }).click(),
          (u) => u.pathname === "/ebok/saldo" && u.searchParams.get("strona") === "2",
          `"Starsze →" (${where})`,
        );
        await pager.getByRole("link", { name: "← Nowsze" }).waitFor({ timeout: WAIT_MS })
          .catch(() => {});
        assert.match(await text(pager.locator("span")), /^Strona 2 z \d+$/, where);
        assert.equal(await pager.getByRole("link", { name: "← Nowsze" }).count(), 1, where);
        const page2 = await statementRows(page);
        assert.ok(page2.length > 0, `lines on page 2 (${where})`);
        const last = all[all.length - 1];
        assert.equal(
          page2[0].balance,
          last.balance - last.charge + last.payment,
          `page 2 continues page 1's running balance (${where})`,
        );
        assertRunningBalance(page2, `page 2 (${where})`);

        await assertCsvDownload(page, where);
        assertNoProblems(problems, where);
        soft.done(where);
      });

      await step(`2. /ebok/saldo in print (${mode})`, async () => {
        const where = `/ebok/saldo printed (${mode})`;
        await using page = await open();
        const problems = await watchPage(page);
        await page.goto(`${base}/ebok/saldo`);
        await page.emulateMedia({ media: "print" });
        for (
          const [selector, name] of [
            [MENU, "the main menu"],
            ["form.filters", "the filters"],
            ["nav.pager", "the pager"],
            ["nav.unit-switcher", "the unit switcher"],
          ]
        ) {
          assert.equal(await page.locator(selector).count(), 1, `${name} exists (${where})`);
          assert.equal(
            await page.locator(selector).isVisible(),
            false,
            `${name} hidden (${where})`,
          );
        }
        assert.ok(await page.locator("table.statement").isVisible(), `the statement (${where})`);
        assert.ok(await page.locator("svg#wykres-salda").isVisible(), `the chart (${where})`);
        await screenshot(page, `balance-saldo-print-${suffix}`);
        await page.emulateMedia({ media: "screen" });
        assertNoProblems(problems, where);
      });

      await step(`3. /ebok/naliczenia and /ebok/wplaty (${mode})`, async () => {
        await using page = await open();
        const problems = await watchPage(page);

        let where = `/ebok/naliczenia (${mode})`;
        const response = await page.goto(`${base}/ebok/naliczenia`);
        assert.equal(response?.status(), 200, `GET /ebok/naliczenia`);
        assert.equal(await text(page.locator("main h1")), "Opłaty miesięczne — skąd się biorą");
        const years = page.locator('nav.year-switcher[aria-label="Wybór roku"]');
        const yearLinks = (await years.getByRole("link").allTextContents()).map(plain);
        assert.ok(yearLinks.length >= 2, `two or more years to choose (${where}): ${yearLinks}`);
        const [thisYear, lastYear] = yearLinks;
        const current = years.locator('a[aria-current="true"]');
        assert.equal(await text(current), thisYear, `this year is current (${where})`);
        const monthNames = page.locator("main details.month > summary .month-name");
        assert.ok(
          (await monthNames.allTextContents()).every((m) => plain(m).endsWith(thisYear)),
          where,
        );
        assert.equal(await page.locator("main details.month[open]").count(), 1, where);
        assert.match(await text(page.locator("main details.month[open] tbody")), /m² × /, where);
        await assertNoAxeViolations(page, where);
        await screenshot(page, `balance-naliczenia-desktop-${suffix}`);

        where = `/ebok/naliczenia, ${lastYear} (${mode})`;
        await navigate(
          page,
          () => years.getByRole("link", { name: lastYear }).click(),
          (u) => u.pathname === "/ebok/naliczenia" && u.searchParams.get("rok") === lastYear,
          `the year link ${lastYear} (${where})`,
        );
        await current.filter({ hasText: lastYear }).waitFor({ timeout: WAIT_MS }).catch(() => {});
        assert.equal(await text(current), lastYear, `${lastYear} is current (${where})`);
        const lastYearMonths = (await monthNames.allTextContents()).map(plain);
        assert.ok(lastYearMonths.length > 0, `months of ${lastYear} (${where})`);
        assert.ok(
          lastYearMonths.every((m) => m.endsWith(lastYear)),
          `only ${lastYear} (${where}): ${lastYearMonths}`,
        );
        await assertNoAxeViolations(page, where);

        where = `/ebok/wplaty (${mode})`;
        const payments = await page.goto(`${base}/ebok/wplaty`);
        assert.equal(payments?.status(), 200, `GET /ebok/wplaty`);
        assert.equal(await text(page.locator("main h1")), "Wpłaty", where);
        assert.match(await text(page.locator("main p.lead .balance")), BALANCE_WORDS, where);
        assert.match(await text(page.locator("main code.nrb-value")), /^\d{2}( \d{4}){6}$/, where);
        const rows = page.locator("main table.payments > tbody > tr");
        assert.ok((await rows.count()) > 12, `the payments are listed (${where})`);
        await assertNoAxeViolations(page, where);
        await screenshot(page, `balance-wplaty-desktop-${suffix}`);
        assertNoProblems(problems, "/ebok/naliczenia and /ebok/wplaty");
        await assertScriptButtons(page, javaScript, where);
      });

      await step(`4. phone 375×740: /ebok and /ebok/saldo (${mode})`, async () => {
        await using page = await open(PHONE);
        const problems = await watchPage(page);
        for (const [path, shot] of [["/ebok", "dashboard"], ["/ebok/saldo", "saldo"]]) {
          const where = `${path} on a phone (${mode})`;
          const response = await page.goto(base + path);
          assert.equal(response?.status(), 200, `GET ${path}`);
          await assertNoSidewaysScroll(page, where);
          await assertNoAxeViolations(page, where);
          await screenshot(page, `balance-${shot}-phone-${suffix}`);
        }
        // The statement's rows are cards on a phone: the table fits, no scroller.
        const table = page.locator("#wyciag table.statement");
        const box = await table.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `the statement fits`);
        assert.equal(await page.locator("#wyciag .table-wrap").count(), 0, "no sideways scroller");
        assertNoProblems(problems, `the phone pages (${mode})`);
      });
    });
  }
});
