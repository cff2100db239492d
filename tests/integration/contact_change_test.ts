/**
 * A resident changes their own e-mail and phone on "Moje konto" (issue 16 point 4), through
 * HTTP: the e-mail only by the link sent to the new address (single use, expires), the old
 * address told; the phone only by the SMS code sent to the new number (wrong codes counted,
 * limited, expiring), the e-mail address told. Forms work without JavaScript: 422 with the
 * typed values and errors tied to their fields.
 */
import assert from "node:assert/strict";
import { createAccount, getAccount, listAccountsByEmail } from "../../domain/accounts/accounts.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { listMessages, type Message } from "../../domain/messaging/messages.ts";
import { testApp } from "../helpers.ts";

const PASSWORD = "Moje-Haslo-2026";
const OLD_EMAIL = "zofia@example.pl";
const OLD_PHONE = "+48600123456";

async function fixture() {
  const t = await testApp({ start: new Date("2026-11-25T10:00:00Z") });
  const account = await createAccount(t.kv, t.clock, {
    firstName: "Zofia",
    lastName: "Testowa",
    email: OLD_EMAIL,
    phone: OLD_PHONE,
    unitIds: [],
    passwordHash: await t.hasher.hash(PASSWORD),
  });
  assert.ok(account);
  const c = t.client();
  assert.equal(
    (await c.post("/logowanie", { identifier: account.identifier, password: PASSWORD })).status,
    303,
  );
  return { t, account, c };
}

async function messagesFor(t: { kv: Deno.Kv }, purpose: string): Promise<Message[]> {
  return (await listMessages(t.kv, { limit: 1000 })).filter((m) => m.purpose === purpose);
}

function linkToken(m: Message): string {
  const token = m.text.match(/\/potwierdz-email\?t=([a-z2-7]+)/)?.[1];
  assert.ok(token, "the e-mail carries the link");
  return token;
}

Deno.test("e-mail change: only the link sent to the new address changes it; the old address is told; a link works once", async () => {
  const { t, account, c } = await fixture();
  await using _ = t;

  const page = await (await c.get("/ebok/konto")).text();
  assert.match(page, /<form method="post" action="\/ebok\/konto\/email">/);
  assert.match(page, /name="email_password"/);

  // Invalid input: 422, the typed address back, errors tied to their fields; no message.
  const bad = await c.post("/ebok/konto/email", { email: "zofia(at)nowy", email_password: "" });
  assert.equal(bad.status, 422);
  const badHtml = await bad.text();
  assert.match(badHtml, /id="email"[^>]*value="zofia\(at\)nowy"/);
  assert.match(badHtml, /aria-describedby="email-error email-hint"/);
  assert.match(badHtml, /id="email-error">Podaj poprawny adres e-mail/);
  assert.match(badHtml, /id="email_password-error">Podaj obecne hasło/);
  const wrong = await c.post("/ebok/konto/email", {
    email: "zofia.nowa@example.pl",
    email_password: "Zle-Haslo-1",
  });
  assert.equal(wrong.status, 422);
  const wrongHtml = await wrong.text();
  assert.match(wrongHtml, /Obecne hasło jest nieprawidłowe/);
  assert.match(wrongHtml, /value="zofia.nowa@example.pl"/);
  assert.doesNotMatch(wrongHtml, /Zle-Haslo-1/, "a password is never typed back");
  assert.deepEqual(await messagesFor(t, "email_change_link"), []);

  // The request: a link to the NEW address; the account does not change yet.
  const asked = await c.post("/ebok/konto/email", {
    email: " Zofia.Nowa@Example.pl ",
    email_password: PASSWORD,
  });
  assert.equal(asked.status, 303);
  assert.equal(asked.headers.get("location"), "/ebok/konto?link-wyslany#zmiana-email");
  const links = await messagesFor(t, "email_change_link");
  assert.equal(links.length, 1);
  assert.equal(links[0].to, "zofia.nowa@example.pl");
  const token = linkToken(links[0]);
  assert.equal((await getAccount(t.kv, account.id))?.email, OLD_EMAIL, "nothing changed yet");
  const pending = await (await c.get("/ebok/konto?link-wyslany")).text();
  assert.match(pending, /Link potwierdzający wysłano na adres <strong>zofia.nowa@example.pl/);

  // Opening the link (GET, as a mail scanner would) changes nothing either.
  const opened = await t.app.request(`/potwierdz-email?t=${token}`);
  assert.equal(opened.status, 200);
  const openedHtml = await opened.text();
  assert.match(openedHtml, /<form method="post" action="\/potwierdz-email">/);
  assert.match(openedHtml, /zofia.nowa@example.pl/);
  assert.equal((await getAccount(t.kv, account.id))?.email, OLD_EMAIL);
  assert.deepEqual(await messagesFor(t, "contact_changed"), []);

  // Confirming (no session needed: the link may be opened on another device).
  const done = await t.post("/potwierdz-email", { t: token });
  assert.equal(done.status, 200);
  assert.match(await done.text(), /Adres e-mail został zmieniony/);
  assert.equal((await getAccount(t.kv, account.id))?.email, "zofia.nowa@example.pl");
  assert.deepEqual((await listAccountsByEmail(t.kv, OLD_EMAIL)).map((a) => a.id), []);
  assert.deepEqual(
    (await listAccountsByEmail(t.kv, "zofia.nowa@example.pl")).map((a) => a.id),
    [account.id],
  );
  const told = await messagesFor(t, "contact_changed");
  assert.equal(told.length, 1);
  assert.equal(told[0].to, OLD_EMAIL, "the OLD address is told");
  assert.match(told[0].text, /Adres e-mail Twojego konta w eBOK został zmieniony/);
  assert.match(told[0].text, /Nie ja\?.*skontaktuj się z biurem/);
  const audit = (await listAudit(t.kv)).map((e) => e.action);
  assert.ok(audit.includes("account.email_change_requested"));
  assert.ok(audit.includes("account.email_changed"));

  // A second use is refused, and changes nothing.
  const again = await t.post("/potwierdz-email", { t: token });
  assert.equal(again.status, 409);
  assert.match(await again.text(), /Ten link został już użyty/);
  assert.equal((await t.app.request(`/potwierdz-email?t=${token}`)).status, 409);
  assert.equal((await messagesFor(t, "contact_changed")).length, 1);
  // An unknown token: not found.
  assert.equal((await t.post("/potwierdz-email", { t: "a".repeat(32) })).status, 404);
});

