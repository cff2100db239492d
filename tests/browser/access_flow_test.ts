/**
 * The whole resident access flow in a real browser, against the real server (development outbox,
 * demo data), once with JavaScript on and once with it off: registration (inline htmx check of
 * the phone, the server's 422 for an unticked data-protection box, the keyboard alone), the
 * confirmation e-mail, the staff approval with password + TOTP, the identifier e-mail and the
 * start-password SMS, the forced password change (the live rule checklist, the 422 for a password
 * without an upper-case letter), the dashboard and the logout. Every new page: status, URL, h1,
 * zero axe violations, no CSP violation, no script error, and a screenshot of the key ones.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { getUnit } from "../../domain/backoffice/register.ts";
import { currentTotp, TOTP_DIGITS, TOTP_INTERVAL_SECONDS } from "../../domain/accounts/totp.ts";
import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import {
  assertNoAxeViolations,
  assertNoProblems,
  DEFAULT_TODAY,
  focusedElement,
  launchBrowser,
  newPage,
  screenshotDir,
  type Server,
  startServer,
  type TestBrowser,
  watchPage,
  withServerOutput,
} from "./harness.ts";
import { clockStartingOn } from "../../domain/shared/clock.ts";

type OutboxEntry = {
  channel: "email" | "sms";
  to: string;
  subject?: string;
  text: string;
  createdAt: string;
};

/** One walk's resident: who registers, for which unit of the demo register. */
type Walk = {
  javaScript: boolean;
  mode: string;
  suffix: "js" | "nojs";
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  phoneE164: string;
  street: string;
  building: string;
  unit: string;
  /** The unit's label on the staff page (`unitAddress`), e.g. "ul. Kazimierza Wielkiego 12/7". */
  unitLabel: string;
};

const NEW_PASSWORD = "Moje-Nowe-Haslo-7";
const NO_UPPER_CASE = "bez-wielkiej-7";
const NAV_TIMEOUT_MS = 10_000;

/**
 * Addresses from the demo register, read the way the server seeds it (deterministic): the demo
 * resident's flat, and a flat of the second building — each with a name the register lists
 * there, so the card's name check finds the applicant ("zgodne") and ticks the flat.
 */
async function demoAddresses() {
  const kv = await Deno.openKv(":memory:");
  try {
    const coop = await seedDemoCooperative(kv, clockStartingOn(DEFAULT_TODAY));
    const r = coop.demoResident;
    const second = coop.buildings[1];
    const flat = coop.units.find((u) => u.buildingId === second.id && u.kind === "flat");
    assert.ok(flat, "the demo register has a flat in its second building");
    // As `unitAddress` (domain/backoffice/register.ts) labels a flat on the staff page.
    const label = (street: string, building: string, unit: string) =>
      `ul. ${street.replace(/^ul\.?\s+/i, "")} ${building}/${unit}`;
    const occupants = (await getUnit(kv, flat.id))?.occupants ?? [];
    assert.ok(occupants.length > 0, "the register names who holds the flat");
    const [otherFirst, ...otherLast] = occupants[0].split(" ");
    return {
      demoFlat: {
        firstName: "Marek",
        lastName: "Zieliński",
        street: r.street,
        building: r.building,
        unit: r.unit,
        unitLabel: label(r.street, r.building, r.unit),
      },
      otherFlat: {
        firstName: otherFirst,
        lastName: otherLast.join(" "),
        street: second.street,
        building: second.number,
        unit: flat.number,
        unitLabel: label(second.street, second.number, flat.number),
      },
    };
  } finally {
    kv.close();
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Page checks

type Expected = {
  /** The pathname the page ends on. */
  path: string;
  /** The status of the answer that ends there (after any redirect). */
  status: number;
  /** The single `<h1>`. */
  h1: string | RegExp;
  /** Extra check on the final URL's query string. */
  search?: string;
};

/**
 * Runs `action` (a click, a key press, a `goto`) that loads a new page, with JavaScript off, or
 * swaps a new one into the body (hx-boost), with it on; waits until the new `main` is in place
 * and htmx has settled, then checks the answer's status, the URL and the single h1, and — unless
 * told otherwise — runs axe on the result.
 */
async function arrive(
  page: Page,
  action: () => Promise<unknown>,
  expected: Expected,
  where: string,
  options: { axe?: boolean } = {},
) {
  // The current main is marked; the new page (or the swapped body) brings an unmarked one.
  await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).document.querySelector("main#tresc")?.setAttribute("data-flow-stale", "");
  });
  const answer = page.waitForResponse((r) => {
    const status = r.status();
    return new URL(r.url()).pathname === expected.path &&
      ["document", "xhr", "fetch"].includes(r.request().resourceType()) &&
      (status < 300 || status >= 400);
  }, { timeout: NAV_TIMEOUT_MS });
  answer.catch(() => {/* reported below */});
  await action();
  const response = await answer.catch((e) => {
    throw new Error(`${where}: no answer from ${expected.path} (${e})`);
  });
  await page.locator("main#tresc:not([data-flow-stale])").waitFor({ timeout: NAV_TIMEOUT_MS });
  await htmxSettled(page);
  assert.equal(response.status(), expected.status, `status of ${expected.path} (${where})`);
  await page.waitForURL((u) => u.pathname === expected.path, { timeout: 3_000 }).catch(() => {});
  const url = new URL(page.url());
  assert.equal(url.pathname, expected.path, `URL (${where}): ${page.url()}`);
  if (expected.search !== undefined) {
    assert.equal(url.search, expected.search, `query string (${where})`);
  }
  const h1 = page.locator("h1");
  assert.equal(await h1.count(), 1, `exactly one h1 (${where})`);
  const heading = ((await h1.textContent()) ?? "").trim().replace(/\s+/g, " ");
  if (typeof expected.h1 === "string") assert.equal(heading, expected.h1, `h1 (${where})`);
  else assert.match(heading, expected.h1, `h1 (${where})`);
  if (options.axe !== false) await assertNoAxeViolations(page, where);
}

