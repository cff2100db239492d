/**
 * What the load benchmarks share (`bench/run.ts`, `bench/scale_bench.ts`): settings from the
 * environment, the child processes (servers) and their clean-up, /proc figures, logins, and one
 * measured wrk target (probe → warm-up → wrk → probe).
 *
 * A script calls `runMain(main)`: it installs the Ctrl-C / SIGTERM handler, and whatever happens
 * stops wrk and every process started through `spawn` (by its own handle, never by name) and
 * removes every dir made with `makeTempDir`.
 */
import { errorCount, runWrk, type WrkOptions, type WrkResult } from "./wrk.ts";

export const HOST = "127.0.0.1";
export const root = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
export const outDir = `${root}/bench/output`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw.trim().replace(/s$/, "").replace(/[ _]/g, ""));
  if (!Number.isInteger(n) || n < min) {
    console.error(`${name} must be a whole number ≥ ${min} (got ${JSON.stringify(raw)})`);
    Deno.exit(2);
  }
  return n;
}

/** The wrk settings every load script reads: BENCH_DURATION, _CONNECTIONS, _THREADS, … */
export function commonSettings() {
  const s = {
    durationSec: intFromEnv("BENCH_DURATION", 10, 1),
    connections: intFromEnv("BENCH_CONNECTIONS", 50, 1),
    threads: intFromEnv("BENCH_THREADS", 2, 1),
    warmupSec: intFromEnv("BENCH_WARMUP", 2, 0),
    startTimeoutSec: intFromEnv("BENCH_START_TIMEOUT", 60, 1),
  };
  // wrk refuses fewer connections than threads.
  s.threads = Math.min(s.threads, s.connections);
  return s;
}

// --- wrk, git, machine ---------------------------------------------------------------------

