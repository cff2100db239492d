/**
 * `deno task bench`: load figures for the DESIGN.md performance yardsticks, as ratios in one run.
 *
 * 1. checks that wrk is installed;
 * 2. seeds a file-backed KV in a temp dir through the domain modules (bench/seed.ts);
 * 3. starts the real server (main.ts) on that KV and the bare Deno.serve baseline, on 127.0.0.1;
 * 4. logs in the bench residents over HTTP;
 * 5. runs wrk with the same settings against every target and prints / writes a table
 *    (bench/output/latest.md, bench/output/latest.json);
 * 6. stops everything and removes the temp dir, whatever happened.
 *
 * Settings (environment): BENCH_DURATION (seconds, default 10), BENCH_CONNECTIONS (50),
 * BENCH_THREADS (2), BENCH_WARMUP (seconds of unrecorded load before each target, default 2;
 * 0 = none), BENCH_START_TIMEOUT (seconds to wait for a server, default 60).
 */
import { type BenchData, type BenchResident, seedBenchData } from "./seed.ts";
import { errorCount, runWrk, type WrkOptions, type WrkResult } from "./wrk.ts";

const HOST = "127.0.0.1";
const root = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
const outDir = `${root}/bench/output`;

function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw.trim().replace(/s$/, ""));
  if (!Number.isInteger(n) || n < min) {
    console.error(`${name} must be a whole number ≥ ${min} (got ${JSON.stringify(raw)})`);
    Deno.exit(2);
  }
  return n;
}

const settings = {
  durationSec: intFromEnv("BENCH_DURATION", 10, 1),
  connections: intFromEnv("BENCH_CONNECTIONS", 50, 1),
  threads: intFromEnv("BENCH_THREADS", 2, 1),
  warmupSec: intFromEnv("BENCH_WARMUP", 2, 0),
  startTimeoutSec: intFromEnv("BENCH_START_TIMEOUT", 60, 1),
};
// wrk refuses fewer connections than threads.
settings.threads = Math.min(settings.threads, settings.connections);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- 1. wrk --------------------------------------------------------------------------------

