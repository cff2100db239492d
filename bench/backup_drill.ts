/**
 * Backup drill (`deno run -A bench/backup_drill.ts`): nothing lost, nothing doubled.
 *
 * The real server (bench/app_server.ts = main.ts) runs on a KV file with the real Resend and
 * Twilio SDKs pointed at the fake providers in this process. For BACKUP_TRAFFIC_SEC (default 20)
 * seconds there is traffic from three processes on the same file:
 *   - the server: registrations posted over HTTP by 4 workers (each 303 is an acknowledged one);
 *   - this process (as staff): approvals of pending requests (account + e-mail + start-password
 *     SMS in one atomic op) and ledger entries posted with their totals;
 *   - operator commands (`deno task admin …` as subprocesses): a ledger import of 2 000 rows
 *     ("database is locked" case), then `backup export` (JSON Lines, verified) and
 *     `backup snapshot` (SQLite backup API) while everything else goes on.
 * Then each backup is restored into a fresh file (`backup import`, `backup restore-snapshot`),
 * the restored database delivers its pending messages to the same fakes, and every invariant is
 * checked:
 *   - every approved request has its account;
 *   - every unit's totals equal the sum of its entries;
 *   - every registration acknowledged before the backup started is present, and no e-mail
 *     address has two requests;
 *   - no message is sent twice: no Idempotency-Key accepted twice by Resend (a repeat Resend
 *     drops is counted apart, as `replayed`), no SMS text sent twice by Twilio.
 * Exit code 0 when every check holds. Only processes this script started are signalled.
 */
import { type AccessRequest, approveAccessRequest } from "../domain/access/access_requests.ts";
import { listAccessRequests } from "../domain/access/access_requests.ts";
import { getCooperativeProfile } from "../domain/backoffice/cooperative.ts";
import { seedDemoCooperative } from "../domain/demo/demo_data.ts";
import { postEntry, recomputeTotals, saveChargeComponents } from "../domain/balance/ledger.ts";
import { deliverMessage, sweepMessages, type Transports } from "../domain/messaging/messages.ts";
import { createPasswordHasher } from "../domain/accounts/password.ts";
import { createResendMailer } from "../adapters/resend_mailer.ts";
import { createTwilioSms } from "../adapters/twilio_sms.ts";
import { systemClock } from "../domain/shared/clock.ts";
import { keys } from "../domain/shared/keys.ts";
import { startFakeResend, startFakeTwilio } from "../tests/fakes/fake_provider.ts";
import { openConfiguredKv } from "../platform/kv.ts";
import { freePort, HOST, runMain, spawn, waitUntilUp } from "./harness.ts";

