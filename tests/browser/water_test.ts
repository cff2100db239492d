/**
 * The resident's water page and the meter-reading flow in a real browser, against the real
 * server with demo data, JavaScript on and off (a fresh server for each mode, so each starts
 * from the same demo state):
 *
 * 1. /ebok/woda for the demo flat: the meters with their last readings and legalisation dates
 *    (the kitchen cold meter's "kończy się za N dni"), the consumption chart — its accessible
 *    name and description, and bars that agree with its data table and its own m³ axis —, the
 *    table with last year's figures, and the two settlements, whose "Jak to policzyliśmy" opens
 *    to sentences whose arithmetic adds up.
 * 2. The garage, which has no meters.
 * 3. A reading submitted through the form: a value lower than the previous one (422, the error
 *    tied to the field), a jump of 80 m³ (the warning and a required confirmation), confirmed,
 *    the thank-you on /ebok/woda and the confirmation e-mail in the development outbox. The
 *    server lives on `DEFAULT_TODAY` (20 November), inside the reading window, whatever the date.
 * 4. Staff see it on /admin/odczyty and accept it (JavaScript on: the resident then sees the
 *    reading "podany przez mieszkańca") or reject it with a reason (JavaScript off: the resident
 *    sees the reason).
 * 5. /ebok/woda on a phone.
 *
 * Every page is checked with axe and for CSP violations and script errors, and screenshotted;
 * the JavaScript-on run also writes docs/screenshots/woda.png.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { defaultReadingWindow, nextReadingWindow } from "../../domain/water/reading_submissions.ts";
import { currentTotp } from "../../domain/accounts/totp.ts";
import {
  assertNoAxeViolations,
  assertNoProblems,
  DEFAULT_TODAY,
  launchBrowser,
  newPage,
  repoRoot,
  screenshot,
  screenshotDir,
  type Server,
  softChecks,
  startServer,
  type TestPage,
  watchPage,
  withServerOutput,
} from "./harness.ts";
import { clockStartingOn } from "../../domain/shared/clock.ts";

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };
const DOCS_SCREENSHOT = join(repoRoot, "docs", "screenshots", "woda.png");
const DOCS_SCREENSHOT_MAX_BYTES = 300 * 1024;
/** How long to wait for a page, an htmx swap or an element before the assertion fails. */
const WAIT_MS = 5_000;
/** The jump typed in step 3: far above the demo flat's usual use, so it needs confirming. */
const JUMP_LITRES = 80_000;
const REJECTION_REASON = "Na zdjęciu licznika widać inny stan — prosimy podać go jeszcze raz.";

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

type OutboxEntry = {
  channel: "email" | "sms";
  to: string;
  subject?: string;
  text: string;
  createdAt: string;
};

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Text with non-breaking and narrow spaces as plain ones, whitespace collapsed. */
function plain(text: string | null): string {
  return (text ?? "").replace(/[\u00a0\u202f]/g, " ").replace(/\s+/g, " ").trim();
}

