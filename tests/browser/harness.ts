/**
 * Browser test harness: the real server as a subprocess on a free port (its own throw-away KV
 * file, the development outbox, demo data), Debian's Chromium through playwright-core, axe-core
 * checks and screenshots. Every handle is `AsyncDisposable`, so `await using` tears the server
 * and the browser down even when a test fails.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import axeSource from "axe-core/axe.min.js" with { type: "text" };
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type DemoFlatState, demoFlatStateDays } from "../../domain/demo/demo_data.ts";
import { currentTotp } from "../../domain/accounts/totp.ts";

/** The repository root (this file is tests/browser/harness.ts). */
export const repoRoot: string = fileURLToPath(new URL("../../", import.meta.url));

/** Where screenshots go (ignored by fmt and lint). */
export const screenshotDir: string = join(repoRoot, "tests", "output", "screenshots");

/**
 * The day a test server lives on unless a test says otherwise (`EBOK_TODAY`, development and
 * tests only): the browser tests never depend on the real date. On 20 November 2026 the demo
 * flat is settled and the meter-reading window (20th – 5th) is open.
 */
export const DEFAULT_TODAY = "2026-11-20";

/** A day on which the demo flat is in each of its four states (see domain/demo/demo_data.ts). */
export const DEMO_STATE_DATES: Record<DemoFlatState, string> = {
  due: `2026-12-${String(demoFlatStateDays.due).padStart(2, "0")}`,
  overdue: `2026-12-${String(demoFlatStateDays.overdue).padStart(2, "0")}`,
  settled: `2026-12-${String(demoFlatStateDays.settled).padStart(2, "0")}`,
  overpaid: `2026-12-${String(demoFlatStateDays.overpaid).padStart(2, "0")}`,
};

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const SHOWN_OUTPUT_LINES = 80;

/** The logins a demo-seeded start prints (CONTRACT.md, "Environment"). */
export type DemoLogins = {
  resident: { identifier: string; password: string };
  staff: { login: string; password: string; totpSecret: string };
};

export type Server = AsyncDisposable & {
  /** `http://localhost:PORT`, no trailing slash. */
  baseUrl: string;
  port: number;
  /** The demo logins; throws when the start seeded no demo data (`EBOK_DEMO=0`). */
  demo: DemoLogins;
  /** Everything the server wrote to stdout and stderr so far, interleaved by line. */
  output(): string;
  /** SIGTERM, wait for the exit, remove the KV directory. Safe to call more than once. */
  stop(): Promise<void>;
};

/** Parses `key=value` pairs of a demo line into an object (values hold no spaces). */
function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of line.trim().split(/\s+/).slice(1)) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** Reads a byte stream line by line, calling `onLine` for each (the last one even unterminated). */
async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let nl;
    while ((nl = rest.indexOf("\n")) >= 0) {
      onLine(rest.slice(0, nl).replace(/\r$/, ""));
      rest = rest.slice(nl + 1);
    }
  }
  if (rest) onLine(rest);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Starts `main.ts` as a subprocess in development mode on a free port, with a fresh KV file and
 * demo data, its clock on `options.today` (default `DEFAULT_TODAY`), and waits (at most 30 s)
 * until it listens and has printed the demo logins. `options.env` adds to or overrides the
 * environment (e.g. `{ EBOK_DEMO: "0" }`).
 */
