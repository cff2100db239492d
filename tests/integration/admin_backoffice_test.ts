/**
 * The staff back office through HTTP: announcements (and residents seeing them on the
 * dashboard), the filterable audit log with its CSV, and the GDPR data export.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { createAccount } from "../../domain/accounts/accounts.ts";
import { getAnnouncement, listAnnouncements } from "../../domain/backoffice/announcements.ts";
import { listAudit, recordAudit } from "../../domain/backoffice/audit.ts";
import { getCooperativeProfile } from "../../domain/backoffice/cooperative.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { listMessages } from "../../domain/messaging/messages.ts";
import { createStaff } from "../../domain/accounts/staff.ts";
import { currentTotp } from "../../domain/accounts/totp.ts";
import { announcementRoutes } from "../../routes/admin/announcements.tsx";
import { auditRoutes } from "../../routes/admin/audit.tsx";
import { gdprRoutes } from "../../routes/admin/gdpr.tsx";
import type { AppEnv } from "../../routes/context.ts";
import { csrfProtection, noStoreByDefault, securityHeaders } from "../../routes/security.ts";
import { testApp, TestClient } from "../helpers.ts";

const STAFF = { login: "kierownik", password: "Biuro-Test-2026", name: "Ewa Kierownik" };
const RESIDENT_PASSWORD = "Moje-Haslo-2026";

type T = Awaited<ReturnType<typeof testApp>>;

/**
 * The app with the back-office routes. Once routes/app.tsx mounts them (at /admin/komunikaty,
 * /admin/dziennik and /admin) the app is used as it is; until then they are mounted in front
 * of it here, behind the same shared middleware.
 */
function backOffice(t: T) {
  const paths = t.app.routes.map((r) => r.path);
  const wired = paths.some((p) => p.startsWith("/admin/komunikaty")) &&
    paths.includes("/admin/dziennik/dziennik.csv") &&
    paths.includes("/admin/konta/:id/dane.json");
  if (wired) return t.app;
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(securityHeaders(t.config));
  app.use(noStoreByDefault);
  app.use(async (c, next) => {
    c.set("cooperative", await getCooperativeProfile(t.kv, t.config.cooperativeName));
    await next();
  });
  app.use(csrfProtection(t.config));
  app.route("/admin/komunikaty", announcementRoutes(t));
  app.route("/admin/dziennik", auditRoutes(t));
  app.route("/admin", gdprRoutes(t));
  app.route("/", t.app);
  return app;
}

async function fixture() {
  const t = await testApp();
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const staffMember = await createStaff(t.kv, t.clock, t.hasher, { ...STAFF, role: "office" });
  assert.ok(staffMember.ok);
  const app = backOffice(t);
  const staff = new TestClient(app);
  const login = await staff.post("/admin/logowanie", {
    login: STAFF.login,
    password: STAFF.password,
    totp: currentTotp(staffMember.totpSecret),
  });
  assert.equal(login.status, 303);

  const [b0, b1] = coop.buildings;
  const unitIn = (buildingId: string) =>
    coop.units.find((u) => u.buildingId === buildingId && u.kind === "flat")!.id;
  const passwordHash = await t.hasher.hash(RESIDENT_PASSWORD);
  const resident = async (firstName: string, email: string, unitId: string) => {
    const account = await createAccount(t.kv, t.clock, {
      firstName,
      lastName: "Testowa",
      email,
      phone: "+48600123456",
      unitIds: [unitId],
      passwordHash,
    });
    assert.ok(account);
    return account;
  };
  const inB0 = await resident("Zofia", "zofia@example.pl", coop.demoResident.flatUnitId);
  const inB1 = await resident("Marek", "marek@example.pl", unitIn(b1.id));
  assert.notEqual(unitIn(b1.id), coop.demoResident.flatUnitId);
  return { t, app, coop, staff, b0, b1, inB0, inB1 };
}

type Fetcher = { request(path: string, init?: RequestInit): Response | Promise<Response> };

async function residentClient(app: Fetcher, identifier: string) {
  const client = new TestClient(app);
  const res = await client.post("/logowanie", { identifier, password: RESIDENT_PASSWORD });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/ebok");
  return client;
}

