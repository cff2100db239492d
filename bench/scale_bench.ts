/**
 * The dashboard and the staff register search with 10 000 units in the database, against the
 * same pages with a small database, in one run:
 *
 *   deno run --allow-all bench/scale_bench.ts
 *   BENCH_UNITS=10000 BENCH_SMALL_UNITS=100 BENCH_DURATION=10 deno run --allow-all bench/scale_bench.ts
 *
 * 1. seeds two file-backed KVs in a temp dir (bench/scale_seed.ts): BENCH_UNITS units (default
 *    10 000) and BENCH_SMALL_UNITS units (default 100), the same data per unit — the register
 *    through the units CSV import, a year of charges and payments per unit, three resident
 *    accounts and a staff account;
 * 2. starts two real eBOK servers, one on each KV, and the bare Deno.serve, on 127.0.0.1;
 * 3. logs in a resident and the staff account (password + the current TOTP code) on each;
 * 4. runs wrk against: the bare server; `GET /ebok` of a resident on each database;
 *    `GET /admin/rejestr?q=Przybyłowicz` (a rare surname: the search reads every unit) and
 *    `?q=Kowalski` (a common one: the search stops after 50 hits) on each; the bare server again;
 * 5. after each wrk run, times 21 requests one at a time (the latency of a request alone);
 * 6. prints and writes the table (bench/output/scale_latest.md, scale_latest.json) with each
 *    server's peak RSS, and stops everything (only the processes it started) whatever happened.
 *
 * Settings as bench/run.ts (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_THREADS, BENCH_WARMUP,
 * BENCH_START_TIMEOUT), plus BENCH_UNITS, BENCH_SMALL_UNITS and BENCH_WRK_TIMEOUT (wrk's
 * `--timeout` in seconds, default 30: a register search under load takes longer than wrk's own
 * 2 s default, which would count it as an error and leave it out of the latencies).
 */
import { currentTotp } from "../domain/accounts/totp.ts";
import {
  assertAlive,
  clockTicks,
  commonSettings,
  fmtBytes,
  fmtInt,
  fmtMs,
  fmtPct,
  fmtRps,
  freePort,
  gitRevision,
  HOST,
  intFromEnv,
  loginResident,
  loginStaff,
  machineInfo,
  makeTempDir,
  measureTarget,
  mib,
  outDir,
  probe,
  type Proc,
  procStatus,
  type Row,
  runMain,
  spawnApp,
  spawnBare,
  stopWrk,
  type Target,
  waitUntilUp,
  wrkVersion,
} from "./harness.ts";
import { COMMON_SURNAME, RARE_SURNAME, type ScaleData, seedScaleData } from "./scale_seed.ts";
import type { WrkOptions } from "./wrk.ts";

const settings = {
  ...commonSettings(),
  units: intFromEnv("BENCH_UNITS", 10_000, 1),
  smallUnits: intFromEnv("BENCH_SMALL_UNITS", 100, 1),
  wrkTimeoutSec: intFromEnv("BENCH_WRK_TIMEOUT", 30, 1),
};

type Db = {
  key: "big" | "small";
  data: ScaleData;
  server: Proc;
  base: string;
  residentCookie: string;
  staffCookie: string;
  rssAfterLoginKiB?: number;
};

/** Units linked on a register results page (each hit is a link to the unit's page). */
function unitLinks(html: string): number {
  return html.match(/href="\/admin\/rejestr\/lokale\//g)?.length ?? 0;
}

/**
 * Latency of a request alone: `n` requests one after another (after the wrk run, so the server is
 * warm), from this process; the median and the slowest, in ms. What one staff member searching
 * waits, as opposed to the queueing of 50 connections.
 */
async function aloneLatency(
  url: string,
  cookie: string | undefined,
  n: number,
): Promise<{ n: number; p50Ms: number; maxMs: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const p = await probe(url, cookie);
    times.push(performance.now() - t0);
    if (p.status !== 200) throw new Error(`${url} answered ${p.status} when timed alone`);
  }
  times.sort((a, b) => a - b);
  return { n, p50Ms: times[Math.floor(n / 2)], maxMs: times[n - 1] };
}

const ALONE_REQUESTS = 21;

const unitsLabel = (n: number) => `${fmtInt(n)} ${n === 1 ? "unit" : "units"}`;

