/**
 * Lighthouse-level quality, measured in Chromium against the real server:
 *
 * 1. transfer budget: /ebok (logged in) plus every stylesheet and script it references, as the
 *    bytes on the wire with `Accept-Encoding: gzip, br`, under 60 KB;
 * 2. a 320×640 phone: no sideways page scrolling (tables stack; only charts scroll inside their
 *    `.table-wrap`), the main menu ("Menu" button, then its links) on screen and reachable by
 *    keyboard, zero axe violations — JavaScript on and off;
 * 3. 200 % zoom (a 1280×800 screen at 200 % is a 640×400 CSS-pixel viewport with
 *    deviceScaleFactor 2; `document.body.style.zoom` would need an inline style, which the CSP
 *    refuses): no sideways scrolling, the h1 and the first form field visible once scrolled to,
 *    zero axe violations — JavaScript on and off;
 * 4. first contentful paint on a slow phone (400 kbit/s, 400 ms round trip, CPU 4× slower, cold
 *    cache) for /logowanie and /ebok, under 3 s.
 *
 * The figures (bytes, milliseconds) are printed, so a regression shows before it fails.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import type { Browser, Page } from "playwright-core";
import {
  assertNoAxeViolations,
  launchBrowser,
  newPage,
  type PageOptions,
  type Server,
  startServer,
  type TestPage,
  withServerOutput,
} from "./harness.ts";

// /pomoc too: its 800 px screenshots must shrink to a phone's width.
const PUBLIC = ["/", "/logowanie", "/rejestracja", "/pomoc"];
const RESIDENT = ["/ebok", "/ebok/saldo", "/ebok/naliczenia", "/ebok/wplaty", "/ebok/woda"];
const MENU = 'nav[aria-label="Menu główne"]';
const TRANSFER_BUDGET = 60 * 1024;
const FCP_BUDGET_MS = 3_000;
const WAIT_MS = 10_000;

const PHONE = { width: 320, height: 640 };
/** 1280×800 at 200 %. */
const ZOOM_200 = { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 };

/** A page logged in as the demo resident (the login form, JavaScript on or off). */
async function residentPage(browser: Browser, server: Server, options: PageOptions) {
  const page = await newPage(browser, options);
  await page.goto(`${server.baseUrl}/logowanie`);
  await page.fill("#identifier", server.demo.resident.identifier);
  await page.fill("#password", server.demo.resident.password);
  await page.click("form[action='/logowanie'] button[type=submit]");
  await page.waitForURL(`${server.baseUrl}/ebok`, { timeout: WAIT_MS });
  return page;
}

/** Opens each path in turn in an anonymous page and in a resident's page, calling `check`. */
async function eachPage(
  browser: Browser,
  server: Server,
  options: PageOptions,
  check: (page: Page, path: string) => Promise<void>,
) {
  {
    await using page = await newPage(browser, options);
    for (const path of PUBLIC) {
      const response = await page.goto(server.baseUrl + path);
      assert.equal(response?.status(), 200, `GET ${path}`);
      await check(page, path);
    }
  }
  await using page: TestPage = await residentPage(browser, server, options);
  for (const path of RESIDENT) {
    const response = await page.goto(server.baseUrl + path);
    assert.equal(response?.status(), 200, `GET ${path}`);
    await check(page, path);
  }
}

/** How many CSS pixels the page is wider than its viewport (0 when it does not scroll sideways). */
function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const d = (globalThis as any).document;
    return Math.max(d.documentElement.scrollWidth, d.body.scrollWidth) -
      d.documentElement.clientWidth;
  });
}

/** The elements wider than the viewport that are not inside a `.table-wrap` (for messages). */
function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const d = (globalThis as any).document;
    const width = d.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of d.querySelectorAll("body *")) {
      if (el.closest(".table-wrap")) continue;
      const r = el.getBoundingClientRect();
      if (r.right > width + 0.5 || r.left < -0.5) {
        out.push(
          `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}` +
            `${el.className && typeof el.className === "string" ? "." + el.className : ""} ` +
            `[${Math.round(r.left)}…${Math.round(r.right)}]`,
        );
      }
    }
    return out.slice(0, 10);
  });
}

async function assertNoSidewaysScroll(page: Page, where: string) {
  const extra = await sidewaysOverflow(page);
  if (extra > 0) {
    const culprits = await overflowingElements(page);
    assert.fail(`${where}: the page scrolls sideways by ${extra} px; too wide: ${culprits}`);
  }
}