Deno.test("announcements: staff publish for one building, with e-mail; errors re-fill the form", async () => {
  const { t, app, staff, b0, inB0 } = await fixture();
  await using _ = t;

  const page = await staff.get("/admin/komunikaty");
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<h1>Komunikaty<\/h1>/);
  assert.match(html, new RegExp(`name="building_id" value="${b0.id}"`));
  assert.match(html, /Wyślij też e-mailem/);

  // Invalid: no title, buildings chosen but none ticked, a past date.
  const invalid = await staff.post("/admin/komunikaty", {
    title: "",
    body: "Treść, która wraca do formularza.",
    audience: "buildings",
    visible_until: "2020-01-01",
  });
  assert.equal(invalid.status, 422);
  const err = await invalid.text();
  assert.match(err, /id="title"[^>]*aria-describedby="title-error"/);
  assert.match(err, /id="title-error">Podaj tytuł/);
  assert.match(err, /aria-describedby="visible_until-error visible_until-hint"/);
  assert.match(err, /Treść, która wraca do formularza\./);
  const second = await staff.post("/admin/komunikaty", {
    title: "Tytuł",
    body: "Treść.",
    audience: "buildings",
  });
  assert.equal(second.status, 422);
  assert.match(await second.text(), /<fieldset[^>]*aria-describedby="audience-error"/);
  const mixed = await staff.post("/admin/komunikaty", {
    title: "Tytuł",
    body: "Treść.",
    audience: "all",
    building_id: b0.id,
  });
  assert.equal(mixed.status, 422, "buildings ticked but everybody chosen: asked, not sent");
  const mixedHtml = await mixed.text();
  assert.match(mixedHtml, /id="audience-error">Zaznaczono budynki/);
  assert.match(mixedHtml, new RegExp(`value="${b0.id}" id="building-${b0.id}" checked`));
  assert.deepEqual(await listAnnouncements(t.kv), []);

  // Valid: building 0 only, by e-mail too.
  const created = await staff.post("/admin/komunikaty", {
    title: "Przegląd instalacji gazowej",
    body: "Przegląd odbędzie się w środę.\n\nProsimy o udostępnienie mieszkań.",
    audience: "buildings",
    building_id: b0.id,
    visible_until: "2026-12-31",
    email: "on",
  });
  assert.equal(created.status, 303);
  assert.equal(created.headers.get("location"), "/admin/komunikaty?wynik=opublikowano&emaile=1");
  const notice = await (await staff.get(created.headers.get("location")!)).text();
  assert.match(notice, /Komunikat opublikowany\. E-maile w kolejce do wysłania: 1\./);
  assert.match(notice, /Przegląd instalacji gazowej/);
  const mails = (await listMessages(t.kv, { limit: 1000 })).filter((m) =>
    m.purpose === "announcement"
  );
  assert.deepEqual(mails.map((m) => m.to), [inB0.email]);

  const [announcement] = await listAnnouncements(t.kv);
  assert.deepEqual(announcement.audience, { kind: "buildings", buildingIds: [b0.id] });
  assert.equal(announcement.visibleUntil, "2026-12-31");

  const withdrawn = await staff.post(`/admin/komunikaty/${announcement.id}/wycofaj`, {});
  assert.equal(withdrawn.status, 303);
  assert.ok((await getAnnouncement(t.kv, announcement.id))?.withdrawnAt);
  assert.equal(
    (await staff.post("/admin/komunikaty/01NOSUCH000000000000000000/wycofaj", {}))
      .status,
    404,
  );
  assert.equal((await new TestClient(app).get("/admin/komunikaty")).status, 303, "staff only");
});

