/** Matters and the GDPR: the resident's data export, and the purge of old closed matters. */
import assert from "node:assert/strict";
import { type Account, createAccount } from "../../domain/accounts/accounts.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { exportResidentData } from "../../domain/backoffice/gdpr.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { kvFileStore } from "../../domain/files/kv_file_store.ts";
import {
  DEFAULT_MATTER_RETENTION_DAYS,
  getMatterRetentionDays,
  purgeClosedMatters,
} from "../../domain/matters/matter_privacy.ts";
import { getMatter } from "../../domain/matters/matters.ts";
import { keys } from "../../domain/shared/keys.ts";
import { PNG } from "../file_fixtures.ts";
import { TEST_ORIGIN, testApp, type TestClient } from "../helpers.ts";

const PASSWORD = "Moje-Haslo-1";
const DAY = 86_400_000;
type T = Awaited<ReturnType<typeof testApp>>;

async function signIn(t: T, account: Account): Promise<TestClient> {
  const c = t.client();
  const res = await c.post("/logowanie", { identifier: account.identifier, password: PASSWORD });
  assert.equal(res.status, 303);
  return c;
}

async function fixture() {
  const t = await testApp({ start: new Date("2026-11-25T10:00:00Z") });
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const flat = coop.demoResident.flatUnitId;
  const account = (await createAccount(t.kv, t.clock, {
    firstName: "Anna",
    lastName: "Nowak",
    email: "anna@example.pl",
    phone: "+48600100200",
    unitIds: [flat],
    passwordHash: await t.hasher.hash(PASSWORD),
  }))!;
  return { t, flat, account, c: await signIn(t, account) };
}

async function newMatter(t: T, c: TestClient, place: string, description: string) {
  const form = new FormData();
  form.append("category", "awaria");
  form.append("place", place);
  form.append("description", description);
  form.append("attachment", new File([PNG as Uint8Array<ArrayBuffer>], "zdjecie.png"));
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await t.app.request("/ebok/zgloszenia/nowe", {
    method: "POST",
    body: form,
    headers: { cookie, origin: TEST_ORIGIN },
  });
  assert.equal(res.status, 303);
  return (res.headers.get("location") ?? "").split("/").pop()!;
}

async function countKeys(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("GDPR export holds the resident's matters: thread, statuses, attachments; no notes", async () => {
  const { t, flat, account, c } = await fixture();
  await using _ = t;
  const id = await newMatter(t, c, flat, "Przecieka kran w łazience.");
  const staff = await t.staffClient();
  await staff.post(`/admin/zgloszenia/${id}/odpowiedz`, { reply: "Hydraulik będzie jutro." });
  await staff.post(`/admin/zgloszenia/${id}/notatka`, { note: "Tajna notatka biura." });
  await staff.post(`/admin/zgloszenia/${id}/stan`, { status: "w_realizacji" });

  const data = (await exportResidentData(t.kv, account.id, t.clock))!;
  assert.equal(data.matters.length, 1);
  const m = data.matters[0];
  assert.equal(m.number, "Z/2026/0001");
  assert.equal(m.description, "Przecieka kran w łazience.");
  assert.equal(m.status, "w_realizacji");
  assert.deepEqual(m.thread.map((e) => [e.kind, e.text, e.status]), [
    ["reply", "Hydraulik będzie jutro.", undefined],
    ["status", "", "w_realizacji"],
  ]);
  assert.deepEqual(
    m.attachments.map((a) => [a.name, a.size, a.type]),
    [["zdjecie.png", PNG.length, "image/png"]],
  );
  const json = JSON.stringify(data);
  assert.doesNotMatch(json, /Tajna notatka/, "internal notes stay out");
  assert.ok(!("assignedTo" in m));
  assert.ok(data.omitted.some((o) => o.startsWith("matters[]")));
});

Deno.test("closed matters older than the retention setting are purged with their files, audited", async () => {
  const { t, flat, account, c } = await fixture();
  await using _ = t;
  const files = kvFileStore(t.kv, t.clock);
  assert.equal(await getMatterRetentionDays(t.kv), DEFAULT_MATTER_RETENTION_DAYS);

  // The setting: checked, then stored.
  const admin = await t.staffClient("admin", "admin");
  const bad = await admin.post("/admin/ustawienia/zgloszenia", { matterRetentionDays: "5" });
  assert.equal(bad.status, 422);
  assert.match(await bad.text(), /Podaj liczbę dni od 30 do 3650/);
  const good = await admin.post("/admin/ustawienia/zgloszenia", { matterRetentionDays: "400" });
  assert.equal(good.status, 303);
  assert.equal(await getMatterRetentionDays(t.kv), 400);

  const old = await newMatter(t, c, flat, "Stara sprawa.");
  const open = await newMatter(t, c, flat, "Sprawa wciąż otwarta.");
  const staff = await t.staffClient();
  await staff.post(`/admin/zgloszenia/${old}/odpowiedz`, { reply: "Naprawione." });
  await staff.post(`/admin/zgloszenia/${old}/notatka`, { note: "Notatka." });
  assert.equal(
    (await staff.post(`/admin/zgloszenia/${old}/stan`, { status: "zakonczone" })).status,
    303,
  );
  const oldMatter = (await getMatter(t.kv, old))!;
  const fileId = oldMatter.attachmentIds[0];
  t.clock.advance(100 * DAY);
  const recent = await newMatter(
    t,
    await signIn(t, account),
    flat,
    "Zamknięta niedawno.",
  );
  await t.staffClient("office", "biuro2").then((s) =>
    s.post(`/admin/zgloszenia/${recent}/stan`, { status: "odrzucone", reason: "Dubel." })
  );

  // Day 399 after closing: nothing yet.
  t.clock.advance(299 * DAY);
  assert.deepEqual(await purgeClosedMatters(t.kv, t.clock, files), {
    matters: 0,
    attachments: 0,
    retentionDays: 400,
  });
  t.clock.advance(2 * DAY);
  assert.deepEqual(await purgeClosedMatters(t.kv, t.clock, files), {
    matters: 1,
    attachments: 1,
    retentionDays: 400,
  });

  assert.equal(await getMatter(t.kv, old), null);
  assert.ok(await getMatter(t.kv, open), "an open matter stays, however old");
  assert.ok(await getMatter(t.kv, recent), "closed within the period: stays");
  assert.equal(await countKeys(t.kv, keys.matterEntriesAll(old)), 0);
  assert.equal(await countKeys(t.kv, keys.matterNotesAll(old)), 0);
  assert.equal((await t.kv.get(keys.mattersByUnit(flat, old))).value, null);
  assert.equal((await t.kv.get(keys.mattersByAccount(oldMatter.accountId, old))).value, null);
  assert.equal(await files.get(fileId), null);
  assert.equal(await countKeys(t.kv, keys.fileChunksAll(fileId)), 0, "the bytes are gone");
  assert.equal(await countKeys(t.kv, keys.filesByOwnerAll("matter", old)), 0);

  const purged = (await listAudit(t.kv)).filter((e) => e.action === "matter.purged");
  assert.equal(purged.length, 1);
  assert.equal(purged[0].details?.number, oldMatter.number);
  assert.doesNotMatch(JSON.stringify(purged[0]), /Stara sprawa/);

  // A second run finds nothing more.
  assert.equal((await purgeClosedMatters(t.kv, t.clock, files)).matters, 0);
  // The resident's list no longer has it; the open one is still there.
  const list = await (await signIn(t, account)).get("/ebok/zgloszenia");
  const html = await list.text();
  assert.doesNotMatch(html, new RegExp(oldMatter.number));
});