/** `box` lies on screen: inside the viewport sideways, and at least partly inside it vertically. */
function assertOnScreen(
  box: { x: number; y: number; width: number; height: number } | null,
  viewport: { width: number; height: number },
  what: string,
) {
  assert.ok(box && box.width > 0 && box.height > 0, `${what} is rendered: ${JSON.stringify(box)}`);
  assert.ok(
    box.x >= -0.5 && box.x + box.width <= viewport.width + 0.5,
    `${what} fits the ${viewport.width} px width: ${JSON.stringify(box)}`,
  );
  assert.ok(
    box.y < viewport.height && box.y + box.height > 0,
    `${what} is in view once scrolled to: ${JSON.stringify(box)}`,
  );
}

/** Scrolls `selector`'s first match into view and checks it is on screen. */
async function assertReachable(page: Page, selector: string, what: string) {
  const el = page.locator(selector).first();
  await el.scrollIntoViewIfNeeded({ timeout: WAIT_MS });
  assert.ok(await el.isVisible(), `${what} is visible`);
  assertOnScreen(await el.boundingBox(), page.viewportSize()!, what);
}

/**
 * The main menu reached by keyboard from the top of the page — on a phone its "Menu" button (a
 * `<details>` disclosure), which Enter opens without JavaScript — and then every link on screen
 * once scrolled to.
 */
async function assertMenuReachable(page: Page, where: string) {
  const links = page.locator(`${MENU} a`);
  const count = await links.count();
  assert.ok(count >= 1, `the main menu has links on ${where}`);
  const folded = await page.locator(`${MENU} details.menu-fold > summary`).isVisible();
  await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).scrollTo(0, 0);
  });
  await page.locator("body").focus().catch(() => {});
  let reached = "";
  for (let i = 0; i < 12 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate((menu) => {
      // deno-lint-ignore no-explicit-any
      const el = (globalThis as any).document.activeElement;
      return el?.closest(menu) && (el.tagName === "A" || el.tagName === "SUMMARY")
        ? el.tagName
        : "";
    }, MENU);
  }
  assert.ok(reached, `Tab reaches the main menu on ${where}`);
  if (folded) {
    assert.equal(reached, "SUMMARY", `Tab reaches the "Menu" button on ${where}`);
    await page.keyboard.press("Enter");
    assert.ok(await links.first().isVisible(), `Enter opens the menu on ${where}`);
  }
  for (let i = 0; i < count; i++) {
    const link = links.nth(i);
    await link.scrollIntoViewIfNeeded({ timeout: WAIT_MS });
    assertOnScreen(
      await link.boundingBox(),
      page.viewportSize()!,
      `menu link ${i + 1} on ${where}`,
    );
  }
}

/** The first visible form field inside main (none on some pages). */
const FIRST_FIELD = "main :is(input:not([type=hidden]), select, textarea):visible";

// ---------------------------------------------------------------------------------------------
// 1. Transfer budget

type Wire = { url: string; status: number; encoding: string; bytes: number; identity: number };