export async function startServer(
  options: { env?: Record<string, string>; today?: string } = {},
): Promise<Server> {
  const port = freePort();
  const baseUrl = `http://localhost:${port}`;
  const kvDir = await Deno.makeTempDir({ prefix: "ebok-browser-" });
  const env: Record<string, string> = {
    EBOK_ENV: "development",
    EBOK_KV_PATH: join(kvDir, "ebok.kv"),
    EBOK_DEMO: "1",
    PORT: String(port),
    EBOK_BASE_URL: baseUrl,
    // Whatever the calling shell holds, a test server never reaches the real providers: empty
    // means unset (platform/config.ts), so mail and SMS land in the development outbox.
    RESEND_API_KEY: "",
    TWILIO_ACCOUNT_SID: "",
    NO_COLOR: "1",
    EBOK_TODAY: options.today ?? DEFAULT_TODAY,
    ...options.env,
  };
  const expectDemo = env.EBOK_DEMO === "1";

  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts"],
    cwd: repoRoot,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const lines: string[] = [];
  let listening = false;
  let resident: DemoLogins["resident"] | undefined;
  let staff: DemoLogins["staff"] | undefined;
  let wake: () => void = () => {};

  const onLine = (source: "out" | "err") => (line: string) => {
    lines.push(source === "err" ? `[stderr] ${line}` : line);
    if (source === "out") {
      if (line.includes("listening on")) listening = true;
      if (line.startsWith("demo_resident ")) {
        const f = fields(line);
        resident = { identifier: f.identifier, password: f.password };
      }
      if (line.startsWith("demo_staff ")) {
        const f = fields(line);
        staff = { login: f.login, password: f.password, totpSecret: f.totp_secret };
      }
    }
    wake();
  };
  // Drained until the process exits, so a chatty server never blocks on a full pipe.
  const drained = Promise.all([
    readLines(child.stdout, onLine("out")),
    readLines(child.stderr, onLine("err")),
  ]).catch(() => {});
  let exited: Deno.CommandStatus | undefined;
  const status = child.status.then((s) => {
    exited = s;
    wake();
    return s;
  });

  const output = () => lines.join("\n");
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
        const timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* already gone */ }
        }, STOP_TIMEOUT_MS);
        await status;
        clearTimeout(timer);
      }
      await drained;
      await Deno.remove(kvDir, { recursive: true }).catch(() => {});
    })();

  // The demo lines follow "listening on" from the same callback; wait for them briefly.
  const ready = () => listening && (!expectDemo || (resident !== undefined && staff !== undefined));
  const deadline = Date.now() + START_TIMEOUT_MS;
  let failure: string | undefined;
  while (!ready()) {
    if (exited) {
      failure = `the server exited with code ${exited.code} before it was ready`;
      break;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      failure = listening
        ? "the server listens but printed no demo_resident/demo_staff lines"
        : `the server did not print "listening on" within ${START_TIMEOUT_MS / 1000} s`;
      break;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(left, 250));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  wake = () => {};
  if (failure) {
    await stop();
    console.error(`--- eBOK server output ---\n${output()}\n--- end of server output ---`);
    throw new Error(`startServer: ${failure} (its output is printed above)`);
  }

  const demo = resident && staff ? { resident, staff } : undefined;
  return {
    baseUrl,
    port,
    get demo(): DemoLogins {
      if (!demo) throw new Error("startServer: this start seeded no demo data (EBOK_DEMO=0)");
      return demo;
    },
    output,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Runs `fn`; when it throws, prints the server's output first (a 500's stack trace is there),
 * then rethrows. Wrap test steps in it: `t.step(name, () => withServerOutput(server, fn))`.
 */
export async function withServerOutput<T>(server: Server, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const lines = server.output().split("\n");
    const shown = lines.slice(-SHOWN_OUTPUT_LINES).join("\n");
    const cut = lines.length > SHOWN_OUTPUT_LINES ? ` (last ${SHOWN_OUTPUT_LINES} lines)` : "";
    console.error(`--- eBOK server output${cut} ---\n${shown}\n--- end of server output ---`);
    throw error;
  }
}

export type TestBrowser = Browser & AsyncDisposable;

/** Launches headless Chromium (`CHROMIUM_PATH` or Debian's `/usr/bin/chromium`). */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  return Object.assign(browser, {
    [Symbol.asyncDispose]: async () => {
      await browser.close().catch(() => {});
    },
  });
}

export type TestPage = Page & AsyncDisposable;

/** Pages made by `newPage` with JavaScript off (checkAccessibility needs to know). */
const scriptlessPages = new WeakSet<Page>();

export type PageOptions = {
  /** false: the context runs no page scripts at all, as for a resident with JavaScript off. */
  javaScript: boolean;
  /** Default 1280×800. */
  viewport?: { width: number; height: number };
  /** Extra context options (e.g. `baseURL`, `colorScheme`, `reducedMotion`). */
  context?: Parameters<Browser["newContext"]>[0];
};

/**
 * A page in a fresh context (own cookies and storage), Polish locale. The app's CSP stays in
 * force (no `bypassCSP`): a test of the page sees exactly what a resident's browser does.
 * Disposing the page closes its context.
 */
