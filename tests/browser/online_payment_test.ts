/**
 * Paying online in Chromium, JavaScript off and on, against the real server (demo data, on a day
 * the demo flat owes money) and the fake Przelewy24 as its own HTTP server on another origin
 * (P24_BASE_URL points at it, as for the real gateway): /ebok "Zapłać online" → an amount above
 * the limit is refused (422, the form again) → a lowered amount → the gateway's page "Zapłać" →
 * the return page says "potwierdzona" only because the gateway confirmed it → /ebok shows it
 * "w drodze". "Odrzuć" returns to a page that claims nothing. The pay form fits a 320 px phone;
 * /admin/platnosci lists the payments, with the CSV link and the settings form; with the gateway
 * unreachable, an honest 503 page. axe on every page of the walk, the gateway's included.
 */
import assert from "node:assert/strict";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { startFakePrzelewy24Server } from "../../adapters/fake_przelewy24.ts";
import { currentTotp } from "../../domain/accounts/totp.ts";
import {
  assertNoAxeViolations,
  assertNoProblems,
  DEMO_STATE_DATES,
  launchBrowser,
  newPage,
  type Server,
  startServer,
  watchPage,
  withServerOutput,
} from "./harness.ts";

const CREDS = { merchantId: 300003, posId: 300003, crc: "browser-crc-9f8e", apiKey: "browser-key" };
const WAIT_MS = 10_000;
const PAY_FORM = "form.pay-online";

/** Text with non-breaking and narrow spaces as plain ones, whitespace collapsed. */
function plain(text: string | null): string {
  return (text ?? "").replace(/[\u00a0\u202f]/g, " ").replace(/\s+/g, " ").trim();
}

async function text(locator: Locator): Promise<string> {
  return plain(await locator.first().textContent());
}

/** "1 234,56 zł" → grosze. */
function grosze(amount: string): number {
  const t = plain(amount).replace(/ /g, "").replace(/zł$/, "");
  assert.match(t, /^\d+,\d{2}$/, `an amount in złoty: "${amount}"`);
  return Number(t.replace(",", ""));
}

/** 12345 → "123,45", as a resident types it. */
function typed(grosze: number): string {
  return `${Math.floor(grosze / 100)},${String(grosze % 100).padStart(2, "0")}`;
}

/** Runs `action` and waits until the URL satisfies `check`. */
async function navigate(
  page: Page,
  action: () => Promise<unknown>,
  check: (url: URL) => boolean,
  where: string,
) {
  await Promise.all([
    page.waitForURL(check, { timeout: WAIT_MS, waitUntil: "load" }).catch((e) => {
      throw new Error(`${where}: the URL is ${page.url()}, not the one expected (${e})`);
    }),
    action(),
  ]);
}

async function residentLogIn(page: Page, server: Server) {
  await page.goto(`${server.baseUrl}/logowanie`);
  await page.locator("#identifier").fill(server.demo.resident.identifier);
  await page.locator("#password").fill(server.demo.resident.password);
  await navigate(
    page,
    () => page.getByRole("button", { name: "Zaloguj się" }).click(),
    (u) => u.pathname === "/ebok",
    "the resident's login",
  );
}

/** The first unit card with a pay form (the demo flat). */
function payCard(page: Page): Locator {
  return page.locator("section.unit-card").filter({ has: page.locator(PAY_FORM) }).first();
}

/** "Od 1,00 zł do 771,34 zł": the bounds the form states. */
async function bounds(card: Locator): Promise<{ min: number; max: number }> {
  const hint = await text(card.locator(`${PAY_FORM} .hint`));
  const m = hint.match(/^Od (.+? zł) do (.+? zł)\./);
  assert.ok(m, `the bounds in the form's hint: "${hint}"`);
  return { min: grosze(m[1]), max: grosze(m[2]) };
}

/** What /ebok says is on its way for the card's unit (0 when nothing). */
async function inTransit(card: Locator): Promise<number> {
  const line = card.locator("p.in-transit");
  if (await line.count() === 0) return 0;
  const words = await text(line);
  const m = words.match(/^Uwzględniono (.+? zł) w drodze \(płatność online\)/);
  assert.ok(m, `the "w drodze" line: "${words}"`);
  return grosze(m[1]);
}

/** The unit's amount due as the card states it in words ("Do zapłaty 612,34 zł"). */
async function dueWords(card: Locator): Promise<string> {
  return await text(card.locator("p.big"));
}

async function staffLogIn(page: Page, server: Server) {
  await page.goto(`${server.baseUrl}/admin/logowanie`);
  const code = currentTotp(server.demo.staff.totpSecret);
  await page.fill("#login", server.demo.staff.login);
  await page.fill("#password", server.demo.staff.password);
  await page.fill("#totp", code);
  await navigate(
    page,
    () => page.click("form[action='/admin/logowanie'] button[type=submit]"),
    (u) => u.pathname === "/admin/wnioski",
    "the staff login",
  );
}