async function wrkVersion(): Promise<string | null> {
  try {
    const out = await new Deno.Command("wrk", { args: ["-v"], stdout: "piped", stderr: "piped" })
      .output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    // "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer"
    const m = /^wrk\s+(\S+)/m.exec(text);
    return m ? `wrk ${m[1].replace(/^debian\//, "")}` : text.split("\n")[0].trim();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * The commit measured, "+dirty" when the app's files in the working tree differ from it (others
 * may be editing: the figures then describe a state no commit holds).
 */
async function gitRevision(): Promise<string | undefined> {
  try {
    const run = async (args: string[]) => {
      const out = await new Deno.Command("git", {
        args,
        cwd: root,
        stdout: "piped",
        stderr: "null",
      })
        .output();
      return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
    };
    const head = await run(["rev-parse", "--short", "HEAD"]);
    if (!head) return undefined;
    // Only changes that can alter what the server does count: not bench/, tests/, docs/.
    const status = await run([
      "status",
      "--porcelain",
      "--untracked-files=no",
      "--",
      ".",
      ":(exclude)bench",
      ":(exclude)tests",
      ":(exclude)docs",
    ]);
    return status ? `${head}+dirty` : head;
  } catch {
    return undefined;
  }
}

// --- processes -------------------------------------------------------------------------------

type Proc = {
  name: string;
  child: Deno.ChildProcess;
  exited: boolean;
  logPath: string;
};

const procs: Proc[] = [];
let tempDir: string | undefined;
/** Aborted at clean-up: kills a wrk that is still running. */
const stopWrk = new AbortController();

function freePort(taken: number[] = []): number {
  for (let i = 0; i < 20; i++) {
    const listener = Deno.listen({ hostname: HOST, port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    if (!taken.includes(port)) return port;
  }
  throw new Error("no free port found");
}

/** The environment a child gets: what it needs to run Deno, nothing of ours to leak in. */
function baseEnv(): Record<string, string> {
  const pass = [
    "PATH",
    "HOME",
    "DENO_DIR",
    "XDG_CACHE_HOME",
    "TMPDIR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "NPM_CONFIG_REGISTRY",
    "DENO_CERT",
  ];
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const k of pass) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  return env;
}

async function spawn(
  name: string,
  args: string[],
  env: Record<string, string>,
  logPath: string,
): Promise<Proc> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { ...baseEnv(), ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const proc: Proc = { name, child, exited: false, logPath };
  procs.push(proc);
  child.status.then(() => (proc.exited = true));
  // Drain both pipes into one log file, so a chatty child never blocks on a full pipe.
  const log = await Deno.open(logPath, { create: true, write: true, append: true });
  const writer = log.writable.getWriter();
  let open = 2;
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    try {
      for await (const chunk of stream) await writer.write(chunk);
    } catch { /* the child went away */ }
    if (--open === 0) await writer.close().catch(() => {});
  };
  drain(child.stdout);
  drain(child.stderr);
  return proc;
}

async function logTail(proc: Proc, lines = 30): Promise<string> {
  try {
    const text = await Deno.readTextFile(proc.logPath);
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Polls `url` until it answers 2xx; fails early when the process exits. */
async function waitUntilUp(proc: Proc, url: string, timeoutSec: number): Promise<number> {
  const started = performance.now();
  const deadline = started + timeoutSec * 1000;
  while (performance.now() < deadline) {
    if (proc.exited) {
      const status = await proc.child.status;
      throw new Error(
        `${proc.name} exited (code ${status.code}${
          status.signal ? `, signal ${status.signal}` : ""
        }) before answering:\n${await logTail(proc)}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: "manual" });
      await res.body?.cancel();
      if (res.ok) return Math.round(performance.now() - started);
    } catch { /* not up yet */ }
    await sleep(200);
  }
  throw new Error(
    `${proc.name} did not answer ${url} within ${timeoutSec} s:\n${await logTail(proc)}`,
  );
}

async function stop(proc: Proc) {
  if (proc.exited) return;
  try {
    proc.child.kill("SIGTERM");
  } catch { /* gone already */ }
  const done = await Promise.race([
    proc.child.status.then(() => true),
    sleep(5000).then(() => false),
  ]);
  if (!done && !proc.exited) {
    try {
      proc.child.kill("SIGKILL");
    } catch { /* gone already */ }
    await Promise.race([proc.child.status, sleep(5000)]);
  }
}

let cleaning: Promise<void> | undefined;

/** Stops wrk and the servers and removes the temp dir; every caller waits for the same run. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    stopWrk.abort();
    await Promise.all(procs.map(stop));
    if (tempDir) await Deno.remove(tempDir, { recursive: true }).catch(() => {});
  })();
  return cleaning;
}

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, nearly always 100). */
async function clockTicks(): Promise<number> {
  try {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** User + system CPU time of a process (all its threads), in clock ticks. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The fields after "(comm)": state is field 3, utime 14 and stime 15 of the whole line.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}

function procStatus(pid: number): { hwmKiB?: number; rssKiB?: number } {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = (field: string) => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
      return m ? Number(m[1]) : undefined;
    };
    return { hwmKiB: kib("VmHWM"), rssKiB: kib("VmRSS") };
  } catch {
    return {};
  }
}

// --- HTTP --------------------------------------------------------------------------------------

async function login(base: string, r: BenchResident): Promise<string> {
  const res = await fetch(`${base}/logowanie`, {
    method: "POST",
    redirect: "manual",
    signal: AbortSignal.timeout(15_000),
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: base,
    },
    body: new URLSearchParams({ identifier: r.identifier, password: r.password }),
  });
  const body = await res.text();
  const location = res.headers.get("location");
  if (res.status !== 303 || location !== "/ebok") {
    throw new Error(
      `login of ${r.label} (${r.identifier}) answered ${res.status} → ${location}: ${
        body.slice(0, 300)
      }`,
    );
  }
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(";")[0].trim();
    if (/^(__Host-)?ebok_session=/.test(pair)) return pair;
  }
  throw new Error(`login of ${r.label} set no ebok_session cookie`);
}

async function probe(
  url: string,
  cookie?: string,
): Promise<{ status: number; bytes: number; location: string | null }> {
  const res = await fetch(url, {
    redirect: "manual",
    signal: AbortSignal.timeout(15_000),
    headers: cookie ? { cookie } : {},
  });
  const body = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, bytes: body.length, location: res.headers.get("location") };
}

// --- the run -------------------------------------------------------------------------------

type Target = {
  id: string;
  label: string;
  url: string;
  cookie?: string;
};

type Row = {
  id: string;
  label: string;
  url: string;
  status: "measured" | "skipped" | "failed";
  note?: string;
  probeStatus?: number;
  probeBodyBytes?: number;
  wrk?: WrkResult;
  errors?: number;
  bytesPerResponse?: number;
  ratioToBare?: number;
  /** CPU time the serving process spent per request during the measured run (all threads). */
  serverCpuUsPerRequest?: number;
  /** 1-minute load average before the target's warm-up: other work on the machine shows here. */
  loadavgBefore?: number;
  serverHwmKiBAfter?: number;
};

function fmtMs(ms: number): string {
  return ms < 10
    ? `${ms.toFixed(2)} ms`
    : ms < 100
    ? `${ms.toFixed(1)} ms`
    : `${Math.round(ms)} ms`;
}

function fmtInt(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

function fmtPct(r: number): string {
  return `${(r * 100).toFixed(r < 0.1 ? 2 : 1)} %`;
}

function fmtBytes(n: number): string {
  return n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${Math.round(n)} B`;
}

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
  const cpuModel = (() => {
    try {
      return /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1]
        ?.trim();
    } catch {
      return undefined;
    }
  })();
  const machine = {
    cpus: navigator.hardwareConcurrency,
    cpuModel,
    memoryMiB: Math.round(Deno.systemMemoryInfo().total / 1024 / 1024),
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    loadavgAtStart: Deno.loadavg(),
    loadavgAtEnd: [] as number[],
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    wrk,
  };
  const wrkOpts: WrkOptions = {
    threads: settings.threads,
    connections: settings.connections,
    durationSec: settings.durationSec,
    signal: stopWrk.signal,
  };
  const wrkLine =
    `wrk -t${wrkOpts.threads} -c${wrkOpts.connections} -d${wrkOpts.durationSec}s --latency`;
  console.log(
    `eBOK bench at ${revision ?? "?"}: ${wrkLine}, ${settings.warmupSec} s warm-up per target`,
  );
  console.log(
    `machine: ${machine.cpus} CPUs (${
      cpuModel ?? "?"
    }), ${machine.memoryMiB} MiB, deno ${machine.deno}, ${wrk}`,
  );

  const ticks = await clockTicks();
  tempDir = await Deno.makeTempDir({ prefix: "ebok-bench-" });
  const kvPath = `${tempDir}/ebok.kv`;

  console.log("seeding the bench KV…");
  const data: BenchData = await seedBenchData(kvPath);
  console.log(
    `seeded in ${data.seedMs} ms: demo ${data.demo.identifier} (${data.demo.entries} entries), ` +
      `10-year ${data.longHistory.identifier} (${data.longHistory.entries} entries), ` +
      `new ${data.fresh.identifier} (0 entries)`,
  );

  const appPort = freePort();
  const barePort = freePort([appPort]);
  // bench/app_server.ts only imports main.ts: see there why it is not run by name.
  const app = await spawn("eBOK server (main.ts)", ["run", "--allow-all", "bench/app_server.ts"], {
    EBOK_ENV: "development",
    EBOK_DEMO: "0",
    EBOK_KV_PATH: kvPath,
    PORT: String(appPort),
  }, `${tempDir}/server.log`);
  const bare = await spawn(
    "bare Deno.serve",
    ["run", "--allow-net", "--allow-env", "bench/bare_server.ts", String(barePort)],
    {},
    `${tempDir}/bare.log`,
  );
  const appBase = `http://${HOST}:${appPort}`;
  const bareBase = `http://${HOST}:${barePort}`;
  const [appReadyMs, bareReadyMs] = await Promise.all([
    waitUntilUp(app, `${appBase}/`, settings.startTimeoutSec),
    waitUntilUp(bare, `${bareBase}/`, settings.startTimeoutSec),
  ]);
  console.log(`servers up: eBOK on ${appBase} (${appReadyMs} ms), bare on ${bareBase}`);

  const residents = [data.longHistory, data.fresh, data.demo];
  const cookies = new Map<BenchResident, string>();
  for (const r of residents) cookies.set(r, await login(appBase, r));

  const targets: Target[] = [
    { id: "bare", label: "bare Deno.serve “ok”", url: `${bareBase}/` },
    { id: "home", label: "GET / (public home)", url: `${appBase}/` },
    ...residents.map((r, i) => ({
      id: ["dashboard_10y", "dashboard_new", "dashboard_demo"][i],
      label: `GET /ebok, ${r.label}`,
      url: `${appBase}/ebok`,
      cookie: cookies.get(r),
    })),
    ...residents.map((r, i) => ({
      id: ["saldo_10y", "saldo_new", "saldo_demo"][i],
      label: `GET /ebok/saldo, ${r.label}`,
      url: `${appBase}/ebok/saldo`,
      cookie: cookies.get(r),
    })),
    { id: "bare_end", label: "bare Deno.serve “ok” (again, drift check)", url: `${bareBase}/` },
  ];

  const rows: Row[] = [];
  for (const t of targets) {
    const row: Row = { id: t.id, label: t.label, url: t.url, status: "measured" };
    rows.push(row);
    const pre = await probe(t.url, t.cookie);
    row.probeStatus = pre.status;
    row.probeBodyBytes = pre.bytes;
    if (pre.status !== 200) {
      row.status = "skipped";
      row.note = pre.status === 404
        ? "route not there (404): skipped"
        : `answered ${pre.status}${
          pre.location ? ` → ${pre.location}` : ""
        } before the run: skipped`;
      console.log(`- ${t.label}: ${row.note}`);
      continue;
    }
    const headers = t.cookie ? [`Cookie: ${t.cookie}`] : [];
    const pid = (t.id.startsWith("bare") ? bare : app).child.pid;
    row.loadavgBefore = Deno.loadavg()[0];
    try {
      if (settings.warmupSec > 0) {
        await runWrk(t.url, { ...wrkOpts, durationSec: settings.warmupSec, headers });
      }
      const cpuBefore = cpuTicks(pid);
      const { result } = await runWrk(t.url, { ...wrkOpts, headers });
      const cpuAfter = cpuTicks(pid);
      row.wrk = result;
      if (cpuBefore !== undefined && cpuAfter !== undefined && result.requests > 0) {
        row.serverCpuUsPerRequest = ((cpuAfter - cpuBefore) / ticks) * 1e6 / result.requests;
      }
      row.errors = errorCount(result);
      row.bytesPerResponse = result.requests > 0 ? result.bytesRead / result.requests : 0;
      row.serverHwmKiBAfter = procStatus(app.child.pid).hwmKiB;
      // wrk counts a 3xx as a success: make sure the session still opens the page afterwards.
      const post = await probe(t.url, t.cookie);
      if (post.status !== 200) {
        row.note = `answered ${post.status}${
          post.location ? ` → ${post.location}` : ""
        } after the run: figures are suspect`;
      }
      console.log(
        `- ${t.label}: ${fmtInt(result.requestsPerSec)} req/s, p50 ${fmtMs(result.p50Ms)}, ` +
          `p99 ${fmtMs(result.p99Ms)}, errors ${row.errors}${row.note ? ` (${row.note})` : ""}`,
      );
    } catch (e) {
      if (stopWrk.signal.aborted) throw e;
      row.status = "failed";
      row.note = e instanceof Error ? e.message.split("\n")[0] : String(e);
      console.log(`- ${t.label}: FAILED: ${row.note}`);
    }
    if (app.exited) {
      const st = await app.child.status;
      throw new Error(
        `the eBOK server died during the run (exit code ${st.code}${
          st.signal ? `, signal ${st.signal}` : ""
        }):\n${await logTail(app)}`,
      );
    }
  }

  const baseline = rows.find((r) => r.id === "bare")?.wrk?.requestsPerSec;
  for (const r of rows) {
    if (r.wrk && baseline) r.ratioToBare = r.wrk.requestsPerSec / baseline;
  }
  const mem = procStatus(app.child.pid);
  const finishedAt = new Date();
  machine.loadavgAtEnd = Deno.loadavg();

  // --- yardsticks ---
  const byId = new Map(rows.map((r) => [r.id, r]));
  const verdicts: string[] = [];
  /**
   * "Costs the same": judged on the server's CPU time per request, which other load on the
   * machine disturbs far less than req/s; the throughput ratio is reported beside it.
   */
  const compare = (longId: string, newId: string, what: string) => {
    const ra = byId.get(longId);
    const rb = byId.get(newId);
    const a = ra?.wrk;
    const b = rb?.wrk;
    if (!a || !b) return;
    const rps = a.requestsPerSec / b.requestsPerSec;
    const cpuA = ra?.serverCpuUsPerRequest;
    const cpuB = rb?.serverCpuUsPerRequest;
    const haveCpu = cpuA !== undefined && cpuB !== undefined && cpuB > 0;
    // cost ratio: > 1 means the 10-year unit costs more.
    const cost = haveCpu ? cpuA / cpuB : 1 / rps;
    const basis = haveCpu ? "CPU per request" : "throughput";
    const verdict = Math.abs(1 - cost) <= 0.1
      ? `the same within ±10 % (${basis})`
      : cost > 1
      ? `**the 10-year unit costs ${cost.toFixed(1)}× as much (${basis})**`
      : `the 10-year unit costs less (${basis}; noise?)`;
    verdicts.push(
      `${what}: ${verdict}. ` +
        (haveCpu
          ? `Server CPU per request ${Math.round(cpuA)} µs vs ${Math.round(cpuB)} µs ` +
            `(ratio ${cost.toFixed(3)}); `
          : "") +
        `${fmtInt(a.requestsPerSec)} vs ${fmtInt(b.requestsPerSec)} req/s (ratio ${
          rps.toFixed(3)
        }), p50 ${fmtMs(a.p50Ms)} vs ${fmtMs(b.p50Ms)}, p99 ${fmtMs(a.p99Ms)} vs ${
          fmtMs(b.p99Ms)
        }.`,
    );
  };
  compare("dashboard_10y", "dashboard_new", "Dashboard, 10 years vs new");
  compare("saldo_10y", "saldo_new", "Saldo, 10 years vs new");
  for (const id of ["dashboard_10y", "dashboard_new", "dashboard_demo"]) {
    const r = byId.get(id);
    if (!r?.wrk || r.ratioToBare === undefined) continue;
    const okRatio = r.ratioToBare >= 0.1;
    const okP99 = r.wrk.p99Ms < 25;
    verdicts.push(
      `${r.label}: ${fmtPct(r.ratioToBare)} of bare (yardstick ≥ 10 %: ${
        okRatio ? "met" : "**not met**"
      }), p99 ${fmtMs(r.wrk.p99Ms)} (yardstick < 25 ms: ${okP99 ? "met" : "**not met**"}).`,
    );
  }
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
    "| target | req/s | p50 | p99 | errors | vs bare | server CPU/req | bytes/resp |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((r) =>
      r.wrk
        ? `| ${r.label}${r.note ? ` (${r.note})` : ""} | ${fmtInt(r.wrk.requestsPerSec)} | ${
          fmtMs(r.wrk.p50Ms)
        } | ${fmtMs(r.wrk.p99Ms)} | ${r.errors} | ${
          r.ratioToBare === undefined ? "—" : fmtPct(r.ratioToBare)
        } | ${
          r.serverCpuUsPerRequest === undefined ? "—" : `${Math.round(r.serverCpuUsPerRequest)} µs`
        } | ${fmtBytes(r.bytesPerResponse ?? 0)} |`
        : `| ${r.label} | — | — | — | — | — | — | ${r.note ?? r.status} |`
    ),
  ].join("\n");
  const command = `deno task bench` +
    (Deno.env.get("BENCH_DURATION") || Deno.env.get("BENCH_CONNECTIONS") ||
        Deno.env.get("BENCH_THREADS") || Deno.env.get("BENCH_WARMUP")
      ? ` (BENCH_DURATION=${settings.durationSec} BENCH_CONNECTIONS=${settings.connections} BENCH_THREADS=${settings.threads} BENCH_WARMUP=${settings.warmupSec})`
      : "");
  const mib = (kib?: number) => (kib === undefined ? "?" : `${(kib / 1024).toFixed(0)} MiB`);
  const md = [
    `# eBOK benchmark, ${startedAt.toISOString()}`,
    "",
    `Revision: ${
      revision ?? "unknown"
    }. Command: \`${command}\` — every target: \`${wrkLine}\` after ${settings.warmupSec} s of unrecorded warm-up, all on ${HOST}.`,
    "",
    `Machine: ${machine.cpus} CPUs (${
      cpuModel ?? "?"
    }), ${machine.memoryMiB} MiB RAM, ${machine.os}, ` +
    `deno ${machine.deno} (V8 ${machine.v8}), ${wrk}. Load average at start: ${
      machine.loadavgAtStart.map((l) => l.toFixed(2)).join(" ")
    }, at the end: ${machine.loadavgAtEnd.map((l) => l.toFixed(2)).join(" ")}.`,
    "",
    `Data: demo resident ${data.demo.entries} ledger entries over ${data.demo.unitIds.length} units; ` +
    `10-year unit ${data.longHistory.entries} entries; new unit 0. Seeding took ${data.seedMs} ms.`,
    "",
    table,
    "",
    `eBOK server memory: peak RSS (VmHWM) ${mib(mem.hwmKiB)}, RSS at the end ${mib(mem.rssKiB)}.`,
    "",
    ...verdicts.map((v) => `- ${v}`),
    "",
  ].join("\n");

  console.log("\n" + md);
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.writeTextFile(`${outDir}/latest.md`, md);
  await Deno.writeTextFile(
    `${outDir}/latest.json`,
    JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        command,
        revision,
        wrk: wrkLine,
        settings,
        machine,
        data,
        server: { readyMs: appReadyMs, bareReadyMs, peakRssKiB: mem.hwmKiB, rssKiB: mem.rssKiB },
        rows,
        verdicts,
      },
      (k, v) => (k === "password" ? undefined : v),
      2,
    ) + "\n",
  );
  console.log(`written: bench/output/latest.md, bench/output/latest.json`);
  return rows.some((r) => r.status === "failed") ? 1 : 0;
}

const onSignal = () => {
  console.error("\ninterrupted: stopping the servers…");
  cleanup().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

let code = 1;
try {
  code = await main();
} catch (e) {
  if (!stopWrk.signal.aborted) {
    console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  code = 1;
} finally {
  await cleanup();
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
}
Deno.exit(code);
