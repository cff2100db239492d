import assert from "node:assert/strict";
import { backupCommand, type BackupIo, readLines } from "../../cli/backup.ts";
import {
  BackupFormatError,
  BackupRefusedError,
  decodeValue,
  encodeValue,
  exportKv,
  importKv,
  REAPPLIED_EXPIRY,
  TRANSIENT_PREFIXES,
} from "../../domain/backoffice/backup.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { seedDemoIfEmpty } from "../../domain/demo/demo.ts";
import { keys } from "../../domain/shared/keys.ts";
import { addMessage } from "../../domain/messaging/messages.ts";
import { createPasswordHasher } from "../../domain/accounts/password.ts";
import { createSession } from "../../domain/accounts/sessions.ts";

type Entry = { key: Deno.KvKey; value: unknown };

async function entriesOf(kv: Deno.Kv): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of kv.list({ prefix: [] })) out.push({ key: e.key, value: e.value });
  return out;
}

async function exportLines(kv: Deno.Kv, skipPrefixes?: readonly string[]) {
  const lines: string[] = [];
  const result = await exportKv(kv, (line) => {
    lines.push(line);
    return Promise.resolve();
  }, { skipPrefixes });
  return { lines, result };
}

/** Every key part type, every kind of value Deno KV holds (structured clone + KvU64). */
async function fillEveryKind(kv: Deno.Kv) {
  const sparse = [1, , 3]; // a hole, not undefined
  const withExtra = Object.assign(["a", "b"], { note: "extra member" });
  const ownProto = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}');
  const error = new TypeError("zły format", { cause: { line: 7n } });
  const view = new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 3);

  const keyParts: Deno.KvKeyPart[][] = [
    ["kinds", "Zażółć gęślą jaźń"],
    ["kinds", ""],
    ["kinds", 0],
    ["kinds", -0],
    ["kinds", 1.5],
    ["kinds", -273.15],
    ["kinds", Number.MAX_SAFE_INTEGER],
    ["kinds", NaN],
    ["kinds", Infinity],
    ["kinds", -Infinity],
    ["kinds", 12345678901234567890123n],
    ["kinds", -1n],
    ["kinds", true],
    ["kinds", false],
    ["kinds", new Uint8Array([0, 255, 1])],
    ["kinds", new Uint8Array([])],
    ["kinds", "mixed", 1, 2n, true, new Uint8Array([7]), "ŁÓDŹ"],
  ];
  for (const [i, key] of keyParts.entries()) await kv.set(key, i);

  const values: Record<string, unknown> = {
    u64: new Deno.KvU64(18446744073709551615n),
    u64zero: new Deno.KvU64(0n),
    bigint: -98765432109876543210n,
    bytes: new Uint8Array([0, 1, 2, 253, 254, 255]),
    bytesView: view,
    date: new Date("2026-11-25T10:00:00.123Z"),
    dateInvalid: new Date(NaN),
    dateFar: new Date(8.64e15),
    map: new Map<unknown, unknown>([["a", 1], [2n, new Date(0)], [{ k: "obj" }, new Set([1])]]),
    set: new Set<unknown>(["x", 1, 1n, undefined, null]),
    nestedUndefined: { a: undefined, b: { c: undefined, d: [undefined, null] } },
    topUndefined: undefined,
    topNull: null,
    polish: "Spółdzielnia Mieszkaniowa „Nadodrze” — zażółć gęślą jaźń, ĄĘŁŃÓŚŹŻ",
    emoji: "🏠 💧",
    loneSurrogate: "a\ud800b",
    controlChars: "line\nbreak\ttab\u0000nul",
    negativeZero: -0,
    nan: NaN,
    infinities: [Infinity, -Infinity],
    doubles: [0.1, 1 / 3, 5e-324, 1.7976931348623157e308, -2.5],
    regexp: /^ul\. (\p{Lu}\p{Ll}+)$/giu,
    sparse,
    withExtra,
    int16: new Int16Array([1, -2, 32767]),
    float64: new Float64Array([Math.PI, -0]),
    bigint64: new BigInt64Array([-5n, 9223372036854775807n]),
    clamped: new Uint8ClampedArray([0, 128, 255]),
    dataView: new DataView(new Uint8Array([1, 2, 3]).buffer),
    arrayBuffer: new Uint8Array([4, 5, 6]).buffer,
    error,
    rangeError: new RangeError("poza zakresem"),
    boxedNumber: new Number(-0),
    boxedString: new String("pudełko"),
    boxedBoolean: new Boolean(false),
    boxedBigint: Object(7n),
    dollarKeys: { $bigint: "not a tag", $u64: "5" },
    oneDollarKey: { $date: "2026-01-01" },
    ownProto,
    emptyObject: {},
    emptyArray: [],
    nullPrototype: Object.assign(Object.create(null), { a: 1 }),
    deep: { a: [{ b: new Map([["c", [new Uint8Array([1]), { d: 1n }]]]) }] },
    grosze: { amount: 123456, currency: "PLN", postedOn: "2026-11-25" },
  };
  for (const [name, value] of Object.entries(values)) await kv.set(["values", name], value);
  await kv.set(["announcement_emails", "ann1", "acc1"], "msg1", { expireIn: 60_000 });
}

