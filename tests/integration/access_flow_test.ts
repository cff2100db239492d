import assert from "node:assert/strict";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { createStaff } from "../../domain/accounts/staff.ts";
import { currentTotp } from "../../domain/accounts/totp.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { eventually, testApp } from "../helpers.ts";

const STAFF = { login: "kierownik", password: "Biuro-Test-2026", name: "Ewa Kierownik" };

export async function flowFixture() {
  const t = await testApp({ delivery: "providers" });
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const staff = await createStaff(t.kv, t.clock, t.hasher, { ...STAFF, role: "office" });
  assert.ok(staff.ok);
  return { t, coop, totpSecret: staff.totpSecret };
}

/** The e-mails the fake Resend received, parsed. */
function emails(t: Awaited<ReturnType<typeof testApp>>) {
  return t.resend!.requests.map((r) =>
    JSON.parse(r.body) as { to: string; subject: string; text: string }
  );
}

function smses(t: Awaited<ReturnType<typeof testApp>>) {
  return t.twilio!.requests.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
}

Deno.test("the whole access flow through HTTP: register → approve → start password → own password → dashboard", async () => {
  const { t, coop, totpSecret } = await flowFixture();
  await using _ = t;
  const r = coop.demoResident;

  // 1. Registration, with the address of the resident's flat as the register knows it, by one
  // of the people the register lists there (so the name check passes).
  const resident = t.client();
  const form = await resident.get("/rejestracja");
  assert.equal(form.status, 200);
  const formHtml = await form.text();
  assert.match(formHtml, /Informacja o przetwarzaniu danych osobowych/);
  assert.match(formHtml, /Prezesa Urzędu Ochrony Danych Osobowych/);
  const registered = await resident.post("/rejestracja", {
    first_name: "Marek",
    last_name: "Zieliński",
    email: "Marek.Zielinski@example.pl",
    phone: "0048 600-123-456",
    street: `ul. ${r.street}`,
    building: r.building,
    unit: r.unit,
    rodo_ack: "on",
  });
  assert.equal(registered.status, 303);
  assert.equal(registered.headers.get("location"), "/rejestracja/wyslano");
  assert.match(await (await resident.get("/rejestracja/wyslano")).text(), /kilka dni/);

  // 2. The confirmation e-mail reaches the provider.
  const confirmation = await eventually(() =>
    emails(t).find((e) => e.to === "marek.zielinski@example.pl")
  );
  assert.match(confirmation.subject, /otrzymaliśmy/);

  // 3. Staff log in with password and TOTP, and see the request with the matching unit.
  const staff = t.client();
  assert.equal((await staff.get("/admin/wnioski")).status, 303, "staff pages need a login");
  const staffLogin = await staff.post("/admin/logowanie", {
    login: STAFF.login,
    password: STAFF.password,
    totp: currentTotp(totpSecret),
  });
  assert.equal(staffLogin.status, 303);
  const list = await (await staff.get("/admin/wnioski")).text();
  assert.match(list, /Marek Zieliński/);
  assert.match(list, /adres w rejestrze/);
  assert.match(list, /imię i nazwisko: zgodne/);
  const requestId = list.match(/\/admin\/wnioski\/([0-9A-Z]{26})\/zatwierdz/)![1];

  // 4. Approve with the flat and the garage (the register lists Marek Zieliński at the flat; the
  // garage is Katarzyna Zielińska's: a partial match, so it needs the confirmation).
  const approved = await staff.post(`/admin/wnioski/${requestId}/zatwierdz`, {
    unit_id: [r.flatUnitId, r.garageUnitId],
    confirm_mismatch: "on",
    confirm_reason: "Garaż wspólny z żoną, umowa okazana w biurze.",
  });
  assert.equal(approved.status, 303);

  // 5. Identifier e-mail and start-password SMS reach the providers.
  const idMail = await eventually(() =>
    emails(t).find((e) => e.to === "marek.zielinski@example.pl" && /Identyfikator:/.test(e.text))
  );
  const identifier = idMail.text.match(/^Identyfikator: ([A-Z]{3}-\d{4})$/m)![1];
  const sms = await eventually(() => smses(t).find((s) => s.To === "+48600123456"));
  const startPassword = sms.Body.match(/Hasło startowe: (\S+)/)![1];
  assert.match(startPassword, /^[A-Za-z2-9]{10}$/);

  // 6. Login with the start password leads only to the password change.
  const login = await resident.post("/logowanie", { identifier, password: startPassword });
  assert.equal(login.status, 303);
  assert.equal(login.headers.get("location"), "/zmiana-hasla");
  const blocked = await resident.get("/ebok");
  assert.equal(blocked.status, 303);
  assert.equal(blocked.headers.get("location"), "/zmiana-hasla");

  // 7. The forced change: the rule is enforced, then a good password is set.
  const weak = await resident.post("/zmiana-hasla", {
    current_password: startPassword,
    new_password: "slabe",
    new_password_confirm: "slabe",
  });
  assert.equal(weak.status, 422);
  const changed = await resident.post("/zmiana-hasla", {
    current_password: startPassword,
    new_password: "Moje-Nowe-Haslo-7",
    new_password_confirm: "Moje-Nowe-Haslo-7",
  });
  assert.equal(changed.status, 303);
  assert.equal(changed.headers.get("location"), "/ebok?haslo-zmienione");

  // 8. The dashboard, with both units.
  const dashboard = await resident.get("/ebok?haslo-zmienione");
  assert.equal(dashboard.status, 200);
  const html = await dashboard.text();
  // "Dzień dobry", the full name on its own line (not "Dzień dobry, Marek!").
  assert.match(html, /<h1>Dzień dobry<\/h1>\s*<p class="greeting-name">Marek \S+<\/p>/);
  assert.match(html, /Hasło zostało zmienione/);
  assert.equal((html.match(/class="unit-card"/g) ?? []).length, 2);
  assert.equal(dashboard.headers.get("cache-control"), "no-store");

  // The password-change notice is e-mailed; the audit log has the staff decision.
  await eventually(() => emails(t).find((e) => /hasło zostało zmienione/.test(e.subject)));
  const audit = await listAudit(t.kv);
  assert.ok(
    audit.some((e) => e.action === "request.approved" && e.actor.label.includes(STAFF.login)),
  );

  // 9. The start password works once; the own password works.
  await resident.post("/wyloguj", {});
  const again = await t.client().post("/logowanie", { identifier, password: startPassword });
  assert.equal(again.status, 422);
  const own = await t.client().post("/logowanie", { identifier, password: "Moje-Nowe-Haslo-7" });
  assert.equal(own.status, 303);
  assert.equal(own.headers.get("location"), "/ebok");
});

