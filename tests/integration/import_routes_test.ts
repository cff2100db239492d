import assert from "node:assert/strict";
import { keys } from "../../domain/shared/keys.ts";
import { Hono } from "hono";
import { getCooperativeProfile } from "../../domain/backoffice/cooperative.ts";
import { getDataFreshness } from "../../domain/backoffice/data_freshness.ts";
import { listImportHistory } from "../../domain/backoffice/imports.ts";
import { getTotals } from "../../domain/balance/ledger.ts";
import { createStaff } from "../../domain/accounts/staff.ts";
import { currentTotp } from "../../domain/accounts/totp.ts";
import { IMPORT_UPLOAD_PREFIX, importRoutes } from "../../routes/admin/import.tsx";
import type { AppEnv } from "../../routes/context.ts";
import { csrfProtection, requestSizeLimit } from "../../routes/security.ts";
import { requireStaff, type StaffEnv } from "../../routes/admin/guard.ts";
import { seedFlatKW12, TEST_ORIGIN, testApp, type TestClient } from "../helpers.ts";

type Fetcher = { request(path: string, init?: RequestInit): Response | Promise<Response> };
type T = Awaited<ReturnType<typeof testApp>>;

/**
 * The application with the import routes: the real one once routes/admin/index.tsx mounts them; until
 * then the same pieces put together here (the cooperative, CSRF, the body limit listing the
 * import prefix, requireStaff) in front of it.
 */
async function appWithImports(t: T, staffCookie?: string): Promise<Fetcher> {
  if (staffCookie) {
    const probe = await t.app.request("/admin/import", { headers: { cookie: staffCookie } });
    if (probe.status === 200) return t.app;
  }
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("cooperative", await getCooperativeProfile(t.kv, t.config.cooperativeName));
    await next();
  });
  app.use(csrfProtection(t.config));
  app.use(requestSizeLimit((c) => c.text("too large", 413), [IMPORT_UPLOAD_PREFIX]));
  const imports = new Hono<StaffEnv>();
  imports.use(requireStaff(t));
  imports.route("/", importRoutes(t));
  app.route("/admin/import", imports);
  app.route("/", t.app);
  return app;
}

async function setup() {
  const t = await testApp();
  const { unit } = await seedFlatKW12(t);
  const staff = await createStaff(t.kv, t.clock, t.hasher, {
    login: "biuro",
    password: "Biuro-Haslo-1",
    name: "Anna Biurowa",
    role: "office",
  });
  assert.ok(staff.ok);
  const client = t.client();
  const login = await client.post("/admin/logowanie", {
    login: "biuro",
    password: "Biuro-Haslo-1",
    totp: currentTotp(staff.totpSecret),
  });
  assert.equal(login.status, 303);
  const app = await appWithImports(t, cookieHeader(client));
  // The client talks to the same application as the uploads below.
  (client as unknown as { app: Fetcher }).app = app;
  return { t, app, client, unitId: unit.id };
}

