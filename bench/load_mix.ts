/**
 * Mixed load with real sessions (`deno run -A bench/load_mix.ts`):
 *
 * 1. seeds a file-backed KV (bench/seed.ts) and adds resident accounts up to LOAD_MIX_RESIDENTS
 *    (default 10) on the seeded units, before the server starts;
 * 2. starts the real server and the bare Deno.serve (bench/harness.ts), logs every resident in
 *    over HTTP;
 * 3. one wrk run of BENCH_DURATION seconds (default 60) with BENCH_CONNECTIONS (default 50)
 *    connections and bench/load_mix.lua: each request takes the next of GET /logowanie (without
 *    a cookie: with a session it redirects to /ebok), /ebok, /ebok/saldo, /ebok/woda (with a
 *    resident's session cookie); every response outside 2xx
 *    (3xx included: a redirect to /logowanie would be a lost session) is an error;
 * 4. the same script, duration and connections against the bare server;
 * 5. prints a markdown table; stops everything (bench/harness.ts clean-up).
 *
 * BENCH_THREADS (default 2), BENCH_START_TIMEOUT (default 60) as in bench/run.ts.
 */
import { createAccount } from "../domain/accounts/accounts.ts";
import { systemClock } from "../domain/shared/clock.ts";
import { createPasswordHasher } from "../domain/accounts/password.ts";
import {
  assertAlive,
  clockTicks,
  cpuTicks,
  fmtInt,
  fmtMs,
  fmtPct,
  freePort,
  gitRevision,
  HOST,
  loginResident,
  makeTempDir,
  mib,
  probe,
  type Proc,
  procStatus,
  root,
  runMain,
  spawnApp,
  spawnBare,
  stopWrk,
  waitUntilUp,
  wrkVersion,
} from "./harness.ts";
import { BENCH_PASSWORD, seedBenchData } from "./seed.ts";
import { parseWrk, type WrkResult } from "./wrk.ts";

