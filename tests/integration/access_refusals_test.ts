import assert from "node:assert/strict";
import { getAccessRequest, listAccessRequests } from "../../domain/access/access_requests.ts";
import { createAccount, getAccount } from "../../domain/accounts/accounts.ts";
import { listMessages } from "../../domain/messaging/messages.ts";
import { keys } from "../../domain/shared/keys.ts";
import { createStaff } from "../../domain/accounts/staff.ts";
import { currentTotp } from "../../domain/accounts/totp.ts";
import { testApp } from "../helpers.ts";

const valid = {
  first_name: "Jan",
  last_name: "Kowalski",
  email: "jan.kowalski@example.pl",
  phone: "600 123 456",
  street: "Słowackiego",
  building: "12",
  unit: "7",
  rodo_ack: "on",
};

Deno.test("registration: each invalid field → 422, the form re-filled and the error tied to its field", async () => {
  await using t = await testApp();
  const cases: [string, Record<string, string>, RegExp][] = [
    ["first_name", { first_name: "" }, /Podaj imię/],
    ["first_name", { first_name: "J4n" }, /tylko litery/],
    ["last_name", { last_name: "" }, /Podaj nazwisko/],
    ["email", { email: "jan@" }, /poprawny adres e-mail/],
    ["phone", { phone: "123" }, /numer telefonu komórkowego/],
    ["phone", { phone: "22 123 45 67" }, /numer telefonu komórkowego/],
    ["street", { street: "" }, /Podaj ulicę/],
    ["building", { building: "dwanaście" }, /numer budynku/],
    ["unit", { unit: "" }, /Podaj numer lokalu/],
    ["first_name", { first_name: "<script>alert(1)</script>" }, /niedozwolone znaki|tylko litery/],
  ];
  for (const [field, change, message] of cases) {
    const res = await t.post("/rejestracja", { ...valid, ...change });
    assert.equal(res.status, 422, `${field} ${JSON.stringify(change)}`);
    const html = await res.text();
    assert.match(html, message);
    assert.match(
      html,
      new RegExp(`id="${field}"[^>]*aria-describedby="${field}-error`),
      `${field}: error tied by aria-describedby`,
    );
    assert.match(html, new RegExp(`<span class="error-text" id="${field}-error">`));
    // What the user typed comes back (escaped), except the broken field may be anything.
    assert.match(html, /value="jan.kowalski@example.pl"|value="jan@"/);
    assert.doesNotMatch(html, /<script>alert/);
  }
  assert.deepEqual(await listAccessRequests(t.kv, "pending"), [], "nothing stored");
});

Deno.test("registration: without the data-protection acknowledgement nothing is sent", async () => {
  await using t = await testApp();
  const { rodo_ack: _, ...rest } = valid;
  const res = await t.post("/rejestracja", rest);
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /Potwierdź zapoznanie się z informacją/);
  assert.match(html, /id="rodo_ack"[^>]*aria-describedby="rodo_ack-error/);
  assert.deepEqual(await listAccessRequests(t.kv, "pending"), []);
  assert.deepEqual(await listMessages(t.kv), []);
});

Deno.test("registration: the request and its e-mail are stored together; the notice version is kept", async () => {
  await using t = await testApp();
  const res = await t.post("/rejestracja", valid);
  assert.equal(res.status, 303);
  const [request] = await listAccessRequests(t.kv, "pending");
  assert.equal(request.email, "jan.kowalski@example.pl");
  assert.equal(request.phone, "+48600123456");
  assert.match(request.rodo.version, /^[0-9a-f]{64}$/);
  assert.equal(request.rodo.acknowledgedAt, t.clock().toISOString());
  const [message] = await listMessages(t.kv);
  assert.equal(message.to, "jan.kowalski@example.pl");
  assert.equal(message.subjectRef, `request:${request.id}`);
});