Deno.test("announcements: a resident sees those for their building on the dashboard (needs /ebok wiring)", async () => {
  const { t, app, staff, b0, inB0, inB1 } = await fixture();
  await using _ = t;
  assert.equal(
    (await staff.post("/admin/komunikaty", {
      title: "Wymiana domofonów",
      body: "Technik przyjdzie we wtorek.\n\nProsimy o obecność.",
      audience: "buildings",
      building_id: b0.id,
    })).status,
    303,
  );
  assert.equal(
    (await staff.post("/admin/komunikaty", {
      title: "Godziny pracy biura w święta",
      body: "Biuro nieczynne 24 grudnia.",
      audience: "all",
    })).status,
    303,
  );

  const zofia = await residentClient(app, inB0.identifier);
  const mine = await (await zofia.get("/ebok")).text();
  assert.ok(
    mine.includes("Komunikaty spółdzielni"),
    "GET /ebok shows no announcements: the dashboard needs listAnnouncementsFor + AnnouncementsList",
  );
  assert.match(mine, /Wymiana domofonów/);
  assert.match(mine, /<p>Technik przyjdzie we wtorek\.<\/p>\s*<p>Prosimy o obecność\.<\/p>/);
  assert.match(mine, /Godziny pracy biura w święta/);

  const marek = await residentClient(app, inB1.identifier);
  const theirs = await (await marek.get("/ebok")).text();
  assert.match(theirs, /Godziny pracy biura w święta/);
  assert.doesNotMatch(theirs, /Wymiana domofonów/);
});

Deno.test("audit log: filters by GET form (htmx fragment or whole page), pages, CSV export", async () => {
  const { t, app, staff, inB0 } = await fixture();
  await using _ = t;
  await residentClient(app, inB0.identifier);
  await new TestClient(app).post("/logowanie", { identifier: inB0.identifier, password: "zle" });

  const all = await staff.get("/admin/dziennik");
  assert.equal(all.status, 200);
  const allHtml = await all.text();
  assert.match(allHtml, /<h1>Dziennik zdarzeń<\/h1>/);
  assert.match(allHtml, /hx-get="\/admin\/dziennik"[^>]*hx-push-url="true"/);
  // Words first, the stored code beside them; every action is a choice of the filter.
  const results = (html: string) => html.slice(html.indexOf('<section id="dziennik-wyniki"'));
  assert.match(results(allHtml), /<strong>Pracownik zalogowany<\/strong>/);
  assert.match(results(allHtml), /<code>staff_login\.ok<\/code>/);
  assert.match(results(allHtml), /<strong>Zalogowano<\/strong>/);
  assert.match(
    allHtml,
    /<option value="settings\.rodo_changed"\s*>Zmieniono treść informacji RODO/,
  );
  assert.match(allHtml, /<option value="api_token\."\s*>/);

  const logins = await (await staff.get("/admin/dziennik?rodzaj=login.&kto=resident")).text();
  assert.match(logins, /<option value="login\." selected>/);
  assert.match(results(logins), /<code>login\.ok<\/code>/);
  assert.doesNotMatch(results(logins), /staff_login\.ok/);
  assert.doesNotMatch(logins, /<code>login\.invalid<\/code>/, "anonymous actor filtered out");

  // htmx: only the region (and the status, out of band), and Vary says so.
  const fragment = await staff.get("/admin/dziennik?rodzaj=staff_login.", {
    "HX-Request": "true",
  });
  assert.equal(fragment.status, 200);
  assert.match(fragment.headers.get("vary") ?? "", /HX-Request/);
  const fragmentHtml = await fragment.text();
  assert.doesNotMatch(fragmentHtml, /<html/);
  assert.match(fragmentHtml, /<section id="dziennik-wyniki"/);
  assert.match(fragmentHtml, /id="dziennik-stan"[^>]*hx-swap-oob="true"/);
  assert.match(fragmentHtml, /staff_login\.ok/);
  assert.doesNotMatch(fragmentHtml, /<code>login\.ok/);

  // Dates are Polish days; pages of 50 are followed by the "older" link, filter kept.
  for (let i = 0; i < 60; i++) {
    await recordAudit(t.kv, t.clock, {
      actor: { kind: "system", label: "test" },
      action: "import.applied",
      details: { fileName: `plik_${String(i).padStart(2, "0")}.csv` },
    });
  }
  const today = "2026-11-25";
  const first = await (await staff.get(`/admin/dziennik?od=${today}&do=${today}&rodzaj=import.`))
    .text();
  assert.match(first, /Zdarzeń na tej stronie: 50, od najnowszego\./);
  assert.match(first, /plik_59\.csv/);
  assert.doesNotMatch(first, /plik_09\.csv/);
  const older = first.match(/href="(\/admin\/dziennik\?[^"]*po=[0-9A-Z]{26})" rel="next"/)![1];
  assert.match(older, /od=2026-11-25&amp;do=2026-11-25&amp;rodzaj=import\./);
  const second = await (await staff.get(older.replaceAll("&amp;", "&"))).text();
  assert.match(second, /Zdarzeń na tej stronie: 10, od najnowszego \(dalsza strona\)\./);
  assert.match(second, /plik_09\.csv/);
  assert.match(second, /plik_00\.csv/);
  assert.doesNotMatch(second, /plik_10\.csv/);
  assert.doesNotMatch(second, /rel="next"/);
  assert.match(second, />Najnowsze zdarzenia</);
  const none = await (await staff.get("/admin/dziennik?od=2026-11-26")).text();
  assert.match(none, /Brak zdarzeń spełniających wybrane warunki/);

  const bad = await staff.get("/admin/dziennik?od=2026-13-01&do=2026-11-01");
  assert.equal(bad.status, 422);
  const badHtml = await bad.text();
  assert.match(badHtml, /id="od"[^>]*aria-describedby="od-error"/);
  assert.match(badHtml, /id="od-error">Podaj datę/);

  // The account filter: everything about or by it.
  const about = await (await staff.get(`/admin/dziennik?dotyczy=${inB0.id}`)).text();
  assert.match(about, /login\.ok/);
  assert.doesNotMatch(results(about), /staff_login\.ok/);

  const csv = await staff.get("/admin/dziennik/dziennik.csv?rodzaj=login.");
  assert.equal(csv.status, 200);
  assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.match(
    csv.headers.get("content-disposition") ?? "",
    /^attachment; filename="dziennik-zdarzen-poczatek-2026-11-25\.csv"$/,
  );
  const body = await csv.text();
  assert.ok(body.startsWith("\ufeffCzas;Kto (rodzaj);Kto;"), "BOM and Polish header");
  assert.match(body, /;login\.ok;/);
  assert.match(body, /;login\.invalid;/);
  assert.doesNotMatch(body, /staff_login/);
  assert.ok(body.split("\r\n").length >= 3);
  assert.equal(
    (await staff.get("/admin/dziennik/dziennik.csv?od=wczoraj")).status,
    422,
  );
  const exported = (await listAudit(t.kv)).find((e) => e.action === "audit.exported");
  assert.equal(exported?.details?.action, "login.");
  assert.equal((await new TestClient(app).get("/admin/dziennik/dziennik.csv")).status, 303);
});