Deno.test("the comparison used below tells apart what a lossy round-trip would confuse", () => {
  assert.throws(() => assert.deepStrictEqual([-0], [0]));
  assert.throws(() => assert.deepStrictEqual([1, , 3], [1, undefined, 3]));
  assert.throws(() => assert.deepStrictEqual({ a: undefined }, {}));
  assert.throws(() => assert.deepStrictEqual(new Uint8Array([1]), new Int8Array([1])));
  assert.throws(() => assert.deepStrictEqual(new Deno.KvU64(1n), { value: 1n }));
  assert.throws(() => assert.deepStrictEqual(1n, 1));
  assert.throws(() => assert.deepStrictEqual(new Date(0), "1970-01-01T00:00:00.000Z"));
  assert.throws(() => assert.deepStrictEqual(new Map([[1, 2]]), new Map([["1", 2]])));
  assert.throws(() => assert.deepStrictEqual(new Set([1n]), new Set([1])));
  assert.throws(() => assert.deepStrictEqual(new Number(1), 1));
});

Deno.test("encodeValue/decodeValue: tags are used only where JSON alone would lose something", () => {
  assert.deepEqual(encodeValue({ a: 1, b: "x", c: [true, null] }), {
    a: 1,
    b: "x",
    c: [true, null],
  });
  assert.deepEqual(encodeValue(5n), { $bigint: "5" });
  assert.deepEqual(encodeValue(new Deno.KvU64(5n)), { $u64: "5" });
  assert.deepEqual(encodeValue(new Uint8Array([1, 2, 3])), { $bytes: "AQID" });
  assert.deepEqual(encodeValue(new Date("2026-11-25T10:00:00Z")), {
    $date: "2026-11-25T10:00:00.000Z",
  });
  assert.deepEqual(encodeValue(new Map([["a", undefined]])), {
    $map: [["a", { $undefined: true }]],
  });
  assert.deepEqual(encodeValue(new Set([NaN, -1])), { $set: [{ $number: "NaN" }, -1] });
  assert.deepEqual(encodeValue({ $bigint: "1" }), { $object: { $bigint: "1" } });
  assert.deepStrictEqual(decodeValue({ $object: { $bigint: "1" } }), { $bigint: "1" });
  assert.throws(() => decodeValue({ $nonsense: 1 }), BackupFormatError);
  assert.throws(() => decodeValue({ $u64: "-1" }), BackupFormatError);
  assert.throws(() => decodeValue({ $number: "toString" }), BackupFormatError);
  assert.throws(
    () => decodeValue({ $array: { length: 1, items: [[5, 1]], props: {} } }),
    /\$array/,
  );
  assert.ok(decodeValue({ $error: { name: "constructor", message: "x" } }) instanceof Error);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => encodeValue(cyclic), /contains itself/);
});