Deno.test("registration: a second request for a pending e-mail creates no duplicate and answers the same", async () => {
  await using t = await testApp();
  const first = await t.post("/rejestracja", valid);
  const second = await t.post("/rejestracja", { ...valid, email: "JAN.KOWALSKI@example.pl" });
  assert.equal(first.status, 303);
  assert.equal(second.status, 303);
  assert.equal(first.headers.get("location"), second.headers.get("location"));
  assert.equal((await listAccessRequests(t.kv, "pending")).length, 1);
  const purposes = (await listMessages(t.kv)).map((m) => m.purpose);
  assert.deepEqual(purposes, ["registration_received", "registration_duplicate"]);
});

Deno.test("registration: an e-mail that already has an account answers the same, and is told by e-mail", async () => {
  await using t = await testApp();
  await createAccount(t.kv, t.clock, {
    firstName: "Jan",
    lastName: "Kowalski",
    email: valid.email,
    phone: "+48600123456",
    unitIds: [],
    passwordHash: null,
  });
  const res = await t.post("/rejestracja", valid);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/rejestracja/wyslano");
  assert.deepEqual(await listAccessRequests(t.kv, "pending"), []);
  assert.deepEqual((await listMessages(t.kv)).map((m) => m.purpose), [
    "registration_existing_account",
  ]);
});

Deno.test("registration: rate limited per e-mail and per client address", async () => {
  await using t = await testApp();
  for (let i = 0; i < 3; i++) assert.equal((await t.post("/rejestracja", valid)).status, 303);
  const limited = await t.post("/rejestracja", valid);
  assert.equal(limited.status, 429);
  assert.match(await limited.text(), /zbyt wiele formularzy/i);
  // 4 so far from this address; the limit is 20 an hour.
  for (let i = 0; i < 16; i++) {
    assert.equal(
      (await t.post("/rejestracja", { ...valid, email: `osoba${i}@example.pl` })).status,
      303,
    );
  }
  const perAddress = await t.post("/rejestracja", { ...valid, email: "kolejna@example.pl" });
  assert.equal(perAddress.status, 429);
});

Deno.test("registration: htmx validates a field when the user leaves it", async () => {
  await using t = await testApp();
  const res = await t.post("/rejestracja/sprawdz", { ...valid, phone: "12" }, {
    "hx-request": "true",
    "hx-trigger-name": "phone",
  });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /^<div class="field invalid" id="field-phone">/);
  assert.match(html, /numer telefonu komórkowego/);
  const ok = await (await t.post("/rejestracja/sprawdz", valid, {
    "hx-request": "true",
    "hx-trigger-name": "email",
  })).text();
  assert.match(ok, /^<div class="field" id="field-email">/);
  assert.doesNotMatch(ok, /error-text/);
});

async function residentWithStartPassword(t: Awaited<ReturnType<typeof testApp>>) {
  const account = await createAccount(t.kv, t.clock, {
    firstName: "Ola",
    lastName: "Nowak",
    email: "ola@example.pl",
    phone: "+48600111222",
    unitIds: [],
    passwordHash: null,
    startPassword: {
      hash: await t.hasher.hash("Start1234x"),
      issuedAt: t.clock().toISOString(),
      expiresAt: new Date(t.clock().getTime() + 7 * 86_400_000).toISOString(),
    },
  });
  return account!;
}

Deno.test("password change: each rule refused with its own message; must differ from the start password", async () => {
  await using t = await testApp();
  const account = await residentWithStartPassword(t);
  const c = t.client();
  assert.equal(
    (await c.post("/logowanie", { identifier: account.identifier, password: "Start1234x" })).status,
    303,
  );
  const cases: [string, string, string, RegExp][] = [
    ["short", "Ab1", "Ab1", /co najmniej 7 znaków/],
    ["no letter", "12345678", "12345678", /co najmniej jedną literę/],
    ["no upper", "malelitery1", "malelitery1", /wielką literę/],
    ["common", "Haslo123", "Haslo123", /zbyt popularne/],
    ["same as start", "Start1234x", "Start1234x", /różnić/],
    ["mismatch", "Dobre-Haslo-1", "Dobre-Haslo-2", /nie są takie same/],
  ];
  for (const [name, next, confirm, message] of cases) {
    const res = await c.post("/zmiana-hasla", {
      current_password: "Start1234x",
      new_password: next,
      new_password_confirm: confirm,
    });
    assert.equal(res.status, 422, name);
    const html = await res.text();
    assert.match(html, message, name);
    assert.doesNotMatch(html, new RegExp(`value="${next}"`), "passwords are never echoed");
  }
  const wrongCurrent = await c.post("/zmiana-hasla", {
    current_password: "Zle-haslo-9",
    new_password: "Dobre-Haslo-1",
    new_password_confirm: "Dobre-Haslo-1",
  });
  assert.equal(wrongCurrent.status, 422);
  assert.match(await wrongCurrent.text(), /Hasło startowe jest nieprawidłowe/);
  assert.equal((await getAccount(t.kv, account.id))?.passwordHash, null);
});