Deno.test("GDPR: staff download a resident's data as JSON, and the download is logged", async () => {
  const { t, app, staff, inB0 } = await fixture();
  await using _ = t;
  const res = await staff.get(`/admin/konta/${inB0.id}/dane.json`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
  assert.equal(
    res.headers.get("content-disposition"),
    `attachment; filename="dane-${inB0.identifier}.json"`,
  );
  assert.equal(res.headers.get("cache-control"), "no-store");
  const text = await res.text();
  assert.doesNotMatch(text, /\$argon2/);
  const data = JSON.parse(text);
  assert.equal(data.account.identifier, inB0.identifier);
  assert.equal(data.account.hasOwnPassword, true);
  for (
    const section of [
      "generatedAt",
      "note",
      "omitted",
      "requests",
      "units",
      "readingSubmissions",
      "messages",
      "sessions",
      "audit",
    ]
  ) assert.ok(section in data, section);
  assert.equal(data.units.length, 1);

  const logged = (await listAudit(t.kv)).find((e) => e.action === "account.data_exported");
  assert.deepEqual(logged?.target, { kind: "account", id: inB0.id });
  assert.match(logged?.actor.label ?? "", /kierownik/);

  assert.equal((await staff.get("/admin/konta/01NOSUCH000000000000000000/dane.json")).status, 404);
  assert.equal(
    (await new TestClient(app).get(`/admin/konta/${inB0.id}/dane.json`)).status,
    303,
    "staff only",
  );
});
