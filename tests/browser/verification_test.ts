/**
 * Issue 13 in a real browser: the name check on the request cards (zgodne, częściowo zgodne,
 * niezgodne — only a match ticked), the register search inside a card (a plain GET without
 * JavaScript, an htmx swap with it), an approval that needs a confirmation and a reason; and on
 * /rejestracja with JavaScript off, the cooperative's streets as suggestions (a datalist) and the
 * address check on submit. Every page: zero axe violations, no CSP report.
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { getUnit, listStreets } from "../../domain/backoffice/register.ts";
import {
  assertNoAxeViolations,
  assertNoProblems,
  DEFAULT_TODAY,
  launchBrowser,
  newPage,
  screenshot,
  type Server,
  signInDemoStaff,
  startServer,
  watchPage,
  withServerOutput,
} from "./harness.ts";
import { clockStartingOn } from "../../domain/shared/clock.ts";

/** The demo flat's address and the people the register lists there (the demo is deterministic). */
async function demoFlat() {
  await using kv = await Deno.openKv(":memory:");
  const coop = await seedDemoCooperative(kv, clockStartingOn(DEFAULT_TODAY));
  const r = coop.demoResident;
  const occupants = (await getUnit(kv, r.flatUnitId))!.occupants;
  return {
    street: r.street.replace(/^ul\.\s*/, ""),
    building: r.building,
    unit: r.unit,
    occupants,
    streets: await listStreets(kv),
  };
}

async function register(server: Server, fields: Record<string, string>) {
  const res = await fetch(`${server.baseUrl}/rejestracja`, {
    method: "POST",
    body: new URLSearchParams({ phone: "600 100 300", rodo_ack: "on", ...fields }),
    headers: { origin: server.baseUrl },
    redirect: "manual",
  });
  assert.equal(res.status, 303, `registration of ${fields.first_name} ${fields.last_name}`);
  await res.body?.cancel();
}

const text = async (l: Locator) => ((await l.textContent()) ?? "").trim().replace(/\s+/g, " ");

function cardOf(page: Page, name: string): Locator {
  return page.locator("section.request").filter({
    has: page.getByRole("heading", { level: 2, name, exact: true }),
  });
}