Deno.test("password change: the live rule check ticks off each part", async () => {
  await using t = await testApp();
  const res = await t.post("/zmiana-hasla/sprawdz", { new_password: "abcdefg" }, {
    "hx-request": "true",
  });
  const html = await res.text();
  assert.match(html, /class="met">✓ co najmniej 7 znaków/);
  assert.match(html, /class="unmet">✗ co najmniej jedna wielka litera/);
});

Deno.test("an expired start password is refused with a clear message", async () => {
  await using t = await testApp();
  const account = await residentWithStartPassword(t);
  t.clock.advance(7 * 86_400_000 + 1);
  const res = await t.client().post("/logowanie", {
    identifier: account.identifier,
    password: "Start1234x",
  });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /Hasło startowe wygasło/);
});

Deno.test("wrong identifier and wrong password get the same answer", async () => {
  await using t = await testApp();
  const account = await residentWithStartPassword(t);
  const a = await t.client().post("/logowanie", { identifier: "ZZZ-9999", password: "Start1234x" });
  const b = await t.client().post("/logowanie", {
    identifier: account.identifier,
    password: "Zle12345",
  });
  assert.equal(a.status, 422);
  assert.equal(b.status, 422);
  const message = (html: string) => html.match(/<p class="notice bad"[^>]*>([^<]*)</)?.[1];
  assert.equal(message(await a.text()), "Nieprawidłowy Identyfikator lub hasło.");
  assert.equal(message(await b.text()), "Nieprawidłowy Identyfikator lub hasło.");
});

Deno.test("lockout: five failures lock the account with a time to try again; staff can unlock", async () => {
  await using t = await testApp();
  const account = await residentWithStartPassword(t);
  const c = t.client();
  for (let i = 0; i < 4; i++) {
    assert.equal(
      (await c.post("/logowanie", { identifier: account.identifier, password: `Zle${i}abc` }))
        .status,
      422,
    );
  }
  const locked = await c.post("/logowanie", {
    identifier: account.identifier,
    password: "Zle5abc",
  });
  assert.equal(locked.status, 429);
  assert.match(await locked.text(), /będzie możliwe po 25\.11\.2026, 11:01/);
  // Even the right password waits for the lock.
  const still = await c.post("/logowanie", {
    identifier: account.identifier,
    password: "Start1234x",
  });
  assert.equal(still.status, 429);
  assert.equal((await t.kv.get(keys.lockouts(account.identifier))).value !== null, true);

  const s = await t.staffClient();
  const page = await (await s.get(`/admin/konta/${account.id}`)).text();
  assert.match(page, /Zdejmij blokadę logowania/);
  assert.equal((await s.post(`/admin/konta/${account.id}/odblokuj`, {})).status, 303);
  const after = await c.post("/logowanie", {
    identifier: account.identifier,
    password: "Start1234x",
  });
  assert.equal(after.status, 303);
});

Deno.test("a lockout grows with each further lock", async () => {
  await using t = await testApp();
  const account = await residentWithStartPassword(t);
  const c = t.client();
  const fail = () =>
    c.post("/logowanie", { identifier: account.identifier, password: "Zle-haslo1" });
  for (let i = 0; i < 5; i++) await fail();
  t.clock.advance(61_000);
  for (let i = 0; i < 4; i++) assert.equal((await fail()).status, 422);
  const second = await fail();
  assert.equal(second.status, 429);
  assert.match(await second.text(), /11:06/, "the second lock lasts 5 minutes");
});