async function main(): Promise<number> {
  const wrk = await wrkVersion();
  if (!wrk) {
    console.error(
      "wrk is not installed: install it with `apt-get install -y wrk` (Debian/Ubuntu).",
    );
    return 1;
  }
  const startedAt = new Date();
  const revision = await gitRevision();
  const machine = machineInfo(wrk);
  const wrkOpts: WrkOptions = {
    threads: settings.threads,
    connections: settings.connections,
    durationSec: settings.durationSec,
    timeoutSec: settings.wrkTimeoutSec,
    signal: stopWrk.signal,
  };
  const wrkLine = `wrk -t${wrkOpts.threads} -c${wrkOpts.connections} -d${wrkOpts.durationSec}s ` +
    `--timeout ${settings.wrkTimeoutSec}s --latency`;
  console.log(
    `eBOK scale bench at ${revision ?? "?"}: ${unitsLabel(settings.units)} vs ${
      unitsLabel(settings.smallUnits)
    }; ${wrkLine}, ${settings.warmupSec} s warm-up per target`,
  );
  console.log(
    `machine: ${machine.cpus} CPUs (${
      machine.cpuModel ?? "?"
    }), ${machine.memoryMiB} MiB, deno ${machine.deno}, ${wrk}`,
  );

  const ticks = await clockTicks();
  const tempDir = await makeTempDir("ebok-scale-bench-");
  const seeded: Record<Db["key"], ScaleData> = {} as Record<Db["key"], ScaleData>;
  for (const [key, units] of [["big", settings.units], ["small", settings.smallUnits]] as const) {
    console.log(`seeding ${unitsLabel(units)}…`);
    const d = await seedScaleData(`${tempDir}/${key}.kv`, units);
    seeded[key] = d;
    console.log(
      `  ${d.ms.total} ms (units import ${d.ms.units} ms, ledger ${d.ms.ledger} ms, accounts ${d.ms.accounts} ms): ` +
        `${fmtInt(d.units)} units in ${d.buildings} buildings, ${fmtInt(d.entries)} entries, ` +
        `KV file ${(d.kvBytes / 2 ** 20).toFixed(0)} MiB`,
    );
  }

  const bigPort = freePort();
  const smallPort = freePort([bigPort]);
  const barePort = freePort([bigPort, smallPort]);
  const servers = {
    big: await spawnApp(
      `eBOK server, ${unitsLabel(settings.units)}`,
      `${tempDir}/big.kv`,
      bigPort,
      `${tempDir}/server-big.log`,
    ),
    small: await spawnApp(
      `eBOK server, ${unitsLabel(settings.smallUnits)}`,
      `${tempDir}/small.kv`,
      smallPort,
      `${tempDir}/server-small.log`,
    ),
  };
  const bare = await spawnBare(barePort, `${tempDir}/bare.log`);
  const bareBase = `http://${HOST}:${barePort}`;
  const bases = { big: `http://${HOST}:${bigPort}`, small: `http://${HOST}:${smallPort}` };
  const [bigReadyMs, smallReadyMs] = await Promise.all([
    waitUntilUp(servers.big, `${bases.big}/`, settings.startTimeoutSec),
    waitUntilUp(servers.small, `${bases.small}/`, settings.startTimeoutSec),
    waitUntilUp(bare, `${bareBase}/`, settings.startTimeoutSec),
  ]);
  console.log(
    `servers up: ${bases.big} (${bigReadyMs} ms), ${bases.small} (${smallReadyMs} ms), bare ${bareBase}`,
  );

  const dbs: Db[] = [];
  for (const key of ["big", "small"] as const) {
    const data = seeded[key];
    // The middle unit's resident: the dashboard reads by key, so which one matters little.
    const resident = data.residents[Math.min(1, data.residents.length - 1)];
    const residentCookie = await loginResident(bases[key], resident);
    const staffCookie = await loginStaff(bases[key], {
      login: data.staff.login,
      password: data.staff.password,
      totp: currentTotp(data.staff.totpSecret),
    });
    dbs.push({
      key,
      data,
      server: servers[key],
      base: bases[key],
      residentCookie,
      staffCookie,
      rssAfterLoginKiB: procStatus(servers[key].child.pid).rssKiB,
    });
  }
  const [big, small] = dbs;

  const search = (db: Db, surname: string, what: string): Target => ({
    id: `rejestr_${surname === RARE_SURNAME ? "rare" : "common"}_${db.key}`,
    label: `GET /admin/rejestr?q=${surname} (${what}), ${unitsLabel(db.data.units)}`,
    url: `${db.base}/admin/rejestr?q=${encodeURIComponent(surname)}`,
    cookie: db.staffCookie,
    server: db.server,
  });
  const targets: Target[] = [
    { id: "bare", label: "bare Deno.serve “ok”", url: `${bareBase}/`, server: bare },
    ...dbs.map((db) => ({
      id: `ebok_${db.key}`,
      label: `GET /ebok (resident, 1 unit, 109 entries), ${unitsLabel(db.data.units)}`,
      url: `${db.base}/ebok`,
      cookie: db.residentCookie,
      server: db.server,
    })),
    ...dbs.map((db) => search(db, RARE_SURNAME, "rare: reads every unit")),
    ...dbs.map((db) => search(db, COMMON_SURNAME, "common: stops at 50 hits")),
    {
      id: "bare_end",
      label: "bare Deno.serve “ok” (again, drift check)",
      url: `${bareBase}/`,
      server: bare,
    },
  ];

  // What each search finds, from one request before the load (a sanity check of the data).
  const hits = new Map<string, number>();
  for (const t of targets.filter((t) => t.id.startsWith("rejestr_"))) {
    const p = await probe(t.url, t.cookie);
    hits.set(t.id, unitLinks(p.body));
  }

  const rows: Row[] = [];
  const alone = new Map<string, { n: number; p50Ms: number; maxMs: number }>();
  for (const t of targets) {
    const row = await measureTarget(t, wrkOpts, settings.warmupSec, ticks);
    rows.push(row);
    for (const db of dbs) await assertAlive(db.server);
    if (row.wrk) alone.set(t.id, await aloneLatency(t.url, t.cookie, ALONE_REQUESTS));
  }

  const baseline = rows.find((r) => r.id === "bare")?.wrk?.requestsPerSec;
  for (const r of rows) {
    if (r.wrk && baseline) r.ratioToBare = r.wrk.requestsPerSec / baseline;
  }
  const mem = { big: procStatus(big.server.child.pid), small: procStatus(small.server.child.pid) };
  const finishedAt = new Date();
  machine.loadavgAtEnd = Deno.loadavg();

  // --- readings ---
  const byId = new Map(rows.map((r) => [r.id, r]));
  const verdicts: string[] = [];
  const compare = (what: string, idBig: string, idSmall: string) => {
    const a = byId.get(idBig);
    const b = byId.get(idSmall);
    if (!a?.wrk || !b?.wrk) return;
    const cpu = a.serverCpuUsPerRequest !== undefined && b.serverCpuUsPerRequest
      ? a.serverCpuUsPerRequest / b.serverCpuUsPerRequest
      : undefined;
    verdicts.push(
      `${what}, ${unitsLabel(big.data.units)} vs ${unitsLabel(small.data.units)}: ` +
        (cpu === undefined
          ? ""
          : `server CPU per request ×${cpu.toFixed(2)} (${
            Math.round(a.serverCpuUsPerRequest!)
          } µs vs ${Math.round(b.serverCpuUsPerRequest!)} µs); `) +
        `${fmtRps(a.wrk.requestsPerSec)} vs ${fmtRps(b.wrk.requestsPerSec)} req/s (×${
          (a.wrk.requestsPerSec / b.wrk.requestsPerSec).toFixed(2)
        }), p99 ${fmtMs(a.wrk.p99Ms)} vs ${fmtMs(b.wrk.p99Ms)}.`,
    );
  };
  compare("Dashboard", "ebok_big", "ebok_small");
  compare(`Register search, rare surname`, "rejestr_rare_big", "rejestr_rare_small");
  compare(`Register search, common surname`, "rejestr_common_big", "rejestr_common_small");
  const bareEnd = byId.get("bare_end")?.wrk;
  if (baseline && bareEnd) {
    verdicts.push(
      `Drift: the bare server gave ${fmtInt(baseline)} req/s first and ${
        fmtInt(bareEnd.requestsPerSec)
      } req/s last (${((bareEnd.requestsPerSec / baseline - 1) * 100).toFixed(1)} %).`,
    );
  }

  // --- report ---
  const table = [
    "| target | req/s | p50 | p99 | errors | vs bare | server CPU/req | alone p50 / max | bytes/resp |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((r) => {
      const found = hits.get(r.id);
      const a = alone.get(r.id);
      const label = `${r.label}${found === undefined ? "" : ` — ${found} units found`}${
        r.note ? ` (${r.note})` : ""
      }`;
      return r.wrk
        ? `| ${label} | ${fmtRps(r.wrk.requestsPerSec)} | ${fmtMs(r.wrk.p50Ms)} | ${
          fmtMs(r.wrk.p99Ms)
        } | ${r.errors} | ${r.ratioToBare === undefined ? "—" : fmtPct(r.ratioToBare)} | ${
          r.serverCpuUsPerRequest === undefined ? "—" : `${fmtInt(r.serverCpuUsPerRequest)} µs`
        } | ${a ? `${fmtMs(a.p50Ms)} / ${fmtMs(a.maxMs)}` : "—"} | ${
          fmtBytes(r.bytesPerResponse ?? 0)
        } |`
        : `| ${label} | — | — | — | — | — | — | — | ${r.status} |`;
    }),
  ].join("\n");
  const envNames = [
    "BENCH_UNITS",
    "BENCH_SMALL_UNITS",
    "BENCH_DURATION",
    "BENCH_CONNECTIONS",
    "BENCH_THREADS",
    "BENCH_WARMUP",
    "BENCH_WRK_TIMEOUT",
  ];
  const envSet = envNames.filter((n) => Deno.env.get(n)).map((n) => `${n}=${Deno.env.get(n)}`);
  const command = [...envSet, "deno run --allow-all bench/scale_bench.ts"].join(" ");
  const dataLine = (db: Db) =>
    `${unitsLabel(db.data.units)} in ${db.data.buildings} buildings, ${
      fmtInt(db.data.entries)
    } ledger entries, ${db.data.residents.length} resident accounts + 1 staff, ${db.data.rareSurnameUnits} units with a ${RARE_SURNAME}; KV file ${
      (db.data.kvBytes / 2 ** 20).toFixed(0)
    } MiB; seeded in ${(db.data.ms.total / 1000).toFixed(1)} s (units import ${
      (db.data.ms.units / 1000).toFixed(1)
    } s, ledger ${(db.data.ms.ledger / 1000).toFixed(1)} s)`;
  const md = [
    `# eBOK scale benchmark, ${startedAt.toISOString()}`,
    "",
    `Revision: ${
      revision ?? "unknown"
    }. Command: \`${command}\` — every target: \`${wrkLine}\` after ${settings.warmupSec} s of unrecorded warm-up, all on ${HOST}.`,
    "",
    `Machine: ${machine.cpus} CPUs (${
      machine.cpuModel ?? "?"
    }), ${machine.memoryMiB} MiB RAM, ${machine.os}, deno ${machine.deno} (V8 ${machine.v8}), ${wrk}. ` +
    `Load average at start: ${
      machine.loadavgAtStart.map((l) => l.toFixed(2)).join(" ")
    }, at the end: ${machine.loadavgAtEnd.map((l) => l.toFixed(2)).join(" ")}.`,
    "",
    `Data: big — ${dataLine(big)}. Small — ${dataLine(small)}.`,
    "",
    table,
    "",
    ...dbs.map((db) =>
      `eBOK server, ${unitsLabel(db.data.units)}: RSS ${
        mib(db.rssAfterLoginKiB)
      } after start and logins, peak (VmHWM) ${mib(mem[db.key].hwmKiB)}, at the end ${
        mib(mem[db.key].rssKiB)
      }.`
    ),
    "",
    ...verdicts.map((v) => `- ${v}`),
    "",
  ].join("\n");

  console.log("\n" + md);
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.writeTextFile(`${outDir}/scale_latest.md`, md);
  await Deno.writeTextFile(
    `${outDir}/scale_latest.json`,
    JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        command,
        revision,
        wrk: wrkLine,
        settings,
        machine,
        data: { big: big.data, small: small.data },
        hits: Object.fromEntries(hits),
        alone: Object.fromEntries(alone),
        servers: Object.fromEntries(dbs.map((db) => [db.key, {
          readyMs: db.key === "big" ? bigReadyMs : smallReadyMs,
          rssAfterLoginKiB: db.rssAfterLoginKiB,
          peakRssKiB: mem[db.key].hwmKiB,
          rssKiB: mem[db.key].rssKiB,
        }])),
        rows,
        verdicts,
      },
      (k, v) => (k === "password" || k === "totpSecret" ? undefined : v),
      2,
    ) + "\n",
  );
  console.log(`written: bench/output/scale_latest.md, bench/output/scale_latest.json`);
  return rows.some((r) => r.status === "failed") ? 1 : 0;
}

await runMain(main);