Deno.test("e-mail change: an expired link and a link replaced by a newer one are refused", async () => {
  const { t, account, c } = await fixture();
  await using _ = t;

  const ask = async (email: string) => {
    assert.equal(
      (await c.post("/ebok/konto/email", { email, email_password: PASSWORD })).status,
      303,
    );
    const links = (await messagesFor(t, "email_change_link")).filter((m) => m.to === email);
    return linkToken(links[links.length - 1]);
  };

  const first = await ask("pierwszy@example.pl");
  const second = await ask("drugi@example.pl");
  const replaced = await t.post("/potwierdz-email", { t: first });
  assert.equal(replaced.status, 409);
  assert.match(await replaced.text(), /wysłano nowszy/);
  assert.equal((await getAccount(t.kv, account.id))?.email, OLD_EMAIL);

  // 24 hours and a minute later the newer link has expired too.
  t.clock.advance(24 * 60 * 60_000 + 60_000);
  const expired = await t.post("/potwierdz-email", { t: second });
  assert.equal(expired.status, 409);
  assert.match(await expired.text(), /Ten link wygasł/);
  assert.equal((await getAccount(t.kv, account.id))?.email, OLD_EMAIL);
  assert.deepEqual(await messagesFor(t, "contact_changed"), []);
});

Deno.test("phone change: only the SMS code sent to the new number changes it; wrong codes are counted and limited; codes expire", async () => {
  const { t, account, c } = await fixture();
  await using _ = t;

  // Invalid number: 422 with the typed value.
  const bad = await c.post("/ebok/konto/telefon", {
    phone: "22 123 45 67",
    phone_password: PASSWORD,
  });
  assert.equal(bad.status, 422);
  const badHtml = await bad.text();
  assert.match(badHtml, /id="phone"[^>]*value="22 123 45 67"/);
  assert.match(badHtml, /id="phone-error">Podaj polski numer komórkowy/);
  assert.deepEqual(await messagesFor(t, "phone_change_code"), []);

  const ask = async () => {
    const res = await c.post("/ebok/konto/telefon", {
      phone: "601 222 333",
      phone_password: PASSWORD,
    });
    assert.equal(res.status, 303);
    const sms = await messagesFor(t, "phone_change_code");
    const last = sms[sms.length - 1];
    assert.equal(last.channel, "sms");
    assert.equal(last.to, "+48601222333", "the code goes to the NEW number");
    const code = last.text.match(/\b(\d{6})\b/)?.[1];
    assert.ok(code);
    return code;
  };
  const wrongFor = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

  // The limit: after five wrong codes the right one no longer works.
  const spent = await ask();
  for (let i = 1; i <= 4; i++) {
    const res = await c.post("/ebok/konto/telefon/kod", { code: wrongFor(spent) });
    assert.equal(res.status, 422);
    const html = await res.text();
    assert.match(html, /id="code-error">Kod jest nieprawidłowy/);
    assert.match(html, new RegExp(`Pozostałe próby: ${5 - i}\\.`));
  }
  const fifth = await c.post("/ebok/konto/telefon/kod", { code: wrongFor(spent) });
  assert.equal(fifth.status, 429);
  assert.match(await fifth.text(), /Zbyt wiele błędnych kodów/);
  const late = await c.post("/ebok/konto/telefon/kod", { code: spent });
  assert.equal(late.status, 429);
  assert.equal((await getAccount(t.kv, account.id))?.phone, OLD_PHONE);
  const failures = (await listAudit(t.kv)).filter((e) => e.action === "account.phone_code_failed");
  assert.equal(failures.length, 5);

  // Expiry: a code entered after 10 minutes is refused.
  const old = await ask();
  t.clock.advance(10 * 60_000 + 1000);
  const expired = await c.post("/ebok/konto/telefon/kod", { code: old });
  assert.equal(expired.status, 422);
  assert.match(await expired.text(), /Kod wygasł/);
  assert.equal((await getAccount(t.kv, account.id))?.phone, OLD_PHONE);

  // A wrong code, then the right one: the number changes, the e-mail address is told.
  const code = await ask();
  assert.equal((await getAccount(t.kv, account.id))?.phone, OLD_PHONE, "not before the code");
  const form = await (await c.get("/ebok/konto?kod-wyslany")).text();
  assert.match(form, /<form method="post" action="\/ebok\/konto\/telefon\/kod">/);
  assert.match(form, /Kod wysłano na numer 601 222 333/);
  assert.equal((await c.post("/ebok/konto/telefon/kod", { code: wrongFor(code) })).status, 422);
  const ok = await c.post("/ebok/konto/telefon/kod", { code });
  assert.equal(ok.status, 303);
  assert.equal((await getAccount(t.kv, account.id))?.phone, "+48601222333");
  const told = await messagesFor(t, "contact_changed");
  assert.equal(told.length, 1);
  assert.equal(told[0].to, OLD_EMAIL);
  assert.match(told[0].text, /Numer telefonu do SMS Twojego konta w eBOK został zmieniony/);
  assert.ok((await listAudit(t.kv)).some((e) => e.action === "account.phone_changed"));
  // Used: the same code again finds nothing to confirm.
  assert.equal((await c.post("/ebok/konto/telefon/kod", { code })).status, 422);
});