Deno.test("login and registration forms refuse a cross-origin POST", async () => {
  await using t = await testApp();
  for (
    const path of ["/logowanie", "/rejestracja", "/zmiana-hasla", "/admin/logowanie", "/wyloguj"]
  ) {
    const res = await t.post(path, { identifier: "x" }, { origin: "https://evil.example" });
    assert.equal(res.status, 403, path);
  }
});

Deno.test("a resident's session does not open /admin", async () => {
  await using t = await testApp();
  const account = await residentWithStartPassword(t);
  const c = t.client();
  await c.post("/logowanie", { identifier: account.identifier, password: "Start1234x" });
  await c.post("/zmiana-hasla", {
    current_password: "Start1234x",
    new_password: "Moje-Haslo-1",
    new_password_confirm: "Moje-Haslo-1",
  });
  assert.equal((await c.get("/ebok")).status, 200);
  for (const path of ["/admin/wnioski", "/admin/konta", `/admin/konta/${account.id}`]) {
    const res = await c.get(path);
    assert.equal(res.status, 303, path);
    assert.equal(res.headers.get("location"), "/admin/logowanie");
  }
  const approve = await c.post("/admin/wnioski/01ARZ3NDEKTSV4RRFFQ69G5FAV/zatwierdz", {});
  assert.equal(approve.status, 303);
  assert.equal(approve.headers.get("location"), "/admin/logowanie");
});

Deno.test("one resident's session shows only that resident's units", async () => {
  await using t = await testApp();
  const { seedDemoCooperative } = await import("../../domain/demo/demo_data.ts");
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const [mine, theirs] = coop.units.filter((u) => u.kind === "flat");
  const account = await createAccount(t.kv, t.clock, {
    firstName: "Ola",
    lastName: "Nowak",
    email: "ola@example.pl",
    phone: "+48600111222",
    unitIds: [mine.id],
    passwordHash: await t.hasher.hash("Moje-Haslo-1"),
  });
  const c = t.client();
  await c.post("/logowanie", { identifier: account!.identifier, password: "Moje-Haslo-1" });
  const html = await (await c.get("/ebok")).text();
  assert.ok(html.includes(`lokal-${mine.id}`));
  assert.ok(!html.includes(theirs.id));
});

Deno.test("logout ends the session; the old cookie no longer opens eBOK", async () => {
  await using t = await testApp();
  const account = await createAccount(t.kv, t.clock, {
    firstName: "Ola",
    lastName: "Nowak",
    email: "ola@example.pl",
    phone: "+48600111222",
    unitIds: [],
    passwordHash: await t.hasher.hash("Moje-Haslo-1"),
  });
  const c = t.client();
  const login = await c.post("/logowanie", {
    identifier: account!.identifier,
    password: "Moje-Haslo-1",
  });
  const setCookie = login.headers.get("set-cookie") ?? "";
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Lax/);
  assert.match(setCookie, /Path=\//);
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  assert.equal((await c.get("/ebok")).status, 200);
  await c.post("/wyloguj", {});
  const replay = await t.app.request("/ebok", { headers: { cookie } });
  assert.equal(replay.status, 303);
});

Deno.test("a password change ends the other sessions", async () => {
  await using t = await testApp();
  const account = await createAccount(t.kv, t.clock, {
    firstName: "Ola",
    lastName: "Nowak",
    email: "ola@example.pl",
    phone: "+48600111222",
    unitIds: [],
    passwordHash: await t.hasher.hash("Moje-Haslo-1"),
  });
  const phone = t.client();
  const laptop = t.client();
  await phone.post("/logowanie", { identifier: account!.identifier, password: "Moje-Haslo-1" });
  await laptop.post("/logowanie", { identifier: account!.identifier, password: "Moje-Haslo-1" });
  const changed = await laptop.post("/zmiana-hasla", {
    current_password: "Moje-Haslo-1",
    new_password: "Inne-Haslo-2",
    new_password_confirm: "Inne-Haslo-2",
  });
  assert.equal(changed.status, 303);
  assert.equal(
    (await laptop.get("/ebok")).status,
    200,
    "the changing session goes on, with a new token",
  );
  assert.equal((await phone.get("/ebok")).status, 303, "the other session ended");
});