Deno.test("a plain POST approval without a unit choice links the units at the typed address", async () => {
  const { t, coop, totpSecret } = await flowFixture();
  await using _ = t;
  const r = coop.demoResident;
  await t.post("/rejestracja", {
    first_name: "Marek",
    last_name: "Zieliński",
    email: "adam@example.pl",
    phone: "+48 512 000 111",
    street: r.street,
    building: r.building,
    unit: r.unit,
    rodo_ack: "on",
  });
  const staff = t.client();
  await staff.post("/admin/logowanie", {
    login: STAFF.login,
    password: STAFF.password,
    totp: currentTotp(totpSecret),
  });
  const list = await (await staff.get("/admin/wnioski")).text();
  const requestId = list.match(/\/admin\/wnioski\/([0-9A-Z]{26})\/zatwierdz/)![1];
  const res = await staff.post(`/admin/wnioski/${requestId}/zatwierdz`, {});
  assert.equal(res.status, 303);
  const { getAccessRequest } = await import("../../domain/access/access_requests.ts");
  const request = await getAccessRequest(t.kv, requestId);
  assert.equal(request?.status, "approved");
  assert.deepEqual(request?.unitIds, [r.flatUnitId]);

  // The page's own form with nothing ticked is refused instead.
  await t.post("/rejestracja", {
    first_name: "Ewa",
    last_name: "Druga",
    email: "ewa@example.pl",
    phone: "600 000 222",
    street: r.street,
    building: r.building,
    unit: r.unit,
    rodo_ack: "on",
  });
  const page = await (await staff.get("/admin/wnioski")).text();
  const second = page.match(/\/admin\/wnioski\/([0-9A-Z]{26})\/zatwierdz/)![1];
  const refused = await staff.post(`/admin/wnioski/${second}/zatwierdz`, { units_chosen: "1" });
  assert.equal(refused.status, 422);
  assert.match(await refused.text(), /Wybierz co najmniej jeden lokal/);
});