Deno.test("export → import round-trips every key and value exactly, types included", async () => {
  await using source = await Deno.openKv(":memory:");
  await using target = await Deno.openKv(":memory:");
  await fillEveryKind(source);

  // No prefix skipped: the whole keyspace, exactly.
  const { lines, result } = await exportLines(source, []);
  const before = await entriesOf(source);
  assert.equal(result.entries, before.length);
  assert.equal(lines.length, before.length + 2, "header + entries + closing line");
  for (const line of lines) assert.ok(!line.includes("\n"), "one JSON object per line");

  const imported = await importKv(target, lines, { mode: "empty-only" });
  assert.equal(imported.entries, before.length);
  const after = await entriesOf(target);
  assert.equal(after.length, before.length);
  for (const [i, entry] of before.entries()) {
    assert.deepStrictEqual(after[i].key, entry.key, `key #${i}`);
    assert.deepStrictEqual(after[i].value, entry.value, `value of ${Deno.inspect(entry.key)}`);
  }
  // Spot checks beyond structural equality.
  const get = async (name: string) => (await target.get(["values", name])).value;
  assert.ok((await get("u64")) instanceof Deno.KvU64);
  assert.equal(((await get("ownProto")) as object).constructor, Object);
  assert.ok(Object.hasOwn((await get("ownProto")) as object, "__proto__"));
  assert.ok(!(1 in ((await get("sparse")) as unknown[])));
  const sourceError = (await source.get<Error>(["values", "error"])).value!;
  assert.equal(((await get("error")) as Error).stack, sourceError.stack);
  assert.ok(Object.is(await get("negativeZero"), -0));
  assert.ok(Object.is((await target.get(["kinds", -0])).value, 3));
});

Deno.test("the real keyspace: a seeded demo cooperative round-trips, transient keys stay out", async () => {
  await using source = await Deno.openKv(":memory:");
  await using target = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
  const hasher = createPasswordHasher({ useWorker: false });
  try {
    const logins = await seedDemoIfEmpty(source, clock, hasher);
    assert.ok(logins);
  } finally {
    hasher.close();
  }
  // Some of every transient kind, plus a message and an announcement marker.
  const accountId =
    (await Array.fromAsync(source.list<{ id: string }>({ prefix: keys.accountsAll() })))[0]
      .value.id;
  await createSession(source, clock, "resident", accountId);
  await source.set(keys.rateLimits("login_ip", "203.0.113.9"), { count: 1 }, { expireIn: 60_000 });
  await source.set(keys.lockouts("ABC-2345"), { failures: 2 }, { expireIn: 60_000 });
  await source.set(keys.staffTotpLastUsed("s1"), "123456", { expireIn: 60_000 });
  await source.set(keys.devOutbox("x"), { to: "a@b.pl" });
  const op = source.atomic();
  addMessage(op, clock, {
    channel: "email",
    to: "jan.kowalski@example.pl",
    subject: "Test",
    text: "Treść",
    purpose: "test",
  });
  await op.commit();
  await source.set(keys.announcementEmails("a1", accountId), "m1", { expireIn: 60_000 });

  const all = await entriesOf(source);
  const isTransient = (e: Entry) => TRANSIENT_PREFIXES.includes(e.key[0] as string);
  const kept = all.filter((e) => !isTransient(e));
  for (const prefix of ["sessions", "sessions_by_account", "rate_limits", "lockouts"]) {
    assert.ok(all.some((e) => e.key[0] === prefix), `the source holds ${prefix}`);
  }
  assert.ok(kept.length > 1000, `a real-size keyspace (${kept.length} entries)`);

  const { lines, result } = await exportLines(source);
  assert.equal(result.entries, kept.length);
  assert.equal(result.skipped, all.length - kept.length);
  const marker = lines.find((l) => l.includes('"announcement_emails"'));
  assert.ok(marker && JSON.parse(marker).expireIn === REAPPLIED_EXPIRY.announcement_emails);

  const imported = await importKv(target, lines, { mode: "empty-only" });
  assert.equal(imported.entries, kept.length);
  assert.ok(imported.batches >= 2, "written in several atomic batches");
  const after = await entriesOf(target);
  assert.deepStrictEqual(after, kept, "every non-transient key and value, in KV order");
});

Deno.test("import refuses a non-empty database unless overwrite, and writes nothing", async () => {
  await using source = await Deno.openKv(":memory:");
  await using target = await Deno.openKv(":memory:");
  await source.set(["settings", "cooperative"], { name: "SM Nadodrze" });
  await source.set(["units", "u1"], { number: "12" });
  const { lines } = await exportLines(source);

  await target.set(["units", "u1"], { number: "stary" });
  await target.set(["units", "u2"], { number: "7" });
  await assert.rejects(() => importKv(target, lines, { mode: "empty-only" }), BackupRefusedError);
  assert.deepStrictEqual((await target.get(["units", "u1"])).value, { number: "stary" });
  assert.equal((await target.get(["settings", "cooperative"])).versionstamp, null);

  const res = await importKv(target, lines, { mode: "overwrite" });
  assert.equal(res.entries, 2);
  assert.equal(res.existingBefore, 2);
  assert.deepStrictEqual((await target.get(["units", "u1"])).value, { number: "12" });
  assert.deepStrictEqual((await target.get(["units", "u2"])).value, { number: "7" }, "kept");
});

