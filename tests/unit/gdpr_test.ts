import assert from "node:assert/strict";
import {
  approveAccessRequest,
  getAccessRequest,
  type RegistrationData,
  rejectAccessRequest,
  submitAccessRequest,
} from "../../domain/access/access_requests.ts";
import { listAccounts } from "../../domain/accounts/accounts.ts";
import type { Actor } from "../../domain/backoffice/audit.ts";
import { listAudit, recordAudit } from "../../domain/backoffice/audit.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { DEFAULT_START_PASSWORD_TTL_MS } from "../../domain/accounts/credentials.ts";
import { demoProfile, seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { exportResidentData, purgeRejectedRequests } from "../../domain/backoffice/gdpr.ts";
import { keys } from "../../domain/shared/keys.ts";
import { listMessages, listMessagesByRef } from "../../domain/messaging/messages.ts";
import { createPasswordHasher } from "../../domain/accounts/password.ts";
import { submitReadings } from "../../domain/water/reading_submissions.ts";
import { createSession, hashToken } from "../../domain/accounts/sessions.ts";
import { getUnitWater } from "../../domain/water/water.ts";

const staff: Actor = { kind: "staff", id: "01STAFFAAAAAAAAAAAAAAAAAAA", label: "Ewa (ewa)" };
const ctx = { coop: demoProfile, baseUrl: "https://ebok.example.pl" };
const DAY = 24 * 60 * 60_000;

function person(first: string, email: string, address: Partial<RegistrationData> = {}) {
  return {
    firstName: first,
    lastName: "Testowa",
    email,
    phone: "+48600123456",
    street: "Nieznana",
    building: "1",
    unit: "1",
    ...address,
  };
}

const meta = { rodoVersion: "v1" };

Deno.test("GDPR export: every section about the resident, and no secrets", async () => {
  const kv = await Deno.openKv(":memory:");
  const hasher = createPasswordHasher({ useWorker: false });
  try {
    const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
    const coop = await seedDemoCooperative(kv, clock);
    const r = coop.demoResident;
    const email = "zofia.testowa@example.pl";
    const address = { street: r.street, building: r.building, unit: r.unit };

    // A first request, rejected; a second, approved.
    const first = await submitAccessRequest(kv, clock, ctx, person("Zofia", email), meta);
    assert.ok(
      (await rejectAccessRequest(kv, clock, ctx, {
        requestId: first.requestId!,
        reason: "Brak lokalu pod tym adresem.",
        staff,
      })).ok,
    );
    clock.advance(60_000);
    const second = await submitAccessRequest(kv, clock, ctx, person("Zofia", email, address), {
      ...meta,
      clientAddress: "192.0.2.44",
    });
    const approved = await approveAccessRequest(kv, clock, hasher, {
      ...ctx,
      startPasswordTtlMs: DEFAULT_START_PASSWORD_TTL_MS,
    }, {
      requestId: second.requestId!,
      unitIds: [r.flatUnitId],
      staff,
      confirmMismatch: { reason: "Najemczyni, umowa okazana w biurze." },
    });
    assert.ok(approved.ok);
    const account = approved.account;
    // Somebody else, who must not appear.
    await submitAccessRequest(kv, clock, ctx, person("Obcy", "obcy@example.pl"), meta);

    const { token } = await createSession(kv, clock, "resident", account.id);
    await recordAudit(kv, clock, {
      actor: { kind: "resident", id: account.id, label: account.identifier },
      action: "login.ok",
    });
    await recordAudit(kv, clock, {
      actor: { kind: "anonymous", label: "—" },
      action: "login.invalid",
      details: { identifier: account.identifier.toLowerCase().replace("-", "") },
    });
    const water = await getUnitWater(kv, r.flatUnitId);
    const meter = water.meters.find((m) => !m.removedOn)!;
    const last = water.readingsByMeter[meter.id].at(-1)!;
    const submitted = await submitReadings(kv, clock, {
      accountId: account.id,
      unitId: r.flatUnitId,
      entries: [{ meterId: meter.id, litres: last.litres + 2000 }],
      confirmed: true,
      email: account.email,
      firstName: account.firstName,
      ctx,
    });
    assert.ok(submitted.ok, JSON.stringify(submitted));

    const data = await exportResidentData(kv, account.id, clock);
    assert.ok(data);
    assert.equal(data.generatedAt, clock().toISOString());
    assert.match(data.note, /art\. 15 RODO/);
    assert.ok(data.omitted.some((o) => o.startsWith("account.passwordHash")));
    assert.equal(data.account.identifier, account.identifier);
    assert.equal(data.account.email, email);
    assert.equal(data.account.hasOwnPassword, false);
    assert.ok(!("passwordHash" in data.account));
    const start = data.account.startPassword as Record<string, string>;
    assert.deepEqual(Object.keys(start).sort(), ["expiresAt", "issuedAt"]);

    assert.deepEqual(data.requests.map((q) => q.status), ["rejected", "approved"]);
    assert.equal(data.requests[1].clientAddress, "192.0.2.44");
    assert.equal(data.units.length, 1);
    const unit = data.units[0];
    assert.match(unit.address, /^ul\. .+ \d+\/\d+$/);
    assert.ok(unit.areaCm2 > 0 && unit.persons > 0);
    assert.ok(unit.ledger.entries.length > 20);
    assert.equal(typeof unit.ledger.totals.balance, "number");
    assert.ok(unit.water.meters.length >= 2);
    assert.ok(unit.water.readings[meter.id].length > 10);
    assert.ok(unit.water.settlements.length > 0);
    assert.equal(data.readingSubmissions.length, 1);

    const purposes = data.messages.map((m) => m.purpose);
    for (
      const p of [
        "registration_received",
        "registration_rejected",
        "identifier",
        "start_password",
        "reading_submitted",
      ]
    ) assert.ok(purposes.includes(p), `message ${p}`);
    const sms = data.messages.find((m) => m.purpose === "start_password")!;
    assert.match(sms.text, /pominięto/);
    assert.equal(data.sessions.length, 1);
    assert.deepEqual(Object.keys(data.sessions[0]).sort(), [
      "absoluteExpiresAt",
      "createdAt",
      "expiresAt",
      "lastSeenAt",
      "restricted",
    ]);
    const auditActions = data.audit.map((e) => e.action);
    for (
      const a of [
        "request.rejected",
        "request.approved",
        "login.ok",
        "login.invalid",
        "reading.submitted",
      ]
    ) assert.ok(auditActions.includes(a), `audit ${a}`);

    // No secrets, nobody else.
    const json = JSON.stringify(data);
    const plainStart = (await listMessages(kv, { limit: 1000 }))
      .find((m) => m.purpose === "start_password")!.text.match(/Hasło startowe: (\S+)/)![1];
    for (
      const secret of [
        "$argon2",
        plainStart,
        token,
        hashToken(token),
        account.startPassword!.hash,
      ]
    ) assert.ok(!json.includes(secret), `leaks ${secret.slice(0, 8)}…`);
    assert.ok(!json.includes("obcy@example.pl"));
    assert.equal(JSON.stringify(JSON.parse(json)), json, "plain JSON data");

    assert.equal(await exportResidentData(kv, "01NOSUCHACCOUNT00000000000", clock), null);
  } finally {
    hasher.close();
    kv.close();
  }
});

Deno.test("GDPR purge: only rejected requests past retention go, with their messages", async () => {
  const kv = await Deno.openKv(":memory:");
  const hasher = createPasswordHasher({ useWorker: false });
  try {
    const clock = manualClock(new Date("2026-01-10T10:00:00Z"));
    const submit = async (first: string, email: string) =>
      (await submitAccessRequest(kv, clock, ctx, person(first, email), meta)).requestId!;
    const reject = async (id: string) =>
      assert.ok(
        (await rejectAccessRequest(kv, clock, ctx, { requestId: id, reason: "Brak.", staff })).ok,
      );

    const old = await submit("Ala", "ala@example.pl");
    await reject(old);
    const approvedId = await submit("Basia", "basia@example.pl");
    const approved = await approveAccessRequest(kv, clock, hasher, {
      ...ctx,
      startPasswordTtlMs: DEFAULT_START_PASSWORD_TTL_MS,
    }, { requestId: approvedId, unitIds: [], staff, allowNoUnits: true });
    assert.ok(approved.ok);
    clock.advance(89 * DAY);
    const recent = await submit("Celina", "celina@example.pl");
    await reject(recent);
    const pending = await submit("Dorota", "dorota@example.pl");
    // Ala tries again: her new request is pending under the same e-mail.
    clock.advance(2 * DAY);
    const alaAgain = await submit("Ala", "ala@example.pl");

    const oldMessages = await listMessagesByRef(kv, `request:${old}`);
    assert.equal(oldMessages.length, 2);
    const accountsBefore = await listAccounts(kv);

    const result = await purgeRejectedRequests(kv, clock, 90);
    assert.deepEqual(result, { requests: 1, messages: 2 });
    assert.equal(await getAccessRequest(kv, old), null);
    assert.equal((await kv.get(keys.requestsByStatus("rejected", old))).versionstamp, null);
    assert.deepEqual(await listMessagesByRef(kv, `request:${old}`), []);
    for (const m of oldMessages) {
      assert.equal((await kv.get(keys.messages(m.id))).versionstamp, null);
      assert.equal((await kv.get(keys.messagesByState(m.state, m.id))).versionstamp, null);
    }
    // Everything else stays.
    assert.equal((await getAccessRequest(kv, recent))?.status, "rejected");
    assert.equal((await getAccessRequest(kv, pending))?.status, "pending");
    assert.equal((await getAccessRequest(kv, approvedId))?.status, "approved");
    assert.equal((await getAccessRequest(kv, alaAgain))?.status, "pending");
    assert.equal((await kv.get(keys.requestsPendingByEmail("ala@example.pl"))).value, alaAgain);
    assert.equal((await listMessagesByRef(kv, `request:${recent}`)).length, 2);
    assert.deepEqual(await listAccounts(kv), accountsBefore, "accounts untouched");

    // One audit entry with the counts and nothing personal.
    const purged = (await listAudit(kv)).filter((e) => e.action === "request.purged");
    assert.equal(purged.length, 1);
    assert.deepEqual(purged[0].details, { requests: 1, messages: 2, retentionDays: 90 });
    assert.equal(purged[0].actor.kind, "system");
    assert.ok(!/ala|Ala/.test(JSON.stringify(purged[0])));

    // Again: nothing more, and no second entry.
    assert.deepEqual(await purgeRejectedRequests(kv, clock, 90), { requests: 0, messages: 0 });
    assert.equal((await listAudit(kv)).filter((e) => e.action === "request.purged").length, 1);
    // Later, the recent one goes too.
    clock.advance(90 * DAY);
    assert.deepEqual(await purgeRejectedRequests(kv, clock, 90), { requests: 1, messages: 2 });
    await assert.rejects(purgeRejectedRequests(kv, clock, 0), RangeError);
  } finally {
    hasher.close();
    kv.close();
  }
});