export async function newPage(browser: Browser, options: PageOptions): Promise<TestPage> {
  const context: BrowserContext = await browser.newContext({
    locale: "pl-PL",
    timezoneId: "Europe/Warsaw",
    viewport: options.viewport ?? { width: 1280, height: 800 },
    ...options.context,
    javaScriptEnabled: options.javaScript,
  });
  const page = await context.newPage();
  if (!options.javaScript) scriptlessPages.add(page);
  return Object.assign(page, {
    [Symbol.asyncDispose]: async () => {
      await context.close().catch(() => {});
    },
  });
}

/** What a page reported that a test should see as a failure. */
export type PageProblems = {
  /** Console messages naming the Content Security Policy (logged with JavaScript off too). */
  csp: string[];
  /** `securitypolicyviolation` events, from every document the page loaded (JavaScript on). */
  cspEvents: string[];
  /** Uncaught exceptions in the page's scripts. */
  errors: string[];
};

/**
 * Starts recording, for the page's whole life and across navigations, what would betray a CSP
 * violation or a broken script. Call it before the first `goto`. The event listener comes in as
 * an init script and reports through an exposed function, both by the DevTools protocol, so the
 * page's CSP neither blocks nor notices them; with JavaScript off neither runs, and the console
 * messages still show what the CSP blocked (an inline style, say).
 */
export async function watchPage(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { csp: [], cspEvents: [], errors: [] };
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.csp.push(m.text());
  });
  page.on("pageerror", (e) => problems.errors.push(String(e)));
  await page.exposeFunction("__ebokCspViolation", (text: string) => {
    problems.cspEvents.push(text);
  });
  await page.addInitScript(() => {
    // deno-lint-ignore no-explicit-any
    const w = globalThis as any;
    w.document.addEventListener("securitypolicyviolation", (e: {
      violatedDirective: string;
      blockedURI: string;
      sourceFile: string;
      lineNumber: number;
    }) => {
      w.__ebokCspViolation(
        `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ` +
          `${e.sourceFile || w.location.href}:${e.lineNumber}`,
      );
    });
  });
  return problems;
}

/** The element that has the keyboard focus, described for assertions and their messages. */
export type Focus = {
  tag: string;
  id: string;
  /** Its text, whitespace collapsed, at most 80 characters. */
  text: string;
  href: string | null;
  /** Inside `nav[aria-label="Menu główne"]`. */
  inNav: boolean;
  /** Inside `main` (not `main` itself). */
  inMain: boolean;
  /** After the end of `main` in document order. */
  afterMain: boolean;
};

export function focusedElement(page: Page): Promise<Focus> {
  return page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const d = (globalThis as any).document;
    const el = d.activeElement ?? d.body;
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

/** Presses Tab up to `max` times, returning each element focused, until `stop` says enough. */
export async function tabStops(
  page: Page,
  max: number,
  stop: (focus: Focus) => boolean = () => false,
): Promise<Focus[]> {
  const stops: Focus[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const focus = await focusedElement(page);
    stops.push(focus);
    if (stop(focus) || focus.tag === "body") break;
  }
  return stops;
}

/** One axe violation, reduced to what a failing assertion should show. */
export type AxeViolation = {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; summary: string }[];
};

export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/**
 * Runs axe-core on the page as it is now and returns its violations (`[]` when none), ready for
 * `assert.deepEqual(violations, [], describeViolations(violations))`.
 *
 * How axe gets in: by `page.evaluate`, i.e. the DevTools protocol, which the page's CSP does not
 * govern (the protocol allows code from strings while it evaluates), so the page under test keeps
 * its strict CSP — no `bypassCSP`, no `<script>` tag — and running axe reports no CSP violation.
 *
 * With JavaScript off (`javaScriptEnabled: false`, i.e. `Emulation.setScriptExecutionDisabled`)
 * the protocol still evaluates code and settles promises, but no callback the page schedules
 * (setTimeout, queueMicrotask, MutationObserver, MessageChannel) ever runs — measured with
 * Chromium 156 — and axe schedules its work with `setTimeout(fn, 0)`, so it would hang. For such
 * pages (made by `newPage`, or say `{ javaScript: false }`) axe runs with `setTimeout` swapped,
 * for the duration of the run, for one that turns zero-delay timers into promise reactions and
 * drops longer ones (only axe's own give-up timeouts, which a finishing run does not need). That checks the very page a resident without
 * JavaScript gets — its DOM untouched by app.js/htmx, its URL possibly the answer to a POST —
 * which a second, JS-enabled context re-loading the URL could not do.
 */
