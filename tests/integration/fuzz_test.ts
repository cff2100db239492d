/**
 * Abuse: a deterministic (seeded) fuzz of every form, every GET with query parameters and the
 * JSON API with random and hostile input — overlong strings, control characters, broken
 * encodings, HTML/script payloads, SQL-ish and path-traversal strings, wrong types, missing
 * fields, huge bodies, malformed multipart and wrong content types. For every answer: no 5xx and
 * no payload markup echoed unescaped; afterwards every stored request, account, announcement,
 * unit and reading submission still satisfies the app's own rules. Then credential stuffing
 * against both logins and the API: the per-address limits and the lockouts engage.
 */
import assert from "node:assert/strict";
import { createAccount } from "../../domain/accounts/accounts.ts";
import { seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { listAccessRequests } from "../../domain/access/access_requests.ts";
import { createStaff } from "../../domain/accounts/staff.ts";
import { currentTotp } from "../../domain/accounts/totp.ts";
import { listMeters, listReadings } from "../../domain/water/water.ts";
import { formatNrb, isValidNrb, makeNrb, makeSortCode } from "../../domain/shared/nrb.ts";
import { registrationSchema } from "../../domain/access/registration_form.ts";
import { CONTROL_CHARS } from "../../routes/validation.ts";
import { apiScopes } from "../../domain/backoffice/api_tokens.ts";
import { issueApiToken, TEST_ORIGIN, testApp } from "../helpers.ts";

type T = Awaited<ReturnType<typeof testApp>>;

// ---------------------------------------------------------------------------------------------
// Seeded randomness

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0x0e_b0_c0_01);
const rand = mulberry32(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <X>(xs: readonly X[]): X => xs[int(xs.length)];
const chance = (p: number) => rand() < p;

// ---------------------------------------------------------------------------------------------
// Payloads

/** Exact strings that must never appear unescaped in an HTML answer. */
const MARKERS = [
  "<script>alert(1)</script>",
  "onerror=alert(1)>",
  "<svg onload=alert(1)>",
  "<iframe src=javascript:alert(1)>",
];

const XSS = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "'><img src=x onerror=alert(1)>",
  "<svg onload=alert(1)>",
  "<iframe src=javascript:alert(1)>",
  "javascript:alert(1)",
  "</textarea><script>alert(1)</script>",
  "</title><script>alert(1)</script>",
  '" autofocus onfocus="alert(1)',
  "{{constructor.constructor('alert(1)')()}}",
  "${alert(1)}",
];
const SQLISH = [
  "' OR '1'='1",
  "admin'--",
  "1; DROP TABLE accounts;--",
  '" OR 1=1 --',
  "' UNION SELECT password FROM staff --",
];
const TRAVERSAL = [
  "../../../../etc/passwd",
  "..%2f..%2f..%2fetc%2fpasswd",
  "..\\..\\windows\\win.ini",
  "/admin/../ebok",
  "%00",
  "file:///etc/passwd",
];
const CONTROL = [
  "\u0000",
  "\u0007bell",
  "a\u0008b",
  "\u001b[31mred\u001b[0m",
  "\u007f",
  "\u0085",
  "x\u000by",
  "line\r\nSet-Cookie: x=1",
  "\u202eevil\u202c",
  "\u200b\u200d\ufeff",
  "\t\t\t",
];
const UNICODE = [
  "\ud800",
  "a\udc00b",
  "😀".repeat(50),
  "Zażółć gęślą jaźń",
  "ﬁ",
  "Ａ",
  "Ω",
  "\u0301\u0301\u0301",
];
const WRONG_TYPES = [
  "",
  " ",
  "null",
  "undefined",
  "true",
  "[]",
  "{}",
  '{"a":1}',
  "-1",
  "0",
  "1e308",
  "NaN",
  "Infinity",
  "0x1F",
  "99999999999999999999999",
  "-0",
  "1,5",
  "2026-13-45",
  "31.02.2026",
  "__proto__",
  "constructor",
];
const PLAUSIBLE = [
  "Jan",
  "Kowalski",
  "jan.kowalski@example.pl",
  "600 123 456",
  "+48600123456",
  "Słowackiego",
  "12",
  "7",
  "on",
  "1",
  "12,345",
  "48,50",
  "02 9990 0012 4600 0000 0000 0031",
  "2026-11-30",
  "11.2026",
  "ABC-2345",
  "Zle-haslo-1",
];

/** Percent-encodes for a URL; lone surrogates become U+FFFD (a URL cannot carry them). */
const enc = (s: string) => encodeURIComponent(s.toWellFormed());

const counts: Record<string, number> = {};
const count = (category: string) => counts[category] = (counts[category] ?? 0) + 1;