/** GET with node:http, which (unlike fetch) hands over the body exactly as it came on the wire. */
function rawGet(url: string, headers: Record<string, string>): Promise<Omit<Wire, "identity">> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "GET", headers }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Uint8Array) => bytes += chunk.byteLength);
      res.on("end", () =>
        resolve({
          url,
          status: res.statusCode ?? 0,
          encoding: String(res.headers["content-encoding"] ?? "identity"),
          bytes,
        }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** The gzip size of `body` (what a compressing server would send). */
async function gzipSize(body: Uint8Array): Promise<number> {
  const stream = new Blob([body as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

// ---------------------------------------------------------------------------------------------

Deno.test("quality: transfer budget, 320 px, 200 % zoom, first paint on a slow phone", async (t) => {
  await using server = await startServer();
  await using browser = await launchBrowser();
  const base = server.baseUrl;
  const step = (name: string, fn: () => Promise<void>) =>
    t.step(name, () => withServerOutput(server, fn));

  await step("1. /ebok with its CSS and JS: under 60 KB on the wire", async () => {
    await using page = await residentPage(browser, server, { javaScript: true });
    const cookie = (await page.context().cookies(base)).map((c) => `${c.name}=${c.value}`)
      .join("; ");
    const html = await (await fetch(`${base}/ebok`, { headers: { cookie } })).text();
    assert.match(html, /<h1/, "the logged-in /ebok page");
    const refs = [
      ...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/g),
      ...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g),
    ].map((m) => new URL(m[1].replaceAll("&amp;", "&"), `${base}/ebok`).href);
    assert.ok(refs.length >= 2, `/ebok references its CSS and JS: ${refs}`);

    const wire: Wire[] = [];
    for (const url of [`${base}/ebok`, ...refs]) {
      const headers = { "accept-encoding": "gzip, br", cookie };
      const got = await rawGet(url, headers);
      assert.equal(got.status, 200, `GET ${url}`);
      const identityBody = new Uint8Array(
        await (await fetch(url, { headers: { "accept-encoding": "identity", cookie } }))
          .arrayBuffer(),
      );
      wire.push({ ...got, identity: identityBody.byteLength });
      // Not compressed by the server: count what gzip would make of it, and say so.
      if (got.encoding === "identity") {
        const gz = await gzipSize(identityBody);
        console.log(`  note: ${url} is sent uncompressed (${kb(got.bytes)}); gzip: ${kb(gz)}`);
        wire[wire.length - 1].bytes = gz;
      }
    }
    const total = wire.reduce((sum, w) => sum + w.bytes, 0);
    for (const w of wire) {
      console.log(
        `  ${new URL(w.url).pathname.padEnd(40)} ${w.encoding.padEnd(8)} ${
          kb(w.bytes).padStart(9)
        } (uncompressed ${kb(w.identity)})`,
      );
    }
    console.log(`  total on the wire: ${kb(total)} (budget ${kb(TRANSFER_BUDGET)})`);
    assert.ok(total < TRANSFER_BUDGET, `/ebok + CSS + JS: ${total} bytes, over ${TRANSFER_BUDGET}`);
  });

  for (const javaScript of [true, false]) {
    const mode = javaScript ? "JavaScript on" : "JavaScript off";

    await step(`2. 320×640 (${mode}): no sideways scroll, the menu reachable, axe`, async () => {
      await eachPage(browser, server, { javaScript, viewport: PHONE }, async (page, path) => {
        const where = `${path} at 320 px (${mode})`;
        await assertNoSidewaysScroll(page, where);
        await assertMenuReachable(page, where);
        await assertReachable(page, "main h1", `the h1 on ${where}`);
        await assertNoAxeViolations(page, where);
      });
    });

    await step(
      `3. 200 % zoom, 640×400 CSS px (${mode}): no sideways scroll, h1, first field`,
      async () => {
        const options: PageOptions = {
          javaScript,
          viewport: ZOOM_200.viewport,
          context: { deviceScaleFactor: ZOOM_200.deviceScaleFactor },
        };
        await eachPage(browser, server, options, async (page, path) => {
          const where = `${path} at 200 % (${mode})`;
          await assertNoSidewaysScroll(page, where);
          await assertReachable(page, "main h1", `the h1 on ${where}`);
          if (await page.locator(FIRST_FIELD).count() > 0) {
            await assertReachable(page, FIRST_FIELD, `the first form field on ${where}`);
          }
          await assertMenuReachable(page, where);
          await assertNoAxeViolations(page, where);
        });
      },
    );
  }

  await step(
    "4. first contentful paint on a slow phone: /logowanie and /ebok under 3 s",
    async () => {
      for (const path of ["/logowanie", "/ebok"]) {
        await using page = path === "/ebok"
          ? await residentPage(browser, server, {
            javaScript: true,
            viewport: { width: 412, height: 823 },
          })
          : await newPage(browser, { javaScript: true, viewport: { width: 412, height: 823 } });
        const cdp = await page.context().newCDPSession(page);
        await cdp.send("Network.enable");
        await cdp.send("Network.clearBrowserCache");
        await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
        await cdp.send("Network.emulateNetworkConditions", {
          offline: false,
          latency: 400,
          downloadThroughput: (400 * 1000) / 8,
          uploadThroughput: (400 * 1000) / 8,
        });
        await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
        const started = Date.now();
        const response = await page.goto(base + path, { waitUntil: "load", timeout: 30_000 });
        const loadMs = Date.now() - started;
        assert.equal(response?.status(), 200, `GET ${path}`);
        const fcp = await page.evaluate(() => {
          // deno-lint-ignore no-explicit-any
          const entries = (globalThis as any).performance.getEntriesByType("paint") as {
            name: string;
            startTime: number;
          }[];
          return entries.find((e) => e.name === "first-contentful-paint")?.startTime ?? null;
        });
        await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
        await cdp.detach();
        assert.ok(fcp !== null, `a first-contentful-paint entry on ${path}`);
        console.log(`  ${path}: first contentful paint ${Math.round(fcp)} ms, load ${loadMs} ms`);
        assert.ok(
          fcp < FCP_BUDGET_MS,
          `FCP on ${path}: ${Math.round(fcp)} ms, over ${FCP_BUDGET_MS}`,
        );
      }
    },
  );
});
