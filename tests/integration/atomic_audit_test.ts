/**
 * Issue 11.1: a change and its audit entry land in ONE atomic commit — there is nothing in
 * between for a crash to fall into. Each representative write goes through the app (route →
 * domain) on a KV that records every commit; then, for every commit the write makes, the same
 * write is repeated with a crash at that commit, and the change is found either with its audit
 * entry or not at all.
 */
import assert from "node:assert/strict";
import { listAudit } from "../../domain/backoffice/audit.ts";
import type { AuditAction } from "../../domain/backoffice/audit_actions.ts";
import { createStaff } from "../../domain/accounts/staff.ts";
import { keys } from "../../domain/shared/keys.ts";
import { issueApiToken, testApp, type TestClient, watchCommits } from "../helpers.ts";

type Setup = Awaited<ReturnType<typeof open>>;

async function open() {
  let watch!: ReturnType<typeof watchCommits>;
  const t = await testApp({ wrapKv: (kv) => (watch = watchCommits(kv)).kv });
  const admin = await t.staffClient("admin", "admin");
  return { t, watch, admin };
}

type Write = {
  name: string;
  action: AuditAction;
  /** Prepares what the write needs; returns the key it changes and the request to make. */
  prepare(s: Setup): Promise<{ key: Deno.KvKey; send: (admin: TestClient) => Promise<Response> }>;
  /** Whether the change happened (read from the real store). */
  changed(s: Setup, key: Deno.KvKey): Promise<boolean>;
};

const sameKey = (a: Deno.KvKey, b: Deno.KvKey) => JSON.stringify(a) === JSON.stringify(b);

const writes: Write[] = [
  {
    name: "settings: the cooperative's profile saved",
    action: "settings.cooperative_changed",
    prepare() {
      return Promise.resolve({
        key: keys.settings("cooperative"),
        send: (admin) =>
          admin.post("/admin/ustawienia/spoldzielnia", {
            name: "Spółdzielnia Mieszkaniowa Próbna",
            shortName: "SM Próbna",
            address: "ul. Próbna 1, 67-200 Głogów",
            email: "biuro@example.pl",
            phone: "76 000 00 00",
            nip: "",
            officeHours: "pn–pt 8–16",
          }),
      });
    },
    async changed(s, key) {
      return (await s.t.kv.get<{ name: string }>(key)).value?.name ===
        "Spółdzielnia Mieszkaniowa Próbna";
    },
  },
  {
    name: "announcement published",
    action: "announcement.published",
    prepare() {
      return Promise.resolve({
        key: keys.announcementsAll(),
        send: (admin) =>
          admin.post("/admin/komunikaty", {
            title: "Przerwa w dostawie wody",
            body: "We wtorek od 8 do 12 nie będzie wody.",
            audience: "all",
            visible_until: "",
          }),
      });
    },
    async changed(s, key) {
      for await (const _ of s.t.kv.list({ prefix: key })) return true;
      return false;
    },
  },
  {
    name: "API token revoked",
    action: "api_token.revoked",
    async prepare(s) {
      const { id } = await issueApiToken(s.t, "System księgowy", ["ledger"]);
      return {
        key: keys.apiTokens(id),
        send: (admin) => admin.post(`/admin/ustawienia/api/${id}/uniewaznij`, {}),
      };
    },
    async changed(s, key) {
      return !!(await s.t.kv.get<{ revokedAt?: string }>(key)).value?.revokedAt;
    },
  },
  {
    name: "staff account switched off",
    action: "staff.deactivated",
    async prepare(s) {
      const other = await createStaff(s.t.kv, s.t.clock, s.t.hasher, {
        login: "anna",
        password: "Mocne-Haslo-2026",
        name: "Anna Nowak",
        role: "office",
      });
      assert.ok(other.ok);
      const id = other.staff.id;
      return {
        key: keys.staff(id),
        send: (admin) => admin.post(`/admin/ustawienia/pracownicy/${id}/wylacz`, {}),
      };
    },
    async changed(s, key) {
      return (await s.t.kv.get<{ active: boolean }>(key)).value?.active === false;
    },
  },
];

const touches = (keys: Deno.KvKey[], key: Deno.KvKey) =>
  keys.some((k) => sameKey(k, key) || sameKey(k.slice(0, key.length), key));

for (const w of writes) {
  Deno.test(`one commit carries the change and its audit entry: ${w.name}`, async () => {
    const s = await open();
    await using _ = s.t;
    const { key, send } = await w.prepare(s);
    s.watch.reset();
    const res = await send(s.admin);
    assert.equal(res.status, 303, `${w.name} answered ${res.status}`);
    const audited = s.watch.commits.filter((c) => c.keys.some((k) => k[0] === "audit_log"));
    const changing = s.watch.commits.filter((c) => touches(c.keys, key));
    assert.equal(changing.length, 1, "the change is one commit");
    assert.equal(audited.length, 1, "one commit holds an audit entry");
    assert.equal(changing[0], audited[0], "and it is the same commit");
    const entry = (await listAudit(s.t.kv, 1))[0];
    assert.equal(entry.action, w.action);

    // A crash at any commit the write makes (and one past them): both or neither.
    const commits = s.watch.commits.length;
    for (let n = 1; n <= commits + 1; n++) {
      const again = await open();
      await using _again = again.t;
      const prepared = await w.prepare(again);
      again.watch.reset();
      again.watch.crashAt(n);
      const answer = await send(again.admin);
      await answer.body?.cancel();
      const changed = await w.changed(again, prepared.key);
      const logged = (await listAudit(again.t.kv)).some((e) => e.action === w.action);
      assert.equal(logged, changed, `crash at commit ${n} of ${commits}: change ${changed}`);
    }
  });
}