Deno.test("contact change needs the current password; wrong ones count with the login lockout", async () => {
  const { t, account, c } = await fixture();
  await using _ = t;
  let last: Response | undefined;
  for (let i = 0; i < 5; i++) {
    last = await c.post("/ebok/konto/telefon", { phone: "601 222 333", phone_password: "Zle-1" });
  }
  assert.equal(last!.status, 429);
  assert.match(await last!.text(), /Zbyt wiele błędnych haseł/);
  const locked = await c.post("/ebok/konto/telefon", {
    phone: "601 222 333",
    phone_password: PASSWORD,
  });
  assert.equal(locked.status, 429, "even the right password waits for the lock to end");
  assert.deepEqual(await messagesFor(t, "phone_change_code"), []);
  assert.equal((await getAccount(t.kv, account.id))?.phone, OLD_PHONE);
});

Deno.test("contact change requests are limited per account: the sixth in an hour waits, the typed value kept", async () => {
  const { t, c } = await fixture();
  await using _ = t;
  for (let i = 1; i <= 5; i++) {
    const res = await c.post("/ebok/konto/email", {
      email: `nowy${i}@example.pl`,
      email_password: PASSWORD,
    });
    assert.equal(res.status, 303);
  }
  const sixth = await c.post("/ebok/konto/telefon", {
    phone: "601 222 333",
    phone_password: PASSWORD,
  });
  assert.equal(sixth.status, 429);
  const html = await sixth.text();
  assert.match(html, /Zbyt wiele próśb o zmianę danych/);
  assert.match(html, /id="phone"[^>]*value="601 222 333"/);
  assert.equal((await messagesFor(t, "email_change_link")).length, 5);
  assert.deepEqual(await messagesFor(t, "phone_change_code"), []);
  t.clock.advance(60 * 60_000);
  assert.equal(
    (await c.post("/ebok/konto/telefon", { phone: "601 222 333", phone_password: PASSWORD }))
      .status,
    303,
  );
});