Deno.test("import refuses incomplete or foreign files", async () => {
  await using source = await Deno.openKv(":memory:");
  await using target = await Deno.openKv(":memory:");
  for (let i = 0; i < 5; i++) await source.set(["units", `u${i}`], i);
  const { lines } = await exportLines(source);

  const truncated = lines.slice(0, -1);
  await assert.rejects(
    () => importKv(target, truncated, { mode: "empty-only", dryRun: true }),
    /incomplete/,
  );
  assert.equal((await entriesOf(target)).length, 0, "a dry run writes nothing");
  await assert.rejects(
    () => importKv(target, lines.slice(1), { mode: "empty-only" }),
    /not an eBOK backup/,
  );
  await assert.rejects(
    () => importKv(target, [...lines.slice(0, 2), ...lines.slice(3)], { mode: "empty-only" }),
    /closing line counts 5 entries, the file holds 4/,
  );
  await assert.rejects(
    () => importKv(target, [lines[0], '{"key":["a"],"value":{"$what":1}}'], { mode: "empty-only" }),
    /line 2: unknown type tag \$what/,
  );
  await assert.rejects(() => importKv(target, [], { mode: "empty-only" }), /empty/);
});

Deno.test("large imports are split into atomic batches within Deno KV's limits", async () => {
  await using source = await Deno.openKv(":memory:");
  await using target = await Deno.openKv(":memory:");
  const big = "ż".repeat(30_000); // ~60 KiB serialized, near the 64 KiB value limit
  for (let i = 0; i < 40; i++) await source.set(["import_job_rows", "job", i], big);
  const op = () => source.atomic();
  for (let chunk = 0; chunk < 3; chunk++) {
    const o = op();
    for (let i = 0; i < 1000; i++) {
      o.set(["ledger", "u1", chunk, i], { amount: i, title: "Opłata" });
    }
    await o.commit();
  }
  const { lines } = await exportLines(source);
  const res = await importKv(target, lines, { mode: "empty-only" });
  assert.equal(res.entries, 3040);
  assert.ok(res.batches >= 6, `${res.batches} batches`);
  assert.deepStrictEqual(await entriesOf(target), await entriesOf(source));
});

function captureIo(
  stdin: string = "",
): BackupIo & { out: () => string; reports: string[]; errors: string[] } {
  const chunks: Uint8Array[] = [];
  const reports: string[] = [];
  const errors: string[] = [];
  return {
    stdin: new Blob([stdin]).stream(),
    stdout: new WritableStream({ write: (c) => void chunks.push(c) }),
    report: (l) => void reports.push(l),
    error: (l) => void errors.push(l),
    out: () => new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c]))),
    reports,
    errors,
  };
}