/** Waits until htmx has no request in flight and nothing left to settle. */
async function htmxSettled(page: Page) {
  await page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added").first()
    .waitFor({ state: "detached", timeout: NAV_TIMEOUT_MS });
}

/**
 * Fills a field and leaves it with Tab, as a person does, then lets its inline check (htmx, on
 * `change`) finish: the fields sync on the form with `abort`, so a check started while another
 * is in flight would be dropped.
 */
async function typeAndLeave(page: Page, id: string, value: string) {
  await page.locator(`#${id}`).fill(value);
  await page.keyboard.press("Tab");
  await htmxSettled(page);
}

/**
 * A full-page screenshot into tests/output/screenshots/<name>.png, like the harness's
 * `screenshot`, but with `caret: "initial"`: Playwright's default (`"hide"`) injects a
 * `<style>` that the app's strict CSP (`style-src 'self'`) blocks, and Chromium then logs
 * "Applying inline style violates … style-src" each time a text field that was on the page
 * during the screenshot gets the focus — a CSP message the app did not cause.
 */
async function screenshotKeepingCaret(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({
    path: join(screenshotDir, `${name}.png`),
    fullPage: true,
    caret: "initial",
  });
}

/** The text of an element, whitespace collapsed. */
async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? "").trim().replace(/\s+/g, " ");
}

async function describedBy(locator: Locator): Promise<string[]> {
  return ((await locator.getAttribute("aria-describedby")) ?? "").split(/\s+/).filter(Boolean);
}

/**
 * Presses Tab until the element with `id` has the focus (at most `max` times; `"submit"` means
 * the form's "Wyślij formularz" button); returns what each press focused.
 */
async function tabTo(page: Page, id: string, max: number, where: string): Promise<string[]> {
  const passed: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focusedElement(page);
    passed.push(f.id || `${f.tag} "${f.text}"`);
    if (id === "submit" ? f.tag === "button" && f.text === "Wyślij formularz" : f.id === id) {
      return passed;
    }
  }
  assert.fail(`Tab reaches ${id} within ${max} presses (${where}): ${passed.join(" → ")}`);
}

