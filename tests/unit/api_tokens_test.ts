import assert from "node:assert/strict";
import {
  API_TOKEN_RATE,
  apiActor,
  beginIdempotent,
  checkApiToken,
  completeIdempotent,
  consumeApiTokenRate,
  createApiToken,
  getApiToken,
  hashApiSecret,
  IDEMPOTENCY_TTL_MS,
  listApiTokens,
  revokeApiToken,
  verifyApiToken,
} from "../../domain/backoffice/api_tokens.ts";
import { type Actor, listAudit } from "../../domain/backoffice/audit.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import {
  listRefusedLines,
  MAX_RECORD_ROWS,
  previewImportRecords,
} from "../../domain/backoffice/imports.ts";
import { keys } from "../../domain/shared/keys.ts";
import { dumpKv, seedFlatKW12, testAdmin } from "../helpers.ts";

const admin: Actor = testAdmin;

async function open() {
  const kv = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
  return { kv, clock, [Symbol.asyncDispose]: () => Promise.resolve(kv.close()) };
}

Deno.test("createApiToken: an ebok_ secret of 32 random bytes, shown once; verify finds the token", async () => {
  await using t = await open();
  const created = await createApiToken(t.kv, t.clock, {
    name: "  System   księgowy ",
    scopes: ["read:history", "ledger", "units"],
    actor: admin,
  });
  assert.ok(created.ok);
  const { token, secret } = created;
  assert.match(secret, /^ebok_[a-z2-7]{52}$/, "32 bytes in base32 = 52 characters");
  assert.equal(token.name, "System księgowy");
  assert.deepEqual(token.scopes, ["units", "ledger", "read:history"], "in the canonical order");
  assert.equal(token.hint, `${secret.slice(0, 9)}…`);
  assert.equal(token.createdAt, "2026-11-25T10:00:00.000Z");
  assert.deepEqual(token.createdBy, admin);
  assert.equal(token.lastUsedAt, undefined);

  assert.equal((await verifyApiToken(t.kv, t.clock, secret))?.id, token.id);
  assert.equal((await verifyApiToken(t.kv, t.clock, `Bearer ${secret}`))?.id, token.id);
  const wrong = secret.slice(0, -1) + (secret.endsWith("a") ? "b" : "a");
  assert.equal(await verifyApiToken(t.kv, t.clock, wrong), null);
  assert.equal(await verifyApiToken(t.kv, t.clock, secret.toUpperCase()), null);
  assert.equal(await verifyApiToken(t.kv, t.clock, ""), null);
  assert.equal(await verifyApiToken(t.kv, t.clock, "ebok_"), null);
  assert.deepEqual(await checkApiToken(t.kv, t.clock, "nonsense"), {
    ok: false,
    reason: "malformed",
  });
  assert.deepEqual(await checkApiToken(t.kv, t.clock, `ebok_${"a".repeat(52)}`), {
    ok: false,
    reason: "unknown",
  });
  assert.deepEqual(apiActor(token), { kind: "system", label: "API: System księgowy" });

  const other = await createApiToken(t.kv, t.clock, {
    name: "Odczyty radiowe",
    scopes: ["readings"],
    actor: admin,
  });
  assert.ok(other.ok);
  assert.notEqual(other.secret, secret);
  assert.deepEqual((await listApiTokens(t.kv)).map((x) => x.name), [
    "Odczyty radiowe",
    "System księgowy",
  ], "newest first");
});

Deno.test("hash at rest: no secret anywhere in KV, only its SHA-256", async () => {
  await using t = await open();
  const secrets: string[] = [];
  for (const name of ["System księgowy", "Inkasent"]) {
    const created = await createApiToken(t.kv, t.clock, { name, scopes: ["ledger"], actor: admin });
    assert.ok(created.ok);
    secrets.push(created.secret);
    await verifyApiToken(t.kv, t.clock, created.secret);
    if (name === "Inkasent") await revokeApiToken(t.kv, t.clock, created.token.id, admin);
  }
  const dump = await dumpKv(t.kv);
  for (const secret of secrets) {
    assert.ok(!dump.includes(secret), "the secret is not stored");
    assert.ok(!dump.includes(secret.slice(5)), "nor its random part");
    assert.ok(!dump.includes(secret.slice(10)), "nor most of it");
    const hash = hashApiSecret(secret);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(typeof (await t.kv.get(keys.apiTokensByHash(hash))).value, "string");
  }
});

Deno.test("lastUsedAt is written at most once a minute", async () => {
  await using t = await open();
  const created = await createApiToken(t.kv, t.clock, {
    name: "System księgowy",
    scopes: ["ledger"],
    actor: admin,
  });
  assert.ok(created.ok);
  const first = await verifyApiToken(t.kv, t.clock, created.secret);
  assert.equal(first?.lastUsedAt, "2026-11-25T10:00:00.000Z");
  const before = await t.kv.get(keys.apiTokens(created.token.id));
  t.clock.advance(30_000);
  await verifyApiToken(t.kv, t.clock, created.secret);
  const after = await t.kv.get(keys.apiTokens(created.token.id));
  assert.equal(after.versionstamp, before.versionstamp, "no write within the minute");
  t.clock.advance(31_000);
  const later = await verifyApiToken(t.kv, t.clock, created.secret);
  assert.equal(later?.lastUsedAt, "2026-11-25T10:01:01.000Z");
  assert.equal(
    (await getApiToken(t.kv, created.token.id))?.lastUsedAt,
    "2026-11-25T10:01:01.000Z",
  );
});

