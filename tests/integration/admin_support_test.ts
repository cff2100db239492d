import assert from "node:assert/strict";
import { createAccount, getAccount, listAccountsByEmail } from "../../domain/accounts/accounts.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { listMessages } from "../../domain/messaging/messages.ts";
import { createStaff } from "../../domain/accounts/staff.ts";
import { currentTotp } from "../../domain/accounts/totp.ts";
import { testApp } from "../helpers.ts";

const PASSWORD = "Moje-Haslo-1";

async function fixture() {
  const t = await testApp();
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const r = coop.demoResident;
  const account = (await createAccount(t.kv, t.clock, {
    firstName: r.firstName,
    lastName: r.lastName,
    email: r.email,
    phone: r.phone,
    unitIds: [r.flatUnitId],
    passwordHash: await t.hasher.hash(PASSWORD),
  }))!;
  const staffClient = async (role: "admin" | "office", login: string) => {
    const s = await createStaff(t.kv, t.clock, t.hasher, {
      login,
      password: "Biuro-Haslo-2026",
      name: `Pracownik ${login}`,
      role,
    });
    assert.ok(s.ok);
    const c = t.client();
    const res = await c.post("/admin/logowanie", {
      login,
      password: "Biuro-Haslo-2026",
      totp: currentTotp(s.totpSecret),
    });
    assert.equal(res.status, 303);
    return c;
  };
  return { t, coop, account, staffClient };
}

Deno.test("roles: settings and staff management are for administrators only", async () => {
  const { t, staffClient } = await fixture();
  await using _ = t;
  const office = await staffClient("office", "biuro1");
  const res = await office.get("/admin/ustawienia");
  assert.equal(res.status, 403);
  assert.match(await res.text(), /Brak dostępu/);
  assert.equal((await office.post("/admin/ustawienia/pracownicy", { login: "x" })).status, 403);
  assert.equal(
    (await office.get("/admin/wnioski")).status,
    200,
    "office work is open to office staff",
  );

  const admin = await staffClient("admin", "szef");
  assert.equal((await admin.get("/admin/ustawienia")).status, 200);
  const weak = await admin.post("/admin/ustawienia/pracownicy", {
    login: "nowa",
    name: "Nowa Osoba",
    password: "Krotkie1",
    role: "office",
  });
  assert.equal(weak.status, 422);
  assert.match(await weak.text(), /co najmniej 12 znaków/);
  const created = await admin.post("/admin/ustawienia/pracownicy", {
    login: "nowa",
    name: "Nowa Osoba",
    password: "Dlugie-Haslo-2026",
    role: "office",
  });
  assert.equal(created.status, 200);
  const html = await created.text();
  const secret = html.match(/<code class="nrb-value">([A-Z2-7]{32})<\/code>/)![1];
  assert.match(html, /<svg[^>]*role="img"/, "a QR code for the authenticator app");
  const login = await t.client().post("/admin/logowanie", {
    login: "nowa",
    password: "Dlugie-Haslo-2026",
    totp: currentTotp(secret),
  });
  assert.equal(login.status, 303);
  assert.ok((await listAudit(t.kv)).some((e) => e.action === "staff.created"));
});

Deno.test("support actions work and each is in the audit log", async () => {
  const { t, account, coop, staffClient } = await fixture();
  await using _ = t;
  const s = await staffClient("office", "biuro1");
  const base = `/admin/konta/${account.id}`;
  const page = await s.get(base);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Pomoc dla mieszkańca/);

  assert.equal((await s.post(`${base}/identyfikator`, {})).status, 303);
  assert.equal((await s.post(`${base}/haslo-startowe`, {})).status, 303);

  const badContact = await s.post(`${base}/kontakt`, { email: "zly", phone: "123" });
  assert.equal(badContact.status, 422);
  const badHtml = await badContact.text();
  assert.match(badHtml, /aria-describedby="email-error/);
  assert.match(badHtml, /value="zly"/);
  const oldEmail = account.email;
  assert.equal(
    (await s.post(`${base}/kontakt`, { email: "nowy@example.pl", phone: "600 555 444" })).status,
    303,
  );
  const changed = await getAccount(t.kv, account.id);
  assert.equal(changed?.email, "nowy@example.pl");
  assert.equal(changed?.phone, "+48600555444");
  assert.equal((await listAccountsByEmail(t.kv, "nowy@example.pl")).length, 1);
  assert.equal((await listAccountsByEmail(t.kv, oldEmail)).length, 0);
  const notices = (await listMessages(t.kv)).filter((m) => m.purpose === "contact_changed");
  assert.deepEqual(notices.map((m) => m.to).sort(), [oldEmail, "nowy@example.pl"].sort());

  // The resident signs in, then staff block the account: the session ends, login says why.
  const resident = t.client();
  await resident.post("/logowanie", { identifier: account.identifier, password: PASSWORD });
  assert.equal((await resident.get("/ebok")).status, 200);
  assert.equal((await s.post(`${base}/blokuj`, {})).status, 303);
  assert.equal((await resident.get("/ebok")).status, 303);
  const blocked = await t.client().post("/logowanie", {
    identifier: account.identifier,
    password: PASSWORD,
  });
  assert.match(await blocked.text(), /Konto jest zablokowane/);
  assert.equal((await s.post(`${base}/odblokuj-konto`, {})).status, 303);
  const again = t.client();
  assert.equal(
    (await again.post("/logowanie", { identifier: account.identifier, password: PASSWORD })).status,
    303,
  );
  assert.equal((await s.post(`${base}/wyloguj`, {})).status, 303);
  assert.equal((await again.get("/ebok")).status, 303, "staff ended the session");

  // Link the garage by its address.
  const r = coop.demoResident;
  const units = await s.post(`${base}/lokale`, {
    unit_id: r.flatUnitId,
    street: r.street,
    building: r.building,
    unit: "G2",
  });
  assert.equal(units.status, 303);
  assert.deepEqual((await getAccount(t.kv, account.id))?.unitIds, [r.flatUnitId, r.garageUnitId]);
  const missing = await s.post(`${base}/lokale`, {
    unit_id: r.flatUnitId,
    street: "Nieistniejąca",
    building: "1",
    unit: "1",
  });
  assert.equal(missing.status, 422);

  const actions = (await listAudit(t.kv)).filter((e) => e.target?.id === account.id).map((e) =>
    e.action
  );
  for (
    const action of [
      "account.identifier_resent",
      "account.start_password_issued",
      "account.contact_changed",
      "account.blocked",
      "account.unblocked",
      "account.sessions_ended",
      "account.units_changed",
    ]
  ) {
    assert.ok(actions.includes(action), `${action} in the audit log`);
  }
  for (const e of await listAudit(t.kv)) {
    assert.doesNotMatch(JSON.stringify(e), /Moje-Haslo-1|Biuro-Haslo-2026|Hasło startowe/);
  }
});