export async function checkAccessibility(
  page: Page,
  options: { tags?: string[]; exclude?: string[]; javaScript?: boolean } = {},
): Promise<AxeViolation[]> {
  const scriptless = options.javaScript === undefined
    ? scriptlessPages.has(page)
    : !options.javaScript;
  return await page.evaluate(
    async ({ source, tags, exclude, scriptless }) => {
      type AxeResult = {
        violations: {
          id: string;
          impact?: string | null;
          help: string;
          helpUrl: string;
          nodes: { target: unknown[]; failureSummary?: string }[];
        }[];
      };
      type Axe = { run(context: unknown, options: unknown): Promise<AxeResult> };
      type Timers = {
        setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...a: unknown[]) => number;
      };
      const w = globalThis as unknown as Timers & { axe?: Axe; document: unknown };
      // The source defines `axe` on the page's window (no CSP violation: see above).
      if (!w.axe) new Function(source)();
      const realSetTimeout = w.setTimeout;
      if (scriptless) {
        let next = 1;
        w.setTimeout = (fn, ms = 0, ...args) => {
          if (ms < 5) void Promise.resolve().then(() => fn(...args));
          return next++;
        };
      }
      try {
        const context = exclude.length ? { include: [w.document], exclude } : w.document;
        const result = await w.axe!.run(context, {
          runOnly: { type: "tag", values: tags },
          resultTypes: ["violations"],
        });
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact ?? null,
          help: v.help,
          helpUrl: v.helpUrl,
          nodes: v.nodes.map((n) => ({
            target: n.target.map(String),
            summary: n.failureSummary ?? "",
          })),
        }));
      } finally {
        w.setTimeout = realSetTimeout;
      }
    },
    {
      source: axeSource,
      tags: options.tags ?? AXE_TAGS,
      exclude: options.exclude ?? [],
      scriptless,
    },
  );
}

/** A one-line-per-node description of violations, for assertion messages. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help} — ${v.helpUrl}\n` +
    v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.summary.replace(/\s+/g, " ")}`).join("\n")
  ).join("\n");
}

/** Saves a full-page PNG to tests/output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(screenshotDir, `${name}.png`);
  await mkdir(dirname(path), { recursive: true });
  // caret "initial": the default "hide" injects an inline style, which our CSP (rightly) blocks.
  await page.screenshot({ path, fullPage: true, caret: "initial" });
  return path;
}

/** Zero axe violations, or a failure listing them readably. */
export async function assertNoAxeViolations(page: Page, where: string) {
  const violations = await checkAccessibility(page);
  assert.deepEqual(violations, [], `axe on ${where}:\n${describeViolations(violations)}`);
}

/** No CSP report and no uncaught script error so far on the watched page. */
export function assertNoProblems(problems: PageProblems, where: string) {
  assert.deepEqual(problems.csp, [], `CSP messages in the console on ${where}`);
  assert.deepEqual(problems.cspEvents, [], `securitypolicyviolation events on ${where}`);
  assert.deepEqual(problems.errors, [], `uncaught script errors on ${where}`);
}

/**
 * Assertions whose failure should not stop the step: each runs now, a failure is remembered,
 * and `done()` fails with all of them at the end (so one app bug does not hide the checks after).
 */
export function softChecks() {
  const failures: string[] = [];
  return {
    async check(fn: () => void | Promise<void>) {
      try {
        await fn();
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    },
    done(where: string) {
      assert.ok(failures.length === 0, `${where}:\n\n${failures.join("\n\n")}`);
    },
  };
}

/** The last TOTP code used per staff secret: a code works once, so the next sign-in waits. */
const lastTotpCodes = new Map<string, string>();

/** Signs the demo staff member in on `page` (password + TOTP) and waits for the requests page. */
export async function signInDemoStaff(page: Page, server: Server): Promise<void> {
  const { login, password, totpSecret } = server.demo.staff;
  await page.goto(`${server.baseUrl}/admin/logowanie`);
  let code = currentTotp(totpSecret);
  while (code === lastTotpCodes.get(totpSecret)) {
    await new Promise((r) => setTimeout(r, 1000));
    code = currentTotp(totpSecret);
  }
  lastTotpCodes.set(totpSecret, code);
  await page.fill("#login", login);
  await page.fill("#password", password);
  await page.fill("#totp", code);
  await page.click("form[action='/admin/logowanie'] button[type=submit]");
  await page.waitForURL(`${server.baseUrl}/admin/wnioski`);
}