Deno.test("revokeApiToken: the token stops working at once; audited; the name is free again", async () => {
  await using t = await open();
  const created = await createApiToken(t.kv, t.clock, {
    name: "System księgowy",
    scopes: ["ledger", "units"],
    actor: admin,
  });
  assert.ok(created.ok);
  const clash = await createApiToken(t.kv, t.clock, {
    name: "SYSTEM KSIEGOWY",
    scopes: ["ledger"],
    actor: admin,
  });
  assert.deepEqual(clash, { ok: false, reason: "name_taken" }, "names compare folded");

  t.clock.advance(60_000);
  const revoked = await revokeApiToken(t.kv, t.clock, created.token.id, admin);
  assert.ok(revoked.ok);
  assert.equal(revoked.alreadyRevoked, false);
  assert.equal(revoked.token.revokedAt, "2026-11-25T10:01:00.000Z");
  assert.deepEqual(revoked.token.revokedBy, admin);
  assert.equal(await verifyApiToken(t.kv, t.clock, created.secret), null);
  const check = await checkApiToken(t.kv, t.clock, created.secret);
  assert.equal(check.ok, false);
  assert.equal(!check.ok && check.reason, "revoked");

  const again = await revokeApiToken(t.kv, t.clock, created.token.id, admin);
  assert.ok(again.ok && again.alreadyRevoked);
  assert.deepEqual(await revokeApiToken(t.kv, t.clock, "nope", admin), {
    ok: false,
    reason: "not_found",
  });

  const reused = await createApiToken(t.kv, t.clock, {
    name: "System księgowy",
    scopes: ["ledger"],
    actor: admin,
  });
  assert.ok(reused.ok, "a revoked token's name may be used again");

  const audit = (await listAudit(t.kv)).reverse();
  assert.deepEqual(audit.map((e) => e.action), [
    "api_token.created",
    "api_token.revoked",
    "api_token.created",
  ]);
  assert.deepEqual(audit[0].details, {
    tokenId: created.token.id,
    name: "System księgowy",
    scopes: "units,ledger",
  });
  assert.deepEqual(audit[0].actor, admin);
  const text = JSON.stringify(audit);
  assert.ok(!text.includes(created.secret) && !text.includes(reused.secret));
});

Deno.test("createApiToken refuses a bad name and unknown or no scopes", async () => {
  await using t = await open();
  for (
    const [name, scopes, reason] of [
      ["ab", ["ledger"], "invalid_name"],
      ["x".repeat(81), ["ledger"], "invalid_name"],
      ["System\u0007", ["ledger"], "invalid_name"],
      ["System księgowy", [], "no_scopes"],
      ["System księgowy", ["ledger", "admin"], "no_scopes"],
    ] as const
  ) {
    const result = await createApiToken(t.kv, t.clock, { name, scopes, actor: admin });
    assert.deepEqual(result, { ok: false, reason }, `${name} ${scopes}`);
  }
  assert.deepEqual(await listApiTokens(t.kv), []);
});

Deno.test("the rate limit per token", async () => {
  await using t = await open();
  const created = await createApiToken(t.kv, t.clock, {
    name: "System księgowy",
    scopes: ["ledger"],
    actor: admin,
  });
  assert.ok(created.ok);
  for (let i = 0; i < API_TOKEN_RATE.limit; i++) {
    assert.ok((await consumeApiTokenRate(t.kv, t.clock, created.token)).ok);
  }
  const refused = await consumeApiTokenRate(t.kv, t.clock, created.token);
  assert.equal(refused.ok, false);
  t.clock.advance(API_TOKEN_RATE.windowMs);
  assert.ok((await consumeApiTokenRate(t.kv, t.clock, created.token)).ok);
});

Deno.test("idempotency keys: first, in progress, repeat, mismatch, forgotten after 24 h", async () => {
  await using t = await open();
  assert.deepEqual(await beginIdempotent(t.kv, t.clock, "T1", "k-1", "h1"), { kind: "first" });
  assert.deepEqual(await beginIdempotent(t.kv, t.clock, "T1", "k-1", "h1"), {
    kind: "in_progress",
  });
  assert.deepEqual(await beginIdempotent(t.kv, t.clock, "T1", "k-1", "h2"), { kind: "mismatch" });
  assert.deepEqual(
    await beginIdempotent(t.kv, t.clock, "T2", "k-1", "h2"),
    { kind: "first" },
    "keys are per token",
  );
  await completeIdempotent(t.kv, t.clock, "T1", "k-1", { jobId: "J1", apply: "all" });
  const repeat = await beginIdempotent(t.kv, t.clock, "T1", "k-1", "h1");
  assert.equal(repeat.kind, "repeat");
  assert.equal(repeat.kind === "repeat" && repeat.record.jobId, "J1");

  // A first request that died before making its job is taken over after a while.
  await beginIdempotent(t.kv, t.clock, "T1", "k-2", "h1");
  t.clock.advance(3 * 60_000);
  assert.deepEqual(await beginIdempotent(t.kv, t.clock, "T1", "k-2", "h1"), { kind: "first" });

  t.clock.advance(IDEMPOTENCY_TTL_MS);
  assert.deepEqual(
    await beginIdempotent(t.kv, t.clock, "T1", "k-1", "h2"),
    { kind: "first" },
    "after 24 h the key is new",
  );
});