Deno.test("forgot password: same answer for any identifier; an SMS only for a real account; the old password still works", async () => {
  await using t = await testApp();
  const account = await createAccount(t.kv, t.clock, {
    firstName: "Ola",
    lastName: "Nowak",
    email: "ola@example.pl",
    phone: "+48600111222",
    unitIds: [],
    passwordHash: await t.hasher.hash("Moje-Haslo-1"),
  });
  const real = await t.post("/nie-pamietam-hasla", {
    identifier: account!.identifier.toLowerCase(),
  });
  const fake = await t.post("/nie-pamietam-hasla", { identifier: "ZZZ-9999" });
  assert.equal(real.status, 200);
  assert.equal(fake.status, 200);
  const notice = (html: string) => html.match(/<p class="notice ok"[^>]*>([\s\S]*?)<\/p>/)?.[1];
  assert.equal(notice(await real.text()), notice(await fake.text()));
  const sms = (await listMessages(t.kv)).filter((m) => m.channel === "sms");
  assert.equal(sms.length, 1);
  assert.equal(sms[0].to, "+48600111222");
  const start = sms[0].text.match(/Hasło startowe: (\S+)/)![1];
  assert.equal(
    (await t.client().post("/logowanie", {
      identifier: account!.identifier,
      password: "Moje-Haslo-1",
    })).status,
    303,
  );
  const withStart = await t.client().post("/logowanie", {
    identifier: account!.identifier,
    password: start,
  });
  assert.equal(withStart.headers.get("location"), "/zmiana-hasla");
});

Deno.test("staff: a wrong or replayed TOTP code is refused", async () => {
  await using t = await testApp();
  const staff = await createStaff(t.kv, t.clock, t.hasher, {
    login: "biuro",
    password: "Biuro-Haslo-1",
    name: "Biuro",
    role: "office",
  });
  assert.ok(staff.ok);
  const wrong = await t.client().post("/admin/logowanie", {
    login: "biuro",
    password: "Biuro-Haslo-1",
    totp: "000000",
  });
  assert.equal(wrong.status, 422);
  const code = currentTotp(staff.totpSecret);
  assert.equal(
    (await t.client().post("/admin/logowanie", {
      login: "biuro",
      password: "Biuro-Haslo-1",
      totp: code,
    })).status,
    303,
  );
  const replay = await t.client().post("/admin/logowanie", {
    login: "biuro",
    password: "Biuro-Haslo-1",
    totp: code,
  });
  assert.equal(replay.status, 422);
});

Deno.test("staff: rejecting needs a reason; the resident is told it by e-mail", async () => {
  await using t = await testApp();
  await t.post("/rejestracja", valid);
  const [request] = await listAccessRequests(t.kv, "pending");
  const s = await t.staffClient();
  const empty = await s.post(`/admin/wnioski/${request.id}/odrzuc`, { reason: "" });
  assert.equal(empty.status, 422);
  assert.match(await empty.text(), /Podaj powód odrzucenia/);
  const res = await s.post(`/admin/wnioski/${request.id}/odrzuc`, {
    reason: "Adres nie zgadza się z rejestrem.",
  });
  assert.equal(res.status, 303);
  assert.equal((await getAccessRequest(t.kv, request.id))?.status, "rejected");
  const mail = (await listMessages(t.kv)).find((m) => m.purpose === "registration_rejected");
  assert.match(mail?.text ?? "", /Powód: Adres nie zgadza się z rejestrem\./);
  // A decided request cannot be decided again.
  const twice = await s.post(`/admin/wnioski/${request.id}/zatwierdz`, {});
  assert.equal(twice.status, 409);
});
