/** How main.ts starts: where development listens, and a KV that cannot be written. */
import assert from "node:assert/strict";
import { join } from "node:path";

const repoRoot = new URL("../../", import.meta.url).pathname;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function start(env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts"],
    cwd: repoRoot,
    env: { NO_COLOR: "1", RESEND_API_KEY: "", TWILIO_ACCOUNT_SID: "", EBOK_DEMO: "0", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("unwritable KV directory: the start stops with one clear line, no stack trace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ebok-start-" });
  try {
    // A file where the KV folder should be: not writable as a folder, even for root.
    await Deno.writeTextFile(join(dir, "data"), "not a folder");
    const child = start({ EBOK_KV_PATH: join(dir, "data", "ebok.kv"), PORT: String(freePort()) });
    const out = await child.output();
    assert.equal(out.code, 1);
    const stderr = new TextDecoder().decode(out.stderr).trim();
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.match(stderr, /^eBOK cannot start: the KV store .*ebok\.kv cannot be opened: /);
    assert.doesNotMatch(stderr, /\bat file:/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("development listens on 127.0.0.1 unless EBOK_HOSTNAME says otherwise, and says so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ebok-start-" });
  const child = start({
    EBOK_ENV: "development",
    EBOK_KV_PATH: join(dir, "ebok.kv"),
    PORT: String(freePort()),
  });
  try {
    let text = "";
    const reading = (async () => {
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) text += chunk;
    })();
    const deadline = Date.now() + 20_000;
    while (!/127\.0\.0\.1 only/.test(text) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGTERM");
    await reading;
    assert.match(text, /listening on http:\/\/127\.0\.0\.1:\d+\//);
    assert.match(text, /listening on 127\.0\.0\.1 only .*EBOK_HOSTNAME=0\.0\.0\.0/);
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* already stopped */ }
    await child.status;
    await child.stderr.cancel();
    await Deno.remove(dir, { recursive: true });
  }
});
