import assert from "node:assert/strict";
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import { getAccountByIdentifier } from "../../domain/accounts/accounts.ts";
import {
  auditCsv,
  type AuditEntry,
  listAudit,
  queryAudit,
  recordAudit,
} from "../../domain/backoffice/audit.ts";
import { warsawMidnight } from "../../domain/shared/calendar.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { listMessages } from "../../domain/messaging/messages.ts";
import { createStaff } from "../../domain/accounts/staff.ts";
import { currentTotp } from "../../domain/accounts/totp.ts";
import { testApp, type TestClient } from "../helpers.ts";

const staffActor = { kind: "staff" as const, id: "01STAFFAAAAAAAAAAAAAAAAAAA", label: "Ewa (ewa)" };
const resident = { kind: "resident" as const, id: "01ACCOUNTAAAAAAAAAAAAAAAAA", label: "KTM-4827" };

/** A log across three Polish days, including entries just either side of midnight in Warsaw. */
async function seededLog() {
  const kv = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-11-23T10:00:00Z"));
  const at = async (iso: string, entry: Parameters<typeof recordAudit>[2]) => {
    clock.set(new Date(iso));
    return await recordAudit(kv, clock, entry);
  };
  const log = [
    await at("2026-11-23T10:00:00Z", {
      actor: resident,
      action: "login.ok",
      clientAddress: "192.0.2.1",
    }),
    // 23:30 UTC on the 23rd is 00:30 on the 24th in Warsaw.
    await at("2026-11-23T23:30:00Z", {
      actor: { kind: "anonymous", label: "—" },
      action: "login.invalid",
      details: { identifier: "ABC-2345" },
    }),
    await at("2026-11-24T09:00:00Z", {
      actor: staffActor,
      action: "request.approved",
      target: { kind: "request", id: "01REQUESTAAAAAAAAAAAAAAAAA" },
      details: { accountId: resident.id },
    }),
    await at("2026-11-24T09:05:00Z", { actor: staffActor, action: "staff_login.ok" }),
    await at("2026-11-24T22:59:59Z", {
      actor: staffActor,
      action: "account.unlocked",
      target: { kind: "account", id: resident.id },
    }),
    await at("2026-11-25T08:00:00Z", { actor: resident, action: "password.changed" }),
    await at("2026-11-25T08:01:00Z", { actor: resident, action: "login.ok" }),
  ];
  return { kv, clock, log };
}

const actions = (entries: AuditEntry[]) => entries.map((e) => e.action);

Deno.test("warsawMidnight: the instant a Polish day begins, in winter and in summer", () => {
  assert.equal(new Date(warsawMidnight("2026-11-24")).toISOString(), "2026-11-23T23:00:00.000Z");
  assert.equal(new Date(warsawMidnight("2026-07-01")).toISOString(), "2026-06-30T22:00:00.000Z");
  // The days clocks change (at 2:00 and 3:00, never at midnight).
  assert.equal(new Date(warsawMidnight("2026-03-29")).toISOString(), "2026-03-28T23:00:00.000Z");
  assert.equal(new Date(warsawMidnight("2026-10-25")).toISOString(), "2026-10-24T22:00:00.000Z");
});

Deno.test("queryAudit: dates (Polish days, inclusive), actor kind, action prefix, target", async () => {
  const { kv } = await seededLog();
  try {
    const q = (extra: Partial<Parameters<typeof queryAudit>[1]>) =>
      queryAudit(kv, { limit: 100, ...extra }).then((p) => actions(p.entries));
    assert.deepEqual(await q({}), [
      "login.ok",
      "password.changed",
      "account.unlocked",
      "staff_login.ok",
      "request.approved",
      "login.invalid",
      "login.ok",
    ]);
    assert.deepEqual(await q({ from: "2026-11-24", to: "2026-11-24" }), [
      "account.unlocked",
      "staff_login.ok",
      "request.approved",
      "login.invalid",
    ]);
    assert.deepEqual(await q({ from: "2026-11-25" }), ["login.ok", "password.changed"]);
    assert.deepEqual(await q({ to: "2026-11-23" }), ["login.ok"]);
    assert.deepEqual(await q({ from: "2026-11-26" }), []);
    assert.deepEqual(await q({ from: "2026-11-25", to: "2026-11-24" }), []);
    assert.deepEqual(await q({ action: "login." }), ["login.ok", "login.invalid", "login.ok"]);
    assert.deepEqual(await q({ action: "staff_login." }), ["staff_login.ok"]);
    assert.deepEqual(await q({ actorKind: "anonymous" }), ["login.invalid"]);
    assert.deepEqual(await q({ actorKind: "staff", from: "2026-11-24", action: "account." }), [
      "account.unlocked",
    ]);
    // About the account, by it, or naming it in the details.
    assert.deepEqual(await q({ targetId: resident.id }), [
      "login.ok",
      "password.changed",
      "account.unlocked",
      "request.approved",
      "login.ok",
    ]);
    await assert.rejects(queryAudit(kv, { limit: 10, from: "2026-02-30" }), RangeError);
    await assert.rejects(queryAudit(kv, { limit: 10, cursor: "x" }), RangeError);
  } finally {
    kv.close();
  }
});