export async function wrkVersion(): Promise<string | null> {
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
export async function gitRevision(): Promise<string | undefined> {
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

export function machineInfo(wrk: string) {
  const cpuModel = (() => {
    try {
      return /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1]
        ?.trim();
    } catch {
      return undefined;
    }
  })();
  return {
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
}

// --- processes -------------------------------------------------------------------------------

export type Proc = {
  name: string;
  child: Deno.ChildProcess;
  exited: boolean;
  logPath: string;
};

const procs: Proc[] = [];
const tempDirs: string[] = [];
/** Aborted at clean-up: kills a wrk that is still running. */
export const stopWrk = new AbortController();

/** A temp dir removed at clean-up. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  tempDirs.push(dir);
  return dir;
}

export function freePort(taken: number[] = []): number {
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

/** Starts `deno <args>` in the project root with a clean environment plus `env`. */
export async function spawn(
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

/** The real eBOK server on the KV at `kvPath` (see bench/app_server.ts for why not main.ts). */
export function spawnApp(name: string, kvPath: string, port: number, logPath: string) {
  return spawn(name, ["run", "--allow-all", "bench/app_server.ts"], {
    EBOK_ENV: "development",
    EBOK_DEMO: "0",
    EBOK_KV_PATH: kvPath,
    PORT: String(port),
  }, logPath);
}

export function spawnBare(port: number, logPath: string) {
  return spawn(
    "bare Deno.serve",
    ["run", "--allow-net", "--allow-env", "bench/bare_server.ts", String(port)],
    {},
    logPath,
  );
}

export async function logTail(proc: Proc, lines = 30): Promise<string> {
  try {
    const text = await Deno.readTextFile(proc.logPath);
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Polls `url` until it answers 2xx; fails early when the process exits. */
export async function waitUntilUp(proc: Proc, url: string, timeoutSec: number): Promise<number> {
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

/** Throws (with the log's tail) when the process has died. */
export async function assertAlive(proc: Proc) {
  if (!proc.exited) return;
  const st = await proc.child.status;
  throw new Error(
    `${proc.name} died during the run (exit code ${st.code}${
      st.signal ? `, signal ${st.signal}` : ""
    }):\n${await logTail(proc)}`,
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

/** Stops wrk and the servers and removes the temp dirs; every caller waits for the same run. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    stopWrk.abort();
    await Promise.all(procs.map(stop));
    for (const dir of tempDirs) await Deno.remove(dir, { recursive: true }).catch(() => {});
  })();
  return cleaning;
}

/** Runs `main`, cleans up whatever happened (also on Ctrl-C / SIGTERM), exits with its code. */
export async function runMain(main: () => Promise<number>): Promise<never> {
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
}

// --- /proc -------------------------------------------------------------------------------------

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, nearly always 100). */
export async function clockTicks(): Promise<number> {
  try {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** User + system CPU time of a process (all its threads), in clock ticks. */
export function cpuTicks(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The fields after "(comm)": state is field 3, utime 14 and stime 15 of the whole line.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}

export function procStatus(pid: number): { hwmKiB?: number; rssKiB?: number } {
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

/** Posts a login form; expects `303 → expectLocation` and returns the `cookieName=value` pair. */
async function postLogin(
  url: string,
  form: Record<string, string>,
  expectLocation: string,
  cookieName: string,
  who: string,
): Promise<string> {
  const origin = new URL(url).origin;
  const res = await fetch(url, {
    method: "POST",
    redirect: "manual",
    signal: AbortSignal.timeout(15_000),
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
    body: new URLSearchParams(form),
  });
  const body = await res.text();
  const location = res.headers.get("location");
  if (res.status !== 303 || location !== expectLocation) {
    throw new Error(`login of ${who} answered ${res.status} → ${location}: ${body.slice(0, 300)}`);
  }
  const re = new RegExp(`^(__Host-)?${cookieName}=`);
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(";")[0].trim();
    if (re.test(pair)) return pair;
  }
  throw new Error(`login of ${who} set no ${cookieName} cookie`);
}

/** A resident: `POST /logowanie` (the CSRF check accepts the request's own origin). */
export function loginResident(
  base: string,
  r: { label: string; identifier: string; password: string },
): Promise<string> {
  return postLogin(
    `${base}/logowanie`,
    { identifier: r.identifier, password: r.password },
    "/ebok",
    "ebok_session",
    `${r.label} (${r.identifier})`,
  );
}

/** Staff: `POST /admin/logowanie` with login, password and the current TOTP code. */
export function loginStaff(
  base: string,
  s: { login: string; password: string; totp: string },
): Promise<string> {
  return postLogin(
    `${base}/admin/logowanie`,
    { login: s.login, password: s.password, totp: s.totp },
    "/admin/wnioski",
    "ebok_staff",
    `staff ${s.login}`,
  );
}

export async function probe(
  url: string,
  cookie?: string,
  extra: Record<string, string> = {},
): Promise<{ status: number; bytes: number; location: string | null; body: string }> {
  const res = await fetch(url, {
    redirect: "manual",
    signal: AbortSignal.timeout(30_000),
    headers: { ...extra, ...(cookie ? { cookie } : {}) },
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return {
    status: res.status,
    bytes: bytes.length,
    location: res.headers.get("location"),
    body: new TextDecoder().decode(bytes),
  };
}

// --- one measured target ---------------------------------------------------------------------

export type Target = {
  id: string;
  label: string;
  url: string;
  cookie?: string;
  /** More request headers, e.g. `Accept-Encoding: gzip` as a browser sends it. */
  headers?: Record<string, string>;
  /** The process that serves it: its CPU time is read over the measured run. */
  server: Proc;
};

export type Row = {
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

/**
 * One `GET` probe (it must answer 200, else the target is skipped with a note), a warm-up, the
 * measured wrk run with the serving process's CPU time read around it, then a second probe: wrk
 * counts a 3xx as a success, so a session lost mid-run would otherwise look like a fast page.
 */
export async function measureTarget(
  t: Target,
  wrkOpts: WrkOptions,
  warmupSec: number,
  ticks: number,
): Promise<Row> {
  const row: Row = { id: t.id, label: t.label, url: t.url, status: "measured" };
  const pre = await probe(t.url, t.cookie, t.headers);
  row.probeStatus = pre.status;
  row.probeBodyBytes = pre.bytes;
  if (pre.status !== 200) {
    row.status = "skipped";
    row.note = pre.status === 404
      ? "route not there (404): skipped"
      : `answered ${pre.status}${pre.location ? ` → ${pre.location}` : ""} before the run: skipped`;
    console.log(`- ${t.label}: ${row.note}`);
    return row;
  }
  const headers = [
    ...(t.cookie ? [`Cookie: ${t.cookie}`] : []),
    ...Object.entries(t.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  const pid = t.server.child.pid;
  row.loadavgBefore = Deno.loadavg()[0];
  try {
    if (warmupSec > 0) {
      await runWrk(t.url, { ...wrkOpts, durationSec: warmupSec, headers });
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
    row.serverHwmKiBAfter = procStatus(pid).hwmKiB;
    const post = await probe(t.url, t.cookie, t.headers);
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
  return row;
}

// --- formatting ----------------------------------------------------------------------------

export function fmtMs(ms: number): string {
  return ms < 10
    ? `${ms.toFixed(2)} ms`
    : ms < 100
    ? `${ms.toFixed(1)} ms`
    : ms < 10_000
    ? `${Math.round(ms)} ms`
    : `${(ms / 1000).toFixed(1)} s`;
}

export function fmtInt(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/** req/s: whole numbers, but one decimal under 100 (a slow page's 12.3 req/s). */
export function fmtRps(n: number): string {
  return n < 100 ? n.toFixed(1) : fmtInt(n);
}

export function fmtPct(r: number): string {
  return `${(r * 100).toFixed(r < 0.001 ? 3 : r < 0.1 ? 2 : 1)} %`;
}

export function fmtBytes(n: number): string {
  return n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${Math.round(n)} B`;
}

export const mib = (kib?: number) => (kib === undefined ? "?" : `${(kib / 1024).toFixed(0)} MiB`);
