/**
 * The office's side of online payments over HTTP: /admin/platnosci offers the list as CSV with
 * the page's filter (BOM, `;`, decimal comma, a title that looks like a formula neutralised),
 * each export audited; the payment settings, shown to the office and changed by administrators
 * (422 with the errors tied to the fields, audited); a confirmed payment the accounting import
 * has not brought after the cooperative's number of days (that setting) is listed on the page.
 */
import assert from "node:assert/strict";
import { createAccount } from "../../domain/accounts/accounts.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { postEntry } from "../../domain/balance/ledger.ts";
import { getPayment, startOnlinePayment } from "../../domain/payments/payments.ts";
import { startInProcessGateway } from "../fakes/in_process_gateway.ts";
import { seedFlatKW12, testApp } from "../helpers.ts";

const CREDS = { merchantId: 400004, posId: 400004, crc: "admin-crc-5d6e", apiKey: "admin-key" };

Deno.test("/admin/platnosci: CSV with the page's filter, audited; settings by administrators; unmatched after N days listed", async () => {
  const { fake, gateway, deliverTo } = startInProcessGateway(CREDS);
  await using t = await testApp({
    paymentGateway: gateway,
    start: new Date("2026-12-04T09:30:00Z"),
  });
  deliverTo(t.app);
  try {
    const { unit } = await seedFlatKW12(t);
    assert.ok(
      (await postEntry(t.kv, t.clock, {
        unitId: unit.id,
        kind: "charge",
        postedOn: "2026-12-01",
        period: "2026-12",
        component: "eksploatacja",
        amount: 61_234,
        documentNo: "NAL/2026/12/0007",
        description: "Opłaty za grudzień 2026",
      })).ok,
    );
    const anna = (await createAccount(t.kv, t.clock, {
      firstName: "Anna",
      lastName: "Kowalska",
      email: "anna@example.pl",
      phone: "+48600100300",
      unitIds: [unit.id],
      passwordHash: await t.hasher.hash("Moje-Haslo-2026"),
    }))!;
    const resident = { kind: "resident" as const, id: anna.id, label: anna.identifier };
    const start = async (amount: number, title: string) => {
      const r = await startOnlinePayment(t.kv, t.clock, t.paymentGateway!, {
        unitId: unit.id,
        accountId: anna.id,
        actor: resident,
        email: "anna@example.pl",
        title,
        amount,
        returnUrl: (id) => `${t.config.baseUrl}/ebok/platnosci/${id}`,
        notifyUrl: `${t.config.baseUrl}/platnosci/przelewy24`,
      });
      assert.ok(r.ok, JSON.stringify(r));
      return r.payment;
    };
    const paid = await start(50_000, "KW12/7 opłaty 12.2026");
    // A title is the unit's, but a spreadsheet must never run one as a formula.
    const odd = await start(1_234, '=HYPERLINK("http://zly.example";"klik")');
    await fake.pay(fake.bySession(paid.id)!.token);
    const confirmed = (await getPayment(t.kv, paid.id))!;
    assert.equal(confirmed.state, "confirmed");

    const office = await t.staffClient("office", "biuro");
    let page = await (await office.get("/admin/platnosci")).text();
    assert.match(page, /href="\/admin\/platnosci\/platnosci\.csv"[^>]*>Pobierz CSV</);
    assert.match(page, /Niezaksięgowane po 7 dniach<\/h2>\s*<p>Brak\.<\/p>/);
    page = await (await office.get("/admin/platnosci?stan=confirmed")).text();
    assert.match(
      page,
      /href="\/admin\/platnosci\/platnosci\.csv\?stan=confirmed"[^>]*>Pobierz CSV \(potwierdzona\)</,
    );

    // All payments: BOM, Polish header, `;`, decimal comma, CRLF, the formula neutralised.
    const all = await office.get("/admin/platnosci/platnosci.csv");
    assert.equal(all.status, 200);
    assert.equal(all.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.equal(
      all.headers.get("content-disposition"),
      'attachment; filename="platnosci-online-wszystkie-2026-12-04.csv"',
    );
    const text = await all.text();
    assert.ok(text.startsWith("\ufeffRozpoczęta;Id płatności;Tytuł;Kwota (zł);Stan;"), text);
    const lines = text.split("\r\n");
    assert.equal(lines.length, 4, "header, two payments, the final line end");
    assert.equal(lines[3], "");
    const oddLine = lines.find((l) => l.includes(odd.id))!;
    assert.ok(
      oddLine.includes(`;"'=HYPERLINK(""http://zly.example"";""klik"")";12,34;`),
      `the title quoted, an apostrophe before "=": ${oddLine}`,
    );
    const paidLine = lines.find((l) => l.includes(paid.id))!.split(";");
    assert.deepEqual(paidLine.slice(2, 6), [
      "KW12/7 opłaty 12.2026",
      "500,00",
      "potwierdzona",
      String(confirmed.orderId),
    ]);
    assert.equal(paidLine[0], "04.12.2026, 10:30:00", "times in Poland");

    // The page's filter goes with the file.
    const onlyConfirmed = await (await office.get("/admin/platnosci/platnosci.csv?stan=confirmed"))
      .text();
    assert.equal(onlyConfirmed.split("\r\n").length, 3);
    assert.ok(onlyConfirmed.includes(paid.id) && !onlyConfirmed.includes(odd.id));

    // Each export is in the audit log, with what it held.
    const exports = (await listAudit(t.kv)).filter((e) => e.action === "payment.exported");
    assert.deepEqual(
      exports.map((e) => e.details).sort((a, b) =>
        String(a?.state).localeCompare(String(b?.state))
      ),
      [{ payments: 1, state: "confirmed" }, { payments: 2 }],
    );

    // Not for residents nor strangers.
    const stranger = await t.app.request("/admin/platnosci/platnosci.csv");
    assert.notEqual(stranger.status, 200);
    await stranger.body?.cancel();

    // Four days on, not booked by the accounting import: not listed while the setting is 7 days.
    t.clock.advance(4 * 86_400_000);
    // (A staff session does not last days: sign in again.)
    const office2 = await t.staffClient("office", "biuro2");
    const unmatchedOn = (html: string) =>
      html.slice(html.indexOf("Niezaksięgowane po"), html.indexOf("Wpłaty bez płatności"));
    page = await (await office2.get("/admin/platnosci")).text();
    assert.match(unmatchedOn(page), /^Niezaksięgowane po 7 dniach<\/h2>\s*<p>Brak\.<\/p>/);
    // The office sees the settings; only an administrator changes them.
    assert.match(page, /Po ilu dniach pokazać płatność, której księgowość nie zaksięgowała/);
    assert.doesNotMatch(page, /action="\/admin\/platnosci\/ustawienia"/);
    const settings = {
      kwota_min: "1,00",
      limit_nadplaty: "0,00",
      dni_niezaksiegowane: "3",
      minuty_wygasania: "1440",
    };
    const refused = await office2.post("/admin/platnosci/ustawienia", settings);
    assert.equal(refused.status, 403);
    await refused.body?.cancel();

    const admin = await t.staffClient("admin", "admin1");
    page = await (await admin.get("/admin/platnosci")).text();
    assert.match(page, /<form method="post" action="\/admin\/platnosci\/ustawienia">/);
    assert.match(page, /name="dni_niezaksiegowane"[^>]*value="7"/);
    // Not numbers, or out of bounds: 422, what was typed kept, each error tied to its field.
    for (
      const [field, typed, message] of [
        ["dni_niezaksiegowane", "trzy", "Wpisz liczbę całkowitą."],
        ["dni_niezaksiegowane", "91", "Podaj wartość od 1 do 90 dni."],
        ["kwota_min", "0,00", "Podaj wartość od 0,01 zł do 100 000,00 zł."],
      ] as const
    ) {
      const res = await admin.post("/admin/platnosci/ustawienia", { ...settings, [field]: typed });
      assert.equal(res.status, 422, `${field}=${typed}`);
      const html = await res.text();
      assert.match(html, new RegExp(`name="${field}"[^>]*value="${typed}"`));
      assert.match(html, new RegExp(`aria-describedby="${field}-error ${field}-hint"`));
      assert.ok(html.includes(`id="${field}-error">${message}<`), `${field}=${typed}: ${message}`);
    }
    const saved = await admin.post("/admin/platnosci/ustawienia", settings);
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get("location"), "/admin/platnosci?zapisano=1#ustawienia");
    const changes = (await listAudit(t.kv)).filter((e) => e.action === "payment.settings_changed");
    assert.equal(changes.length, 1);
    assert.equal(changes[0].details?.unmatchedAfterDays, 3);

    // With 3 days the confirmed payment is listed; the one never confirmed is not on its way.
    page = await (await admin.get("/admin/platnosci?zapisano=1")).text();
    assert.match(page, /Ustawienia zapisane\./);
    const unmatched = unmatchedOn(page);
    assert.match(unmatched, /^Niezaksięgowane po 3 dniach/);
    assert.ok(unmatched.includes(`nr transakcji ${confirmed.orderId}`), unmatched);
    assert.ok(!unmatched.includes("HYPERLINK"), "a payment never confirmed is not on its way");
  } finally {
    await fake.close();
  }
});