async function text(locator: Locator): Promise<string> {
  return plain(await locator.textContent());
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** "1 234,567 m³" → 1234567 litres. */
function litresOf(m3: string): number {
  const t = plain(m3).replace(/ /g, "").replace(/m³$/, "");
  assert.match(t, /^\d+,\d{3}$/, `an amount in m³ with three decimals: "${m3}"`);
  return Number(t.replace(",", ""));
}

/** An axis label, "0 m³" / "2,5 m³" / "10 m³" → litres. */
function axisLitres(label: string): number {
  const m = plain(label).match(/^(\d+)(?:,(\d{1,3}))? m³$/);
  assert.ok(m, `an axis label in m³: "${label}"`);
  return Number(m[1]) * 1000 + Number((m[2] ?? "").padEnd(3, "0"));
}

/** 473783 litres → "473,783" as a resident types it from the meter. */
function typedM3(litres: number): string {
  return `${Math.floor(litres / 1000)},${String(litres % 1000).padStart(3, "0")}`;
}

/** "1 234,56 zł" → grosze. */
function grosze(amount: string): number {
  const t = plain(amount).replace(/ /g, "").replace(/zł$/, "");
  assert.match(t, /^\d+,\d{2}$/, `an amount in złoty: "${amount}"`);
  return Number(t.replace(",", ""));
}

/** "2026-11-25" → "25.11.2026". */
function dottedDate(iso: string): string {
  return `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
}

function daysBetween(fromIso: string, toIso: string): number {
  return Math.round(
    (Date.parse(`${toIso}T00:00:00Z`) - Date.parse(`${fromIso}T00:00:00Z`)) / 86_400_000,
  );
}

const MONTHS = [
  "styczeń",
  "luty",
  "marzec",
  "kwiecień",
  "maj",
  "czerwiec",
  "lipiec",
  "sierpień",
  "wrzesień",
  "październik",
  "listopad",
  "grudzień",
];

/** "październik 2026" → "2026-10". */
function periodOf(label: string): string {
  const m = plain(label).match(/^(\p{Ll}+) (\d{4})$/u);
  assert.ok(m, `a month and a year: "${label}"`);
  const month = MONTHS.indexOf(m[1]);
  assert.ok(month >= 0, `a Polish month name: "${label}"`);
  return `${m[2]}-${String(month + 1).padStart(2, "0")}`;
}

/**
 * Runs `action` (a click, a `goto`) that loads a new page — a page load with JavaScript off, an
 * hx-boost swap of the body with it on — and waits until the answer from `path` (after any
 * redirect) is in place and htmx has settled; checks its status and the URL's path.
 */
async function arrive(
  page: Page,
  action: () => Promise<unknown>,
  expected: { path: string; status: number },
  where: string,
) {
  await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).document.querySelector("main#tresc")?.setAttribute("data-stale", "");
  });
  const answer = page.waitForResponse((r) => {
    const status = r.status();
    return new URL(r.url()).pathname === expected.path &&
      ["document", "xhr", "fetch"].includes(r.request().resourceType()) &&
      (status < 300 || status >= 400);
  }, { timeout: WAIT_MS });
  answer.catch(() => {/* reported below */});
  await action();
  const response = await answer.catch((e) => {
    throw new Error(`${where}: no answer from ${expected.path} (${e})`);
  });
  await page.locator("main#tresc:not([data-stale])").waitFor({ timeout: WAIT_MS });
  await page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added").first()
    .waitFor({ state: "detached", timeout: WAIT_MS });
  assert.equal(response.status(), expected.status, `status of ${expected.path} (${where})`);
  await page.waitForURL((u) => u.pathname === expected.path, { timeout: 2_000 }).catch(() => {});
  assert.equal(new URL(page.url()).pathname, expected.path, `the URL on ${where}: ${page.url()}`);
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
      if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 0.5) {
        const id = el.id ? `#${el.id}` : "";
        const cls = typeof el.className === "string" && el.className
          ? `.${el.className.trim().split(/\s+/).join(".")}`
          : "";
        // Where it is: its nearest ancestor with an id or a class, e.g. article.settlement.
        const home = el.parentElement?.closest("[id], [class]");
        const homeName = home
          ? `${home.tagName.toLowerCase()}${home.id ? `#${home.id}` : ""}${
            typeof home.className === "string" && home.className
              ? `.${home.className.trim().split(/\s+/).join(".")}`
              : ""
          }`
          : "body";
        culprits.push(
          `${el.tagName.toLowerCase()}${id}${cls} in ${homeName} (right edge ${
            Math.round(r.right)
          })`,
        );
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

async function outbox(server: Server): Promise<OutboxEntry[]> {
  const res = await fetch(`${server.baseUrl}/dev/outbox.json`);
  assert.equal(res.status, 200, "GET /dev/outbox.json");
  return await res.json();
}

/** Polls the outbox (at most 5 s) for a message `find` accepts. */
async function waitForMessage(
  server: Server,
  find: (m: OutboxEntry) => boolean,
  what: string,
): Promise<OutboxEntry> {
  const deadline = Date.now() + WAIT_MS;
  let seen: OutboxEntry[] = [];
  while (Date.now() < deadline) {
    seen = await outbox(server);
    const found = seen.find(find);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(
    `${what} in /dev/outbox.json within 5 s; it holds:\n` +
      seen.map((m) => `  ${m.channel} to ${m.to}: ${m.subject ?? m.text.slice(0, 60)}`).join("\n"),
  );
}

/** The demo resident's e-mail address, from the demo register as the server seeds it. */
async function demoResidentEmail(): Promise<string> {
  const kv = await Deno.openKv(":memory:");
  try {
    return (await seedDemoCooperative(kv, clockStartingOn(DEFAULT_TODAY))).demoResident.email;
  } finally {
    kv.close();
  }
}

async function logIn(
  browser: Browser,
  baseUrl: string,
  resident: { identifier: string; password: string },
  javaScript: boolean,
): Promise<StorageState> {
  await using page = await newPage(browser, { javaScript });
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(`${baseUrl}/logowanie`);
  await page.locator("#identifier").fill(resident.identifier);
  await page.locator("#password").fill(resident.password);
  await arrive(
    page,
    () => page.getByRole("button", { name: "Zaloguj się" }).click(),
    { path: "/ebok", status: 200 },
    "the resident's login",
  );
  return await page.context().storageState();
}

// ---------------------------------------------------------------------------------------------
// What the water page shows

type MeterRow = {
  name: string;
  serial: string;
  /** Litres of the last reading. */
  last: number;
  /** "31.10.2026, odczyt radiowy". */
  lastNote: string;
  legalUntil: string;
  badge: string;
};

async function meterRows(page: Page): Promise<MeterRow[]> {
  const section = page.locator('main section[aria-labelledby="wodomierze"]');
  const rows = await section.locator("table > tbody > tr").evaluateAll((trs) =>
    trs.map((tr) => {
      const cells = [...tr.children];
      const last = cells[2];
      const note = last?.querySelector("div")?.textContent ?? "";
      return {
        name: cells[0]?.textContent ?? "",
        serial: cells[1]?.textContent ?? "",
        last: (last?.textContent ?? "").replace(note, ""),
        lastNote: note,
        legal: (cells[3]?.textContent ?? "").replace(
          cells[3]?.querySelector(".badge")?.textContent ?? "",
          "",
        ),
        badge: cells[3]?.querySelector(".badge")?.textContent ?? "",
      };
    })
  );
  return rows.map((r) => ({
    name: plain(r.name),
    serial: plain(r.serial),
    last: litresOf(r.last),
    lastNote: plain(r.lastNote),
    legalUntil: plain(r.legal),
    badge: plain(r.badge),
  }));
}

type ConsumptionRow = {
  period: string;
  label: string;
  cold: number;
  hot: number;
  total: number;
  /** Litres a year before, null for "—". */
  lastYear: number | null;
};

async function consumptionRows(page: Page): Promise<ConsumptionRow[]> {
  const cells = await page.locator("table#zuzycie-dane > tbody > tr").evaluateAll((trs) =>
    trs.map((tr) => {
      const th = tr.querySelector("th");
      const badge = th?.querySelector(".badge")?.textContent ?? "";
      return [
        (th?.textContent ?? "").replace(badge, ""),
        ...[...tr.querySelectorAll("td")].map((td) => td.textContent ?? ""),
      ];
    })
  );
  return cells.map(([label, cold, hot, total, lastYear]) => ({
    period: periodOf(label),
    label: plain(label),
    cold: litresOf(cold),
    hot: litresOf(hot),
    total: litresOf(total),
    lastYear: plain(lastYear) === "—" ? null : litresOf(lastYear),
  }));
}

type Bar = { x: number; y: number; width: number; height: number; period: string };

/** The chart's bars of one series, and its m³ axis: the gridlines' positions and labels. */
async function chartGeometry(page: Page) {
  const chart = page.locator("svg#wykres-wody");
  const bars = (series: "cold" | "hot") =>
    chart.locator(`:scope > g.chart-${series} > rect`).evaluateAll((rects) =>
      rects.map((r) => ({
        x: Number(r.getAttribute("x")),
        y: Number(r.getAttribute("y")),
        width: Number(r.getAttribute("width")),
        height: Number(r.getAttribute("height")),
        period: r.getAttribute("data-period") ?? "",
      }))
    );
  // Each "N m³" label of the axis, with the gridline nearest its vertical middle (as a reader
  // reads it), in the SVG's user units.
  const axis = await chart.evaluate((svg) => {
    const lines = [...svg.querySelectorAll("g.chart-axis > line")].map((l) =>
      Number(l.getAttribute("y1"))
    );
    return [...svg.querySelectorAll("g.chart-axis > text")]
      .filter((t) => /m³\s*$/.test(t.textContent ?? ""))
      .map((t) => {
        // deno-lint-ignore no-explicit-any
        const box = (t as any).getBBox();
        const middle = box.y + box.height / 2;
        const line = lines.reduce(
          (best, y) => (Math.abs(y - middle) < Math.abs(best - middle) ? y : best),
          Number.POSITIVE_INFINITY,
        );
        return { label: t.textContent ?? "", middle, line };
      });
  });
  return { cold: await bars("cold"), hot: await bars("hot"), axis };
}

/**
 * The sentences of an opened "Jak to policzyliśmy": each "A m³ × B zł/m³ = C zł" must hold
 * (to the grosz), and A, B, C must be a row of the settlement's table.
 */
function checkSettlementArithmetic(
  sentences: string[],
  table: { usage: number; price: number; cost: number }[],
  where: string,
) {
  const products = sentences.flatMap((s) => {
    const m = s.match(/([\d ]+,\d{3}) m³ × ([\d ]+,\d{2}) zł\/m³ = ([\d ]+,\d{2}) zł/);
    return m ? [{ usage: litresOf(m[1]), price: grosze(m[2]), cost: grosze(m[3]) }] : [];
  });
  assert.ok(products.length >= 1, `an "… m³ × … zł/m³ = … zł" sentence on ${where}`);
  for (const p of products) {
    assert.ok(
      Math.abs((p.usage * p.price) / 1000 - p.cost) <= 1,
      `${p.usage} l × ${p.price} gr/m³ = ${p.cost} gr (${where})`,
    );
    assert.ok(
      table.some((r) => r.usage === p.usage && r.price === p.price && r.cost === p.cost),
      `the explanation's ${JSON.stringify(p)} is a row of the settlement's table (${where}): ` +
        JSON.stringify(table),
    );
  }
}

// ---------------------------------------------------------------------------------------------

Deno.test("water in Chromium: meters, chart, settlements, reading submission and the office's decision — JavaScript on and off", async (t) => {
  await using browser = await launchBrowser();
  const residentEmail = await demoResidentEmail();
  // The server takes readings on its own date (the harness's DEFAULT_TODAY, in the window).
  const today = DEFAULT_TODAY;
  const readingWindow = nextReadingWindow(today, defaultReadingWindow);
  assert.ok(readingWindow.open, `the reading window is open on ${today}`);

  for (const javaScript of [true, false]) {
    const mode = javaScript ? "JavaScript on" : "JavaScript off";
    const suffix = javaScript ? "js" : "nojs";

    await t.step(mode, async (t) => {
      // A fresh server per mode: each starts from the demo state, with no submission.
      await using server = await startServer();
      const base = server.baseUrl;
      const storageState = await withServerOutput(
        server,
        () => logIn(browser, base, server.demo.resident, javaScript),
      );
      const open = async (viewport = DESKTOP): Promise<TestPage> => {
        const page = await newPage(browser, { javaScript, viewport, context: { storageState } });
        page.setDefaultTimeout(WAIT_MS);
        return page;
      };
      const step = (name: string, fn: () => Promise<void>, ignore = false) =>
        t.step({ name, ignore, fn: () => withServerOutput(server, fn) });

      // Filled in by step 1, used by the steps after it.
      let flatLabel = "";
      let meters: MeterRow[] = [];

      await step(`1. /ebok/woda: meters, chart, settlements (${mode})`, async () => {
        const where = `/ebok/woda (${mode})`;
        await using page = await open();
        const problems = await watchPage(page);
        const response = await page.goto(`${base}/ebok/woda`);
        assert.equal(response?.status(), 200, `GET /ebok/woda`);
        assert.equal(await page.locator("h1").count(), 1, `one h1 on ${where}`);
        assert.equal(await text(page.locator("main h1")), "Woda", where);
        flatLabel = await text(page.locator("main p.lead"));
        assert.match(flatLabel, /^ul\. .+ \d+\/\d+$/, `the flat's address (${where})`);
        assert.equal(
          await text(page.locator('nav.unit-switcher a[aria-current="true"]')),
          flatLabel,
          `the flat is the current unit (${where})`,
        );
        const soft = softChecks();

        // The meters: each with its last reading and legalisation date; one warning badge.
        meters = await meterRows(page);
        assert.equal(meters.length, 4, `the flat's four meters (${where})`);
        for (const m of meters) {
          assert.match(m.name, /^(zimna|ciepła) woda, \p{L}+$/u, `a meter's name (${where})`);
          assert.match(m.serial, /^[ZC]W-\d+$/, `${m.name}'s serial number (${where})`);
          assert.ok(m.last > 0, `${m.name}'s last reading (${where})`);
          assert.match(
            m.lastNote,
            /^\d{2}\.\d{2}\.\d{4}, (odczyt radiowy|odczyt inkasenta|szacunkowy)$/,
            `${m.name}: the last reading's date and source (${where})`,
          );
          assert.match(m.legalUntil, /^\d{2}\.\d{2}\.\d{4}$/, `${m.name}'s legalisation`);
        }
        const badged = meters.filter((m) => m.badge !== "");
        assert.deepEqual(
          badged.map((m) => m.name),
          ["zimna woda, kuchnia"],
          `only the kitchen cold meter has a legalisation badge (${where})`,
        );
        const [kitchen] = badged;
        const legalIso = kitchen.legalUntil.split(".").reverse().join("-");
        assert.equal(
          kitchen.badge,
          `kończy się za ${daysBetween(today, legalIso)} dni`,
          `the badge counts the days from ${today} to ${kitchen.legalUntil} (${where})`,
        );
        assert.equal(
          await page.locator('section[aria-labelledby="wodomierze"] .badge.warn').count(),
          1,
          `one warning badge (${where})`,
        );

        // The chart: an image with a title, described by the table beside it.
        const chart = page.locator("svg#wykres-wody");
        assert.equal(await chart.count(), 1, `the chart (${where})`);
        assert.ok(await chart.isVisible(), `the chart shows (${where})`);
        assert.equal(await chart.getAttribute("role"), "img", `the chart's role (${where})`);
        const title = chart.locator(":scope > title");
        assert.equal(await title.count(), 1, `the chart has a <title> (${where})`);
        assert.equal(
          await text(title),
          `Zużycie zimnej i ciepłej wody w ostatnich 12 miesiącach — ${flatLabel}`,
          `the chart's title (${where})`,
        );
        assert.equal(await chart.getAttribute("aria-labelledby"), await title.getAttribute("id"));
        assert.equal(await chart.getAttribute("aria-describedby"), "zuzycie-dane", where);
        const table = page.locator("table#zuzycie-dane");
        assert.equal(await table.count(), 1, `#zuzycie-dane exists (${where})`);
        assert.ok(await table.isVisible(), `the chart's table is shown beside it (${where})`);
        assert.deepEqual(
          (await table.locator("thead th").allTextContents()).map(plain),
          ["Miesiąc", "Zimna", "Ciepła", "Razem", "Rok wcześniej"],
          `the table's columns (${where})`,
        );
        const rows = await consumptionRows(page);
        assert.equal(rows.length, 12, `twelve months in the table (${where})`);
        for (let i = 0; i + 1 < rows.length; i++) {
          assert.ok(rows[i].period > rows[i + 1].period, `months newest first (${where})`);
        }
        for (const r of rows) {
          assert.equal(r.total, r.cold + r.hot, `${r.label}: Razem = Zimna + Ciepła (${where})`);
        }
        assert.ok(
          rows.some((r) => r.lastYear !== null),
          `"Rok wcześniej" figures (${where})`,
        );

        // The bars: one cold and one hot per table row, oldest on the left, their heights
        // proportional to the table's figures and true to the chart's own m³ axis.
        const geometry = await chartGeometry(page);
        assert.equal(geometry.cold.length, rows.length, `a cold bar per table row (${where})`);
        assert.equal(geometry.hot.length, rows.length, `a hot bar per table row (${where})`);
        const chronological = [...rows].reverse();
        for (const series of ["cold", "hot"] as const) {
          const bars = geometry[series];
          assert.deepEqual(
            bars.map((b) => b.period),
            chronological.map((r) => r.period),
            `the ${series} bars are the table's months, oldest on the left (${where})`,
          );
          for (let i = 0; i + 1 < bars.length; i++) {
            assert.ok(bars[i].x < bars[i + 1].x, `${series} bars left to right (${where})`);
          }
          // Proportional: one scale (px per litre) for all bars, from the tallest.
          const tallest = chronological.reduce((a, r) => (r[series] > a[series] ? r : a));
          const tallestBar = bars[chronological.indexOf(tallest)];
          const scale = tallestBar.height / tallest[series];
          bars.forEach((b, i) => {
            const r = chronological[i];
            assert.ok(
              Math.abs(b.height - r[series] * scale) <= 2,
              `the ${series} bar of ${r.label} is ${b.height} px high for ${r[series]} l, ` +
                `${(r[series] * scale).toFixed(1)} px expected in proportion (${where})`,
            );
          });
        }
        // True to the axis: each "N m³" label sits on its gridline; the bars stand on "0 m³"
        // and reach the height the labels give their value.
        const axis = geometry.axis.map((a) => ({ ...a, litres: axisLitres(a.label) }));
        assert.ok(axis.length >= 3, `three or more m³ labels on the axis (${where})`);
        for (const a of axis) {
          assert.ok(
            Math.abs(a.middle - a.line) <= 4,
            `the axis label "${plain(a.label)}" sits on its gridline (${where})`,
          );
        }
        const zero = axis.find((a) => a.litres === 0);
        assert.ok(zero, `a "0 m³" label (${where})`);
        const top = axis.reduce((a, b) => (b.litres > a.litres ? b : a));
        const pxPerLitre = (zero.line - top.line) / top.litres;
        for (const a of axis) {
          assert.ok(
            Math.abs(zero.line - a.litres * pxPerLitre - a.line) <= 1,
            `the axis is linear at "${plain(a.label)}" (${where})`,
          );
        }
        for (const series of ["cold", "hot"] as const) {
          geometry[series].forEach((b, i) => {
            const r = chronological[i];
            assert.ok(
              Math.abs(b.y + b.height - zero.line) <= 1,
              `the ${series} bar of ${r.label} stands on the 0 m³ line (${where})`,
            );
            assert.ok(
              Math.abs(b.height - r[series] * pxPerLitre) <= 1.5,
              `the ${series} bar of ${r.label} reads ${
                (b.height / pxPerLitre / 1000).toFixed(2)
              } ` +
                `m³ on the axis; the table says ${r[series] / 1000} m³ (${where})`,
            );
          });
        }
        await soft.check(async () => {
          // The legend's swatches have the bars' colours (as the stylesheet paints them).
          const fill = (selector: string) =>
            chart.locator(selector).first().evaluate((el) =>
              // deno-lint-ignore no-explicit-any
              (globalThis as any).getComputedStyle(el).fill
            );
          for (const series of ["cold", "hot"]) {
            assert.equal(
              await fill(`.chart-legend rect.chart-${series}`),
              await fill(`:scope > g.chart-${series} > rect`),
              `the legend's ${series} swatch has the ${series} bars' colour (${where})`,
            );
          }
          assert.notEqual(
            await fill(":scope > g.chart-cold > rect"),
            await fill(":scope > g.chart-hot > rect"),
            `cold and hot bars differ in colour (${where})`,
          );
        });
        await chart.screenshot({
          path: join(screenshotDir, `water-chart-${suffix}.png`),
          caret: "initial",
        });

        // The settlements: one to pay, one overpaid, each explained.
        const cards = page.locator(
          'main section[aria-labelledby="rozliczenia"] article.settlement',
        );
        assert.equal(await cards.count(), 2, `two settlements (${where})`);
        const badges = (await cards.locator("h3 .badge").allTextContents()).map(plain);
        assert.equal(
          badges.filter((b) => /^dopłata \d+,\d{2} zł$/.test(b)).length,
          1,
          `one "dopłata" (${where}): ${badges}`,
        );
        assert.equal(
          badges.filter((b) => /^nadpłata \d+,\d{2} zł$/.test(b)).length,
          1,
          `one "nadpłata" (${where}): ${badges}`,
        );

        await assertNoAxeViolations(page, where);
        await screenshot(page, `water-woda-desktop-${suffix}`);
        if (javaScript) {
          // For the README: the viewport, scrolled so the chart and the start of its table show.
          await page.locator("#zuzycie").evaluate((h) => {
            // deno-lint-ignore no-explicit-any
            const w = globalThis as any;
            w.scrollTo(0, h.getBoundingClientRect().top + w.scrollY - 150);
          });
          await mkdir(join(repoRoot, "docs", "screenshots"), { recursive: true });
          await page.screenshot({ path: DOCS_SCREENSHOT, fullPage: false, caret: "initial" });
          const box = await chart.boundingBox();
          assert.ok(
            box && box.y >= 0 && box.y + box.height <= DESKTOP.height,
            `the chart is wholly in docs/screenshots/woda.png`,
          );
          const { size } = await Deno.stat(DOCS_SCREENSHOT);
          assert.ok(size < DOCS_SCREENSHOT_MAX_BYTES, `woda.png is ${size} bytes, over ~300 KB`);
        }

        for (let i = 0; i < 2; i++) {
          const card = cards.nth(i);
          const name = `the settlement "${await text(card.locator("h3"))}" on ${where}`;
          const details = card.locator("details");
          const summary = details.locator("summary");
          assert.equal(await text(summary), "Jak to policzyliśmy", name);
          assert.equal(await details.getAttribute("open"), null, `closed at first (${name})`);
          await summary.click();
          await card.locator("details[open]").waitFor({ timeout: WAIT_MS }).catch(() => {});
          assert.notEqual(await details.getAttribute("open"), null, `it opens (${name})`);
          const sentences = details.locator(":scope > p");
          assert.ok(await sentences.first().isVisible(), `the sentences show (${name})`);
          const said = (await sentences.allTextContents()).map(plain);
          assert.ok(said.some((s) => / m³/.test(s)), `a sentence in m³ (${name}): ${said}`);
          assert.ok(said.some((s) => /zł\/m³/.test(s)), `a price in zł/m³ (${name}): ${said}`);
          const table = (await card.locator("table > tbody > tr").evaluateAll((trs) =>
            trs.map((tr) =>
              [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")
            )
          )).map(([usage, price, cost]) => ({
            usage: litresOf(usage),
            price: grosze(price),
            cost: grosze(cost),
          }));
          checkSettlementArithmetic(said, table, name);
        }
        await soft.check(async () => {
          // Two cards one under the other need a gap, as every other stack of cards has.
          const [first, second] = [
            await cards.nth(0).boundingBox(),
            await cards.nth(1).boundingBox(),
          ];
          assert.ok(first && second, `both settlement cards are laid out (${where})`);
          const gap = second.y - (first.y + first.height);
          assert.ok(
            gap >= 8,
            `a gap between the two settlement cards on ${where}: it is ${gap.toFixed(1)} px, ` +
              `so the second card's top border runs straight into the first's bottom border ` +
              `(static/app.css gives \`.card.request\` a margin-bottom but not ` +
              `\`.settlement.card\`)`,
          );
        });
        await assertNoAxeViolations(page, `${where} with both <details> open`);
        await screenshot(page, `water-woda-details-desktop-${suffix}`);
        assertNoProblems(problems, where);
        soft.done(where);
      });

      await step(`2. /ebok/woda for the garage: no meters (${mode})`, async () => {
        const where = `/ebok/woda, the garage (${mode})`;
        await using page = await open();
        const problems = await watchPage(page);
        await page.goto(`${base}/ebok/woda`);
        const garage = page.locator("nav.unit-switcher").getByRole("link", { name: /garaż/ });
        assert.equal(await garage.count(), 1, `the garage in the unit switcher (${where})`);
        await arrive(page, () => garage.click(), { path: "/ebok/woda", status: 200 }, where);
        assert.match(new URL(page.url()).search, /^\?lokal=\w+$/, `the garage's URL (${where})`);
        assert.equal(await text(page.locator("main h1")), "Woda", where);
        assert.match(await text(page.locator("main p.lead")), /garaż/, where);
        assert.match(
          await text(page.locator('nav.unit-switcher a[aria-current="true"]')),
          /garaż/,
          `the garage is current (${where})`,
        );
        assert.equal(
          await page.locator("main p", { hasText: "W tym lokalu nie ma wodomierzy" }).count(),
          1,
          `"W tym lokalu nie ma wodomierzy" (${where})`,
        );
        assert.equal(await page.locator("svg#wykres-wody").count(), 0, `no chart (${where})`);
        assert.equal(
          await page.getByRole("link", { name: "Podaj odczyt wodomierzy" }).count(),
          0,
          `no reading form for a unit without meters (${where})`,
        );
        await assertNoAxeViolations(page, where);
        await screenshot(page, `water-garage-desktop-${suffix}`);
        assertNoProblems(problems, where);
      });

      // The server takes readings only within the window; its date lies inside it (above).
      const windowClosed = !readingWindow.open;

      // Step 3 leaves these for step 4.
      let field = "";
      let previous = 0;
      let jumped = 0;
      let warning = "";
      let meterName = "";

      await step(`3. submitting a reading (${mode})`, async () => {
        assert.equal(meters.length, 4, `step 1 read the flat's meters`);
        let where = `/ebok/woda/odczyt (${mode})`;
        await using page = await open();
        const problems = await watchPage(page);
        await page.goto(`${base}/ebok/woda`);
        assert.match(
          await text(page.locator(".reading-window")),
          new RegExp(
            `Trwa okres podawania odczytów \\(do ${escapeRegExp(dottedDate(readingWindow.to))}\\)`,
          ),
          `the window is open until ${readingWindow.to} (${where})`,
        );
        await arrive(
          page,
          () => page.getByRole("link", { name: "Podaj odczyt wodomierzy" }).click(),
          { path: "/ebok/woda/odczyt", status: 200 },
          where,
        );
        assert.equal(await text(page.locator("main h1")), "Podaj odczyt wodomierzy", where);
        assert.equal(await text(page.locator("main p.lead")), flatLabel, where);

        // One field per current meter, labelled as in the meters table, with its last reading.
        const inputs = page.locator('main form input[name^="m_"]');
        assert.equal(await inputs.count(), meters.length, `a field per meter (${where})`);
        for (let i = 0; i < meters.length; i++) {
          const m = meters[i];
          const input = inputs.nth(i);
          const id = (await input.getAttribute("id")) ?? "";
          assert.equal(await input.getAttribute("name"), id, `the field's id is its name`);
          assert.equal(
            await text(page.locator(`label[for="${id}"]`)),
            `${m.name} (nr ${m.serial})`,
            `the field's label (${where})`,
          );
          assert.equal(
            await text(page.locator(`#${id}-hint`)),
            `Poprzedni odczyt: ${typedM3(m.last)} m³ z dnia ${m.lastNote.slice(0, 10)}.`,
            `${m.name}: "Poprzedni odczyt" as in the meters table (${where})`,
          );
          assert.deepEqual(
            ((await input.getAttribute("aria-describedby")) ?? "").split(/\s+/),
            [`${id}-hint`],
            `${m.name}: the hint describes the field (${where})`,
          );
        }
        await assertNoAxeViolations(page, where);
        await screenshot(page, `water-form-desktop-${suffix}`);

        const input = inputs.first();
        field = (await input.getAttribute("id")) ?? "";
        meterName = meters[0].name;
        previous = meters[0].last;
        jumped = previous + JUMP_LITRES;
        const submit = () => page.getByRole("button", { name: "Wyślij odczyt" }).click();
        const describedBy = async () =>
          ((await page.locator(`#${field}`).getAttribute("aria-describedby")) ?? "").split(/\s+/);

        // Lower than the previous reading: 422, the error tied to the field, the value kept.
        where = `/ebok/woda/odczyt, a lower value (${mode})`;
        const lower = typedM3(previous - 1_000);
        await input.fill(lower);
        await arrive(page, submit, { path: "/ebok/woda/odczyt", status: 422 }, where);
        const error = page.locator(`#${field}-error`);
        assert.equal(await error.count(), 1, `#${field}-error (${where})`);
        assert.ok(await error.isVisible(), `the error shows (${where})`);
        assert.match(
          await text(error),
          new RegExp(
            `^Odczyt nie może być niższy niż poprzedni \\(${typedM3(previous)} m³ z dnia ` +
              `${escapeRegExp(meters[0].lastNote.slice(0, 10))}\\)\\.$`,
          ),
          where,
        );
        assert.ok((await describedBy()).includes(`${field}-error`), `aria-describedby (${where})`);
        assert.equal(await page.locator(`#${field}`).getAttribute("aria-invalid"), "true", where);
        assert.equal(await page.locator(`#${field}`).inputValue(), lower, `kept (${where})`);
        assert.equal(await page.locator("#potwierdzam").count(), 0, `no confirmation (${where})`);
        await assertNoAxeViolations(page, where);
        await screenshot(page, `water-form-error-desktop-${suffix}`);

        // 80 m³ more: a warning, and a required confirmation.
        where = `/ebok/woda/odczyt, an 80 m³ jump (${mode})`;
        await page.locator(`#${field}`).fill(typedM3(jumped));
        await arrive(page, submit, { path: "/ebok/woda/odczyt", status: 422 }, where);
        const warn = page.locator(`#${field}-warning.warning-text`);
        assert.equal(await warn.count(), 1, `#${field}-warning.warning-text (${where})`);
        assert.ok(await warn.isVisible(), `the warning shows (${where})`);
        warning = await text(warn);
        assert.match(warning, /zużycie wyniosłoby 80,000 m³/, where);
        assert.match(
          warning,
          /Sprawdź stan wodomierza; jeśli jest poprawny, potwierdź go\.$/,
          where,
        );
        assert.ok(
          (await describedBy()).includes(`${field}-warning`),
          `aria-describedby (${where})`,
        );
        assert.equal(await page.locator(`#${field}-error`).count(), 0, `no error (${where})`);
        assert.equal(await page.locator(`#${field}`).getAttribute("aria-invalid"), null, where);
        assert.equal(
          await page.locator(`#${field}`).inputValue(),
          typedM3(jumped),
          `kept (${where})`,
        );
        const confirm = page.locator('input#potwierdzam[type="checkbox"][name="potwierdzam"]');
        assert.equal(await confirm.count(), 1, `the "potwierdzam" checkbox (${where})`);
        assert.equal(await confirm.getAttribute("required"), "", `it is required (${where})`);
        assert.equal(await confirm.isChecked(), false, `not ticked for the resident (${where})`);
        assert.match(
          await text(page.locator('label[for="potwierdzam"]')),
          /odczyty są prawidłowe/,
          where,
        );
        await assertNoAxeViolations(page, where);
        await screenshot(page, `water-form-warning-desktop-${suffix}`);

        // Confirmed: back on /ebok/woda with the thanks, waiting for the office.
        where = `/ebok/woda after the reading (${mode})`;
        await confirm.check();
        await arrive(page, submit, { path: "/ebok/woda", status: 200 }, where);
        assert.equal(new URL(page.url()).searchParams.get("odczyt"), "wyslany", where);
        assert.equal(await text(page.locator("main h1")), "Woda", where);
        assert.equal(
          await text(page.locator('main p.notice.ok[role="status"]')),
          "Dziękujemy. Odczyt został przekazany do biura; potwierdzenie wysłaliśmy e-mailem.",
          where,
        );
        assert.match(
          await text(page.locator(".reading-window p.notice", { hasText: "czeka" })),
          new RegExp(
            `^Odczyt podany ${
              escapeRegExp(dottedDate(today))
            }, \\d{2}:\\d{2} czeka na sprawdzenie przez biuro\\.$`,
          ),
          where,
        );
        await assertNoAxeViolations(page, where);
        await screenshot(page, `water-woda-sent-desktop-${suffix}`);

        const mail = await waitForMessage(
          server,
          (m) =>
            m.channel === "email" && m.to === residentEmail &&
            m.subject === "eBOK — otrzymaliśmy odczyt wodomierzy",
          `the confirmation e-mail to ${residentEmail}`,
        );
        assert.ok(
          plain(mail.text).includes(
            `${meterName} (nr ${meters[0].serial}): ${typedM3(jumped)} m³`,
          ),
          `the e-mail names the meter and the value: ${mail.text}`,
        );
        assert.ok(plain(mail.text).includes(flatLabel), `the e-mail names the flat`);
        assertNoProblems(problems, `the reading form (${mode})`);
      }, windowClosed);

      await step(
        `4. staff ${javaScript ? "accept" : "reject"} it on /admin/odczyty (${mode})`,
        async () => {
          assert.ok(warning, `step 3 submitted a reading for the office to decide on`);
          let where = `/admin/odczyty (${mode})`;
          await using staff = await open();
          const problems = await watchPage(staff);
          await staff.goto(`${base}/admin/logowanie`);
          const { login, password, totpSecret } = server.demo.staff;
          await staff.locator("#login").fill(login);
          await staff.locator("#password").fill(password);
          // The only staff login on this server: the current code is still unused.
          await staff.locator("#totp").fill(currentTotp(totpSecret));
          await arrive(
            staff,
            () => staff.getByRole("button", { name: "Zaloguj się" }).click(),
            { path: "/admin/wnioski", status: 200 },
            `the staff login (${mode})`,
          );
          await arrive(
            staff,
            () => staff.goto(`${base}/admin/odczyty`),
            { path: "/admin/odczyty", status: 200 },
            where,
          );
          assert.equal(
            await text(staff.locator("main h1")),
            "Odczyty podane przez mieszkańców",
            where,
          );
          const card = staff.locator("section.card.request").filter({
            has: staff.getByRole("heading", { level: 2, name: flatLabel, exact: true }),
          });
          assert.equal(await card.count(), 1, `one submission for ${flatLabel} (${where})`);
          assert.match(await text(card.locator("p.muted").first()), /^Katarzyna Zielińska /, where);
          assert.equal(
            await text(card.locator(".warning-text")),
            warning,
            `the warning the resident confirmed (${where})`,
          );
          const row = (await card.locator("tbody tr").first().evaluate((tr) =>
            [...tr.children].map((c) =>
              c.textContent ?? ""
            )
          )).map(plain);
          assert.ok(row[0].startsWith(`${meterName} (nr ${meters[0].serial})`), where);
          assert.deepEqual(
            row.slice(1),
            [
              `${typedM3(previous)} m³ (${meters[0].lastNote.slice(0, 10)})`,
              `${typedM3(jumped)} m³`,
              `${typedM3(JUMP_LITRES)} m³`,
            ],
            `previous, given and used (${where})`,
          );
          await assertNoAxeViolations(staff, where);
          await screenshot(staff, `water-admin-odczyty-${suffix}`);

          if (javaScript) {
            where = `/admin/odczyty, accepted (${mode})`;
            await arrive(
              staff,
              () => card.getByRole("button", { name: "Przyjmij odczyt" }).click(),
              { path: "/admin/odczyty", status: 200 },
              where,
            );
            assert.equal(
              await text(staff.locator('main p.notice.ok[role="status"]')),
              "Odczyt przyjęty i zapisany.",
              where,
            );
          } else {
            where = `/admin/odczyty, rejected (${mode})`;
            await card.getByLabel("Powód odrzucenia (zobaczy go mieszkaniec)").fill(
              REJECTION_REASON,
            );
            await arrive(
              staff,
              () => card.getByRole("button", { name: "Odrzuć" }).click(),
              { path: "/admin/odczyty", status: 200 },
              where,
            );
            assert.equal(
              await text(staff.locator('main p.notice.ok[role="status"]')),
              "Odczyt odrzucony. Mieszkaniec zobaczy powód w eBOK.",
              where,
            );
          }
          assert.equal(await card.count(), 0, `the submission is no longer pending (${where})`);
          assert.match(await text(staff.locator("main p.lead")), /: 0\.$/, where);
          await assertNoAxeViolations(staff, where);
          await screenshot(staff, `water-admin-odczyty-decided-${suffix}`);
          assertNoProblems(problems, `the staff pages (${mode})`);

          // What the resident sees now.
          where = `/ebok/woda after the office's decision (${mode})`;
          await using resident = await open();
          const residentProblems = await watchPage(resident);
          await resident.goto(`${base}/ebok/woda`);
          const meter = (await meterRows(resident)).find((m) => m.name === meterName);
          assert.ok(meter, `${meterName} (${where})`);
          assert.equal(
            await resident.locator(".reading-window p.notice", { hasText: "czeka" }).count(),
            0,
            where,
          );
          if (javaScript) {
            assert.equal(meter.last, jumped, `the accepted reading is the last one (${where})`);
            assert.equal(
              meter.lastNote,
              `${dottedDate(today)}, podany przez mieszkańca`,
              `the last reading's date and source (${where})`,
            );
          } else {
            assert.equal(meter.last, previous, `the rejected value is not stored (${where})`);
            assert.equal(
              await text(resident.locator(".reading-window p.notice.warn")),
              `Biuro nie przyjęło odczytu z ${dottedDate(today)}. Powód: ${REJECTION_REASON}`,
              where,
            );
          }
          await assertNoAxeViolations(resident, where);
          await screenshot(resident, `water-woda-decided-desktop-${suffix}`);
          assertNoProblems(residentProblems, where);
        },
        windowClosed,
      );

      await step(`5. /ebok/woda on a phone, 375×740 (${mode})`, async () => {
        const where = `/ebok/woda on a phone (${mode})`;
        await using page = await open(PHONE);
        const problems = await watchPage(page);
        const response = await page.goto(`${base}/ebok/woda`);
        assert.equal(response?.status(), 200, `GET /ebok/woda`);
        await screenshot(page, `water-woda-phone-${suffix}`);
        const soft = softChecks();
        await soft.check(() => assertNoSidewaysScroll(page, where));
        const chart = page.locator("svg#wykres-wody");
        // On a phone the chart keeps a legible size and scrolls sideways inside its own
        // focusable region; the region itself fits the screen.
        const region = page.locator(".chart .table-wrap").first();
        const box = await region.boundingBox();
        assert.ok(
          box && box.x >= 0 && box.x + box.width <= PHONE.width,
          `the chart's scroller fits`,
        );
        await region.evaluate((el) => (el.scrollLeft = el.scrollWidth));
        await chart.screenshot({
          path: join(screenshotDir, `water-chart-phone-${suffix}.png`),
          caret: "initial",
        });
        await soft.check(async () => {
          // The chart is drawn for 720 px and scaled down to the phone's width: its words and
          // numbers must stay legible (the desktop shows them at 11 px).
          const smallest = await chart.evaluate((svg) => {
            // deno-lint-ignore no-explicit-any
            const w = globalThis as any;
            const scale = svg.getBoundingClientRect().width /
              // deno-lint-ignore no-explicit-any
              (svg as any).viewBox.baseVal.width;
            return Math.min(
              ...[...svg.querySelectorAll("text")].map((t) =>
                parseFloat(w.getComputedStyle(t).fontSize) * scale
              ),
            );
          });
          assert.ok(
            smallest >= 9,
            `the chart's labels are legible on ${where}: the smallest (legend, m³ axis, months) ` +
              `renders at ${smallest.toFixed(1)} px, because the 720×260 SVG with 11-unit text ` +
              `is shrunk by \`.chart svg { max-width: 100%; height: auto }\` to the phone's ` +
              `width (${Math.round(box.width)} px)`,
          );
        });
        await soft.check(() => assertNoAxeViolations(page, where));
        assertNoProblems(problems, where);
        soft.done(where);
      });
    });
  }
});