const envInt = (name: string, fallback: number) => {
  const v = Number(Deno.env.get(name) ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
};
const durationSec = envInt("BENCH_DURATION", 60);
const connections = envInt("BENCH_CONNECTIONS", 50);
const threads = envInt("BENCH_THREADS", 2);
const startTimeoutSec = envInt("BENCH_START_TIMEOUT", 60);
const residentsWanted = envInt("LOAD_MIX_RESIDENTS", 10);
const PATHS = ["/logowanie", "/ebok", "/ebok/saldo", "/ebok/woda"];

type Counts = { ok2xx: number; bad3xx: number; bad4xx: number; bad5xx: number; other: number };
type MixResult = {
  wrk: WrkResult;
  counts: Counts;
  /** Socket errors + every non-2xx response seen by the Lua hook. */
  errors: number;
  serverCpuUsPerRequest?: number;
};

function parseCounts(raw: string): Counts {
  const m = /LOAD_MIX ok2xx=(\d+) 3xx=(\d+) 4xx=(\d+) 5xx=(\d+) other=(\d+)/.exec(raw);
  if (!m) throw new Error(`wrk printed no LOAD_MIX line:\n${raw}`);
  const [ok2xx, bad3xx, bad4xx, bad5xx, other] = m.slice(1).map(Number);
  return { ok2xx, bad3xx, bad4xx, bad5xx, other };
}

async function runMix(base: string, cookieFile: string, server: Proc, ticks: number) {
  const args = [
    "-t",
    String(threads),
    "-c",
    String(connections),
    "-d",
    `${durationSec}s`,
    "--timeout",
    "10s",
    "--latency",
    "-s",
    `${root}/bench/load_mix.lua`,
    `${base}/`,
  ];
  const child = new Deno.Command("wrk", {
    args,
    env: { LOAD_MIX_COOKIES: cookieFile },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: stopWrk.signal,
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, (durationSec + 40) * 1000);
  const cpuBefore = cpuTicks(server.child.pid);
  try {
    const out = await child.output();
    const cpuAfter = cpuTicks(server.child.pid);
    const raw = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    if (!out.success) throw new Error(`wrk failed (exit ${out.code}):\n${raw}`);
    const wrk = parseWrk(raw);
    const counts = parseCounts(raw);
    const s = wrk.socketErrors;
    const errors = counts.bad3xx + counts.bad4xx + counts.bad5xx + counts.other + s.connect +
      s.read + s.write + s.timeout;
    const result: MixResult = { wrk, counts, errors };
    if (cpuBefore !== undefined && cpuAfter !== undefined && wrk.requests > 0) {
      result.serverCpuUsPerRequest = ((cpuAfter - cpuBefore) / ticks) * 1e6 / wrk.requests;
    }
    return { result, raw };
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<number> {
  const wrkV = await wrkVersion();
  if (!wrkV) {
    console.error("wrk is not installed: `apt-get install -y wrk`.");
    return 1;
  }
  const startedAt = new Date();
  const revision = await gitRevision();
  const loadStart = Deno.loadavg();
  const ticks = await clockTicks();
  const tempDir = await makeTempDir("ebok-loadmix-");
  const kvPath = `${tempDir}/ebok.kv`;

  console.log("seeding…");
  const data = await seedBenchData(kvPath);
  const residents = [data.demo, data.longHistory, data.fresh].map((r) => ({
    label: r.label,
    identifier: r.identifier,
    password: r.password,
  }));
  // More residents on the seeded units (a unit may have several accounts: co-owners).
  const unitPool = [...data.demo.unitIds, ...data.longHistory.unitIds, ...data.fresh.unitIds];
  if (residents.length < residentsWanted) {
    const kv = await Deno.openKv(kvPath);
    const hasher = createPasswordHasher();
    try {
      const passwordHash = await hasher.hash(BENCH_PASSWORD);
      for (let i = residents.length; i < residentsWanted; i++) {
        const unitId = unitPool[i % unitPool.length];
        const account = await createAccount(kv, systemClock, {
          firstName: "Obciążeniowy",
          lastName: `Mieszkaniec ${i}`,
          email: `load.mix.${i}@example.com`,
          phone: "+48600000001",
          unitIds: [unitId],
          passwordHash,
          passwordChangedAt: systemClock().toISOString(),
        });
        if (!account) throw new Error(`load account ${i} not created`);
        residents.push({
          label: `extra resident ${i}`,
          identifier: account.identifier,
          password: BENCH_PASSWORD,
        });
      }
    } finally {
      kv.close();
      hasher.close();
    }
  }

  const appPort = freePort();
  const barePort = freePort([appPort]);
  const app = await spawnApp("eBOK server", kvPath, appPort, `${tempDir}/server.log`);
  const bare = await spawnBare(barePort, `${tempDir}/bare.log`);
  const appBase = `http://${HOST}:${appPort}`;
  const bareBase = `http://${HOST}:${barePort}`;
  await Promise.all([
    waitUntilUp(app, `${appBase}/`, startTimeoutSec),
    waitUntilUp(bare, `${bareBase}/`, startTimeoutSec),
  ]);
  console.log(`servers up: eBOK ${appBase}, bare ${bareBase}`);

  const cookies: string[] = [];
  for (const r of residents) cookies.push(await loginResident(appBase, r));
  // Every page must answer 200 for every session before the run.
  for (const cookie of cookies) {
    for (const p of PATHS) {
      const res = await probe(`${appBase}${p}`, p === "/logowanie" ? undefined : cookie);
      if (res.status !== 200) {
        throw new Error(`probe ${p} answered ${res.status} → ${res.location} before the run`);
      }
    }
  }
  const cookieFile = `${tempDir}/cookies.txt`;
  await Deno.writeTextFile(cookieFile, cookies.join("\n") + "\n");
  console.log(`${cookies.length} residents logged in; every page answered 200 for each`);

  const wrkLine =
    `wrk -t${threads} -c${connections} -d${durationSec}s --timeout 10s --latency -s bench/load_mix.lua`;
  console.log(`eBOK mix: ${wrkLine} ${appBase}/ …`);
  const appRun = await runMix(appBase, cookieFile, app, ticks);
  await assertAlive(app);
  const hwm = procStatus(app.child.pid).hwmKiB;
  // A session still valid after the run (a redirect would mean it was lost).
  const after = await probe(`${appBase}/ebok`, cookies[0]);
  console.log(`eBOK after the run: GET /ebok → ${after.status}`);
  console.log(`bare: same script, ${durationSec} s …`);
  const bareRun = await runMix(bareBase, cookieFile, bare, ticks);
  const loadEnd = Deno.loadavg();

  const row = (label: string, r: MixResult, ratio?: number) =>
    `| ${label} | ${fmtInt(r.wrk.requests)} | ${fmtInt(r.wrk.requestsPerSec)} | ${
      fmtMs(r.wrk.p50Ms)
    } | ${fmtMs(r.wrk.p99Ms)} | ${
      fmtMs(r.wrk.latencyMaxMs)
    } | ${r.errors} (3xx ${r.counts.bad3xx}, 4xx ${r.counts.bad4xx}, 5xx ${r.counts.bad5xx}, socket ${
      r.errors - r.counts.bad3xx - r.counts.bad4xx - r.counts.bad5xx - r.counts.other
    }) | ${ratio === undefined ? "—" : fmtPct(ratio)} | ${
      r.serverCpuUsPerRequest === undefined ? "—" : `${Math.round(r.serverCpuUsPerRequest)} µs`
    } |`;
  const ratio = appRun.result.wrk.requestsPerSec / bareRun.result.wrk.requestsPerSec;
  const md = [
    `Mixed load, ${startedAt.toISOString()}, revision ${revision ?? "?"}: \`${wrkLine}\`, ` +
    `${residents.length} residents, load average ${loadStart[0].toFixed(2)} → ${
      loadEnd[0].toFixed(2)
    }.`,
    "",
    "| target | requests | req/s | p50 | p99 | max | errors | vs bare | server CPU/req |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    row("eBOK: /logowanie, /ebok, /ebok/saldo, /ebok/woda", appRun.result, ratio),
    row("bare Deno.serve “ok” (same script)", bareRun.result),
    "",
    `eBOK peak RSS ${mib(hwm)}; GET /ebok after the run: ${after.status}.`,
  ].join("\n");
  console.log("\n" + md);
  const ok = appRun.result.errors === 0 && bareRun.result.errors === 0 && after.status === 200;
  console.log(ok ? "\nzero errors" : "\nERRORS: see the table");
  return ok ? 0 : 1;
}

await runMain(main);