Deno.test("queryAudit: pages by cursor, newest first, without gaps or repeats", async () => {
  const { kv } = await seededLog();
  try {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await queryAudit(kv, { limit: 2, cursor });
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 4);
    const all = (await listAudit(kv)).map((e) => e.id);
    assert.deepEqual(seen, all);

    // With a filter, the cursor continues the filtered list; the last page has no cursor.
    const first = await queryAudit(kv, { limit: 2, action: "login." });
    assert.equal(first.entries.length, 2);
    assert.ok(first.nextCursor);
    const second = await queryAudit(kv, { limit: 2, action: "login.", cursor: first.nextCursor });
    assert.deepEqual(actions(second.entries), ["login.ok"]);
    assert.equal(second.nextCursor, undefined);
    const exact = await queryAudit(kv, { limit: 3, action: "login." });
    assert.equal(exact.nextCursor, undefined, "no cursor to an empty page");

    // A scan limit stops a rare filter early and says so.
    const limited = await queryAudit(kv, { limit: 5, actorKind: "anonymous", maxScan: 3 });
    assert.equal(limited.entries.length, 0);
    assert.ok(limited.scanLimited);
    const rest = await queryAudit(kv, {
      limit: 5,
      actorKind: "anonymous",
      cursor: limited.nextCursor,
    });
    assert.deepEqual(actions(rest.entries), ["login.invalid"]);
  } finally {
    kv.close();
  }
});

Deno.test("auditCsv: BOM, semicolons, CRLF, Polish headers and times, formulas neutralised", () => {
  const entries: AuditEntry[] = [
    {
      id: "01KAAAAAAAAAAAAAAAAAAAAAAA",
      at: "2026-11-24T09:00:00.000Z",
      actor: { kind: "anonymous", label: '=HYPERLINK("http://x";"klik")' },
      action: "staff_login.invalid",
      clientAddress: "192.0.2.7",
    },
    {
      id: "01KAAAAAAAAAAAAAAAAAAAAAAB",
      at: "2026-07-01T12:30:05.000Z",
      actor: staffActor,
      action: "request.approved",
      target: { kind: "request", id: "01REQUESTAAAAAAAAAAAAAAAAA" },
      details: { identifier: "KTM-4827", units: "a;b" },
    },
  ];
  const csv = auditCsv(entries);
  assert.ok(csv.startsWith("\ufeffCzas;Kto (rodzaj);Kto;Id wykonawcy;Zdarzenie;"));
  assert.ok(csv.endsWith("\r\n"));
  const lines = csv.slice(1).split("\r\n");
  assert.equal(lines.length, 4);
  assert.match(lines[0], /Szczegóły;Adres klienta$/);
  assert.equal(
    lines[1],
    `24.11.2026, 10:00:00;niezalogowany;"'=HYPERLINK(""http://x"";""klik"")";;staff_login.invalid;;;;192.0.2.7`,
  );
  assert.equal(
    lines[2],
    `01.07.2026, 14:30:05;pracownik;Ewa (ewa);${staffActor.id};request.approved;request;` +
      `01REQUESTAAAAAAAAAAAAAAAAA;"identifier: KTM-4827, units: a;b";`,
  );
  assert.equal(
    auditCsv([]),
    "\ufeffCzas;Kto (rodzaj);Kto;Id wykonawcy;Zdarzenie;Dotyczy (rodzaj);Dotyczy (id);Szczegóły;Adres klienta\r\n",
  );
});

// --- No secrets in the log ------------------------------------------------------------------

const STAFF = { login: "kierownik", password: "Biuro-Tajne-2026", name: "Ewa Kierownik" };
const NEW_PASSWORD = "Moje-Sekretne-Haslo-7";
const WRONG_PASSWORD = "Zle-Haslo-Podane-9";