// ---------------------------------------------------------------------------------------------
// The development outbox

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
  const deadline = Date.now() + 5_000;
  let seen: OutboxEntry[] = [];
  while (Date.now() < deadline) {
    seen = await outbox(server);
    const found = seen.find(find);
    if (found) return found;
    await sleep(100);
  }
  assert.fail(
    `${what} in /dev/outbox.json within 5 s; it holds:\n` +
      seen.map((m) => `  ${m.channel} to ${m.to}: ${m.subject ?? m.text.slice(0, 60)}`).join("\n"),
  );
}

// ---------------------------------------------------------------------------------------------
// TOTP: a code is accepted once only, so the second staff login must not reuse the first's.

const usedTotpCodes = new Set<string>();
/** How long the test may wait for the next 30-s step rather than sign with its code early. */
const MAX_TOTP_WAIT_MS = 8_000;

/**
 * A code not used yet: the current one (`currentTotp`) when it is fresh; otherwise the next
 * step's — after waiting for that step when it is near, or else signed now: `verifyTotp` takes
 * the neighbouring step's code too (a phone's clock drift), as an authenticator app would show
 * it a few seconds later. Keeps the two walks well under 40 s.
 */
async function freshTotp(secret: string): Promise<string> {
  const code = currentTotp(secret);
  if (!usedTotpCodes.has(code)) {
    usedTotpCodes.add(code);
    return code;
  }
  const stepMs = TOTP_INTERVAL_SECONDS * 1000;
  const untilNext = stepMs - (Date.now() % stepMs);
  let next: string;
  if (untilNext <= MAX_TOTP_WAIT_MS) {
    await sleep(untilNext + 50);
    next = currentTotp(secret);
  } else {
    const counter = BigInt(Math.floor(Date.now() / stepMs) + 1);
    next = generateHOTP(decodeBase32IgnorePadding(secret), counter, TOTP_DIGITS);
  }
  assert.ok(!usedTotpCodes.has(next), "a TOTP code not used yet");
  usedTotpCodes.add(next);
  return next;
}

// ---------------------------------------------------------------------------------------------
// The walk