// --- previewImportRecords: the JSON rows through the CSV engine ---------------------------------

async function withUnit() {
  const t = await open();
  await seedFlatKW12(t, []);
  return t;
}

const api: Actor = { kind: "system", label: "API: System księgowy" };

Deno.test("previewImportRecords: CSV column names and formats, JSON numbers, per-row refusals", async () => {
  await using t = await withUnit();
  const rows: unknown[] = [
    // 0: strings as in the CSV, an alias and another spelling of a column name
    {
      lokal: "KW12/7",
      "Numer dokumentu": "PK/1",
      rodzaj: "wpłata",
      DATA: "24.11.2026",
      kwota: "1 234,56",
    },
    // 1: JSON numbers; null = empty; the column "składnik" written without diacritics
    {
      lokal: "KW12/7",
      dokument: "PK/2",
      rodzaj: "naliczenie",
      data: "2026-11-01",
      skladnik: "eksploatacja",
      kwota: 148.24,
      stawka: 2.73,
      "ilość": 54.3,
      jednostka: "m²",
      okres: null,
      uwagi: "ignored",
    },
    // 2: a duplicate of row 0
    { lokal: "KW12/7", dokument: "PK/1", rodzaj: "wpłata", data: "24.11.2026", kwota: 1 },
    // 3: a number that cannot be exact
    { lokal: "KW12/7", dokument: "PK/3", rodzaj: "wpłata", data: "24.11.2026", kwota: 1e21 },
    // 4: not an object
    ["KW12/7", "PK/4"],
    // 5: a nested value, and one column twice
    { lokal: "KW12/7", "kod lokalu": "KW12/7", dokument: { no: 5 }, rodzaj: "wpłata" },
    // 6: a missing required column is an empty cell
    { lokal: "KW12/7", dokument: "PK/6", rodzaj: "wpłata" },
    // 7: floating-point noise is refused, not rounded
    { lokal: "KW12/7", dokument: "PK/7", rodzaj: "wpłata", data: "24.11.2026", kwota: 0.1 + 0.2 },
  ];
  const result = await previewImportRecords(t.kv, t.clock, {
    kind: "ledger",
    records: rows,
    source: "API: System księgowy",
    actor: api,
  });
  assert.ok(result.ok);
  const job = result.job;
  assert.equal(job.rowsFrom, "records");
  assert.equal(job.fileName, "API: System księgowy");
  assert.deepEqual(job.counts, { total: 8, add: 2, change: 0, unchanged: 0, refused: 6 });
  assert.match(job.notices.join(" "), /Pominięto nieznane kolumny: „uwagi”/);
  const refused = await listRefusedLines(t.kv, job.id);
  const reasonOf = (index: number) => refused.find((r) => r.line === index + 1)?.reason ?? "";
  assert.deepEqual(refused.map((r) => r.line - 1), [2, 3, 4, 5, 6, 7]);
  assert.match(
    reasonOf(2),
    /powtórzony wiersz: dokument PK\/1 lokalu KW12\/7 jest już w wierszu o indeksie 0/,
  );
  assert.match(reasonOf(3), /kwota: .*podaj ją jako tekst/);
  assert.match(reasonOf(4), /wiersz musi być obiektem JSON/);
  assert.match(reasonOf(5), /kolumna „lokal” podana więcej niż raz/);
  assert.match(reasonOf(5), /dokument: oczekiwano tekstu, liczby/);
  assert.match(reasonOf(6), /data: /);
  assert.match(reasonOf(6), /kwota: /);
  assert.match(reasonOf(7), /kwota: /);
});

Deno.test("previewImportRecords: no rows, or too many, refuse the request as a whole", async () => {
  await using t = await withUnit();
  const none = await previewImportRecords(t.kv, t.clock, {
    kind: "ledger",
    records: [],
    source: "API",
    actor: api,
  });
  assert.equal(none.ok, false);
  const many = await previewImportRecords(t.kv, t.clock, {
    kind: "ledger",
    records: Array.from({ length: MAX_RECORD_ROWS + 1 }, () => ({})),
    source: "API",
    actor: api,
  });
  assert.equal(many.ok, false);
  assert.match(!many.ok ? many.message : "", /najwyżej 10000 wierszy/);
});