Deno.test("register search: address, occupant, identifier, e-mail and phone; htmx gets the results only", async () => {
  const { t, account, staffClient } = await fixture();
  await using _ = t;
  const s = await staffClient("office", "biuro1");
  const byAddress = await (await s.get("/admin/rejestr?q=kazimierza+12%2F7")).text();
  assert.match(byAddress, /ul\. Kazimierza Wielkiego 12\/7/);
  const byName = await (await s.get(`/admin/rejestr?q=${encodeURIComponent(account.lastName)}`))
    .text();
  assert.match(byName, new RegExp(account.identifier));
  for (const q of [account.identifier.toLowerCase(), account.email, account.phone.slice(-9)]) {
    const html = await (await s.get(`/admin/rejestr?q=${encodeURIComponent(q)}`)).text();
    assert.match(html, new RegExp(account.identifier), q);
  }
  const fragment = await (await s.get("/admin/rejestr?q=kazimierza", { "hx-request": "true" }))
    .text();
  assert.match(fragment, /^<div id="wyniki"/);
  const unitLink = byAddress.match(/\/admin\/rejestr\/lokale\/([0-9A-Z]{26})/)![1];
  const unitPage = await (await s.get(`/admin/rejestr/lokale/${unitLink}`)).text();
  assert.match(unitPage, /Konta w eBOK z dostępem do lokalu/);
});

Deno.test("staff edit a unit in the register; bad values are refused with the form re-filled", async () => {
  const { t, coop, staffClient } = await fixture();
  await using _ = t;
  const s = await staffClient("office", "biuro1");
  const unitId = coop.demoResident.flatUnitId;
  const page = await (await s.get(`/admin/rejestr/lokale/${unitId}`)).text();
  assert.match(page, /Zmień dane lokalu/);
  const bad = await s.post(`/admin/rejestr/lokale/${unitId}`, {
    number: "7",
    area: "dużo",
    persons: "3",
    occupants: "Katarzyna Zielińska",
    bankAccount: "12 3456",
  });
  assert.equal(bad.status, 422);
  const badHtml = await bad.text();
  assert.match(badHtml, /aria-describedby="area-error/);
  assert.match(badHtml, /aria-describedby="bankAccount-error/);
  assert.match(badHtml, /value="dużo"/);
  const { getUnit } = await import("../../domain/backoffice/register.ts");
  const before = (await getUnit(t.kv, unitId))!;
  const ok = await s.post(`/admin/rejestr/lokale/${unitId}`, {
    number: before.number,
    area: "55,25",
    persons: "4",
    occupants: "Katarzyna Zielińska, Marek Zieliński, Ola Zielińska",
    bankAccount: before.bankAccount,
  });
  assert.equal(ok.status, 303);
  const after = (await getUnit(t.kv, unitId))!;
  assert.equal(after.areaCm2, 552500);
  assert.equal(after.persons, 4);
  assert.equal(after.occupants.length, 3);
  assert.ok((await listAudit(t.kv)).some((e) => e.action === "unit.updated"));
});

Deno.test("staff change their own password: rules, wrong current, other sessions end", async () => {
  const { t, staffClient } = await fixture();
  await using _ = t;
  const s = await staffClient("office", "biuro1");
  assert.equal((await s.get("/admin/haslo")).status, 200);
  const short = await s.post("/admin/haslo", {
    current_password: "Biuro-Haslo-2026",
    new_password: "Krotkie1",
    new_password_confirm: "Krotkie1",
  });
  assert.equal(short.status, 422);
  const wrong = await s.post("/admin/haslo", {
    current_password: "zle",
    new_password: "Nowe-Dlugie-Haslo-1",
    new_password_confirm: "Nowe-Dlugie-Haslo-1",
  });
  assert.equal(wrong.status, 422);
  assert.match(await wrong.text(), /Obecne hasło jest nieprawidłowe/);
  const ok = await s.post("/admin/haslo", {
    current_password: "Biuro-Haslo-2026",
    new_password: "Nowe-Dlugie-Haslo-1",
    new_password_confirm: "Nowe-Dlugie-Haslo-1",
  });
  assert.equal(ok.status, 303);
  assert.equal((await s.get("/admin/wnioski")).status, 200, "this session goes on");
  assert.ok((await listAudit(t.kv)).some((e) => e.action === "staff.password_changed"));
});
