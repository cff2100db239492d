/**
 * Every page a resident or the office opens, in Chromium with JavaScript on and off: the right
 * status, one h1, the main menu, zero axe violations and no CSP report. A sweep, so a new page
 * cannot skip the accessibility check.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { currentTotp } from "../../domain/accounts/totp.ts";
import {
  checkAccessibility,
  describeViolations,
  launchBrowser,
  newPage,
  type PageProblems,
  startServer,
  watchPage,
  withServerOutput,
} from "./harness.ts";

const PUBLIC = [
  "/",
  "/pomoc",
  "/rejestracja",
  "/logowanie",
  "/nie-pamietam-hasla",
  "/admin/logowanie",
];
const RESIDENT = [
  "/ebok",
  "/ebok/saldo",
  "/ebok/naliczenia",
  "/ebok/wplaty",
  "/ebok/woda",
  "/ebok/konto",
  "/pomoc",
  "/zmiana-hasla",
];
const STAFF = [
  "/admin/wnioski",
  "/admin/rejestr?q=kazimierza",
  "/admin/konta",
  "/admin/odczyty",
  "/admin/import",
  "/admin/komunikaty",
  "/admin/wiadomosci",
  "/admin/dziennik",
  "/admin/ustawienia",
  "/admin/ustawienia/api",
  "/admin/haslo",
];

type Watched = { page: Page; problems: PageProblems };

async function watched(page: Page): Promise<Watched> {
  return { page, problems: await watchPage(page) };
}

async function checkPage(w: Watched, base: string, path: string, where: string) {
  const { page, problems } = w;
  const seen = {
    csp: problems.csp.length,
    events: problems.cspEvents.length,
    errors: problems.errors.length,
  };
  const response = await page.goto(`${base}${path}`);
  assert.equal(response?.status(), 200, `GET ${path} (${where})`);
  assert.equal(await page.locator("h1").count(), 1, `one h1 on ${path} (${where})`);
  assert.equal(
    await page.locator('nav[aria-label="Menu główne"]').count(),
    1,
    `the main menu on ${path} (${where})`,
  );
  const violations = await checkAccessibility(page);
  assert.deepEqual(violations, [], `axe on ${path} (${where}):\n${describeViolations(violations)}`);
  assert.deepEqual(problems.csp.slice(seen.csp), [], `CSP messages on ${path} (${where})`);
  assert.deepEqual(problems.cspEvents.slice(seen.events), [], `CSP events on ${path} (${where})`);
  assert.deepEqual(problems.errors.slice(seen.errors), [], `script errors on ${path} (${where})`);
}

Deno.test("every page: 200, one h1, the menu, zero axe violations, no CSP report — JavaScript on and off", async (t) => {
  await using server = await startServer();
  await using browser = await launchBrowser();
  const base = server.baseUrl;
  let lastTotp = "";

  for (const javaScript of [true, false]) {
    const mode = javaScript ? "JavaScript on" : "JavaScript off";
    await t.step(mode, () =>
      withServerOutput(server, async () => {
        await using anonymous = await newPage(browser, { javaScript });
        const anon = await watched(anonymous);
        for (const path of PUBLIC) await checkPage(anon, base, path, `${mode}, anonymous`);

        await using resident = await newPage(browser, { javaScript });
        await resident.goto(`${base}/logowanie`);
        await resident.fill("#identifier", server.demo.resident.identifier);
        await resident.fill("#password", server.demo.resident.password);
        await resident.click("form[action='/logowanie'] button[type=submit]");
        await resident.waitForURL(`${base}/ebok`);
        const res = await watched(resident);
        for (const path of RESIDENT) await checkPage(res, base, path, `${mode}, resident`);

        await using staff = await newPage(browser, { javaScript });
        await staff.goto(`${base}/admin/logowanie`);
        // A TOTP code works once: wait for a fresh one if the last walk used this step's.
        let code = currentTotp(server.demo.staff.totpSecret);
        while (code === lastTotp) {
          await new Promise((r) => setTimeout(r, 1000));
          code = currentTotp(server.demo.staff.totpSecret);
        }
        lastTotp = code;
        await staff.fill("#login", server.demo.staff.login);
        await staff.fill("#password", server.demo.staff.password);
        await staff.fill("#totp", code);
        await staff.click("form[action='/admin/logowanie'] button[type=submit]");
        await staff.waitForURL(`${base}/admin/wnioski`);
        const off = await watched(staff);
        for (const path of STAFF) await checkPage(off, base, path, `${mode}, staff`);
        const firstAccount = await staff.goto(`${base}/admin/konta`).then(() =>
          staff.locator("a[href^='/admin/konta/']").first().getAttribute("href")
        );
        assert.ok(firstAccount);
        await checkPage(off, base, firstAccount!, `${mode}, staff`);
      }));
  }
});