Deno.test("backupCommand: export to a file, import into a fresh file KV, refuse, overwrite", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sourcePath = `${dir}/source.kv`;
    const targetPath = `${dir}/target.kv`;
    {
      await using kv = await Deno.openKv(sourcePath);
      await fillEveryKind(kv);
      await kv.set(keys.sessions("abc"), { id: "abc" }, { expireIn: 60_000 });
    }
    const open = (path: string) => () => Deno.openKv(path);

    for (const file of [`${dir}/backup.jsonl`, `${dir}/backup.jsonl.gz`]) {
      const io = captureIo();
      assert.equal(
        await backupCommand(["export", file], open(sourcePath), io),
        0,
        io.errors.join(),
      );
      assert.match(
        io.reports[0],
        /^exported=\d+ skipped_transient=1 verified=yes attempts=1 file=/,
      );
      assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600, "owner-only");
      await assert.rejects(() => Deno.stat(`${file}.partial`), Deno.errors.NotFound);
    }
    const plain = await Deno.readTextFile(`${dir}/backup.jsonl`);
    const gz = await Deno.readFile(`${dir}/backup.jsonl.gz`);
    assert.equal(gz[0], 0x1f, "gzip magic");
    assert.ok(gz.length < plain.length);

    const io = captureIo();
    assert.equal(
      await backupCommand(["import", `${dir}/backup.jsonl.gz`], open(targetPath), io),
      0,
      io.errors.join(),
    );
    assert.match(
      io.reports[0],
      /^imported=\d+ batches=\d+ mode=empty-only messages_requeued=0 messages_uncertain=0$/,
    );
    {
      await using a = await Deno.openKv(sourcePath);
      await using b = await Deno.openKv(targetPath);
      const expected = (await entriesOf(a)).filter((e) => e.key[0] !== "sessions");
      assert.deepStrictEqual(await entriesOf(b), expected);
    }

    const refused = captureIo();
    assert.equal(
      await backupCommand(["import", `${dir}/backup.jsonl`], open(targetPath), refused),
      2,
    );
    assert.match(refused.errors[0], /not empty/);
    const again = captureIo();
    assert.equal(
      await backupCommand(
        ["import", `${dir}/backup.jsonl`, "--overwrite"],
        open(targetPath),
        again,
      ),
      0,
    );
    assert.match(again.reports[0], /mode=overwrite keys_before=\d+/);

    // A truncated file is refused before anything is written.
    await Deno.writeTextFile(`${dir}/cut.jsonl`, plain.slice(0, plain.length - 30));
    const emptyPath = `${dir}/empty.kv`;
    const cut = captureIo();
    assert.equal(await backupCommand(["import", `${dir}/cut.jsonl`], open(emptyPath), cut), 2);
    assert.match(cut.errors[0], /backup import: line \d+ is not JSON|incomplete/);
    {
      await using e = await Deno.openKv(emptyPath);
      assert.equal((await entriesOf(e)).length, 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backupCommand: stdout and stdin with '-', usage errors exit 2", async () => {
  await using source = await Deno.openKv(":memory:");
  await source.set(["units", "u1"], { number: "12", owner: "Łukasz Żółć" });
  // The command closes the KV it opened; give it one it may close.
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/a.kv`;
    {
      await using kv = await Deno.openKv(path);
      await kv.set(["units", "u1"], { number: "12", owner: "Łukasz Żółć" });
    }
    const out = captureIo();
    assert.equal(await backupCommand(["export", "-"], () => Deno.openKv(path), out), 0);
    assert.equal(out.reports.length, 0, "nothing but the backup on stdout");
    assert.match(out.errors[0], /^exported=1 skipped_transient=0 verified=yes$/);
    const text = out.out();
    assert.equal(text.split("\n").length, 4, "header, entry, closing line, final newline");

    const into = captureIo(text);
    assert.equal(await backupCommand(["import", "-"], () => Deno.openKv(`${dir}/b.kv`), into), 0);
    {
      await using b = await Deno.openKv(`${dir}/b.kv`);
      assert.deepStrictEqual(await entriesOf(b), await entriesOf(source));
    }

    let opened = false;
    const never = () => {
      opened = true;
      return Deno.openKv(":memory:");
    };
    for (
      const args of [
        [],
        ["export"],
        ["restore", "x"],
        ["import", "a", "b"],
        ["export", "x", "--overwrite"],
        ["import", "x", "--force"],
      ]
    ) {
      const io = captureIo();
      assert.equal(await backupCommand(args, never, io), 2, args.join(" "));
      assert.match(io.errors.join("\n"), /usage: deno task admin backup export/);
    }
    assert.ok(!opened, "usage errors do not open the database");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readLines splits across chunks and handles CRLF and a missing final newline", async () => {
  const parts = ["ab", "c\nd", "e\r\n", "\nlast"].map((s) => new TextEncoder().encode(s));
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const p of parts) controller.enqueue(p);
      controller.close();
    },
  });
  assert.deepEqual(await Array.fromAsync(readLines(stream)), ["abc", "de\r", "", "last"]);
});

/** A file KV whose first full listing commits one approval-like change mid-way (traffic). */
function withTrafficDuringFirstExport(kv: Deno.Kv): Deno.Kv {
  let listings = 0;
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "list") {
        return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
          const n = ++listings;
          const inner = target.list(selector, options);
          return (async function* () {
            let seen = 0;
            for await (const e of inner) {
              // After "accounts" was passed: the account appears and the request is approved
              // in one atomic op — an inconsistent export would hold the approval only.
              if (n === 1 && ++seen === 2) {
                await target.atomic().set(["accounts", "a2"], { id: "a2" })
                  .set(["requests", "r2"], { status: "approved", accountId: "a2" }).commit();
              }
              yield e;
            }
          })();
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

Deno.test("consistent backup: an export during traffic is verified, repeated, and restores every invariant", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ebok-backup-" });
  try {
    const sourcePath = `${dir}/source.kv`;
    {
      await using kv = await Deno.openKv(sourcePath);
      await kv.set(["accounts", "a1"], { id: "a1" });
      await kv.set(["requests", "r1"], { status: "approved", accountId: "a1" });
      await kv.set(["requests", "r2"], { status: "pending" });
    }
    const io = captureIo();
    const code = await backupCommand(
      ["export", `${dir}/b.jsonl`],
      async () => withTrafficDuringFirstExport(await Deno.openKv(sourcePath)),
      io,
    );
    assert.equal(code, 0, io.errors.join());
    assert.match(io.errors[0], /changed during attempt 1; reading again/);
    assert.match(io.reports[0], /verified=yes attempts=2/);

    const restoredPath = `${dir}/restored.kv`;
    assert.equal(
      await backupCommand(
        ["import", `${dir}/b.jsonl`],
        () => Deno.openKv(restoredPath),
        captureIo(),
      ),
      0,
    );
    await using restored = await Deno.openKv(restoredPath);
    for await (
      const r of restored.list<{ status: string; accountId?: string }>({ prefix: ["requests"] })
    ) {
      if (r.value.status !== "approved") continue;
      assert.ok(
        (await restored.get(["accounts", r.value.accountId!])).value,
        `approved ${String(r.key[1])} has its account`,
      );
    }
    assert.equal(
      (await restored.get<{ status: string }>(["requests", "r2"])).value?.status,
      "approved",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("consistent backup: snapshot (SQLite backup API) of the live KV file and restore-snapshot", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ebok-snapshot-" });
  try {
    const livePath = `${dir}/live.kv`;
    const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
    await using live = await Deno.openKv(livePath);
    await live.set(["accounts", "a1"], { id: "a1" });
    await live.set(["sessions", "s1"], { accountId: "a1" });
    const op = live.atomic();
    const sms = addMessage(op, clock, {
      channel: "sms",
      to: "+48600100200",
      text: "x",
      purpose: "t",
    });
    const email = addMessage(op, clock, {
      channel: "email",
      to: "a@example.pl",
      subject: "S",
      text: "T",
      purpose: "t",
    });
    await op.commit();

    // Refused where there is no local file (Deno Deploy).
    const deploy = captureIo();
    assert.equal(
      await backupCommand(
        ["snapshot", `${dir}/x.sqlite`],
        () => Deno.openKv(":memory:"),
        deploy,
        {},
      ),
      2,
    );
    assert.match(deploy.errors[0], /local KV file.*backup export/);

    const io = captureIo();
    const snap = `${dir}/snap.sqlite`;
    assert.equal(
      await backupCommand(["snapshot", snap], () => Deno.openKv(livePath), io, {
        kvPath: livePath,
      }),
      0,
      io.errors.join(),
    );
    assert.match(io.reports[0], /^snapshot=.* entries=\d+/);
    assert.equal((await Deno.stat(snap)).mode! & 0o777, 0o600);
    await live.set(["accounts", "after"], { id: "after" }); // not in the snapshot

    const targetPath = `${dir}/restored.kv`;
    const restore = captureIo();
    assert.equal(
      await backupCommand(["restore-snapshot", snap], () => Deno.openKv(targetPath), restore, {
        kvPath: targetPath,
        clock,
      }),
      0,
      restore.errors.join(),
    );
    assert.match(
      restore.reports[0],
      /transient_dropped=1 messages_requeued=0 messages_uncertain=1/,
    );
    await using restored = await Deno.openKv(targetPath);
    assert.ok((await restored.get(["accounts", "a1"])).value);
    assert.equal((await restored.get(["accounts", "after"])).value, null);
    assert.equal((await restored.get(["sessions", "s1"])).value, null, "sessions do not come back");
    const state = async (id: string) =>
      (await restored.get<{ state: string }>(keys.messages(id))).value?.state;
    assert.equal(await state(sms.id), "uncertain", "an SMS that may have gone out is not re-sent");
    assert.equal(await state(email.id), "queued", "an e-mail keeps its idempotency key");

    const again = captureIo();
    assert.equal(
      await backupCommand(["restore-snapshot", snap], () => Deno.openKv(targetPath), again, {
        kvPath: targetPath,
      }),
      2,
    );
    assert.match(again.errors[0], /exists: stop the service and ask for --overwrite/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
