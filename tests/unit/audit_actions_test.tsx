import assert from "node:assert/strict";
import {
  auditActionGroups,
  auditActionLabels,
  auditActions,
  isAuditActionFilter,
} from "../../domain/backoffice/audit_actions.ts";
import { messagePurposeLabels } from "../../views/admin/messages.tsx";
import { auditActionChoices, AuditEvent } from "../../views/admin/audit.tsx";

Deno.test("audit actions: every one has Polish words, belongs to a family and can be filtered", () => {
  const grouped = auditActionGroups.flatMap((g) => g.actions);
  assert.deepEqual([...grouped].sort(), [...auditActions].sort(), "each action in one family");
  for (const a of auditActions) {
    assert.ok(auditActionLabels[a].length > 3, a);
    assert.ok(isAuditActionFilter(a), `${a} filterable by itself`);
    assert.ok(auditActionChoices.some((c) => c.value === a), `${a} offered by the filter`);
  }
  for (const family of ["settings.", "staff.", "unit.", "api.", "api_token."]) {
    assert.ok(isAuditActionFilter(family), family);
    assert.ok(auditActionChoices.some((c) => c.value === family), `${family} offered`);
  }
  assert.equal(isAuditActionFilter("login"), false);
  assert.equal(isAuditActionFilter("login.nonsense"), false);
});

Deno.test("audit actions: every action the code writes is in the union", async () => {
  // The type system refuses unknown literals; this catches names built at run time too.
  const used = new Set<string>();
  for (const dir of ["domain", "routes"]) {
    for await (const path of walk(new URL(`../../${dir}/`, import.meta.url))) {
      const text = await Deno.readTextFile(path);
      for (const m of text.matchAll(/action: "([a-z_]+\.[a-z_]+)"/g)) used.add(m[1]);
      for (const m of text.matchAll(/"([a-z_]+\.[a-z_]+)" : "([a-z_]+\.[a-z_]+)"/g)) {
        used.add(m[1]);
        used.add(m[2]);
      }
    }
  }
  assert.ok(used.size > 30);
  for (const a of used) assert.ok(a in auditActionLabels, `${a} has a label`);
});

Deno.test("staff pages: words, not codes; ids as links; hashes below the words", () => {
  const html = String(
    <AuditEvent
      entry={{
        id: "01JZ0000000000000000000000",
        at: "2026-11-25T10:00:00.000Z",
        actor: { kind: "staff", id: "S1", label: "Ewa (ewa)" },
        action: "request.approved",
        details: {
          accountId: "01ACC",
          identifier: "ABC-2345",
          units: "U1,U2",
          hash: "ab".repeat(32),
        },
      }}
    />,
  );
  assert.match(html, /<strong>Wniosek zatwierdzony, konto utworzone<\/strong>/);
  assert.match(html, /konto: <a href="\/admin\/konta\/01ACC">01ACC<\/a>/);
  assert.match(html, /<a href="\/admin\/rejestr\/lokale\/U2">U2<\/a>/);
  assert.doesNotMatch(html.slice(0, html.indexOf("audit-code")), /accountId|abab/);
  const login = String(
    <AuditEvent
      entry={{
        id: "01JZ0000000000000000000001",
        at: "2026-11-25T10:00:00.000Z",
        actor: { kind: "resident", id: "A", label: "ABC-2345" },
        action: "login.ok",
      }}
    />,
  );
  assert.match(login, /<strong>Zalogowano<\/strong>/);
});

Deno.test("messages page: every purpose notifications.ts writes has staff's words", async () => {
  const text = await Deno.readTextFile(
    new URL("../../domain/messaging/notifications.ts", import.meta.url),
  );
  const purposes = [...text.matchAll(/purpose: "([a-z_]+)"/g)].map((m) => m[1]);
  assert.ok(purposes.includes("start_password"));
  for (const p of purposes) assert.ok(messagePurposeLabels[p], p);
  assert.equal(messagePurposeLabels.start_password, "Hasło startowe (SMS)");
});

async function* walk(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) yield* walk(url);
    else if (/\.tsx?$/.test(e.name)) yield url;
  }
}
