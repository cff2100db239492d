/**
 * Fault drills (`deno run -A bench/faults.ts`), all on 127.0.0.1:
 *
 * (a) Provider outage. The fake Resend and Twilio (tests/fakes/fake_provider.ts) run in this
 *     process; the real server (bench/app_server.ts, i.e. main.ts) uses the real SDKs pointed at
 *     them (RESEND_BASE_URL / TWILIO_API_BASE). The fakes fail every request (HTTP 500) for
 *     FAULTS_OUTAGE_SEC (default 20) seconds, meanwhile FAULTS_REGISTRATIONS (default 30)
 *     registrations are posted over HTTP; then the fakes succeed again. We wait (at most
 *     FAULTS_WAIT_SEC, default 180) until every address received an accepted e-mail, then 10 s
 *     more for a late duplicate, stop the server and check: each address got exactly one
 *     accepted POST, one Idempotency-Key per address, every message record `sent`.
 * (b) kill -9 under registrations. The server on a file KV (development outbox), 8 workers
 *     posting distinct registrations in a loop; every `303 → /rejestracja/wyslano` is an
 *     acknowledged e-mail. After FAULTS_KILL_AFTER_SEC (default 3) seconds the server gets
 *     SIGKILL; it is started again on the same KV file, takes one more registration, is stopped,
 *     and the KV is read directly: every acknowledged e-mail has exactly one pending request and
 *     exactly one confirmation message; no e-mail has two; in-flight ones are counted.
 *
 * Registrations come with distinct `X-Forwarded-For` addresses and EBOK_TRUST_PROXY=1: the form
 * allows 10 per address an hour, and this drill is about delivery, not about that limit.
 * Only processes this script started are signalled (by their handle), never by name.
 */
import { type AccessRequest, listAccessRequests } from "../domain/access/access_requests.ts";
import { listMessages, type Message } from "../domain/messaging/messages.ts";
import { startFakeResend, startFakeTwilio } from "../tests/fakes/fake_provider.ts";
import {
  freePort,
  HOST,
  logTail,
  makeTempDir,
  type Proc,
  runMain,
  spawn,
  waitUntilUp,
} from "./harness.ts";

