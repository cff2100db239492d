/** `deno test bench/`: the wrk report parser (no load is generated here). */
import assert from "node:assert/strict";
import { errorCount, parseDuration, parseWrk, wrkArgs } from "./wrk.ts";

const report = `Running 10s test @ http://127.0.0.1:40897/ebok
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    11.52ms    9.80ms 312.45ms   91.01%
    Req/Sec     2.21k   310.12     2.90k    71.50%
  Latency Distribution
     50%   10.70ms
     75%   13.02ms
     90%   18.44ms
     99%    1.02s
  43921 requests in 10.01s, 135.72MB read
  Socket errors: connect 0, read 3, write 0, timeout 12
  Non-2xx or 3xx responses: 7
Requests/sec:   4387.91
Transfer/sec:     13.56MB`;

Deno.test("parseWrk reads throughput, percentiles and errors", () => {
  const r = parseWrk(report);
  assert.equal(r.requests, 43921);
  assert.equal(r.seconds, 10.01);
  assert.equal(r.requestsPerSec, 4387.91);
  assert.equal(r.p50Ms, 10.7);
  assert.equal(r.p99Ms, 1020);
  assert.equal(r.latencyMaxMs, 312.45);
  assert.equal(r.non2xx3xx, 7);
  assert.deepEqual(r.socketErrors, { connect: 0, read: 3, write: 0, timeout: 12 });
  assert.equal(errorCount(r), 22);
  assert.equal(Math.round(r.bytesRead / 1024 / 1024 * 100) / 100, 135.72);
});

Deno.test("parseWrk: a clean run has no error lines", () => {
  const clean = report.replace(/^\s*(Socket errors|Non-2xx).*\n/gm, "");
  const r = parseWrk(clean);
  assert.equal(errorCount(r), 0);
});

Deno.test("parseWrk refuses a report without figures", () => {
  assert.throws(() => parseWrk("unable to connect to 127.0.0.1:1 Connection refused"));
});

Deno.test("parseDuration units", () => {
  assert.ok(Math.abs(parseDuration("730.40us") - 0.7304) < 1e-9);
  assert.equal(parseDuration("2.00m"), 120_000);
});

Deno.test("wrkArgs puts headers before the URL", () => {
  assert.deepEqual(
    wrkArgs("http://127.0.0.1:1/", {
      threads: 2,
      connections: 50,
      durationSec: 10,
      headers: ["Cookie: a=b"],
    }),
    ["-t", "2", "-c", "50", "-d", "10s", "-H", "Cookie: a=b", "--latency", "http://127.0.0.1:1/"],
  );
});

Deno.test("wrkArgs passes --timeout only when asked", () => {
  const args = wrkArgs("http://127.0.0.1:1/", {
    threads: 1,
    connections: 1,
    durationSec: 1,
    timeoutSec: 30,
  });
  assert.deepEqual(args.slice(-4), ["--timeout", "30s", "--latency", "http://127.0.0.1:1/"]);
});
