/**
 * The /pomoc manual's pictures, taken of the real application: starts the server with demo data
 * (on the harness's DEFAULT_TODAY, when the demo flat is settled, as the pictures' texts say),
 * opens Chromium (JavaScript on, pictures at most 800 px wide), logs in as the demo resident and saves small PNGs
 * of the registration form, the login form, the dashboard's first unit card, the statement with a
 * month opened and the water chart to static/manual/. views/public/manual_images.ts bundles them.
 *
 *   deno task screenshots      (deno run -A tests/browser/manual_screenshots.ts)
 *
 * Each picture is a clip of the page around one element, at most MAX_HEIGHT px tall, and must
 * stay under MAX_BYTES; the script fails otherwise, so a bloated picture never reaches the page.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { launchBrowser, newPage, repoRoot, startServer, withServerOutput } from "./harness.ts";

/** Where the PNGs go; views/public/manual_images.ts imports them from here. */
export const MANUAL_DIR: string = join(repoRoot, "static", "manual");
/** The widest a picture gets. */
const WIDTH = 800;
/** Wide enough that the statement table fits its column beside the menu. */
const VIEWPORT = { width: 1280, height: 900 };
const MAX_HEIGHT = 520;
const MAX_BYTES = 80 * 1024;
const PADDING = 12;
const WAIT_MS = 10_000;

/**
 * Saves a clip of the page around `target` (its full width plus padding, from its top, at most
 * `maxHeight` tall) as static/manual/<name>.png, and returns the picture's size in bytes.
 */
async function shoot(page: Page, target: Locator, name: string, maxHeight = MAX_HEIGHT) {
  await target.waitFor({ state: "visible", timeout: WAIT_MS });
  await target.scrollIntoViewIfNeeded();
  // Document coordinates (the capture below measures its clip from the top of the page).
  const box = await target.evaluate((el) => {
    const r = (el as unknown as {
      getBoundingClientRect(): { x: number; y: number; width: number; height: number };
    }).getBoundingClientRect();
    // deno-lint-ignore no-explicit-any
    const w = globalThis as any;
    return { x: r.x + w.scrollX, y: r.y + w.scrollY, width: r.width, height: r.height };
  });
  const x = Math.max(0, Math.floor(box.x - PADDING));
  const y = Math.max(0, Math.floor(box.y - PADDING));
  const width = Math.ceil(box.width + 2 * PADDING);
  // Wider than WIDTH (a table at its natural width): scaled down to WIDTH, not cut off.
  const scale = Math.min(1, WIDTH / width);
  const height = Math.min(Math.floor(maxHeight / scale), Math.ceil(box.height + 2 * PADDING));
  const path = join(MANUAL_DIR, `${name}.png`);
  // Chromium's own capture (what page.screenshot uses) with a scale, which Playwright's
  // options lack; the clip is in document coordinates. No style is injected (Playwright's
  // caret hiding would add an inline style, which the CSP blocks).
  const cdp = await page.context().newCDPSession(page);
  const { data } = await cdp.send("Page.captureScreenshot", {
    format: "png",
    clip: { x, y, width, height, scale },
    captureBeyondViewport: true,
  });
  await cdp.detach();
  const png = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  if (png.byteLength >= MAX_BYTES) {
    throw new Error(`${name}.png is ${png.byteLength} bytes, over the ${MAX_BYTES}-byte budget`);
  }
  await Deno.writeFile(path, png);
  console.log(
    `${name}.png  ${Math.round(width * scale)}×${Math.round(height * scale)}  ${
      (png.byteLength / 1024).toFixed(1)
    } KB`,
  );
  return png.byteLength;
}

async function main() {
  await mkdir(MANUAL_DIR, { recursive: true });
  await using server = await startServer();
  await using browser = await launchBrowser();
  await withServerOutput(server, async () => {
    const base = server.baseUrl;
    await using page = await newPage(browser, {
      javaScript: true,
      viewport: VIEWPORT,
      context: { reducedMotion: "reduce" },
    });

    // 1. The registration form, from its heading down.
    await page.goto(`${base}/rejestracja`);
    await shoot(page, page.locator("main#tresc"), "rejestracja");

    // 2. The login form, empty (the demo identifier differs from start to start).
    await page.goto(`${base}/logowanie`);
    await shoot(page, page.locator("main#tresc"), "logowanie");

    // Log in as the demo resident.
    await page.fill("#identifier", server.demo.resident.identifier);
    await page.fill("#password", server.demo.resident.password);
    await page.click("form[action='/logowanie'] button[type=submit]");
    await page.waitForURL(`${base}/ebok`, { timeout: WAIT_MS });

    // 3. The dashboard's first unit card.
    await shoot(page, page.locator("main section.unit-card").first(), "pulpit-lokal");

    // 4. The statement with the newest month's charges opened.
    await page.goto(`${base}/ebok/saldo`);
    const month = page.locator("table.statement tr.kind-charges details").first();
    await month.locator("summary").click();
    await month.locator("table.components").waitFor({ state: "visible", timeout: WAIT_MS });
    await month.locator("summary").blur();
    const statement = page.locator("main table.statement").first();
    await shoot(page, statement, "saldo-miesiac");

    // 5. The water chart (the heading and the SVG).
    await page.goto(`${base}/ebok/woda`);
    const chart = page.locator("main section.chart").first();
    const chartTop = chart.locator("h2");
    await chartTop.waitFor({ timeout: WAIT_MS });
    const svgHeight = await chart.locator("svg").first().evaluate((el) =>
      (el as unknown as { getBoundingClientRect(): { bottom: number } }).getBoundingClientRect()
        .bottom -
      (el.parentElement!.parentElement as unknown as {
        getBoundingClientRect(): { top: number };
      }).getBoundingClientRect().top
    );
    await shoot(page, chart, "woda-wykres", Math.min(MAX_HEIGHT, Math.ceil(svgHeight) + 24));
  });
}

if (import.meta.main) await main();
