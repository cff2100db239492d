/**
 * Notification preferences on "Moje konto" (issue 15 point 6, issue 16 point 4): on by default;
 * a resident who turns a notice off gets no e-mail for a matter reply, a new letter or an
 * announcement, while a neighbour on the same unit with the defaults does. The payment reminder
 * goes once per unit and month, a few days before the due date; the "wpłata zaksięgowana"
 * notice follows the ledger import. No e-mail names an amount or a document's content.
 */
import assert from "node:assert/strict";
import { type Account, createAccount, getAccount } from "../../domain/accounts/accounts.ts";
import { NOTIFICATION_KINDS } from "../../domain/accounts/notification_prefs.ts";
import { getCooperativeProfile } from "../../domain/backoffice/cooperative.ts";
import { applyImport, previewImport } from "../../domain/backoffice/imports.ts";
import { listMessages, type Message } from "../../domain/messaging/messages.ts";
import {
  sendPaymentBookedNotices,
  sendPaymentReminders,
} from "../../domain/messaging/payment_notices.ts";
import { pdfBytes } from "../file_fixtures.ts";
import { seedFlatKW12, TEST_ORIGIN, testApp, type TestClient } from "../helpers.ts";

const PASSWORD = "Moje-Haslo-2026";
type T = Awaited<ReturnType<typeof testApp>>;

async function fixture() {
  const t = await testApp({ start: new Date("2026-12-01T09:00:00Z") });
  const { unit } = await seedFlatKW12(t);
  const passwordHash = await t.hasher.hash(PASSWORD);
  const resident = async (firstName: string, email: string) => {
    const account = await createAccount(t.kv, t.clock, {
      firstName,
      lastName: "Testowa",
      email,
      phone: "+48600123456",
      unitIds: [unit.id],
      passwordHash,
    });
    assert.ok(account);
    const c = t.client();
    const res = await c.post("/logowanie", { identifier: account.identifier, password: PASSWORD });
    assert.equal(res.status, 303);
    return { account, c };
  };
  const zofia = await resident("Zofia", "zofia@example.pl");
  const marek = await resident("Marek", "marek@example.pl");
  const ctx = { coop: await getCooperativeProfile(t.kv, "SM Test"), baseUrl: TEST_ORIGIN };
  return { t, unit, zofia, marek, ctx };
}

async function mails(t: T, purpose: string): Promise<Message[]> {
  return (await listMessages(t.kv, { limit: 1000 })).filter((m) => m.purpose === purpose);
}

/** A multipart POST as a browser sends a form with a file (same origin, the client's cookies). */
function multipart(
  t: T,
  c: TestClient,
  path: string,
  fields: Record<string, string>,
  file?: { name: string; bytes: Uint8Array<ArrayBuffer> },
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append("file", new File([file.bytes], file.name, { type: "application/pdf" }));
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  return t.app.request(path, {
    method: "POST",
    body: form,
    headers: { cookie, origin: TEST_ORIGIN },
  });
}

async function importLedger(t: T, rows: string[]) {
  const csv = [
    "lokal;dokument;rodzaj;data;okres;składnik;kwota;opis;stawka;ilość;jednostka",
    ...rows,
    "",
  ].join("\r\n");
  const actor = { kind: "staff" as const, id: "s1", label: "Anna Biurowa (biuro)" };
  const preview = await previewImport(t.kv, t.clock, {
    kind: "ledger",
    bytes: new TextEncoder().encode(csv),
    fileName: "ledger.csv",
    actor,
  });
  assert.ok(preview.ok, JSON.stringify(preview));
  await applyImport(t.kv, t.clock, preview.job.id, { actor, applyValidOnly: false });
}

async function turnAllOff(c: TestClient) {
  const res = await c.post("/ebok/konto/powiadomienia", {});
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/ebok/konto?powiadomienia-zapisane#powiadomienia");
}

function recipients(messages: Message[]): string[] {
  return messages.map((m) => m.to).sort();
}