function sha256hex(s: string) {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(s)));
}

Deno.test("the audit log of a whole access flow holds no password, password hash or session token", async () => {
  await using t = await testApp();
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const staffMember = await createStaff(t.kv, t.clock, t.hasher, { ...STAFF, role: "office" });
  assert.ok(staffMember.ok);
  const secrets = new Set<string>([STAFF.password, NEW_PASSWORD, WRONG_PASSWORD]);
  const tokens = new Set<string>();
  const remember = (client: TestClient) => {
    for (const v of client.cookies.values()) tokens.add(v);
  };
  const smsPassword = async (nth: number) => {
    const sms = (await listMessages(t.kv, { limit: 1000 })).filter((m) => m.channel === "sms");
    const password = sms[nth]?.text.match(/Hasło startowe: (\S+)/)?.[1];
    assert.ok(password, `start password #${nth + 1} was queued`);
    secrets.add(password);
    return password;
  };

  // Register, as a person the register lists at the flat (the name check passes).
  const r = coop.demoResident;
  assert.equal(
    (await t.post("/rejestracja", {
      first_name: "Marek",
      last_name: "Zieliński",
      email: "zofia@example.pl",
      phone: "600 123 456",
      street: r.street,
      building: r.building,
      unit: r.unit,
      rodo_ack: "on",
    })).status,
    303,
  );

  // Staff approve.
  const staff = t.client();
  // (The one-time TOTP code is not scanned for: six digits may occur by chance, e.g. in a phone.)
  const totp = currentTotp(staffMember.totpSecret);
  const staffLogin = await staff.post("/admin/logowanie", {
    login: STAFF.login,
    password: STAFF.password,
    totp,
  });
  assert.equal(staffLogin.status, 303);
  remember(staff);
  const list = await (await staff.get("/admin/wnioski")).text();
  const requestId = list.match(/\/admin\/wnioski\/([0-9A-Z]{26})\/zatwierdz/)![1];
  assert.equal(
    (await staff.post(`/admin/wnioski/${requestId}/zatwierdz`, { unit_id: r.flatUnitId }))
      .status,
    303,
  );
  const identifier = (await listMessages(t.kv, { limit: 1000 }))
    .map((m) => m.text.match(/^Identyfikator: ([A-Z]{3}-\d{4})$/m)?.[1]).find(Boolean)!;
  assert.ok(identifier);

  // A wrong password, then the start password, then the forced change.
  const resident = t.client();
  assert.equal(
    (await resident.post("/logowanie", { identifier, password: WRONG_PASSWORD })).status,
    422,
  );
  const start = await smsPassword(0);
  assert.equal((await resident.post("/logowanie", { identifier, password: start })).status, 303);
  remember(resident);
  const changed = await resident.post("/zmiana-hasla", {
    current_password: start,
    new_password: NEW_PASSWORD,
    new_password_confirm: NEW_PASSWORD,
  });
  assert.equal(changed.status, 303);
  remember(resident);
  await resident.post("/wyloguj", {});

  // Forgot password: a new start password by SMS, then used.
  assert.equal((await t.post("/nie-pamietam-hasla", { identifier })).status, 200);
  const second = await smsPassword(1);
  const again = t.client();
  assert.equal((await again.post("/logowanie", { identifier, password: second })).status, 303);
  remember(again);

  const account = await getAccountByIdentifier(t.kv, identifier);
  assert.ok(account?.passwordHash && account.startPassword);
  const derived = [
    account.passwordHash,
    account.startPassword.hash,
    ...[...tokens].map(sha256hex),
  ];
  assert.ok(tokens.size >= 3, "session tokens collected");

  const entries = await listAudit(t.kv, 10_000);
  const actionsSeen = new Set(entries.map((e) => e.action));
  for (
    const a of [
      "staff_login.ok",
      "request.approved",
      "login.invalid",
      "login.start_password",
      "password.set_after_start",
      "password.reset_requested",
    ]
  ) assert.ok(actionsSeen.has(a), `the flow logged ${a}`);
  const log = JSON.stringify(entries);
  const csv = auditCsv(entries);
  for (const secret of [...secrets, ...tokens, ...derived]) {
    assert.ok(!log.includes(secret), `the audit log holds a secret (${secret.slice(0, 3)}…)`);
    assert.ok(!csv.includes(secret), `the CSV holds a secret (${secret.slice(0, 3)}…)`);
  }
});