const envNum = (name: string, fallback: number) => {
  const v = Number(Deno.env.get(name) ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const OUTAGE_SEC = envNum("FAULTS_OUTAGE_SEC", 20);
const REGISTRATIONS = envNum("FAULTS_REGISTRATIONS", 30);
const WAIT_SEC = envNum("FAULTS_WAIT_SEC", 180);
const KILL_AFTER_SEC = envNum("FAULTS_KILL_AFTER_SEC", 3);
const WORKERS = envNum("FAULTS_WORKERS", 8);
/** Per worker: a bound on the loop, whatever the timing. */
const MAX_PER_WORKER = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let addressSeq = 0;
/** A distinct client address per registration (10.x.y.z). */
function nextAddress(): string {
  const n = ++addressSeq;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

type Post = { status: number; location: string | null };

async function postRegistration(base: string, email: string, timeoutMs = 15_000): Promise<Post> {
  const res = await fetch(`${base}/rejestracja`, {
    method: "POST",
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: base,
      "x-forwarded-for": nextAddress(),
    },
    body: new URLSearchParams({
      first_name: "Jan",
      last_name: "Próbny",
      email,
      phone: "600 123 456",
      street: "Testowa",
      building: "12",
      unit: "7",
      rodo_ack: "on",
    }),
  });
  await res.body?.cancel();
  return { status: res.status, location: res.headers.get("location") };
}

const acknowledged = (p: Post) => p.status === 303 && p.location === "/rejestracja/wyslano";

function serverEnv(kvPath: string, port: number, extra: Record<string, string> = {}) {
  return {
    EBOK_ENV: "development",
    EBOK_DEMO: "0",
    EBOK_KV_PATH: kvPath,
    PORT: String(port),
    EBOK_TRUST_PROXY: "1",
    ...extra,
  };
}

function startServer(name: string, env: Record<string, string>, logPath: string) {
  return spawn(name, ["run", "--allow-all", "bench/app_server.ts"], env, logPath);
}

/** SIGTERM, then SIGKILL after 5 s; only our own child. */
async function stopServer(p: Proc) {
  if (p.exited) return;
  try {
    p.child.kill("SIGTERM");
  } catch { /* gone */ }
  const done = await Promise.race([p.child.status.then(() => true), sleep(5000).then(() => false)]);
  if (!done && !p.exited) {
    try {
      p.child.kill("SIGKILL");
    } catch { /* gone */ }
    await Promise.race([p.child.status, sleep(5000)]);
  }
}

async function readKv(kvPath: string) {
  const kv = await Deno.openKv(kvPath);
  try {
    const requests: AccessRequest[] = [
      ...await listAccessRequests(kv, "pending", 100_000),
      ...await listAccessRequests(kv, "approved", 100_000),
      ...await listAccessRequests(kv, "rejected", 100_000),
    ];
    const messages: Message[] = await listMessages(kv, { limit: 100_000 });
    return { requests, messages };
  } finally {
    kv.close();
  }
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

// --- (a) provider outage -------------------------------------------------------------------------

async function outageDrill(report: string[]): Promise<boolean> {
  console.log("\n(a) provider outage");
  const resend = startFakeResend();
  const twilio = startFakeTwilio();
  const dir = await makeTempDir("ebok-faults-a-");
  const kvPath = `${dir}/ebok.kv`;
  const port = freePort();
  const base = `http://${HOST}:${port}`;
  let server: Proc | undefined;
  try {
    server = await startServer(
      "eBOK server (outage drill)",
      serverEnv(kvPath, port, {
        RESEND_API_KEY: "re_fake_key",
        EBOK_MAIL_FROM: "eBOK <ebok@example.com>",
        RESEND_BASE_URL: resend.url,
        TWILIO_ACCOUNT_SID: "ACfake0000000000000000000000000000",
        TWILIO_AUTH_TOKEN: "fake-token",
        TWILIO_FROM: "+48500000000",
        TWILIO_API_BASE: twilio.url,
      }),
      `${dir}/server.log`,
    );
    await waitUntilUp(server, `${base}/`, 60);

    // Down: every request fails with 500 (a retryable error) until we say otherwise.
    resend.failNext(1_000_000, 500);
    twilio.failNext(1_000_000, 500);
    const downAt = performance.now();
    const emails = Array.from(
      { length: REGISTRATIONS },
      (_, i) => `outage.${i}.${Date.now().toString(36)}@example.com`,
    );
    const refused: string[] = [];
    // Spread over the first 3/4 of the outage.
    const gap = (OUTAGE_SEC * 750) / REGISTRATIONS;
    for (const email of emails) {
      const r = await postRegistration(base, email);
      if (!acknowledged(r)) refused.push(`${email}: ${r.status} → ${r.location}`);
      await sleep(gap);
    }
    const left = OUTAGE_SEC * 1000 - (performance.now() - downAt);
    if (left > 0) await sleep(left);
    const failedDuringOutage = resend.requests.length;
    // Back up. Requests recorded from here on succeed (the fake records and decides in one step).
    resend.failNext(0);
    twilio.failNext(0);
    const boundary = resend.requests.length;
    const upAt = performance.now();
    console.log(
      `  ${REGISTRATIONS} registrations posted during a ${OUTAGE_SEC} s outage ` +
        `(${refused.length} not acknowledged); ${failedDuringOutage} e-mail attempts failed; back up`,
    );

    const toOf = (body: string): string => {
      try {
        const to = JSON.parse(body).to;
        return Array.isArray(to) ? to.join(",") : String(to);
      } catch {
        return "?";
      }
    };
    const accepted = () => resend.requests.slice(boundary).filter((r) => r.path === "/emails");
    const deadline = upAt + WAIT_SEC * 1000;
    let delivered = 0;
    while (performance.now() < deadline) {
      delivered = new Set(accepted().map((r) => toOf(r.body))).size;
      if (delivered >= emails.length) break;
      await sleep(1000);
    }
    const allInMs = Math.round(performance.now() - upAt);
    console.log(
      `  ${delivered}/${emails.length} addresses received an accepted e-mail ${
        (allInMs / 1000).toFixed(1)
      } s after the providers came back; waiting 10 s more for a late duplicate…`,
    );
    await sleep(10_000);
    await stopServer(server);

    const acc = accepted();
    const perTo = countBy(acc, (r) => toOf(r.body));
    const keysPerTo = new Map<string, Set<string>>();
    for (const r of resend.requests) {
      const to = toOf(r.body);
      if (!keysPerTo.has(to)) keysPerTo.set(to, new Set());
      keysPerTo.get(to)!.add(r.headers["idempotency-key"] ?? "(none)");
    }
    const perKey = countBy(acc, (r) => r.headers["idempotency-key"] ?? "(none)");
    const attemptsPerTo = countBy(resend.requests, (r) => toOf(r.body));
    const missing = emails.filter((e) => !perTo.has(e));
    const doubled = [...perTo].filter(([, n]) => n > 1).map(([e, n]) => `${e} ×${n}`);
    const keyDoubled = [...perKey].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
    const severalKeys = [...keysPerTo].filter(([, s]) => s.size > 1).map(([e]) => e);
    const strangers = [...perTo.keys()].filter((e) => !emails.includes(e));

    const { messages } = await readKv(kvPath);
    const confirmations = messages.filter((m) => m.purpose === "registration_received");
    const states = countBy(confirmations, (m) => m.state);
    const attempts = confirmations.map((m) => m.attempts);
    const maxAttempts = Math.max(0, ...attempts);
    const notSent = confirmations.filter((m) => m.state !== "sent").length;

    const ok = refused.length === 0 && missing.length === 0 && doubled.length === 0 &&
      keyDoubled.length === 0 && severalKeys.length === 0 && strangers.length === 0 &&
      notSent === 0 && confirmations.length === emails.length && twilio.requests.length === 0;
    const lines = [
      `- registrations: ${emails.length} posted over the first ${
        Math.round(OUTAGE_SEC * 0.75)
      } s of a ${OUTAGE_SEC} s outage (fake Resend and Twilio answering 500 to everything), ` +
      `${emails.length - refused.length} acknowledged (303).`,
      `- e-mail attempts during the outage: ${failedDuringOutage} (all failed); after: ${acc.length} accepted; ` +
      `attempts per address ${Math.min(...attemptsPerTo.values())}–${
        Math.max(...attemptsPerTo.values())
      } (message records: up to ${maxAttempts} attempts).`,
      `- every address had an accepted e-mail ${
        (allInMs / 1000).toFixed(1)
      } s after the providers came back (limit ${WAIT_SEC} s); ${delivered}/${emails.length}.`,
      `- exactly once: ${perTo.size} addresses with an accepted POST, ${doubled.length} with more than one` +
      `${
        doubled.length ? ` (${doubled.slice(0, 5).join(", ")})` : ""
      }; ${keyDoubled.length} Idempotency-Keys accepted twice; ` +
      `${severalKeys.length} addresses seen under more than one key; ${missing.length} missing; ${strangers.length} unexpected.`,
      `- KV after the stop: ${confirmations.length} confirmation records, states ${
        JSON.stringify(Object.fromEntries(states))
      }; Twilio requests: ${twilio.requests.length} (a registration sends no SMS).`,
      `- verdict: **${ok ? "passed" : "FAILED"}**`,
    ];
    if (refused.length) lines.push(`- not acknowledged: ${refused.slice(0, 5).join("; ")}`);
    for (const l of lines) console.log("  " + l);
    report.push(...lines);
    if (!ok) console.log(await logTail(server, 20));
    return ok;
  } finally {
    if (server) await stopServer(server);
    await resend.close();
    await twilio.close();
  }
}

// --- (b) kill -9 during registrations -------------------------------------------------------

async function killDrill(report: string[]): Promise<boolean> {
  console.log("\n(b) kill -9 during registrations under load");
  const dir = await makeTempDir("ebok-faults-b-");
  const kvPath = `${dir}/ebok.kv`;
  const port = freePort();
  const base = `http://${HOST}:${port}`;
  const env = serverEnv(kvPath, port);
  const first = await startServer("eBOK server (before kill)", env, `${dir}/server1.log`);
  await waitUntilUp(first, `${base}/`, 60);

  const stamp = Date.now().toString(36);
  const acked = new Set<string>();
  const inFlight = new Set<string>();
  const otherAnswers: string[] = [];
  let sent = 0;
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; i < MAX_PER_WORKER && !stop; i++) {
      const email = `kill.${stamp}.${w}.${i}@example.com`;
      sent++;
      try {
        const r = await postRegistration(base, email, 10_000);
        if (acknowledged(r)) acked.add(email);
        else otherAnswers.push(`${email}: ${r.status}`);
      } catch {
        // No answer: the server died with this request sent (or connecting). Outcome unknown.
        inFlight.add(email);
        return;
      }
    }
  };
  const started = performance.now();
  const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
  await sleep(KILL_AFTER_SEC * 1000);
  const ackedBeforeKill = acked.size;
  first.child.kill("SIGKILL");
  const status = await first.child.status;
  const killedAtMs = Math.round(performance.now() - started);
  stop = true;
  await Promise.race([Promise.all(workers), sleep(20_000)]);
  console.log(
    `  SIGKILL after ${killedAtMs} ms (exit signal ${status.signal}); ${sent} posted, ` +
      `${acked.size} acknowledged (${ackedBeforeKill} seen before the kill signal), ` +
      `${inFlight.size} without an answer, ${otherAnswers.length} other answers`,
  );

  // Restart on the same KV file, prove it serves (one more registration), let the queue run.
  const second = await startServer("eBOK server (after kill)", env, `${dir}/server2.log`);
  let afterRestart: Post | undefined;
  const afterEmail = `kill.${stamp}.after@example.com`;
  try {
    const readyMs = await waitUntilUp(second, `${base}/`, 60);
    afterRestart = await postRegistration(base, afterEmail);
    await sleep(5000);
    console.log(`  restarted in ${readyMs} ms; a new registration answered ${afterRestart.status}`);
  } finally {
    await stopServer(second);
  }

  const { requests, messages } = await readKv(kvPath);
  const reqPerEmail = countBy(requests, (r) => r.email);
  const confirmations = messages.filter((m) => m.purpose === "registration_received");
  const msgPerEmail = countBy(confirmations, (m) => m.to);
  const otherPurposes = countBy(
    messages.filter((m) => m.purpose !== "registration_received"),
    (m) => m.purpose,
  );
  const ackedMissing = [...acked].filter((e) => reqPerEmail.get(e) !== 1);
  const ackedMsgWrong = [...acked].filter((e) => msgPerEmail.get(e) !== 1);
  const doubledReq = [...reqPerEmail].filter(([, n]) => n > 1).map(([e]) => e);
  const doubledMsg = [...msgPerEmail].filter(([, n]) => n > 1).map(([e]) => e);
  const inFlightStored = [...inFlight].filter((e) => reqPerEmail.has(e));
  const inFlightHalf = [...inFlight].filter((e) =>
    (reqPerEmail.get(e) ?? 0) !== (msgPerEmail.get(e) ?? 0)
  );
  const unknown = [...reqPerEmail.keys()].filter((e) =>
    !acked.has(e) && !inFlight.has(e) && e !== afterEmail
  );
  const messageStates = countBy(confirmations, (m) => m.state);
  const ok = ackedMissing.length === 0 && ackedMsgWrong.length === 0 && doubledReq.length === 0 &&
    doubledMsg.length === 0 && inFlightHalf.length === 0 && unknown.length === 0 &&
    afterRestart !== undefined && acknowledged(afterRestart) && reqPerEmail.get(afterEmail) === 1 &&
    otherAnswers.length === 0 && acked.size > 0;
  const lines = [
    `- ${WORKERS} workers posting distinct registrations; SIGKILL after ${killedAtMs} ms: ${sent} posted, ` +
    `**${acked.size} acknowledged** (303), ${inFlight.size} in flight (no answer), ${otherAnswers.length} other answers.`,
    `- after the restart (same KV file): ${requests.length} requests stored (incl. 1 posted after the restart), ` +
    `${confirmations.length} confirmation messages (states ${
      JSON.stringify(Object.fromEntries(messageStates))
    })${
      otherPurposes.size
        ? `, other messages ${JSON.stringify(Object.fromEntries(otherPurposes))}`
        : ""
    }.`,
    `- acknowledged e-mails without exactly one request: ${ackedMissing.length}; without exactly one confirmation: ${ackedMsgWrong.length}.`,
    `- e-mails with two or more requests: ${doubledReq.length}; with two or more confirmations: ${doubledMsg.length}.`,
    `- in flight at the kill: ${inFlight.size}, of which ${inFlightStored.length} stored (request and message together) and ${
      inFlight.size - inFlightStored.length
    } not; request without message or the reverse: ${inFlightHalf.length}. Requests of e-mails never posted: ${unknown.length}.`,
    `- verdict: **${ok ? "passed" : "FAILED"}**`,
  ];
  if (otherAnswers.length) lines.push(`- other answers: ${otherAnswers.slice(0, 5).join("; ")}`);
  for (const l of lines) console.log("  " + l);
  report.push(...lines);
  return ok;
}

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  const which = Deno.args[0] ?? "all";
  const a: string[] = [];
  const b: string[] = [];
  const okA = which === "b" ? true : await outageDrill(a);
  const okB = which === "a" ? true : await killDrill(b);
  console.log(`\n## Fault drills, ${startedAt}\n`);
  if (a.length) console.log(["(a) provider outage", "", ...a, ""].join("\n"));
  if (b.length) console.log(["(b) kill -9 during registrations", "", ...b, ""].join("\n"));
  console.log(okA && okB ? "all drills passed" : "A DRILL FAILED");
  return okA && okB ? 0 : 1;
}

await runMain(main);