function overlong(): string {
  const n = 10_000 + int(90_001);
  const unit = pick(["A", "ą", "<script>alert(1)</script>", "😀", "%", "&", "\u0000"]);
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

/** One hostile (or occasionally plausible) value, with its category counted. */
function value(): string {
  const r = rand();
  if (r < 0.22) return count("xss"), pick(XSS);
  if (r < 0.3) return count("sqlish"), pick(SQLISH);
  if (r < 0.36) return count("traversal"), pick(TRAVERSAL);
  if (r < 0.46) return count("control"), pick(CONTROL) + pick(PLAUSIBLE);
  if (r < 0.54) return count("unicode"), pick(UNICODE);
  if (r < 0.64) return count("wrong_type"), pick(WRONG_TYPES);
  if (r < 0.69) return count("overlong"), overlong();
  if (r < 0.74) return count("medium_long"), "x".repeat(100 + int(2000));
  count("plausible");
  const base = pick(PLAUSIBLE);
  return chance(0.3) ? base + pick(XSS) : base;
}

// ---------------------------------------------------------------------------------------------
// Requests and the checks on every answer

type Fetcher = { request(path: string, init?: RequestInit): Response | Promise<Response> };

let requests = 0;
const statuses: Record<string, number> = {};
const failures: string[] = [];

function describe(init: RequestInit | undefined) {
  const body = init?.body;
  const text = typeof body === "string"
    ? body
    : body instanceof URLSearchParams
    ? body.toString()
    : body instanceof Uint8Array
    ? `<${body.length} bytes>`
    : body instanceof FormData
    ? `<multipart ${[...body.keys()].join(",")}>`
    : String(body ?? "");
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

/** Sends one request and checks what every answer must satisfy. */
async function send(app: Fetcher, path: string, init?: RequestInit): Promise<Response> {
  requests++;
  const res = await app.request(path, init);
  statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  const where = `${init?.method ?? "GET"} ${path.slice(0, 200)} ${describe(init)}`;
  if (res.status >= 500) failures.push(`${res.status} for ${where}`);
  const type = res.headers.get("content-type") ?? "";
  if (/html/.test(type)) {
    const html = await res.clone().text();
    for (const marker of MARKERS) {
      if (html.includes(marker)) failures.push(`unescaped ${JSON.stringify(marker)} in ${where}`);
    }
  }
  return res;
}

class Session {
  cookies = new Map<string, string>();
  address = "unknown";
  constructor(private app: Fetcher) {}
  headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    return {
      origin: TEST_ORIGIN,
      "x-forwarded-for": this.address,
      ...(cookie ? { cookie } : {}),
      ...extra,
    };
  }
  async request(path: string, init: RequestInit = {}) {
    const res = await send(this.app, path, {
      ...init,
      headers: this.headers(init.headers as Record<string, string> | undefined),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const v = pair.slice(eq + 1).trim();
      if (v === "" || attrs.some((a) => /max-age=0/i.test(a.trim()))) this.cookies.delete(name);
      else this.cookies.set(name, v);
    }
    return res;
  }
}

/** A random field map for a form: its own fields (some missing, some repeated) and strays. */
function fields(names: readonly string[], valid?: Record<string, string>): [string, string][] {
  if (valid && chance(0.5)) {
    // Mutational: a valid form with one or two fields made hostile.
    count("valid_with_one_hostile_field");
    const out = Object.entries(valid);
    for (let k = 0; k < 1 + int(2); k++) {
      const i = int(out.length);
      out[i] = [out[i][0], chance(0.3) ? out[i][1] + value() : value()];
    }
    return out;
  }
  const out: [string, string][] = [];
  for (const name of names) {
    if (chance(0.12)) {
      count("missing_field");
      continue;
    }
    const times = chance(0.1) ? (count("repeated_field"), 2 + int(3)) : 1;
    for (let i = 0; i < times; i++) out.push([name, value()]);
  }
  if (chance(0.15)) {
    out.push([pick(["__proto__", "constructor", "x[]", "a[b]", "", value()]), value()]);
  }
  return out;
}

/** Percent-encoding that is not UTF-8 or not percent-encoding at all. */
const BROKEN_ENCODINGS = [
  "%C3%28",
  "%FF%FE%FD",
  "%ED%A0%80",
  "%F0%28%8C%BC",
  "%C0%AF",
  "%E2%82",
  "%",
  "%zz",
  "%%41",
  "%00",
  "%F4%90%80%80",
  "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
];

/** A POST body in one of many shapes; a category counted for each. */
function body(
  names: readonly string[],
  valid?: Record<string, string>,
): { body: BodyInit | undefined; headers: Record<string, string> } {
  const f = fields(names, valid);
  const r = valid && chance(0.5) ? 0 : rand();
  if (r < 0.5) {
    count("form_urlencoded");
    return { body: new URLSearchParams(f), headers: {} };
  }
  if (r < 0.62) {
    count("broken_encoding");
    const parts = names.map((n) =>
      `${encodeURIComponent(n)}=${pick(BROKEN_ENCODINGS)}${
        chance(0.5) ? pick(BROKEN_ENCODINGS) : ""
      }`
    );
    if (chance(0.3)) parts.push(`${pick(BROKEN_ENCODINGS)}=${pick(BROKEN_ENCODINGS)}`);
    return {
      body: parts.join(pick(["&", "&&", ";", "&=&"])),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    };
  }
  if (r < 0.66) {
    count("invalid_utf8_bytes");
    const bytes = new Uint8Array([
      ...new TextEncoder().encode(`${pick(names)}=`),
      0xc3,
      0x28,
      0xff,
      0xfe,
      0xed,
      0xa0,
      0x80,
      0x00,
    ]);
    return { body: bytes, headers: { "content-type": "application/x-www-form-urlencoded" } };
  }
  if (r < 0.74) {
    count("json_to_form");
    const obj: Record<string, unknown> = {};
    for (const [k, v] of f) {
      obj[k] = chance(0.5) ? v : pick([[v, v], { v }, 12, null, true]);
    }
    return {
      body: chance(0.85) ? JSON.stringify(obj) : '{"broken": ',
      headers: { "content-type": "application/json" },
    };
  }
  if (r < 0.82) {
    count("multipart");
    const fd = new FormData();
    for (const [k, v] of f) {
      if (chance(0.15)) fd.append(k, new File([v], pick(["x.csv", "../../etc/passwd", "<b>.csv"])));
      else fd.append(k, v);
    }
    return { body: fd, headers: {} };
  }
  if (r < 0.86) {
    count("malformed_multipart");
    const text = pick([
      '--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n',
      '--other\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--other--\r\n',
      "not multipart at all",
      "--XYZ\r\nContent-Disposition: form-data\r\n\r\n\r\n--XYZ--",
      "--XYZ\r\n\r\n\r\n--XYZ--\r\n",
    ]);
    return {
      body: text,
      headers: {
        "content-type": pick([
          "multipart/form-data; boundary=XYZ",
          "multipart/form-data",
          "multipart/form-data; boundary=",
        ]),
      },
    };
  }
  if (r < 0.92) {
    count("wrong_content_type");
    return {
      body: new URLSearchParams(f).toString(),
      headers: {
        "content-type": pick([
          "text/plain",
          "application/xml",
          "application/octet-stream",
          "application/x-www-form-urlencoded; charset=iso-8859-2",
          "garbage/;;;",
        ]),
      },
    };
  }
  if (r < 0.96) {
    count("empty_body");
    return { body: chance(0.5) ? undefined : "", headers: {} };
  }
  count("huge_body_form");
  return {
    body: new URLSearchParams([[pick(names), "A".repeat(70 * 1024 + int(200_000))]]),
    headers: {},
  };
}

// ---------------------------------------------------------------------------------------------
// The stored data against the app's own rules

// deno-lint-ignore no-explicit-any
type Any = any;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function strings(v: unknown, path = ""): [string, string][] {
  if (typeof v === "string") return [[path, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => strings(x, `${path}[${i}]`));
  if (v && typeof v === "object") {
    return Object.entries(v).flatMap(([k, x]) => strings(x, `${path}.${k}`));
  }
  return [];
}

async function storedProblems(kv: Deno.Kv): Promise<string[]> {
  const problems: string[] = [];
  const bad = (what: string, why: string) => problems.push(`${what}: ${why}`);
  const clean = (what: string, s: unknown, max?: number) => {
    if (typeof s !== "string") return bad(what, `not a string: ${JSON.stringify(s)}`);
    if (CONTROL_CHARS.test(s)) bad(what, `control characters in ${JSON.stringify(s.slice(0, 80))}`);
    if (LONE_SURROGATE.test(s)) bad(what, `lone surrogate in ${JSON.stringify(s.slice(0, 80))}`);
    if (max !== undefined && s.length > max) bad(what, `${s.length} characters (max ${max})`);
  };

  for await (const e of kv.list<Any>({ prefix: ["requests"] })) {
    const r = e.value;
    const what = `request ${r.id}`;
    const parsed = registrationSchema.safeParse({
      first_name: r.firstName,
      last_name: r.lastName,
      email: r.email,
      phone: r.phone,
      street: r.street,
      building: r.building,
      unit: r.unit,
      rodo_ack: "on",
    });
    if (!parsed.success) bad(what, `fails the registration schema: ${parsed.error.message}`);
    else {
      const d = parsed.data;
      const again = [d.first_name, d.last_name, d.email, d.phone, d.building, d.unit];
      const stored = [r.firstName, r.lastName, r.email, r.phone, r.building, r.unit];
      if (JSON.stringify(again) !== JSON.stringify(stored)) {
        bad(what, `not in normal form: ${JSON.stringify(stored)}`);
      }
    }
    if (r.rejectReason !== undefined) clean(`${what} rejectReason`, r.rejectReason, 1000);
  }
  for await (const e of kv.list<Any>({ prefix: ["accounts"] })) {
    const a = e.value;
    const what = `account ${a.id}`;
    if (!/^\+48\d{9}$/.test(a.phone)) bad(what, `phone not E.164: ${JSON.stringify(a.phone)}`);
    if (
      a.email !== a.email.trim().toLowerCase() || !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(a.email)
    ) {
      bad(what, `e-mail ${JSON.stringify(a.email)}`);
    }
    if (a.email.length > 254) bad(what, "e-mail too long");
    if (!/^[A-Z]{3}-\d{4}$/.test(a.identifier)) bad(what, `identifier ${a.identifier}`);
    for (const [p, s] of strings(a)) clean(`${what}${p}`, s);
    for (const n of [a.firstName, a.lastName]) if (/[<>]/.test(n)) bad(what, `name ${n}`);
  }
  for await (const e of kv.list<Any>({ prefix: ["announcements"] })) {
    const a = e.value;
    const what = `announcement ${a.id}`;
    clean(`${what} title`, a.title, 120);
    clean(`${what} body`, a.body, 4000);
    if (a.title.length < 3 || a.title !== a.title.trim()) {
      bad(what, `title ${JSON.stringify(a.title)}`);
    }
    if (a.body.length < 1 || a.body.includes("\r")) bad(what, "body not normalised");
    if (a.visibleUntil !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(a.visibleUntil)) {
      bad(what, `visibleUntil ${a.visibleUntil}`);
    }
    if (a.audience.kind === "buildings") {
      for (const id of a.audience.buildingIds) {
        if (!(await kv.get(["buildings", id])).value) bad(what, `unknown building ${id}`);
      }
    }
  }
  for await (const e of kv.list<Any>({ prefix: ["units"] })) {
    const u = e.value;
    const what = `unit ${u.id}`;
    if (!/^[0-9A-Za-z][0-9A-Za-z/-]{0,7}$/.test(u.number)) bad(what, `number ${u.number}`);
    if (!Number.isInteger(u.areaCm2) || u.areaCm2 <= 0) bad(what, `areaCm2 ${u.areaCm2}`);
    if (!Number.isInteger(u.persons) || u.persons < 0) bad(what, `persons ${u.persons}`);
    if (!/^\d{26}$/.test(u.bankAccount) || !isValidNrb(u.bankAccount)) {
      bad(what, `bankAccount not 26 digits: ${JSON.stringify(u.bankAccount)}`);
    }
    for (const o of u.occupants) {
      clean(`${what} occupant`, o, 300);
      if (/[<>]/.test(o)) bad(what, `occupant with markup: ${JSON.stringify(o.slice(0, 80))}`);
      if (o !== o.trim() || o === "") bad(what, `occupant not trimmed: ${JSON.stringify(o)}`);
    }
  }
  for await (const e of kv.list<Any>({ prefix: ["reading_submissions"] })) {
    const s = e.value;
    const what = `reading submission ${s.id}`;
    for (const entry of s.entries) {
      if (!Number.isInteger(entry.litres) || entry.litres < 0) bad(what, `litres ${entry.litres}`);
    }
    if (s.reason !== undefined) clean(`${what} reason`, s.reason, 500);
  }
  for await (const e of kv.list<Any>({ prefix: ["staff"] })) {
    const s = e.value;
    if (!/^[a-z0-9][a-z0-9._-]{2,31}$/.test(s.login)) bad(`staff ${s.id}`, `login ${s.login}`);
    clean(`staff ${s.id} name`, s.name, 100);
  }
  for await (const e of kv.list<Any>({ prefix: ["api_tokens"] })) {
    clean(`api token ${e.value.id} name`, e.value.name, 80);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The fuzz run

const RESIDENT_PASSWORD = "Moje-Haslo-1";
const STAFF_PASSWORD = "Biuro-Haslo-Dlugie-1";

const REGISTRATION = [
  "first_name",
  "last_name",
  "email",
  "phone",
  "street",
  "building",
  "unit",
  "rodo_ack",
  "rodo_version",
  "address_confirmed",
];

Deno.test("fuzz: hostile input to every form, query and the API — no 5xx, nothing unescaped, nothing invalid stored", async () => {
  const started = performance.now();
  // Behind a trusted proxy, each request may name its own address: the per-address limits do not
  // hide the deeper code paths from the fuzz (they get their own run below).
  await using t = await testApp({ EBOK_TRUST_PROXY: "1" });
  const coop = await seedDemoCooperative(t.kv, t.clock);
  const r = coop.demoResident;
  const resident = await createAccount(t.kv, t.clock, {
    firstName: r.firstName,
    lastName: r.lastName,
    email: r.email,
    phone: r.phone,
    unitIds: [r.flatUnitId, r.garageUnitId],
    passwordHash: await t.hasher.hash(RESIDENT_PASSWORD),
  });
  assert.ok(resident);
  const victim = await createAccount(t.kv, t.clock, {
    firstName: "Ola",
    lastName: "Nowak",
    email: "ola@example.pl",
    phone: "+48600111222",
    unitIds: [],
    passwordHash: null,
  });
  assert.ok(victim);
  const staff = await createStaff(t.kv, t.clock, t.hasher, {
    login: "admin",
    password: STAFF_PASSWORD,
    name: "Adam Admin",
    role: "admin",
  });
  assert.ok(staff.ok);
  const token = await issueApiToken(t, "Fuzz", apiScopes);

  let addressSeq = 0;
  const nextAddress = () =>
    `10.${(addressSeq >> 16) & 255}.${(addressSeq >> 8) & 255}.${addressSeq++ & 255}`;

  const res = new Session(t.app);
  res.address = nextAddress();
  assert.equal(
    (await res.request("/logowanie", {
      method: "POST",
      body: new URLSearchParams({ identifier: resident.identifier, password: RESIDENT_PASSWORD }),
    })).status,
    303,
  );
  const office = new Session(t.app);
  office.address = nextAddress();
  assert.equal(
    (await office.request("/admin/logowanie", {
      method: "POST",
      body: new URLSearchParams({
        login: "admin",
        password: STAFF_PASSWORD,
        totp: currentTotp(staff.totpSecret),
      }),
    })).status,
    303,
  );

  // Something to decide: pending access requests and a pending reading submission.
  for (let i = 0; i < 4; i++) {
    const anon = new Session(t.app);
    anon.address = nextAddress();
    const sent = await anon.request("/rejestracja", {
      method: "POST",
      body: new URLSearchParams({
        first_name: "Jan",
        last_name: "Kowalski",
        email: `jan${i}@example.pl`,
        phone: "600 123 456",
        street: r.street,
        building: r.building,
        unit: r.unit,
        rodo_ack: "on",
      }),
    });
    assert.equal(sent.status, 303);
  }
  const requestIds = (await listAccessRequests(t.kv, "pending")).map((q) => q.id);
  const meters = (await listMeters(t.kv, r.flatUnitId)).filter((m) => !m.removedOn);
  const readingFields = [...meters.map((m) => `m_${m.id}`), "potwierdzam"];
  {
    const m = meters[0];
    const last = Math.max(...(await listReadings(t.kv, m.id)).map((x) => x.litres));
    const submitted = await res.request(`/ebok/woda/odczyt?lokal=${r.flatUnitId}`, {
      method: "POST",
      body: new URLSearchParams({
        [`m_${m.id}`]: ((last + 2000) / 1000).toFixed(3).replace(".", ","),
        potwierdzam: "1",
      }),
    });
    assert.equal(submitted.status, 303, "a plausible reading is taken");
  }
  const submissionIds: string[] = [];
  for await (const e of t.kv.list<{ id: string }>({ prefix: ["reading_submissions"] })) {
    submissionIds.push(e.value.id);
  }
  assert.ok(submissionIds.length > 0);

  const otherUnit = coop.units.find((u) => u.id !== r.flatUnitId && u.id !== r.garageUnitId)!;
  const fuzzId = () =>
    pick([
      pick(requestIds),
      pick(submissionIds),
      victim.id,
      otherUnit.id,
      "01ARZ3NDEKTSV4RRFFQ69G5FAV",
      enc(value()).slice(0, 300),
      "..%2F..%2Fadmin",
      "%00",
      "%C3%28",
      "x".repeat(2000),
    ]);

  type Target = {
    name: string;
    who: "public" | "resident" | "staff";
    path: () => string;
    fields: readonly string[];
    headers?: () => Record<string, string>;
    /** A valid form, mutated one field at a time. */
    valid?: Record<string, string>;
    n: number;
  };
  const targets: Target[] = [
    // Public forms. Each login answer costs an Argon2 hash: fewer of those.
    {
      name: "/rejestracja",
      who: "public",
      path: () => "/rejestracja",
      fields: REGISTRATION,
      valid: {
        first_name: "Jan",
        last_name: "Kowalski",
        email: "jan.k@example.pl",
        phone: "600 123 456",
        street: r.street,
        building: r.building,
        unit: r.unit,
        rodo_ack: "on",
      },
      n: 260,
    },
    {
      name: "/rejestracja/sprawdz",
      who: "public",
      path: () => "/rejestracja/sprawdz",
      fields: REGISTRATION,
      headers: () => ({
        "hx-request": "true",
        "hx-trigger-name": chance(0.7) ? pick(REGISTRATION) : pick(["", "x", "__proto__", "<b>"]),
      }),
      n: 220,
    },
    {
      name: "/logowanie",
      who: "public",
      path: () => "/logowanie",
      fields: ["identifier", "password"],
      n: 60,
    },
    {
      name: "/nie-pamietam-hasla",
      who: "public",
      path: () => "/nie-pamietam-hasla",
      fields: ["identifier"],
      n: 40,
    },
    {
      name: "/admin/logowanie",
      who: "public",
      path: () => "/admin/logowanie",
      fields: ["login", "password", "totp"],
      n: 50,
    },
    // A resident's forms.
    {
      name: "/zmiana-hasla",
      who: "resident",
      path: () => "/zmiana-hasla",
      fields: ["current_password", "new_password", "new_password_confirm"],
      n: 40,
    },
    {
      name: "/zmiana-hasla/sprawdz",
      who: "resident",
      path: () => "/zmiana-hasla/sprawdz",
      fields: ["new_password"],
      headers: () => ({ "hx-request": "true" }),
      n: 80,
    },
    {
      name: "/ebok/woda/odczyt",
      who: "resident",
      path: () =>
        `/ebok/woda/odczyt?lokal=${chance(0.8) ? r.flatUnitId : enc(value()).slice(0, 500)}`,
      fields: readingFields,
      n: 200,
    },
    {
      name: "/ebok/konto/wyloguj-wszedzie",
      who: "resident",
      path: () => "/ebok/konto/wyloguj-wszedzie",
      fields: ["x"],
      n: 20,
    },
    {
      name: "/ebok/konto/email",
      who: "resident",
      path: () => "/ebok/konto/email",
      fields: ["email", "email_password"],
      n: 40,
    },
    {
      name: "/ebok/konto/telefon",
      who: "resident",
      path: () => "/ebok/konto/telefon",
      fields: ["phone", "phone_password"],
      n: 40,
    },
    {
      name: "/ebok/konto/telefon/kod",
      who: "resident",
      path: () => "/ebok/konto/telefon/kod",
      fields: ["code"],
      n: 40,
    },
    {
      name: "/ebok/konto/powiadomienia",
      who: "resident",
      path: () => "/ebok/konto/powiadomienia",
      fields: ["notify"],
      n: 40,
    },
    {
      name: "/potwierdz-email",
      who: "public",
      path: () => "/potwierdz-email",
      fields: ["t"],
      n: 40,
    },
    // The office's forms.
    {
      name: "/admin/wnioski/:id/zatwierdz",
      who: "staff",
      path: () => `/admin/wnioski/${chance(0.6) ? pick(requestIds) : fuzzId()}/zatwierdz`,
      fields: ["unit_id", "units_chosen", "confirm_mismatch", "confirm_reason"],
      n: 60,
    },
    {
      name: "/admin/wnioski/:id/odrzuc",
      who: "staff",
      path: () => `/admin/wnioski/${chance(0.6) ? pick(requestIds) : fuzzId()}/odrzuc`,
      fields: ["reason"],
      valid: { reason: "Adres nie zgadza się z rejestrem." },
      n: 80,
    },
    {
      name: "/admin/konta/:id/kontakt",
      who: "staff",
      path: () => `/admin/konta/${chance(0.8) ? victim.id : fuzzId()}/kontakt`,
      fields: ["email", "phone"],
      valid: { email: "ola.nowa@example.pl", phone: "+48 600 111 333" },
      n: 120,
    },
    {
      name: "/admin/konta/:id/lokale",
      who: "staff",
      path: () => `/admin/konta/${chance(0.8) ? victim.id : fuzzId()}/lokale`,
      fields: ["unit_id", "street", "building", "unit"],
      n: 80,
    },
    {
      name: "/admin/rejestr/lokale/:id",
      who: "staff",
      path: () => `/admin/rejestr/lokale/${chance(0.8) ? otherUnit.id : fuzzId()}`,
      fields: ["number", "area", "persons", "occupants", "bankAccount"],
      valid: {
        number: "7",
        area: "48,50",
        persons: "2",
        occupants: "Jan Kowalski, Anna Kowalska",
        bankAccount: formatNrb(makeNrb(makeSortCode("9990001"), "4600000000000099")),
      },
      n: 200,
    },
    {
      name: "/admin/komunikaty",
      who: "staff",
      path: () => "/admin/komunikaty",
      fields: ["title", "body", "audience", "building_id", "visible_until", "email"],
      valid: {
        title: "Przegląd instalacji gazowej",
        body: "W czwartek od 8:00.",
        audience: "all",
        visible_until: "2026-12-31",
      },
      n: 200,
    },
    {
      name: "/admin/odczyty/:id/odrzuc",
      who: "staff",
      path: () => `/admin/odczyty/${chance(0.6) ? pick(submissionIds) : fuzzId()}/odrzuc`,
      fields: ["reason"],
      valid: { reason: "Odczyt niezgodny ze zdjęciem." },
      n: 60,
    },
    {
      name: "/admin/ustawienia/pracownicy",
      who: "staff",
      path: () => "/admin/ustawienia/pracownicy",
      fields: ["login", "name", "role", "password"],
      valid: {
        login: "nowy.pracownik",
        name: "Nowy Pracownik",
        role: "office",
        password: "Bardzo-Dlugie-Haslo-1",
      },
      n: 60,
    },
    {
      name: "/admin/ustawienia/pracownicy/:id/wylacz|wlacz",
      who: "staff",
      path: () => `/admin/ustawienia/pracownicy/${fuzzId()}/${pick(["wylacz", "wlacz"])}`,
      fields: ["x"],
      n: 20,
    },
    {
      name: "/admin/ustawienia/spoldzielnia",
      who: "staff",
      path: () => "/admin/ustawienia/spoldzielnia",
      fields: ["name", "shortName", "address", "email", "phone", "nip", "officeHours"],
      valid: {
        name: "Spółdzielnia Mieszkaniowa Fuzz",
        shortName: "SM Fuzz",
        address: "ul. Długa 1, 67-200 Głogów",
        email: "biuro@sm.example.pl",
        phone: "76 123 45 67",
        nip: "",
        officeHours: "pn–pt 8–16",
      },
      n: 120,
    },
    {
      name: "/admin/ustawienia/odczyty",
      who: "staff",
      path: () => "/admin/ustawienia/odczyty",
      fields: ["fromDay", "toDay"],
      n: 40,
    },
    {
      name: "/admin/ustawienia/woda-srednia",
      who: "staff",
      path: () => "/admin/ustawienia/woda-srednia",
      fields: ["enabled"],
      n: 20,
    },
    {
      name: "/admin/ustawienia/rodo",
      who: "staff",
      path: () => "/admin/ustawienia/rodo",
      fields: ["text"],
      n: 40,
    },
    {
      name: "/admin/ustawienia/api",
      who: "staff",
      path: () => "/admin/ustawienia/api",
      fields: ["name", "scopes"],
      valid: { name: "Integracja", scopes: "ledger" },
      n: 60,
    },
    {
      name: "/admin/haslo",
      who: "staff",
      path: () => "/admin/haslo",
      fields: ["current_password", "new_password", "new_password_confirm"],
      n: 30,
    },
    {
      name: "/admin/import/:id/wczytaj",
      who: "staff",
      path: () => `/admin/import/${fuzzId()}/wczytaj`,
      fields: ["apply_valid_only"],
      n: 20,
    },
  ];

  const formStarted = performance.now();
  for (const target of targets) {
    for (let i = 0; i < target.n; i++) {
      const session = target.who === "resident" ? res : target.who === "staff" ? office : (() => {
        const s = new Session(t.app);
        return s;
      })();
      session.address = nextAddress();
      const { body: b, headers } = body(target.fields, target.valid);
      const answer = await session.request(target.path(), {
        method: "POST",
        body: b,
        headers: { ...headers, ...target.headers?.() },
      });
      count(`POST ${target.name}`);
      if (answer.status === 413) count("answered_413");
      // A session that a fuzzed form ended (a password change cannot succeed, but be sure).
      if (target.who !== "public") {
        assert.notEqual(
          answer.headers.get("location"),
          target.who === "staff" ? "/admin/logowanie" : "/logowanie",
          `${target.name}: the session survives the fuzz`,
        );
      }
    }
  }
  const formMs = performance.now() - formStarted;

  // Bodies over the 64 KiB form limit are refused before any handler reads them.
  for (const path of ["/rejestracja", "/logowanie", "/admin/komunikaty", "/zmiana-hasla"]) {
    const session = path.startsWith("/admin") ? office : res;
    const big = await session.request(path, {
      method: "POST",
      body: new URLSearchParams({ title: "A".repeat(65 * 1024) }),
    });
    count("huge_body_form");
    assert.equal(big.status, 413, path);
  }

  // The CSV import: multipart with hostile files, malformed multipart, wrong kinds.
  const KINDS = ["units", "ledger", "meters", "readings", "settlements", "fee_rates"];
  for (let i = 0; i < 120; i++) {
    office.address = nextAddress();
    const rr = rand();
    let init: RequestInit;
    if (rr < 0.6) {
      count("import_multipart");
      const fd = new FormData();
      if (chance(0.9)) fd.append("kind", chance(0.8) ? pick(KINDS) : value());
      const header = pick([
        "lokal;budynek;numer;rodzaj;powierzchnia;osoby;rachunek",
        "lokal;dokument;rodzaj;data;okres;składnik;kwota;opis",
        "numer fabryczny;data;stan;źródło",
        value(),
      ]);
      const lines = Array.from(
        { length: 1 + int(20) },
        () =>
          Array.from({ length: 7 }, () => value().slice(0, 500).replace(/[;\n]/g, ",")).join(";"),
      );
      const raw = chance(0.1)
        ? new Uint8Array([0xff, 0xfe, 0x00, 0x3c, 0xc3, 0x28, 0x0a, 0x80])
        : new TextEncoder().encode([header, ...lines].join(pick(["\n", "\r\n", "\r"])));
      if (chance(0.95)) {
        fd.append(
          "file",
          new File(
            [raw],
            pick([
              "dane.csv",
              "../../etc/passwd",
              "<script>alert(1)</script>.csv",
              "",
              "a\u0000b.csv",
            ]),
          ),
        );
      }
      if (chance(0.1)) fd.append("file", new File([""], "pusty.csv"));
      init = { method: "POST", body: fd };
    } else if (rr < 0.8) {
      count("import_malformed_multipart");
      init = {
        method: "POST",
        body: pick([
          '--B\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nx;y\r\n',
          '--B\r\nContent-Disposition: form-data; name="kind"\r\n\r\nunits\r\n--B--',
          "garbage",
          "--B--",
        ]),
        headers: {
          "content-type": pick([
            "multipart/form-data; boundary=B",
            "multipart/form-data; boundary=C",
            "multipart/form-data",
          ]),
        },
      };
    } else {
      const { body: b, headers } = body(["kind", "file"]);
      init = { method: "POST", body: b, headers };
    }
    const answer = await office.request("/admin/import", init);
    count("POST /admin/import");
    if (answer.status === 303) {
      // Look at the preview it made: the file's hostile content must be shown escaped.
      await office.request(answer.headers.get("location")!);
      count("GET /admin/import/:id");
    }
  }

  // GETs with query parameters.
  const q = (names: string[]) => {
    const p = new URLSearchParams();
    for (const [k, v] of fields(names)) p.append(k, v.slice(0, chance(0.1) ? 20_000 : 500));
    let s = p.toString();
    if (chance(0.15)) s += `&${pick(names)}=${pick(BROKEN_ENCODINGS)}`;
    return s;
  };
  const gets: [string, "resident" | "staff", () => string][] = [
    [
      "/ebok/saldo",
      "resident",
      () => `/ebok/saldo?${q(["lokal", "rok", "okres", "rodzaj", "skladnik", "strona"])}`,
    ],
    [
      "/ebok/saldo.csv",
      "resident",
      () => `/ebok/saldo.csv?${q(["lokal", "rok", "okres", "rodzaj", "skladnik", "strona"])}`,
    ],
    ["/ebok/naliczenia", "resident", () => `/ebok/naliczenia?${q(["lokal", "rok"])}`],
    ["/ebok/wplaty", "resident", () => `/ebok/wplaty?${q(["lokal"])}`],
    ["/ebok/woda", "resident", () => `/ebok/woda?${q(["lokal", "odczyt"])}`],
    ["/ebok/woda/odczyt", "resident", () => `/ebok/woda/odczyt?${q(["lokal"])}`],
    ["/ebok/konto", "resident", () => `/ebok/konto?${q(["wylogowano"])}`],
    ["/admin/rejestr", "staff", () => `/admin/rejestr?${q(["q"])}`],
    [
      "/admin/dziennik",
      "staff",
      () => `/admin/dziennik?${q(["od", "do", "rodzaj", "kto", "dotyczy", "po"])}`,
    ],
    [
      "/admin/dziennik/dziennik.csv",
      "staff",
      () => `/admin/dziennik/dziennik.csv?${q(["od", "do", "rodzaj", "kto", "dotyczy"])}`,
    ],
    ["/admin/wnioski", "staff", () => `/admin/wnioski?${q(["wynik"])}`],
    [
      "/admin/wnioski/:id",
      "staff",
      () => `/admin/wnioski/${chance(0.7) ? pick(requestIds) : fuzzId()}?${q(["q"])}`,
    ],
    ["/admin/konta", "staff", () => `/admin/konta?${q(["q", "wynik"])}`],
    [
      "/admin/konta/:id",
      "staff",
      () => `/admin/konta/${chance(0.7) ? victim.id : fuzzId()}?${q(["wynik"])}`,
    ],
    ["/admin/odczyty", "staff", () => `/admin/odczyty?${q(["wynik"])}`],
    ["/admin/komunikaty", "staff", () => `/admin/komunikaty?${q(["wynik", "emaile"])}`],
    ["/admin/ustawienia", "staff", () => `/admin/ustawienia?${q(["wynik"])}`],
    [
      "/admin/rejestr/lokale/:id",
      "staff",
      () => `/admin/rejestr/lokale/${chance(0.7) ? otherUnit.id : fuzzId()}?${q(["wynik"])}`,
    ],
  ];
  for (const [name, who, path] of gets) {
    for (let i = 0; i < 40; i++) {
      const session = who === "resident" ? res : office;
      session.address = nextAddress();
      const answer = await session.request(path());
      count(`GET ${name}`);
      if (/\.csv/.test(name) && answer.status === 200) {
        assert.match(answer.headers.get("content-type") ?? "", /text\/csv/);
      }
    }
  }
  // The pages that show what was stored, once more after everything above.
  for (
    const path of [
      "/admin/wnioski",
      "/admin/komunikaty",
      "/admin/odczyty",
      `/admin/konta/${victim.id}`,
      `/admin/rejestr/lokale/${otherUnit.id}`,
      "/admin/ustawienia",
      "/admin/ustawienia/api",
      "/admin/dziennik",
      "/admin/import",
      "/admin/wiadomosci",
    ]
  ) {
    assert.equal((await office.request(path)).status, 200, path);
  }
  for (
    const path of [
      "/ebok",
      "/ebok/konto",
      `/ebok/woda?lokal=${r.flatUnitId}`,
      "/rejestracja",
      "/pomoc",
    ]
  ) {
    assert.equal((await res.request(path)).status, 200, path);
  }

  // The JSON API.
  const apiStarted = performance.now();
  const auth = { authorization: `Bearer ${token.secret}` };
  const row = () => {
    const o: Record<string, unknown> = {};
    const names = [
      "lokal",
      "budynek",
      "numer",
      "rodzaj",
      "powierzchnia",
      "osoby",
      "rachunek",
      "dokument",
      "data",
      "okres",
      "składnik",
      "kwota",
      "opis",
      "numer fabryczny",
      "stan",
      "źródło",
      value().slice(0, 100),
    ];
    for (const n of names) {
      if (chance(0.3)) continue;
      o[n] = chance(0.75) ? value().slice(0, chance(0.05) ? 100_000 : 300) : pick<unknown>([
        12.5,
        1e21,
        0.30000000000000004,
        -1,
        true,
        null,
        [],
        [1, 2],
        {},
        { a: "<script>alert(1)</script>" },
        Number.MAX_SAFE_INTEGER,
      ]);
    }
    return chance(0.05) ? pick<unknown>(["row", 1, null, [o]]) : o;
  };
  for (let i = 0; i < 600; i++) {
    if (i % 100 === 99) t.clock.advance(61_000); // the token's 120 a minute
    const kind = chance(0.85) ? pick(KINDS) : enc(value()).slice(0, 300);
    const rr = rand();
    let init: RequestInit;
    const headers: Record<string, string> = { ...auth, "content-type": "application/json" };
    if (chance(0.1)) {
      headers["idempotency-key"] = pick([
        "",
        "a".repeat(201),
        "klucz ze spacja",
        "\u00ff\u00fe",
        "<script>",
        crypto.randomUUID(),
        "\t",
      ]);
    }
    if (rr < 0.55) {
      count("api_json_rows");
      const top: Record<string, unknown> = {
        rows: Array.from({ length: int(12) }, row),
      };
      if (chance(0.6)) top.apply = pick<unknown>(["all", "valid", "none", "ALL", 1, null, value()]);
      if (chance(0.1)) top[value().slice(0, 50)] = value();
      init = { method: "POST", headers, body: JSON.stringify(top) };
    } else if (rr < 0.65) {
      count("api_wrong_shape");
      init = {
        method: "POST",
        headers,
        body: JSON.stringify(
          pick<unknown>([
            [],
            null,
            "rows",
            42,
            { rows: "x" },
            { rows: {} },
            { rows: null },
            { rows: [[1, 2]] },
            { rows: [], apply: "all" },
            { __proto__: { rows: [] } },
            { rows: Array.from({ length: 10_001 }, () => ({})) },
          ]),
        ),
      };
    } else if (rr < 0.75) {
      count("api_invalid_json");
      init = {
        method: "POST",
        headers,
        body: pick<BodyInit>([
          "{",
          "{'rows': []}",
          "",
          "\u0000",
          "NaN",
          '{"rows": [1,]}',
          new Uint8Array([0x7b, 0x22, 0x72, 0xc3, 0x28, 0x22, 0x3a, 0x5b, 0x5d, 0x7d]),
          new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
          '{"rows":[{"lokal":"\\ud800"}]}',
        ]),
      };
    } else if (rr < 0.85) {
      count("api_form_instead_of_json");
      init = {
        method: "POST",
        headers: {
          ...auth,
          "content-type": pick([
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=X",
            "text/plain",
            "application/json; charset=iso-8859-2",
            "application/jsonx",
          ]),
        },
        body: new URLSearchParams(fields(["rows", "apply"])).toString(),
      };
    } else if (rr < 0.95) {
      count("api_get");
      init = { method: "GET", headers: auth };
      const path = chance(0.5)
        ? `/api/v1/history?limit=${enc(value()).slice(0, 200)}`
        : `/api/v1/import/${enc(value()).slice(0, 300)}`;
      await send(t.app, path, init);
      count("API requests");
      continue;
    } else {
      count("api_wrong_method");
      init = { method: pick(["PUT", "DELETE", "PATCH"]), headers, body: "{}" };
    }
    const answer = await send(t.app, `/api/v1/import/${kind}`, init);
    count("API requests");
    if (answer.status !== 204) {
      assert.match(
        answer.headers.get("content-type") ?? "",
        /json/,
        `API answers JSON (${answer.status})`,
      );
    }
  }
  // Over the API's 10 MB limit.
  {
    t.clock.advance(61_000);
    const huge = await send(t.app, "/api/v1/import/ledger", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: `{"rows":[{"opis":"${"A".repeat(10 * 1024 * 1024 + 10)}"}]}`,
    });
    count("huge_body_api");
    assert.equal(huge.status, 413);
    assert.equal((await huge.json()).error.code, "payload_too_large");
  }
  const apiMs = performance.now() - apiStarted;

  const problems = await storedProblems(t.kv);
  const elapsed = performance.now() - started;
  console.log(
    JSON.stringify(
      {
        seed: SEED,
        requests,
        statuses,
        counts,
        formMs: Math.round(formMs),
        apiMs: Math.round(apiMs),
        totalMs: Math.round(elapsed),
      },
      null,
      1,
    ),
  );
  assert.deepEqual(failures, [], "no 5xx and no unescaped payload markup");
  assert.deepEqual(problems, [], "everything stored satisfies the app's own rules");
  assert.ok(requests >= 3000, `a few thousand requests (${requests})`);
});

// ---------------------------------------------------------------------------------------------
// Credential stuffing: one client address (testApp's is "unknown" for every request)

async function timed(f: () => Response | Promise<Response>) {
  const t0 = performance.now();
  const res = await f();
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - t0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Distinct well-formed identifiers: three letters from `i`, four digits. */
function stuffingIdentifier(i: number) {
  const L = "ABCDEFGHJKMNPRSTUWXYZ";
  return `${L[Math.floor(i / 441) % 21]}${L[Math.floor(i / 21) % 21]}${L[i % 21]}-2345`;
}

/** domain/accounts/credentials.ts's LOGIN_PER_ADDRESS (not exported): 60 attempts per 15 minutes. */
const LOGIN_PER_ADDRESS_LIMIT = 60;

Deno.test("credential stuffing: residents' login — the per-address limit, then the account lockout", async () => {
  await using t = await testApp();
  const account = await createAccount(t.kv, t.clock, {
    firstName: "Ola",
    lastName: "Nowak",
    email: "ola@example.pl",
    phone: "+48600111222",
    unitIds: [],
    passwordHash: await t.hasher.hash(RESIDENT_PASSWORD),
  });
  assert.ok(account);
  const results = [];
  for (let i = 0; i < 200; i++) {
    results.push(
      await timed(() =>
        t.post("/logowanie", { identifier: stuffingIdentifier(i), password: `Haslo-${i}-x` })
      ),
    );
  }
  const limited = results.filter((x) => x.status === 429);
  // The brief asked for ≥ 170 of 200 (a limit of 30); the limit is 60 since fb8e503.
  assert.ok(limited.length >= 200 - LOGIN_PER_ADDRESS_LIMIT, `429s: ${limited.length}`);
  assert.ok(results.every((x) => x.status === 422 || x.status === 429));
  assert.ok(limited.every((x) => /Zbyt wiele prób logowania z tego adresu/.test(x.text)));
  const first429 = results.findIndex((x) => x.status === 429);
  assert.ok(results.slice(first429).every((x) => x.status === 429), "once limited, always limited");
  // Refused before any password is verified: far faster than an Argon2 verification.
  const verifiedMs = median(results.slice(0, first429).map((x) => x.ms));
  const limitedMs = median(limited.map((x) => x.ms));
  console.log({ first429, verifiedMs, limitedMs, limited: limited.length });
  assert.ok(limitedMs * 3 < verifiedMs, `limited ${limitedMs} ms vs verified ${verifiedMs} ms`);
  // Even the right password is refused by the per-address limit now.
  const right = await t.post("/logowanie", {
    identifier: account.identifier,
    password: RESIDENT_PASSWORD,
  });
  assert.equal(right.status, 429);

  // A new window: 20 tries against one identifier lock it.
  t.clock.advance(16 * 60_000);
  const one = [];
  for (let i = 0; i < 20; i++) {
    one.push(
      await timed(() =>
        t.post("/logowanie", { identifier: account.identifier, password: `Zle-haslo-${i}` })
      ),
    );
  }
  assert.deepEqual(one.slice(0, 4).map((x) => x.status), [422, 422, 422, 422]);
  assert.ok(one.slice(4).every((x) => x.status === 429 && /będzie możliwe po/.test(x.text)));
  const locked = await t.post("/logowanie", {
    identifier: account.identifier,
    password: RESIDENT_PASSWORD,
  });
  assert.equal(locked.status, 429);
  assert.match(await locked.text(), /będzie możliwe po/);
});

Deno.test("credential stuffing: staff login — the per-address limit, then the lockout", async () => {
  await using t = await testApp();
  const staff = await createStaff(t.kv, t.clock, t.hasher, {
    login: "biuro",
    password: STAFF_PASSWORD,
    name: "Biuro",
    role: "office",
  });
  assert.ok(staff.ok);
  const results = [];
  for (let i = 0; i < 200; i++) {
    results.push(
      await timed(() =>
        t.post("/admin/logowanie", {
          login: `pracownik${i}`,
          password: `Haslo-${i}-xyz`,
          totp: String(100000 + i),
        })
      ),
    );
  }
  const limited = results.filter((x) => x.status === 429);
  assert.ok(limited.length >= 170, `429s: ${limited.length}`);
  assert.ok(limited.every((x) => /Zbyt wiele prób logowania/.test(x.text)));
  const first429 = results.findIndex((x) => x.status === 429);
  const verifiedMs = median(results.slice(0, first429).map((x) => x.ms));
  const limitedMs = median(limited.map((x) => x.ms));
  console.log({ first429, verifiedMs, limitedMs, limited: limited.length });
  assert.ok(limitedMs * 3 < verifiedMs, `limited ${limitedMs} ms vs verified ${verifiedMs} ms`);
  const right = await t.post("/admin/logowanie", {
    login: "biuro",
    password: STAFF_PASSWORD,
    totp: currentTotp(staff.totpSecret),
  });
  assert.equal(right.status, 429);

  t.clock.advance(16 * 60_000);
  const one = [];
  for (let i = 0; i < 20; i++) {
    one.push(
      await timed(() =>
        t.post("/admin/logowanie", { login: "biuro", password: `Zle-${i}`, totp: "123456" })
      ),
    );
  }
  const lockedAnswers = one.filter((x) => x.status === 429);
  assert.ok(lockedAnswers.length >= 15, `locked answers: ${lockedAnswers.length}`);
  assert.ok(lockedAnswers.every((x) => /Konto zablokowane po nieudanych próbach do/.test(x.text)));
});

Deno.test("credential stuffing: the API's 401s from one address turn into 429s", async () => {
  await using t = await testApp();
  const good = await issueApiToken(t, "Księgowość", ["ledger"]);
  const statuses: number[] = [];
  const codes: string[] = [];
  for (let i = 0; i < 200; i++) {
    const res = await t.app.request("/api/v1/import/ledger", {
      method: "POST",
      headers: {
        authorization: `Bearer ebok_${String(i).padStart(52, "a").slice(0, 52)}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ rows: [] }),
    });
    statuses.push(res.status);
    codes.push((await res.json()).error.code);
  }
  assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401));
  assert.ok(statuses.slice(20).every((s) => s === 429), "after 20 refusals: 429");
  assert.ok(codes.slice(20).every((c) => c === "rate_limited"));
  // A valid token is still served from the same address.
  const ok = await t.app.request("/api/v1/import/ledger", {
    method: "POST",
    headers: { authorization: `Bearer ${good.secret}`, "content-type": "application/json" },
    body: JSON.stringify({ rows: [], apply: "none" }),
  });
  assert.notEqual(ok.status, 429);
  assert.notEqual(ok.status, 401);
});