async function walk(
  t: Deno.TestContext,
  server: Server,
  browser: TestBrowser,
  w: Walk,
) {
  const { javaScript, mode, suffix } = w;
  const shot = (page: Page, name: string) => screenshotKeepingCaret(page, `flow-${suffix}-${name}`);
  await using page = await newPage(browser, { javaScript });
  const problems = await watchPage(page);
  let failed: string | undefined;
  // A failed step skips the rest of the walk (they build on it), unless it changes nothing later
  // steps need (`blocking: false`).
  const step = async (name: string, fn: () => Promise<void>, blocking = true) => {
    const ok = await t.step({
      name,
      ignore: failed !== undefined,
      fn: () => withServerOutput(server, fn),
    });
    if (!ok && blocking && !failed) failed = name;
  };
  const base = server.baseUrl;
  let identifier = "";
  let startPassword = "";
  let unitLabels: string[] = [];

  await step(`1. / → „Zarejestruj się” → /rejestracja (${mode})`, async () => {
    const where = `/ (${mode})`;
    await arrive(page, () => page.goto(`${base}/`), { path: "/", status: 200, h1: /^eBOK/ }, where);
    await shot(page, "01-home");
    await arrive(
      page,
      () => page.getByRole("link", { name: /^Zarejestruj się/ }).click(),
      { path: "/rejestracja", status: 200, h1: "Rejestracja w eBOK" },
      `/rejestracja (${mode})`,
    );
    await shot(page, "02-registration");
    assertNoProblems(problems, `/rejestracja (${mode})`);
  });

  const fields: [string, string][] = [
    ["first_name", w.firstName],
    ["last_name", w.lastName],
    ["email", w.email],
    ["phone", w.phone],
    ["street", w.street],
    ["building", w.building],
    ["unit", w.unit],
  ];

  if (javaScript) {
    await step(`1a. an invalid phone: the inline error without a page load (${mode})`, async () => {
      const where = `/rejestracja, phone "123" (${mode})`;
      for (const [name, value] of fields.slice(0, 3)) await typeAndLeave(page, name, value);
      await page.evaluate(() => {
        (globalThis as unknown as { __flowSamePage: boolean }).__flowSamePage = true;
      });
      const phone = page.locator("#phone");
      await phone.fill("123");
      const checked = page.waitForResponse(
        (r) => new URL(r.url()).pathname === "/rejestracja/sprawdz",
        { timeout: 5_000 },
      );
      await page.keyboard.press("Tab");
      const answer = await checked.catch(() => null);
      assert.ok(answer, `leaving the phone field asks POST /rejestracja/sprawdz (${where})`);
      assert.equal(answer.status(), 200, `status of /rejestracja/sprawdz (${where})`);
      const error = page.locator("#field-phone #phone-error");
      await error.waitFor({ timeout: 5_000 });
      assert.match(await text(error), /numer telefonu/, `the inline error (${where})`);
      assert.equal(await phone.getAttribute("aria-invalid"), "true", `aria-invalid (${where})`);
      assert.ok(
        (await describedBy(phone)).includes("phone-error"),
        `aria-describedby of #phone has phone-error (${where}): ${await describedBy(phone)}`,
      );
      assert.equal(await phone.inputValue(), "123", `the typed phone stays (${where})`);
      assert.equal(
        await page.evaluate(() =>
          (globalThis as unknown as { __flowSamePage?: boolean }).__flowSamePage
        ),
        true,
        `no page load: the same document (${where})`,
      );
      assert.equal(new URL(page.url()).pathname, "/rejestracja", `URL (${where})`);
      assert.equal((await focusedElement(page)).id, "street", `the focus stays on the next field`);
      assert.equal(await page.locator(".notice.bad").count(), 0, `no error summary (${where})`);
      await assertNoAxeViolations(page, where);
      await shot(page, "03-phone-error");

      // Corrected, the field loses its error the same way.
      await phone.fill(w.phone);
      await page.keyboard.press("Tab");
      await page.locator("#field-phone:not(.invalid) #phone:not([aria-invalid])").waitFor({
        timeout: 5_000,
      });
      assert.equal(await page.locator("#phone-error").count(), 0, `the error is gone (${where})`);
      assertNoProblems(problems, where);
    }, false);
  }

  await step(`1b. the data-protection box unticked → 422, values kept (${mode})`, async () => {
    const where = `POST /rejestracja without rodo_ack (${mode})`;
    const checkbox = page.locator("#rodo_ack");
    if (javaScript) {
      for (const [name, value] of fields) await typeAndLeave(page, name, value);
    } else {
      // The keyboard alone: the first field focused, each value typed, Tab to the next.
      await page.locator("#first_name").focus();
      for (const [i, [name, value]] of fields.entries()) {
        assert.equal((await focusedElement(page)).id, name, `Tab order reaches #${name}`);
        await page.keyboard.type(value);
        await page.keyboard.press("Tab");
        if (i === fields.length - 1) {
          assert.equal((await focusedElement(page)).id, "rodo_ack", `Tab after #unit (${where})`);
        }
      }
      for (const [name, value] of fields) {
        assert.equal(await page.locator(`#${name}`).inputValue(), value, `typed #${name}`);
      }
    }
    assert.equal(await checkbox.isChecked(), false, "the box is unticked");
    // The browser's own `required` check would stop the form here; the server must refuse too.
    await checkbox.evaluate((el) => el.removeAttribute("required"));
    const submit = page.getByRole("button", { name: "Wyślij formularz" });
    await arrive(
      page,
      async () => {
        if (javaScript) await submit.click();
        else {
          await tabTo(page, "submit", 4, where);
          await page.keyboard.press("Enter");
        }
      },
      { path: "/rejestracja", status: 422, h1: "Rejestracja w eBOK" },
      where,
    );
    for (const [name, value] of fields) {
      assert.equal(await page.locator(`#${name}`).inputValue(), value, `#${name} kept (${where})`);
    }
    assert.equal(await page.locator('input[type="password"]').count(), 0, "no password field");
    const summary = page.locator('main .notice.bad[role="alert"]');
    assert.equal(await summary.count(), 1, `one error summary (${where})`);
    assert.match(await text(summary), /Popraw zaznaczone pola/, `summary title (${where})`);
    assert.equal(
      await summary.locator("li").count(),
      1,
      `one error listed: ${await text(summary)}`,
    );
    assert.equal(
      await summary.locator('a[href="#rodo_ack"]').count(),
      1,
      `the summary links to the box (${where})`,
    );
    const error = page.locator("#rodo_ack-error");
    assert.match(await text(error), /Potwierdź.*przetwarzaniu danych/, `rodo_ack error (${where})`);
    assert.equal(await checkbox.isChecked(), false, `the box still unticked (${where})`);
    assert.equal(await checkbox.getAttribute("aria-invalid"), "true", `aria-invalid (${where})`);
    assert.ok(
      (await describedBy(checkbox)).includes("rodo_ack-error"),
      `aria-describedby of the box has rodo_ack-error (${where})`,
    );
    await shot(page, "04-registration-422");
    assertNoProblems(problems, where);
  });

  await step(`1c. ticked and sent → /rejestracja/wyslano (${mode})`, async () => {
    const where = `/rejestracja/wyslano (${mode})`;
    const checkbox = page.locator("#rodo_ack");
    await arrive(
      page,
      async () => {
        if (javaScript) {
          await checkbox.check();
          await page.getByRole("button", { name: "Wyślij formularz" }).click();
        } else {
          // The keyboard alone again: from the first field, Tab through the kept values to the
          // box, Space ticks it, Tab to the button, Enter sends.
          await page.locator("#first_name").focus();
          const passed = await tabTo(page, "rodo_ack", fields.length + 2, where);
          assert.deepEqual(passed, [...fields.slice(1).map(([n]) => n), "rodo_ack"], "Tab order");
          await page.keyboard.press("Space");
          assert.equal(await checkbox.isChecked(), true, "Space ticks the box");
          await tabTo(page, "submit", 4, where);
          await page.keyboard.press("Enter");
        }
      },
      { path: "/rejestracja/wyslano", status: 200, h1: "Formularz został wysłany" },
      where,
    );
    await shot(page, "05-registration-sent");
    assertNoProblems(problems, where);
  });

  await step(`2. the confirmation e-mail in the outbox (${mode})`, async () => {
    const mail = await waitForMessage(
      server,
      (m) => m.channel === "email" && m.to === w.email,
      `the confirmation e-mail to ${w.email}`,
    );
    assert.match(mail.subject ?? "", /otrzymaliśmy/, "the confirmation's subject");
  });

  await step(`3. staff approve the request (${mode})`, async () => {
    await using staff = await newPage(browser, { javaScript });
    const staffProblems = await watchPage(staff);
    const where = `/admin/logowanie (${mode})`;
    await arrive(
      staff,
      () => staff.goto(`${base}/admin/logowanie`),
      { path: "/admin/logowanie", status: 200, h1: "Logowanie pracownika biura" },
      where,
    );
    const { login, password, totpSecret } = server.demo.staff;
    await staff.locator("#login").fill(login);
    await staff.locator("#password").fill(password);
    await staff.locator("#totp").fill(await freshTotp(totpSecret));
    await arrive(
      staff,
      () => staff.getByRole("button", { name: "Zaloguj się" }).click(),
      { path: "/admin/wnioski", status: 200, h1: "Wnioski o dostęp" },
      `/admin/wnioski (${mode})`,
    );
    const name = `${w.firstName} ${w.lastName}`;
    const card = staff.locator("section.request").filter({
      has: staff.getByRole("heading", { level: 2, name, exact: true }),
    });
    assert.equal(await card.count(), 1, `one card for ${name} on /admin/wnioski`);
    assert.match(await text(card), /adres w rejestrze/, `the register matches ${name}'s address`);
    assert.match(
      await text(card),
      /imię i nazwisko: zgodne/,
      `the register lists ${name} at the address`,
    );
    // The label is the address, then the occupants (12/7 must not match 12/70).
    const match = card.getByRole("checkbox", {
      name: new RegExp(`^${escapeRegExp(w.unitLabel)}(?![\\p{L}\\p{N}/])`, "u"),
    });
    assert.equal(await match.count(), 1, `a checkbox for ${w.unitLabel}`);
    assert.equal(await match.isChecked(), true, `${w.unitLabel} ticked`);
    assert.equal(
      await card.locator('input[type="checkbox"]:checked').count(),
      1,
      "only the matching unit ticked",
    );
    unitLabels = (await card.locator('input[name="unit_id"] + label').allTextContents())
      .map((s) => s.trim().replace(/\s+/g, " "));
    await shot(staff, "06-staff-requests");
    await arrive(
      staff,
      () => card.getByRole("button", { name: "Zatwierdź i wyślij dane do logowania" }).click(),
      {
        path: "/admin/wnioski",
        status: 200,
        h1: "Wnioski o dostęp",
        search: "?wynik=zatwierdzono",
      },
      `approved: /admin/wnioski (${mode})`,
    );
    assert.match(
      await text(staff.locator('main .notice.ok[role="status"]')),
      /Wniosek zatwierdzony/,
      "the approval notice",
    );
    assert.equal(await card.count(), 0, `${name}'s request is no longer pending`);
    await shot(staff, "07-staff-approved");
    assertNoProblems(staffProblems, `the staff pages (${mode})`);
  });

  await step(`3a. the unit labels on the staff page read "address — occupants" (${mode})`, () => {
    // views/admin/requests.tsx puts the occupants' span right after the address, with no space:
    // "ul. Kazimierza Wielkiego 12/7— Katarzyna Zielińska" (the register line above the form
    // has the space).
    assert.ok(unitLabels.length > 0, "the card offered units");
    const glued = unitLabels.filter((l) => /\S—|—\S/.test(l));
    assert.equal(
      glued.length,
      0,
      `a space on each side of the dash in every unit's label; ${glued.length} of ` +
        `${unitLabels.length} lack it, e.g. ${JSON.stringify(glued.slice(0, 2))}`,
    );
    return Promise.resolve();
  }, false);

  await step(`4. the identifier e-mail and the start-password SMS (${mode})`, async () => {
    const mail = await waitForMessage(
      server,
      (m) => m.channel === "email" && m.to === w.email && /^Identyfikator: /m.test(m.text),
      `the identifier e-mail to ${w.email}`,
    );
    identifier = mail.text.match(/^Identyfikator: ([A-Z]{3}-\d{4})$/m)?.[1] ?? "";
    assert.ok(identifier, `an identifier XXX-0000 in the e-mail:\n${mail.text}`);
    const sms = await waitForMessage(
      server,
      (m) => m.channel === "sms" && m.to === w.phoneE164 && /Hasło startowe: /.test(m.text),
      `the start-password SMS to ${w.phoneE164}`,
    );
    startPassword = sms.text.match(/Hasło startowe: (\S+)/)?.[1] ?? "";
    assert.ok(startPassword, `a start password in the SMS:\n${sms.text}`);
  });

  await step(`5. first login → own password → /ebok (${mode})`, async () => {
    await arrive(
      page,
      () => page.goto(`${base}/logowanie`),
      { path: "/logowanie", status: 200, h1: "Logowanie do eBOK" },
      `/logowanie (${mode})`,
    );
    await page.locator("#identifier").fill(identifier);
    await page.locator("#password").fill(startPassword);
    await arrive(
      page,
      () => page.getByRole("button", { name: "Zaloguj się" }).click(),
      { path: "/zmiana-hasla", status: 200, h1: "Ustaw własne hasło" },
      `/zmiana-hasla after the start password (${mode})`,
    );
    await shot(page, "08-password-change");
    await arrive(
      page,
      () => page.goto(`${base}/ebok`),
      { path: "/zmiana-hasla", status: 200, h1: "Ustaw własne hasło" },
      `/ebok before the change (${mode})`,
      { axe: false },
    );

    const rule = page.locator("#password-rule");
    const newPassword = page.locator("#new_password");
    if (javaScript) {
      const where = `the live rule checklist (${mode})`;
      await newPassword.pressSequentially("abcdefgh");
      const started = Date.now();
      await rule.locator("li.met").first().waitFor({ timeout: 3_000 }).catch(() => {});
      const items = (await rule.locator("li").allTextContents()).map((s) =>
        s.trim().replace(/\s+/g, " ")
      );
      assert.deepEqual(
        items.map((s) => s.slice(0, 1)),
        ["✓", "✓", "✗"],
        `after typing "abcdefgh" (${where}): ${JSON.stringify(items)}`,
      );
      assert.match(items[2], /wielka litera/, where);
      assert.ok(Date.now() - started < 3_000, `the checklist updates within ~0.5 s (${where})`);
      await assertNoAxeViolations(page, where);
      await newPassword.fill("");
    }

    const change = async (next: string, confirm: string, typeCurrent = true) => {
      if (typeCurrent) await page.locator("#current_password").fill(startPassword);
      await newPassword.fill(next);
      await page.locator("#new_password_confirm").fill(confirm);
      await page.getByRole("button", { name: "Zapisz nowe hasło" }).click();
    };
    const where = `POST /zmiana-hasla without an upper-case letter (${mode})`;
    await arrive(
      page,
      () => change(NO_UPPER_CASE, NO_UPPER_CASE),
      { path: "/zmiana-hasla", status: 422, h1: "Ustaw własne hasło" },
      where,
    );
    const error = page.locator("#new_password-error");
    assert.match(await text(error), /wielką literę/, `the rule's message (${where})`);
    assert.ok((await describedBy(newPassword)).includes("new_password-error"), where);
    for (const id of ["new_password", "new_password_confirm"]) {
      assert.equal(await page.locator(`#${id}`).inputValue(), "", `#${id} not re-filled`);
    }
    // The start password need not be typed again: a server-side ticket (never the password)
    // keeps its field filled.
    const kept = await page.locator("#current_password").inputValue();
    assert.ok(kept && kept !== startPassword, `#current_password kept filled with a ticket`);
    await shot(page, "09-password-422");
    await arrive(
      page,
      () => change(NEW_PASSWORD, NEW_PASSWORD, false),
      {
        path: "/ebok",
        status: 200,
        h1: "Dzień dobry",
        search: "?haslo-zmienione",
      },
      `/ebok after the change (${mode})`,
    );
    assert.match(
      await text(page.locator('main .notice.ok[role="status"]')),
      /Hasło zostało zmienione/,
      "the password-changed notice",
    );
    const menu = page.locator('nav[aria-label="Menu główne"] a');
    const count = await menu.count();
    assert.ok(count >= 1 && count <= 8, `1–8 menu items on /ebok: ${count}`);
    await shot(page, "10-dashboard");
    assertNoProblems(problems, `the resident pages (${mode})`);
  });

  await step(`6. „Wyloguj” → /logowanie with „Wylogowano” (${mode})`, async () => {
    const where = `logout (${mode})`;
    await arrive(
      page,
      () => page.locator("header").getByRole("button", { name: "Wyloguj" }).click(),
      { path: "/logowanie", status: 200, h1: "Logowanie do eBOK" },
      where,
    );
    assert.match(await text(page.locator('main .notice.ok[role="status"]')), /Wylogowano/, where);
    await shot(page, "11-logged-out");
    await arrive(
      page,
      () => page.goto(`${base}/ebok`),
      { path: "/logowanie", status: 200, h1: "Logowanie do eBOK" },
      `/ebok after the logout (${mode})`,
      { axe: false },
    );
    assertNoProblems(problems, where);
  });
}

Deno.test("resident access flow in Chromium: register → approve → start password → own password → logout, JavaScript on and off", async (t) => {
  const addresses = await demoAddresses();
  await using server = await startServer();
  await using browser = await launchBrowser();

  const walks: Walk[] = [
    {
      javaScript: true,
      mode: "JavaScript on",
      suffix: "js",
      email: "lucja.js@example.pl",
      phone: "600 100 201",
      phoneE164: "+48600100201",
      ...addresses.demoFlat,
    },
    {
      javaScript: false,
      mode: "JavaScript off",
      suffix: "nojs",
      email: "zaneta.nojs@example.pl",
      phone: "600 100 202",
      phoneE164: "+48600100202",
      ...addresses.otherFlat,
    },
  ];
  for (const w of walks) {
    await t.step(w.mode, (t) => walk(t, server, browser, w));
  }
});