Deno.test("preferences: on by default, saved per account; off → no e-mail for a matter reply, a new letter, an announcement", async () => {
  const { t, unit, zofia, marek } = await fixture();
  await using _ = t;

  const page = await (await zofia.c.get("/ebok/konto")).text();
  for (const kind of NOTIFICATION_KINDS) {
    assert.match(page, new RegExp(`id="notify-${kind}" name="notify" value="${kind}" checked`));
  }
  await turnAllOff(zofia.c);
  const saved = (await getAccount(t.kv, zofia.account.id)) as Account;
  assert.ok(NOTIFICATION_KINDS.every((k) => saved.notifications?.[k] === false));
  const after = await (await zofia.c.get("/ebok/konto?powiadomienia-zapisane")).text();
  assert.match(after, /Ustawienia powiadomień zostały zapisane/);
  assert.doesNotMatch(after, /name="notify" value="[a-z_]+" checked/);
  // Only some on: the boxes sent are on, the others off.
  assert.equal(
    (await marek.c.post("/ebok/konto/powiadomienia", { notify: [...NOTIFICATION_KINDS] }))
      .status,
    303,
  );

  // Matter replies: each resident opens a matter, the office replies to both.
  const staff = await t.staffClient();
  for (const r of [zofia, marek]) {
    const created = await multipart(t, r.c, "/ebok/zgloszenia/nowe", {
      category: "rozliczenie",
      place: unit.id,
      description: `Pytanie od ${r.account.firstName}.`,
    });
    assert.equal(created.status, 303, await created.text());
    const id = created.headers.get("location")!.split("/").pop();
    const replied = await staff.post(`/admin/zgloszenia/${id}/odpowiedz`, { reply: "Odpowiedź." });
    assert.equal(replied.status, 303);
  }
  assert.deepEqual(recipients(await mails(t, "matter_reply")), ["marek@example.pl"]);

  // A letter to the unit of both.
  const letter = await multipart(t, staff, "/admin/dokumenty", {
    title: "Rozliczenie wody",
    unit_code: "KW12/7",
  }, { name: "woda.pdf", bytes: pdfBytes(2_000) });
  assert.equal(letter.status, 303);
  assert.deepEqual(recipients(await mails(t, "document_available")), ["marek@example.pl"]);

  // An announcement for everybody, by e-mail too.
  const announced = await staff.post("/admin/komunikaty", {
    title: "Przegląd instalacji gazowej",
    body: "Przegląd odbędzie się w środę.",
    audience: "all",
    email: "on",
  });
  assert.equal(announced.status, 303);
  assert.deepEqual(recipients(await mails(t, "announcement")), ["marek@example.pl"]);
});

Deno.test("payment reminder: a few days before the due date, once per unit and month, only with something due and the preference on; no amounts", async () => {
  const { t, zofia, ctx } = await fixture();
  await using _ = t;
  await turnAllOff(zofia.c);
  await importLedger(t, [
    "KW12/7;PK/2026/12/0001;naliczenie;01.12.2026;12.2026;eksploatacja;512,40;;;;",
  ]);

  // 1.12: the due date (15.12.2026) is two weeks away — nothing yet.
  assert.equal((await sendPaymentReminders(t.kv, t.clock, ctx)).emails, 0);
  // 12.12 (three days before): one e-mail for the unit, to the account that wants it.
  t.clock.set(new Date("2026-12-12T07:00:00Z"));
  const first = await sendPaymentReminders(t.kv, t.clock, ctx);
  assert.deepEqual(first, { dueBy: "2026-12-15", units: 1, emails: 1 });
  // The next days (and a second run the same day, also at once) send nothing more.
  const again = await Promise.all([
    sendPaymentReminders(t.kv, t.clock, ctx),
    sendPaymentReminders(t.kv, t.clock, ctx),
  ]);
  assert.deepEqual(again.map((r) => r.emails), [0, 0]);
  t.clock.set(new Date("2026-12-14T07:00:00Z"));
  assert.equal((await sendPaymentReminders(t.kv, t.clock, ctx)).emails, 0);

  const sent = await mails(t, "payment_reminder");
  assert.deepEqual(recipients(sent), ["marek@example.pl"]);
  assert.match(sent[0].text, /termin opłat za lokal mija 15\.12\.2026/);
  assert.doesNotMatch(sent[0].text + sent[0].subject, /512|zł/, "no amount in the e-mail");

  // January: paid in full meanwhile → nothing due → no reminder.
  await importLedger(t, ["KW12/7;WB/2026/12/0001;wpłata;14.12.2026;12.2026;;512,40;;;;"]);
  t.clock.set(new Date("2027-01-12T07:00:00Z"));
  assert.equal((await sendPaymentReminders(t.kv, t.clock, ctx)).emails, 0);
});

Deno.test("payment booked: the ledger import's payment e-mails the unit's accounts that want it, once, without the amount", async () => {
  const { t, zofia, ctx } = await fixture();
  await using _ = t;
  await turnAllOff(zofia.c);

  // A charge alone books no payment: no notice.
  await importLedger(t, [
    "KW12/7;PK/2026/12/0001;naliczenie;01.12.2026;12.2026;eksploatacja;512,40;;;;",
  ]);
  assert.deepEqual(await sendPaymentBookedNotices(t.kv, t.clock, ctx), { units: 0, emails: 0 });

  const payment = "KW12/7;WB/2026/12/0007;wpłata;04.12.2026;12.2026;;512,40;;;;";
  await importLedger(t, [payment]);
  assert.deepEqual(await sendPaymentBookedNotices(t.kv, t.clock, ctx), { units: 1, emails: 1 });
  assert.deepEqual(await sendPaymentBookedNotices(t.kv, t.clock, ctx), { units: 0, emails: 0 });
  // The same file again: the payment is already booked, no second notice.
  await importLedger(t, [payment]);
  assert.deepEqual(await sendPaymentBookedNotices(t.kv, t.clock, ctx), { units: 0, emails: 0 });

  const sent = await mails(t, "payment_booked");
  assert.deepEqual(recipients(sent), ["marek@example.pl"]);
  assert.match(sent[0].text, /zaksięgowała wpłatę na konto Twojego lokalu/);
  assert.doesNotMatch(sent[0].text + sent[0].subject, /512|zł|WB\/2026/);
});