/** Opens /ebok, submits the pay form with `amount` and returns the gateway's page. */
async function startPayment(
  page: Page,
  server: Server,
  fakeUrl: string,
  amount: number,
  where: string,
) {
  await page.goto(`${server.baseUrl}/ebok`);
  const card = payCard(page);
  await card.locator(`${PAY_FORM} input[name=kwota]`).fill(typed(amount));
  await navigate(
    page,
    () => card.getByRole("button", { name: "Zapłać online" }).click(),
    (u) => u.href.startsWith(`${fakeUrl}/trnRequest/`),
    `${where}: "Zapłać online" leads to the gateway's page`,
  );
  assert.equal(
    grosze(await text(page.locator("dt:text-is('Kwota') + dd"))),
    amount,
    `${where}: the gateway was given the amount typed`,
  );
}

Deno.test("online payment in Chromium: pay with JavaScript off and on, Odrzuć, the form on a phone, /admin/platnosci — axe on every page", async (t) => {
  // The app and the fake call each other over HTTP: the app registers and verifies, the fake
  // sends the signed notification to the app's /platnosci/przelewy24.
  const fake = startFakePrzelewy24Server(CREDS);
  try {
    await using server = await startServer({
      today: DEMO_STATE_DATES.due,
      env: {
        P24_MERCHANT_ID: String(CREDS.merchantId),
        P24_POS_ID: String(CREDS.posId),
        P24_CRC: CREDS.crc,
        P24_API_KEY: CREDS.apiKey,
        P24_BASE_URL: fake.url,
      },
    });
    await using browser = await launchBrowser();
    const base = server.baseUrl;
    /** Grosze paid and confirmed so far, across the steps. */
    let paid = 0;

    for (const javaScript of [false, true]) {
      const mode = javaScript ? "JavaScript on" : "JavaScript off";
      await t.step(
        `${mode}: /ebok → a lowered amount → Zapłać → confirmed → w drodze`,
        () =>
          withServerOutput(server, async () => {
            await using page = await newPage(browser, { javaScript });
            const problems = await watchPage(page);
            await residentLogIn(page, server);

            const card = payCard(page);
            assert.equal(await card.count(), 1, `${mode}: /ebok offers "Zapłać online"`);
            assert.equal(await inTransit(card), paid, `${mode}: on its way before paying`);
            const due = await dueWords(card);
            assert.match(due, /^Do zapłaty /, `${mode}: the demo flat owes money (${due})`);
            const { min, max } = await bounds(card);
            const proposed = grosze(
              await card.locator(`${PAY_FORM} input[name=kwota]`).inputValue(),
            );
            assert.equal(proposed, max, `${mode}: the amount due is proposed (no overpayment)`);
            await assertNoAxeViolations(page, `/ebok with the pay form (${mode})`);

            // Above the limit: refused on the server, the form again with what was typed.
            await card.locator(`${PAY_FORM} input[name=kwota]`).fill(typed(max + 1));
            await card.getByRole("button", { name: "Zapłać online" }).click();
            await page.waitForLoadState("load");
            const field = page.locator(`${PAY_FORM} input[name=kwota]`);
            assert.equal(
              await field.inputValue(),
              typed(max + 1),
              `${mode}: the typed amount kept`,
            );
            assert.equal(await field.getAttribute("aria-invalid"), "true");
            const errorId = (await field.getAttribute("aria-describedby"))!.split(" ").pop()!;
            assert.match(
              await text(page.locator(`#${errorId}`)),
              /^Podaj kwotę od .+ zł do .+ zł\.$/,
              `${mode}: the error tied to the field`,
            );
            await assertNoAxeViolations(page, `the pay form refusing an amount (${mode})`);

            // A lowered amount: the gateway's page, then "Zapłać".
            const amount = Math.max(min, Math.floor(max / 2));
            assert.ok(amount < max, "an amount lower than what is due");
            await startPayment(page, server, fake.url, amount, mode);
            await assertNoAxeViolations(page, `the gateway's payment page (${mode})`);
            await navigate(
              page,
              () => page.getByRole("button", { name: /^Zapłać / }).click(),
              (u) => u.href.startsWith(`${base}/ebok/platnosci/`),
              `${mode}: "Zapłać" returns to the app`,
            );
            paid += amount;
            const status = await text(page.locator("main [role=status]"));
            assert.match(status, /^Płatność potwierdzona\./, `${mode}: the return page`);
            assert.ok(status.includes(`Kwota ${plain(typed(amount))} zł`), status);
            const session = new URL(page.url()).pathname.split("/").pop()!;
            assert.equal(
              fake.bySession(session)?.status,
              2,
              `${mode}: the gateway verified the payment the page calls confirmed`,
            );
            await assertNoAxeViolations(page, `the return page, confirmed (${mode})`);

            await page.getByRole("link", { name: "Wróć do strony głównej" }).click();
            await page.waitForURL(`${base}/ebok`, { timeout: WAIT_MS });
            assert.equal(await inTransit(payCard(page)), paid, `${mode}: "w drodze" on /ebok`);
            assert.notEqual(await dueWords(payCard(page)), due, `${mode}: the amount due lowered`);
            assertNoProblems(problems, mode);
          }),
      );
    }

    await t.step(
      "Odrzuć: the return page claims nothing, nothing goes on its way",
      () =>
        withServerOutput(server, async () => {
          await using page = await newPage(browser, { javaScript: true });
          const problems = await watchPage(page);
          await residentLogIn(page, server);
          const { min } = await bounds(payCard(page));
          await startPayment(page, server, fake.url, min, "Odrzuć");
          await navigate(
            page,
            () => page.getByRole("button", { name: "Odrzuć" }).click(),
            (u) => u.href.startsWith(`${base}/ebok/platnosci/`),
            `"Odrzuć" returns to the app`,
          );
          const status = await text(page.locator("main [role=status]"));
          assert.doesNotMatch(status, /potwierdzona/, "no confirmation claimed");
          assert.match(status, /nic nie zostało pobrane/, `the page says what is known: ${status}`);
          await assertNoAxeViolations(page, "the return page, not paid");
          await page.goto(`${base}/ebok`);
          assert.equal(await inTransit(payCard(page)), paid, "nothing more on its way");
          assertNoProblems(problems, "Odrzuć");
        }),
    );

    await t.step(
      "320 px: the pay form fits, its field and button at least 44 px tall",
      () =>
        withServerOutput(server, async () => {
          await using page = await newPage(browser, {
            javaScript: true,
            viewport: { width: 320, height: 640 },
          });
          await residentLogIn(page, server);
          const scroll = await page.evaluate(() => {
            // deno-lint-ignore no-explicit-any
            const root = (globalThis as any).document.documentElement;
            return root.scrollWidth - root.clientWidth;
          });
          assert.ok(scroll <= 0, `no sideways scroll at 320 px (${scroll} px too wide)`);
          const form = payCard(page).locator(PAY_FORM);
          for (
            const [name, target] of [
              ["the amount field", form.locator("input[name=kwota]")],
              ["the button", form.getByRole("button", { name: "Zapłać online" })],
            ] as const
          ) {
            await target.scrollIntoViewIfNeeded();
            assert.ok(await target.isVisible(), `${name} visible at 320 px`);
            const box = (await target.boundingBox())!;
            assert.ok(box.x >= 0 && box.x + box.width <= 320, `${name} within 320 px: ${box.x}`);
            assert.ok(box.height >= 44, `${name} at least 44 px tall: ${box.height}`);
          }
        }),
    );

    await t.step(
      "/admin/platnosci lists the payments (JavaScript off and on)",
      () =>
        withServerOutput(server, async () => {
          // One sign-in (a TOTP code works once), its cookies for the page without JavaScript.
          let signedIn: Awaited<ReturnType<BrowserContext["storageState"]>> | undefined;
          for (const javaScript of [true, false]) {
            await using page = await newPage(browser, {
              javaScript,
              context: signedIn ? { storageState: signedIn } : undefined,
            });
            const problems = await watchPage(page);
            if (!signedIn) {
              await staffLogIn(page, server);
              signedIn = await page.context().storageState();
            }
            await page.goto(`${base}/admin/platnosci`);
            const states = await page.locator("main table tbody tr td:nth-child(4)")
              .allTextContents();
            assert.equal(states.filter((s) => s === "potwierdzona").length, 2, states.join(", "));
            assert.equal(states.length, 3, `three payments started: ${states.join(", ")}`);
            // The demo staff member is an administrator: the CSV link and the settings form.
            assert.equal(await page.getByRole("link", { name: "Pobierz CSV" }).count(), 1);
            assert.ok(await page.getByRole("button", { name: "Zapisz ustawienia" }).isVisible());
            await assertNoAxeViolations(page, `/admin/platnosci (JavaScript ${javaScript})`);
            assertNoProblems(problems, "/admin/platnosci");
          }
        }),
    );

    await t.step(
      "the gateway unreachable: 503, an honest page, nothing started",
      () =>
        withServerOutput(server, async () => {
          await fake.close();
          await using page = await newPage(browser, { javaScript: false });
          const problems = await watchPage(page);
          await residentLogIn(page, server);
          const before = fake.transactions.size;
          const [response] = await Promise.all([
            page.waitForResponse((r) => r.url() === `${base}/ebok/platnosci`),
            payCard(page).getByRole("button", { name: "Zapłać online" }).click(),
          ]);
          await page.waitForLoadState("load");
          assert.equal(response.status(), 503);
          assert.equal(await text(page.locator("h1")), "Płatność online chwilowo niedostępna");
          assert.match(await text(page.locator("main [role=alert]")), /Nic nie zostało pobrane\./);
          assert.equal(fake.transactions.size, before, "nothing registered at the gateway");
          await assertNoAxeViolations(page, "the page of an unreachable gateway");
          assertNoProblems(problems, "the unreachable gateway");
        }),
    );
  } finally {
    await fake.close();
  }
});