function cookieHeader(client: TestClient): string {
  return [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}

async function upload(
  app: Fetcher,
  client: TestClient,
  fields: { kind?: string; file?: { name: string; bytes: Uint8Array } },
) {
  const form = new FormData();
  if (fields.kind !== undefined) form.set("kind", fields.kind);
  if (fields.file) {
    form.set(
      "file",
      new File([fields.file.bytes as Uint8Array<ArrayBuffer>], fields.file.name, {
        type: "text/csv",
      }),
    );
  }
  return await app.request("/admin/import", {
    method: "POST",
    body: form,
    headers: { origin: TEST_ORIGIN, cookie: cookieHeader(client) },
  });
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const HEADER = "lokal;dokument;rodzaj;data;okres;składnik;kwota;opis";

Deno.test("import pages are for signed-in staff only", async () => {
  await using t = await testApp();
  const app = await appWithImports(t);
  const res = await app.request("/admin/import");
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/admin/logowanie");
  const post = await app.request("/admin/import", {
    method: "POST",
    body: new FormData(),
    headers: { origin: TEST_ORIGIN },
  });
  assert.equal(post.status, 303);
  assert.equal(post.headers.get("location"), "/admin/logowanie");
});

Deno.test("import form: kinds, a labelled file input, the column lists and the history", async () => {
  const { t, client } = await setup();
  await using _ = t;
  const res = await client.get("/admin/import");
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<h1>Import danych<\/h1>/);
  assert.match(html, /<form method="post" action="\/admin\/import" enctype="multipart\/form-data"/);
  assert.match(html, /<label for="kind">Rodzaj danych<\/label>/);
  assert.match(html, /<label for="file">Plik CSV<\/label>/);
  assert.match(html, /<input type="file" id="file" name="file"/);
  for (const kind of ["units", "ledger", "meters", "readings", "settlements", "fee_rates"]) {
    assert.match(html, new RegExp(`<option value="${kind}"\\s*>`));
  }
  assert.match(html, /<code>składnik<\/code>/);
  assert.match(html, /Nie wczytano jeszcze żadnego pliku/);
});

Deno.test("bad uploads: 422 with the form and a Polish message tied to its field", async () => {
  const { t, app, client } = await setup();
  await using _ = t;
  const cases: [Parameters<typeof upload>[2], string, RegExp][] = [
    [{ kind: "ledger" }, "file", /Wybierz plik CSV do wczytania/],
    [{ kind: "ledger", file: { name: "a.csv", bytes: new Uint8Array() } }, "file", /pusty/],
    [{ kind: "x", file: { name: "a.csv", bytes: utf8("a;b\n") } }, "kind", /Wybierz rodzaj/],
    [
      { kind: "ledger", file: { name: "a.csv", bytes: new Uint8Array([0xff, 0xfe, 0x61, 0]) } },
      "file",
      /UTF-16/,
    ],
    [
      { kind: "ledger", file: { name: "a.csv", bytes: utf8("lokal;kwota\nKW12/7;1,00\n") } },
      "file",
      /Brak kolumn „dokument”, „rodzaj”, „data”/,
    ],
    [
      { kind: "units", file: { name: "a.csv", bytes: utf8(`${HEADER}\nKW12/7;A;wpłata\n`) } },
      "file",
      /Czy wybrano właściwy rodzaj danych/,
    ],
  ];
  for (const [fields, field, message] of cases) {
    const res = await upload(app, client, fields);
    assert.equal(res.status, 422, String(message));
    const html = await res.text();
    assert.match(html, message);
    assert.match(
      html,
      new RegExp(`id="${field}"[^>]*aria-describedby="${field}-error`),
      `${field}: error tied by aria-describedby`,
    );
    assert.match(html, new RegExp(`<span class="error-text" id="${field}-error">`));
  }
  assert.deepEqual(await listImportHistory(t.kv), []);
});

Deno.test("upload → preview → apply only the valid rows → result and history", async () => {
  const { t, app, client, unitId } = await setup();
  await using _ = t;
  const file = utf8(
    [
      HEADER,
      "KW12/7;WB/1;wpłata;24.11.2026;11.2026;;350,00;Wpłata – przelew",
      "KW12/7;NAL/1;naliczenie;01.11.2026;11.2026;eksploatacja;134,66;Eksploatacja za 11.2026",
      "KW12/7;WB/1;wpłata;24.11.2026;11.2026;;350,00;powtórzony",
      "KW12/99;WB/2;wpłata;24.11.2026;11.2026;;1,00;",
      "",
    ].join("\r\n"),
  );
  const res = await upload(app, client, {
    kind: "ledger",
    file: { name: "zapisy.csv", bytes: file },
  });
  assert.equal(res.status, 303);
  const location = res.headers.get("location")!;
  assert.match(location, /^\/admin\/import\/[0-9A-Z]{26}$/);

  const page = await (await client.get(location)).text();
  assert.match(page, /<h1>Podgląd importu: Zapisy na kontach lokali<\/h1>/);
  assert.match(page, /zapisy\.csv/);
  assert.match(page, /<caption>Wynik sprawdzenia pliku \(4 wierszy danych\)<\/caption>/);
  assert.match(
    page,
    /<tr><td class="num">2<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">2<\/td><\/tr>/,
    "2 to add, lines 4 and 5 refused",
  );
  assert.match(page, /powtórzony wiersz: dokument WB\/1 lokalu KW12\/7 jest już w wierszu 2/);
  assert.match(page, /nieznany lokal „KW12\/99”/);
  assert.match(page, /<button type="submit" disabled aria-describedby="apply-blocked">Wczytaj</);
  assert.match(page, /Wczytaj tylko poprawne wiersze/);
  assert.match(page, /do dodania/);
  assert.equal((await getTotals(t.kv, unitId)).entryCount, 0, "a preview changes nothing");
  const stampBefore = (await t.kv.get(keys.siteSettingsStamp())).versionstamp;

  const refusedApply = await client.post(`${location}/wczytaj`, {});
  assert.equal(refusedApply.status, 422);
  assert.match(await refusedApply.text(), /Plik zawiera błędne wiersze/);
  assert.equal((await getTotals(t.kv, unitId)).entryCount, 0);

  const applied = await client.post(`${location}/wczytaj`, { apply_valid_only: "1" });
  assert.equal(applied.status, 303);
  assert.equal(applied.headers.get("location"), `${location}?wynik=wczytano`);
  const result = await (await client.get(`${location}?wynik=wczytano`)).text();
  assert.match(result, /Plik wczytano/);
  assert.match(result, /<caption>Wynik wczytania<\/caption>/);
  const totals = await getTotals(t.kv, unitId);
  assert.equal(totals.entryCount, 2);
  assert.equal(totals.balance, 13466 - 35000);

  const [history] = await listImportHistory(t.kv);
  assert.equal(history.who.label, "Anna Biurowa (biuro)");
  assert.equal(history.result, "applied_valid_only");
  assert.equal((await getDataFreshness(t.kv))?.asOf, t.clock().toISOString());
  // With the stamp every process checks its remembered settings against (site_settings.ts).
  assert.notEqual((await t.kv.get(keys.siteSettingsStamp())).versionstamp, stampBefore);
  const form = await (await client.get("/admin/import")).text();
  assert.match(form, /Historia importów/);
  assert.match(form, /zapisy\.csv/);
  assert.match(form, /wczytano poprawne wiersze/);

  const csv = await client.get(`${location}/odrzucone.csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get("content-type")!, /text\/csv/);
  const text = await csv.text();
  assert.match(text, /^\ufeffwiersz;powód\r\n4;"powtórzony wiersz/);
  assert.match(text, /\r\n5;"nieznany lokal/);

  // Applying again: nothing more.
  const again = await client.post(`${location}/wczytaj`, { apply_valid_only: "1" });
  assert.equal(again.headers.get("location"), `${location}?wynik=juz-wczytany`);
  assert.equal((await getTotals(t.kv, unitId)).entryCount, 2);
});

Deno.test("a large file (well over the 64 KiB form limit) is accepted on the import path", async () => {
  const { t, app, client, unitId } = await setup();
  await using _ = t;
  const rows = [HEADER];
  for (let i = 0; i < 3000; i++) {
    rows.push(`KW12/7;D/${i};wpłata;24.11.2026;11.2026;;1,00;Wpłata numer ${i} – przelew`);
  }
  const bytes = utf8(rows.join("\n"));
  assert.ok(bytes.length > 150_000);
  const res = await upload(app, client, { kind: "ledger", file: { name: "duzy.csv", bytes } });
  assert.equal(res.status, 303);
  const location = res.headers.get("location")!;
  const applied = await client.post(`${location}/wczytaj`, {});
  assert.equal(applied.status, 303);
  assert.equal((await getTotals(t.kv, unitId)).paid, 300000);
});

Deno.test("import pages: an unknown job is 404; a Windows-1250 file shows its notice", async () => {
  const { t, app, client } = await setup();
  await using _ = t;
  assert.equal((await client.get("/admin/import/01J000000000000000000000000")).status, 404);
  const text = `${HEADER}\r\nKW12/7;WB/5;wpłata;24.11.2026;;;5,00;Wpłata – przelew\r\n`;
  const bytes = new Uint8Array(
    [...text].map((ch) => ch === "ł" ? 0xb3 : ch === "–" ? 0x96 : ch.charCodeAt(0)),
  );
  const res = await upload(app, client, { kind: "ledger", file: { name: "stary.csv", bytes } });
  assert.equal(res.status, 303);
  const page = await (await client.get(res.headers.get("location")!)).text();
  assert.match(page, /Windows-1250/);
  assert.match(page, /Wszystkie wiersze są poprawne/);
});

Deno.test("a failed import shows its error and a resume button that finishes it", async () => {
  const { t, app, client, unitId } = await setup();
  await using _ = t;
  const rows = [HEADER];
  for (let i = 0; i < 1500; i++) rows.push(`KW12/7;D/${i};wpłata;24.11.2026;;;1,00;`);
  const res = await upload(app, client, {
    kind: "ledger",
    file: { name: "przerwany.csv", bytes: utf8(rows.join("\n")) },
  });
  const location = res.headers.get("location")!;
  const jobId = location.split("/").pop()!;
  const { applyImport } = await import("../../domain/backoffice/imports.ts");
  const failed = await applyImport(t.kv, t.clock, jobId, {
    actor: { kind: "system", label: "test" },
    applyValidOnly: false,
    onProgress: () => {
      throw new Error("dysk pełny");
    },
  });
  assert.equal(!failed.ok && failed.reason, "failed");
  const page = await (await client.get(location)).text();
  assert.match(page, /Wczytywanie przerwał błąd po \d+ z 1500/);
  assert.match(page, /dysk pełny/);
  assert.match(page, /Wznów wczytywanie/);
  const form = await (await client.get("/admin/import")).text();
  assert.match(form, /przerwano z błędem/);

  const resumed = await client.post(`${location}/wczytaj`, {});
  assert.equal(resumed.status, 303);
  assert.equal(resumed.headers.get("location"), `${location}?wynik=wczytano`);
  const totals = await getTotals(t.kv, unitId);
  assert.equal(totals.entryCount, 1500);
  assert.equal(totals.paid, 150000);
});