Deno.test("verification in Chromium: the name check on request cards, the card's register search, street suggestions on /rejestracja without JavaScript", async (t) => {
  const flat = await demoFlat();
  await using server = await startServer();
  await using browser = await launchBrowser();
  const base = server.baseUrl;
  const [holderFirst, holderLast] = flat.occupants[1].split(" "); // "Marek Zieliński"
  const relative = { first_name: "Anna", last_name: flat.occupants[0].split(" ")[1] };
  const address = { street: flat.street, building: flat.building, unit: flat.unit };
  await register(server, {
    first_name: holderFirst,
    last_name: holderLast,
    email: "posiadacz@example.pl",
    ...address,
  });
  await register(server, { ...relative, email: "krewna@example.pl", ...address });
  // The stranger writes the street short and the flat with "m.": the card still finds it.
  await register(server, {
    first_name: "Halina",
    last_name: "Wójcik",
    email: "halina@example.pl",
    street: "ul. Kaz. Wielkiego",
    building: flat.building,
    unit: `m. ${flat.unit}`,
  });
  const names = {
    match: `${holderFirst} ${holderLast}`,
    partial: `${relative.first_name} ${relative.last_name}`,
    mismatch: "Halina Wójcik",
  };

  await t.step(
    "JavaScript off: the cards say zgodne / częściowo zgodne / niezgodne",
    () =>
      withServerOutput(server, async () => {
        await using page = await newPage(browser, { javaScript: false });
        const problems = await watchPage(page);
        await signInDemoStaff(page, server);
        const expected = {
          match: ["zgodne", true],
          partial: ["częściowo zgodne", false],
          mismatch: ["niezgodne", false],
        } as const;
        for (const [verdict, [words, ticked]] of Object.entries(expected)) {
          const card = cardOf(page, names[verdict as keyof typeof names]);
          assert.equal(await card.count(), 1, `a card for ${verdict}`);
          const badge = card.locator(`.register-findings [data-name-check="${verdict}"]`);
          assert.match(await text(badge), new RegExp(`^imię i nazwisko: ${words}\\b`), verdict);
          const flatBox = card.locator('input[name="unit_id"]').first();
          assert.equal(await flatBox.isChecked(), ticked, `${verdict}: the flat ticked or not`);
          assert.equal(
            await card.locator('input[name="unit_id"]:checked').count(),
            ticked ? 1 : 0,
            `${verdict}: nothing else ticked`,
          );
        }
        await assertNoAxeViolations(page, "/admin/wnioski (JavaScript off)");
        await screenshot(page, "verification-nojs-01-cards");

        // The stranger's card: approving the flat without a confirmation comes back with why.
        const card = cardOf(page, names.mismatch);
        await card.locator('input[name="unit_id"]').first().check();
        await card.getByRole("button", { name: "Zatwierdź i wyślij dane do logowania" }).click();
        await page.waitForLoadState("load");
        const again = cardOf(page, names.mismatch);
        assert.match(
          await text(again.locator(".error-text[role=alert]")),
          /nie jest zgodne z rejestrem/,
        );
        assert.equal(await again.locator('input[name="unit_id"]').first().isChecked(), true);
        await assertNoAxeViolations(page, "the refused approval (JavaScript off)");
        await screenshot(page, "verification-nojs-02-confirmation-needed");

        // The register search in the card, as a plain GET: a page of its own with the results.
        await again.locator('input[name="q"]').fill(relative.last_name);
        await again.getByRole("button", { name: "Szukaj" }).click();
        await page.waitForURL((u) => u.pathname.startsWith("/admin/wnioski/"));
        assert.equal(await text(page.locator("h1")), "Wniosek o dostęp");
        const results = page.locator(".search-results input[name='unit_id']");
        assert.ok((await results.count()) >= 1, "the search finds the surname's other units");
        await assertNoAxeViolations(page, "the card's search page (JavaScript off)");
        await screenshot(page, "verification-nojs-03-search");

        // Confirmed, with a reason: approved.
        const only = cardOf(page, names.mismatch);
        await only.locator('input[name="unit_id"]').first().check();
        await only.locator('input[name="confirm_mismatch"]').check();
        await only.locator('textarea[name="confirm_reason"]').fill(
          "Najemczyni, umowa najmu okazana w biurze.",
        );
        await only.getByRole("button", { name: "Zatwierdź i wyślij dane do logowania" }).click();
        await page.waitForURL(`${base}/admin/wnioski?wynik=zatwierdzono`);
        assert.equal(await cardOf(page, names.mismatch).count(), 0);
        assertNoProblems(problems, "the staff pages (JavaScript off)");
      }),
  );

  await t.step(
    "JavaScript on: the card's search swaps its results in place (htmx)",
    () =>
      withServerOutput(server, async () => {
        await using page = await newPage(browser, { javaScript: true });
        const problems = await watchPage(page);
        await signInDemoStaff(page, server);
        const card = cardOf(page, names.partial);
        await card.locator('input[name="q"]').fill(relative.last_name);
        await card.getByRole("button", { name: "Szukaj" }).click();
        await card.locator(".search-results p").waitFor();
        assert.equal(new URL(page.url()).pathname, "/admin/wnioski", "no navigation");
        assert.match(
          await text(card.locator(".search-results p")),
          /^Znalezione dla „.+”: \d+ \(i lokal z listy powyżej\)\.$/,
        );
        const found = card.locator(".search-results input[name='unit_id']");
        assert.ok((await found.count()) >= 1, "the surname's other units, ready to tick");
        assert.equal(await found.first().isChecked(), false, "found, not ticked");
        await assertNoAxeViolations(page, "/admin/wnioski after an htmx search");
        await screenshot(page, "verification-js-01-search");
        assertNoProblems(problems, "the staff page (JavaScript on)");
      }),
  );

  await t.step(
    "JavaScript off: /rejestracja suggests the streets and checks the address on submit",
    () =>
      withServerOutput(server, async () => {
        await using page = await newPage(browser, { javaScript: false });
        const problems = await watchPage(page);
        await page.goto(`${base}/rejestracja`);
        // The browser offers a datalist's options as suggestions while typing, without scripts.
        const suggestions = await page.evaluate(() => {
          // deno-lint-ignore no-explicit-any
          const input = (globalThis as any).document.querySelector("#street");
          return [...(input.list?.options ?? [])].map((o: { value: string }) => o.value);
        });
        assert.deepEqual(suggestions, flat.streets);
        await assertNoAxeViolations(page, "/rejestracja (JavaScript off)");
        await page.locator("#street").fill("Kaz");
        await screenshot(page, "verification-nojs-04-registration");

        const fill = async (street: string) => {
          for (
            const [id, value] of [
              ["first_name", "Jan"],
              ["last_name", "Nowy"],
              ["email", "jan.nowy@example.pl"],
              ["phone", "600 100 301"],
              ["street", street],
              ["building", "1"],
              ["unit", "1"],
            ]
          ) await page.locator(`#${id}`).fill(value);
          await page.locator("#rodo_ack").check();
        };
        await fill("Nieistniejąca");
        await page.getByRole("button", { name: "Wyślij formularz" }).click();
        await page.waitForURL(`${base}/rejestracja/wyslano?adres=spoza-rejestru`);
        assert.match(await text(page.locator("main")), /nie ma w rejestrze budynków/);
        await assertNoAxeViolations(page, "/rejestracja/wyslano, address not managed (JS off)");
        await screenshot(page, "verification-nojs-05-address-check");
        assertNoProblems(problems, "/rejestracja (JavaScript off)");
      }),
  );

  await t.step(
    "JavaScript on: /rejestracja tells about the address when the field is left",
    () =>
      withServerOutput(server, async () => {
        await using page = await newPage(browser, { javaScript: true });
        const problems = await watchPage(page);
        await page.goto(`${base}/rejestracja`);
        // As a person does: the street's own check answers before the building is typed (two
        // checks in flight may answer in either order, and the later one sets the note).
        const checked = () => page.waitForResponse((r) => r.url().endsWith("/rejestracja/sprawdz"));
        const streetChecked = checked();
        await page.locator("#street").fill("Kaz. Wielkiego");
        await page.locator("#building").focus();
        await streetChecked;
        const buildingChecked = checked();
        await page.locator("#building").fill("999");
        await page.keyboard.press("Tab");
        await buildingChecked;
        await page.locator("#address-check .notice").waitFor();
        assert.match(
          await text(page.locator("#address-check")),
          /spółdzielnia zarządza budynkami nr .*Sprawdź numer budynku/,
        );
        await assertNoAxeViolations(page, "/rejestracja after the inline check");
        await screenshot(page, "verification-js-02-address-check");
        assertNoProblems(problems, "/rejestracja (JavaScript on)");
      }),
  );
});
