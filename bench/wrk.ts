/** Runs wrk and reads the figures out of its text report. */

export type WrkResult = {
  requests: number;
  seconds: number;
  requestsPerSec: number;
  /** Milliseconds. */
  latencyAvgMs: number;
  latencyMaxMs: number;
  p50Ms: number;
  p75Ms: number;
  p90Ms: number;
  p99Ms: number;
  bytesRead: number;
  /** Responses outside 2xx and 3xx ("Non-2xx or 3xx responses"). */
  non2xx3xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
};

const timeUnits: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const sizeUnits: Record<string, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

/** "730.40us" → 0.7304 (milliseconds). */
export function parseDuration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`wrk: unreadable duration ${JSON.stringify(text)}`);
  return Number(m[1]) * timeUnits[m[2]];
}

/** "24.33MB" → bytes. */
export function parseSize(text: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(text.trim());
  if (!m) throw new Error(`wrk: unreadable size ${JSON.stringify(text)}`);
  return Number(m[1]) * sizeUnits[m[2]];
}

/** Parses the report of `wrk --latency`; throws when a figure we rely on is missing. */
export function parseWrk(output: string): WrkResult {
  const need = (re: RegExp, what: string): RegExpExecArray => {
    const m = re.exec(output);
    if (!m) throw new Error(`wrk output has no ${what}:\n${output}`);
    return m;
  };
  const latency = need(/^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m, "latency line");
  const pct = (p: number) =>
    parseDuration(need(new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m"), `${p}% latency`)[1]);
  const total = need(/(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read/, "request count");
  const rps = need(/^Requests\/sec:\s+([\d.]+)/m, "Requests/sec");
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  return {
    requests: Number(total[1]),
    seconds: parseDuration(total[2]) / 1000,
    requestsPerSec: Number(rps[1]),
    latencyAvgMs: parseDuration(latency[1]),
    latencyMaxMs: parseDuration(latency[3]),
    p50Ms: pct(50),
    p75Ms: pct(75),
    p90Ms: pct(90),
    p99Ms: pct(99),
    bytesRead: parseSize(total[3]),
    non2xx3xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: {
      connect: socket ? Number(socket[1]) : 0,
      read: socket ? Number(socket[2]) : 0,
      write: socket ? Number(socket[3]) : 0,
      timeout: socket ? Number(socket[4]) : 0,
    },
  };
}

export function errorCount(r: WrkResult): number {
  const s = r.socketErrors;
  return r.non2xx3xx + s.connect + s.read + s.write + s.timeout;
}

export type WrkOptions = {
  threads: number;
  connections: number;
  durationSec: number;
  headers?: string[];
  /**
   * wrk's `--timeout` in seconds (wrk's own default is 2 s: a slower response is then counted as
   * a timeout error and left out of the latency figures).
   */
  timeoutSec?: number;
  /** Aborting kills wrk (the bench's clean-up on Ctrl-C). */
  signal?: AbortSignal;
};

/** wrk's own arguments for one run (the URL last). */
export function wrkArgs(url: string, o: WrkOptions): string[] {
  const args = ["-t", String(o.threads), "-c", String(o.connections), "-d", `${o.durationSec}s`];
  for (const h of o.headers ?? []) args.push("-H", h);
  if (o.timeoutSec !== undefined) args.push("--timeout", `${o.timeoutSec}s`);
  args.push("--latency", url);
  return args;
}

/** Runs wrk once, killed if it outlives its duration by 30 s; returns the raw report too. */
export async function runWrk(
  url: string,
  o: WrkOptions,
): Promise<{ result: WrkResult; raw: string }> {
  const child = new Deno.Command("wrk", {
    args: wrkArgs(url, o),
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: o.signal,
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, (o.durationSec + Math.max(30, o.timeoutSec ?? 0)) * 1000);
  try {
    const out = await child.output();
    const raw = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    if (!out.success) throw new Error(`wrk failed (exit ${out.code}) on ${url}:\n${raw}`);
    return { result: parseWrk(raw), raw };
  } finally {
    clearTimeout(timer);
  }
}