const TRAFFIC_SEC = Number(Deno.env.get("BACKUP_TRAFFIC_SEC") ?? 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function admin(args: string[], kvPath: string, log: string) {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "admin.ts",
      ...args,
    ],
    cwd: new URL("..", import.meta.url).pathname,
    env: { EBOK_KV_PATH: kvPath, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  await Deno.writeTextFile(log, `$ admin ${args.join(" ")}\n${text}\n`, { append: true });
  return { code: out.code, text: text.trim(), ms: Math.round(performance.now() - started) };
}

async function main(): Promise<number> {
  const resend = startFakeResend();
  const twilio = startFakeTwilio();
  // Kept after the run: its logs and files are the evidence (rm -r it afterwards).
  const dir = await Deno.makeTempDir({ prefix: "ebok-backup-drill-" });
  const kvPath = `${dir}/ebok.kv`;
  const cmdLog = `${dir}/commands.log`;
  const clock = systemClock;
  const hasher = createPasswordHasher({ useWorker: false });
  const transports: Transports = {
    mailer: createResendMailer({
      apiKey: "re_fake",
      from: "eBOK <e@example.com>",
      baseUrl: resend.url,
    }),
    sms: createTwilioSms({
      accountSid: "ACfake0000000000000000000000000000",
      authToken: "fake",
      from: "+48500000000",
      apiBase: twilio.url,
    }),
    retryBaseMs: 100,
    maxAttempts: 5,
  };

  // Seed the demo cooperative (units with accounting codes) before the server starts.
  // As the server and the admin commands open it: writes wait while another process writes.
  const kv = await openConfiguredKv({ kvPath });
  const coopData = await seedDemoCooperative(kv, clock);
  await saveChargeComponents(kv, [{ code: "eksploatacja", label: "Eksploatacja" }]);
  const flats = coopData.units.filter((u) => u.kind === "flat");
  const ledgerCsv = [
    "lokal;dokument;rodzaj;data;okres;składnik;kwota;opis;stawka;ilość;jednostka",
    ...Array.from({ length: 2000 }, (_, i) => {
      const u = flats[i % flats.length];
      return `${u.externalId};DRILL/${i};wpłata;12.11.2026;11.2026;;${10 + (i % 90)},${
        String(i % 100).padStart(2, "0")
      };Wpłata ${i};;;`;
    }),
  ].join("\n") + "\n";
  await Deno.writeTextFile(`${dir}/ledger.csv`, ledgerCsv);

  const port = freePort();
  const base = `http://${HOST}:${port}`;
  const server = await spawn("eBOK server (backup drill)", [
    "run",
    "--allow-all",
    "bench/app_server.ts",
  ], {
    EBOK_ENV: "development",
    EBOK_DEMO: "0",
    EBOK_KV_PATH: kvPath,
    PORT: String(port),
    EBOK_TRUST_PROXY: "1",
    RESEND_API_KEY: "re_fake",
    EBOK_MAIL_FROM: "eBOK <e@example.com>",
    RESEND_BASE_URL: resend.url,
    TWILIO_ACCOUNT_SID: "ACfake0000000000000000000000000000",
    TWILIO_AUTH_TOKEN: "fake",
    TWILIO_FROM: "+48500000000",
    TWILIO_API_BASE: twilio.url,
  }, `${dir}/server.log`);
  await waitUntilUp(server, `${base}/`, 60);
  const ctx = {
    coop: await getCooperativeProfile(kv, "Spółdzielnia Mieszkaniowa"),
    baseUrl: base,
    startPasswordTtlMs: 7 * 86_400_000,
  };
  const staff = { kind: "staff" as const, id: "drill", label: "Drill (biuro)" };

  let stop = false;
  let seq = 0;
  const acknowledged: { email: string; at: number }[] = [];
  const registrationErrors: string[] = [];
  const register = async (w: number) => {
    while (!stop) {
      const n = ++seq;
      const email = `drill.${w}.${n}@example.com`;
      try {
        const res = await fetch(`${base}/rejestracja`, {
          method: "POST",
          redirect: "manual",
          signal: AbortSignal.timeout(30_000),
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            origin: base,
            "x-forwarded-for": `10.${w}.${(n >> 8) & 255}.${n & 255}`,
          },
          body: new URLSearchParams({
            first_name: "Jan",
            last_name: "Próbny",
            email,
            phone: `600${String(n).padStart(6, "0")}`,
            street: "Testowa",
            building: "12",
            unit: "7",
            rodo_ack: "on",
          }),
        });
        await res.body?.cancel();
        if (res.status === 303) acknowledged.push({ email, at: Date.now() });
        else registrationErrors.push(`${email}: ${res.status}`);
      } catch (e) {
        registrationErrors.push(`${email}: ${e instanceof Error ? e.message : e}`);
      }
    }
  };
  let approvals = 0;
  const writeErrors: string[] = [];
  const guard = (work: () => Promise<void>) => async () => {
    while (!stop) {
      try {
        await work();
      } catch (e) {
        writeErrors.push(e instanceof Error ? e.message : String(e));
        await sleep(100);
      }
    }
  };
  const approve = guard(async () => {
    {
      for (const r of await listAccessRequests(kv, "pending", 5)) {
        const done = await approveAccessRequest(kv, clock, hasher, ctx, {
          requestId: r.id,
          unitIds: [flats[approvals % flats.length].id],
          staff,
        });
        if (done.ok) approvals++;
      }
      await sleep(100);
    }
  });
  let posted = 0;
  const post = guard(async () => {
    {
      const u = flats[posted % flats.length];
      await postEntry(kv, clock, {
        unitId: u.id,
        kind: "charge",
        postedOn: "2026-11-01",
        period: "2026-11",
        component: "eksploatacja",
        amount: 12_345,
        documentNo: `DRILL-NAL/${posted}`,
        description: "Eksploatacja (drill)",
      });
      posted++;
      await sleep(20);
    }
  });

  const started = Date.now();
  const workers = [0, 1, 2, 3].map(register).concat([approve(), post()]);
  await sleep(2000);
  const importRun = admin(["import", "ledger", `${dir}/ledger.csv`], kvPath, cmdLog);
  await sleep(3000);
  const exportStartedAt = Date.now();
  const exported = await admin(["backup", "export", `${dir}/backup.jsonl`], kvPath, cmdLog);
  const snapshotStartedAt = Date.now();
  const snapshot = await admin(["backup", "snapshot", `${dir}/backup.sqlite`], kvPath, cmdLog);
  const imported = await importRun;
  const left = TRAFFIC_SEC * 1000 - (Date.now() - started);
  if (left > 0) await sleep(left);
  stop = true;
  await Promise.all(workers);
  await sleep(3000); // let the server deliver what is queued
  server.child.kill("SIGTERM");
  await server.child.status;
  kv.close();
  hasher.close();

  const report: string[] = [];
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    report.push(`${ok ? "ok  " : "FAIL"} ${what}`);
    if (!ok) failures.push(what);
  };
  report.push(
    `traffic ${TRAFFIC_SEC} s: ${acknowledged.length} registrations acknowledged (${registrationErrors.length} not), ${approvals} approvals, ${posted} ledger entries posted`,
  );
  check(
    writeErrors.length === 0,
    `staff writes during traffic: ${writeErrors.length} failed${
      writeErrors.length ? ` (${[...new Set(writeErrors)].join("; ")})` : ""
    }`,
  );
  check(
    imported.code === 0,
    `ledger import during traffic (2 000 rows, ${imported.ms} ms): ${
      imported.text.split("\n").slice(-2).join(" / ")
    }`,
  );
  check(
    exported.code === 0,
    `backup export during traffic (${exported.ms} ms): ${exported.text.replace(/\n/g, " / ")}`,
  );
  check(
    snapshot.code === 0,
    `backup snapshot during traffic (${snapshot.ms} ms): ${snapshot.text}`,
  );

  const restores: [string, string[], number][] = [
    ["export", ["backup", "import", `${dir}/backup.jsonl`], exportStartedAt],
    ["snapshot", ["backup", "restore-snapshot", `${dir}/backup.sqlite`], snapshotStartedAt],
  ];
  for (const [name, args, startedAt] of restores) {
    const target = `${dir}/restored-${name}.kv`;
    const restored = await admin(args, target, cmdLog);
    check(restored.code === 0, `${name}: restore — ${restored.text}`);
    if (restored.code !== 0) continue;
    const r = await Deno.openKv(target);
    try {
      // Deliver what the restored database holds as pending, as its server would.
      for (let i = 0; i < 3; i++) {
        await sweepMessages(r, clock, 0, (id) => deliverMessage(r, transports, clock, id));
      }
      const requests: AccessRequest[] = [];
      for (const status of ["pending", "approved", "rejected"] as const) {
        requests.push(...await listAccessRequests(r, status, 100_000));
      }
      let orphans = 0;
      for (const q of requests.filter((q) => q.status === "approved")) {
        if (!q.accountId || !(await r.get(keys.accounts(q.accountId))).value) orphans++;
      }
      check(
        orphans === 0,
        `${name}: every approved request has its account (${
          requests.filter((q) => q.status === "approved").length
        } approved, ${orphans} without)`,
      );
      let units = 0;
      let wrong = 0;
      for (const u of coopData.units) {
        units++;
        if (!(await recomputeTotals(r, u.id)).equal) wrong++;
      }
      check(
        wrong === 0,
        `${name}: every unit's totals equal the sum of its entries (${units} units, ${wrong} differ)`,
      );
      const byEmail = new Map<string, number>();
      for (const q of requests) byEmail.set(q.email, (byEmail.get(q.email) ?? 0) + 1);
      const before = acknowledged.filter((a) => a.at < startedAt);
      const missing = before.filter((a) => !byEmail.has(a.email)).length;
      const twice = [...byEmail.values()].filter((n) => n > 1).length;
      check(
        missing === 0 && twice === 0,
        `${name}: ${before.length} registrations acknowledged before the backup: ${missing} missing; ${twice} e-mail addresses with two requests`,
      );
    } finally {
      r.close();
    }
  }
  const keysAccepted = new Map<string, number>();
  let replayed = 0;
  for (const q of resend.requests) {
    if (q.replayed) replayed++;
    else {
      const k = q.headers["idempotency-key"];
      keysAccepted.set(k, (keysAccepted.get(k) ?? 0) + 1);
    }
  }
  const smsTexts = new Map<string, number>();
  for (const q of twilio.requests) {
    const b = new URLSearchParams(q.body);
    const k = `${b.get("To")} ${b.get("Body")}`;
    smsTexts.set(k, (smsTexts.get(k) ?? 0) + 1);
  }
  const doubleEmails = [...keysAccepted.values()].filter((n) => n > 1).length;
  const doubleSms = [...smsTexts.values()].filter((n) => n > 1).length;
  check(
    doubleEmails === 0 && doubleSms === 0,
    `no message sent twice: ${keysAccepted.size} e-mails accepted (${replayed} repeats dropped by the idempotency key), ${smsTexts.size} SMS; ${doubleEmails} e-mails and ${doubleSms} SMS sent twice`,
  );
  await resend.close();
  await twilio.close();
  console.log(["", "Backup drill", ...report, "", `logs: ${dir}`].join("\n"));
  return failures.length ? 1 : 0;
}

await runMain(main);
