/**
 * The staff side of fee-change notices in Chromium, JavaScript on and off: prepare a run with the
 * form, look at the run and a unit's notice, send, see the paper list — each page with zero axe
 * violations and no CSP report. The app runs in-process on the seeded data (tests/fee_notice_fixture.ts).
 */
import assert from "node:assert/strict";
import { JUSTIFICATION, seedFeeNoticeData } from "../fee_notice_fixture.ts";
import { testApp } from "../helpers.ts";
import {
  checkAccessibility,
  describeViolations,
  launchBrowser,
  newPage,
  watchPage,
} from "./harness.ts";

Deno.test("fee notices, staff side: prepare, preview, send, paper list — JavaScript on and off", async (t) => {
  await using browser = await launchBrowser();
  for (const javaScript of [true, false]) {
    const mode = javaScript ? "JavaScript on" : "JavaScript off";
    await t.step(mode, async () => {
      await using app = await testApp({ env: { EBOK_ENV: "development" } });
      const { u7 } = await seedFeeNoticeData(app);
      const staffClient = await app.staffClient();
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => {} },
        (req) => app.app.fetch(req),
      );
      try {
        const base = `http://127.0.0.1:${server.addr.port}`;
        await using page = await newPage(browser, { javaScript });
        await page.context().addCookies(
          [...staffClient.cookies].map(([name, value]) => ({ name, value, url: base })),
        );
        const problems = await watchPage(page);
        const axe = async (where: string) => {
          const v = await checkAccessibility(page);
          assert.deepEqual(v, [], `axe on ${where} (${mode}):\n${describeViolations(v)}`);
        };

        await page.goto(`${base}/admin/zawiadomienia`);
        await axe("/admin/zawiadomienia");
        // Water is preselected as an external cost from its label.
        assert.ok(await page.locator("#external-woda").isChecked());
        assert.ok(!(await page.locator("#external-eksploatacja").isChecked()));
        await page.fill("#period", "04.2027");
        await page.fill("#justification", JUSTIFICATION);
        await page.click("form[action='/admin/zawiadomienia'] button[type=submit]");
        await page.waitForURL(/\/admin\/zawiadomienia\/[0-9A-Z]{26}\?wynik=przygotowano$/);
        const runUrl = page.url().replace(/\?.*$/, "");
        assert.match(await page.locator("main").innerText(), /31\.12\.2026/);
        await axe("the run");

        await page.click(`a[href$='/lokal/${u7.id}']`);
        await page.locator("h1", { hasText: "Zawiadomienie o zmianie wysokości opłat" }).waitFor();
        assert.match(await page.locator("main").innerText(), /54,30\s*m² × 2,73\s*zł\/m²/);
        await axe("a unit's notice");

        await page.goto(runUrl);
        await page.click("form[action$='/wyslij'] button[type=submit]");
        await page.locator("p.notice.ok", { hasText: "Wysłano: 3 zawiadomienia." }).waitFor();
        await axe("the run after sending");

        await page.click(`main a[href^='/admin/papier/']`);
        await page.locator("h1", { hasText: "Pisma do wysłania pocztą" }).waitFor();
        const paper = await page.locator("main").innerText();
        assert.match(paper, /pocztą trzeba wysłać\s*2/);
        assert.match(paper, /brak zgody na e-korespondencję/);
        await axe("the paper list");

        await page.goto(`${base}/admin/papier`);
        await axe("/admin/papier");
        assert.deepEqual(problems.csp, [], `CSP messages (${mode})`);
        assert.deepEqual(problems.cspEvents, [], `CSP events (${mode})`);
        assert.deepEqual(problems.errors, [], `script errors (${mode})`);
      } finally {
        await server.shutdown();
      }
    });
  }
});
