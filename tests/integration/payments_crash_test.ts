/**
 * The kill -9 drill: the process that received a payment notification dies (SIGKILL) around the
 * gateway's verify call — before it (the gateway never heard from us) and after it (the gateway
 * verified, our confirmation never committed). After a restart, the sweep and the gateway's
 * repeated notification together confirm the payment exactly once.
 */
import assert from "node:assert/strict";
import { createPrzelewy24Gateway } from "../../adapters/przelewy24.ts";
import { startFakePrzelewy24Server } from "../../adapters/fake_przelewy24.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { getPayment } from "../../domain/payments/payments.ts";
import {
  listPendingVerifications,
  paymentSweep,
  receivePaymentNotification,
} from "../../domain/payments/confirmation.ts";
import { listInTransit } from "../../domain/payments/in_transit.ts";
import { memoryLogger } from "../../platform/log.ts";
import { DRILL_CREDENTIALS } from "../fixtures/payment_crash.ts";

const fixture = new URL("../fixtures/payment_crash.ts", import.meta.url).pathname;
const UNIT = "UNIT-DRILL-3-14";

async function spawnVictim(kvPath: string, fakeUrl: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", fixture, kvPath, fakeUrl, UNIT],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (!buffer.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
  }
  reader.releaseLock();
  const [word, paymentId, token] = buffer.trim().split(" ");
  if (word !== "payment") {
    const err = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    throw new Error(`victim did not start: ${buffer} ${err}`);
  }
  return { child, paymentId, token };
}

async function drill(
  moment: "beforeVerify" | "afterVerify",
  dir: string,
  fake: ReturnType<typeof startFakePrzelewy24Server>,
) {
  const kvPath = `${dir}/ebok.kv`;
  const victim = await spawnVictim(kvPath, fake.url);
  let killed!: Promise<void>;
  const hooked = new Promise<void>((resolve) => {
    const hook = async () => {
      fake.hooks.beforeVerify = fake.hooks.afterVerify = undefined;
      victim.child.kill("SIGKILL");
      killed = victim.child.status.then(() => {});
      await killed;
      resolve();
      // Before: the gateway never answers this verify call (nor marks anything verified).
      return moment === "beforeVerify" ? "abort" as const : undefined;
    };
    if (moment === "beforeVerify") fake.hooks.beforeVerify = hook;
    else fake.hooks.afterVerify = async () => void await hook();
  });
  const paid = await fake.pay(victim.token);
  assert.equal(paid.notificationStatus, "unreachable", "the victim died mid-notification");
  await hooked;
  const status = await victim.child.status;
  assert.equal(status.signal, "SIGKILL");
  await victim.child.stdout.cancel().catch(() => {});
  await victim.child.stderr.cancel().catch(() => {});
  const t = fake.bySession(victim.paymentId)!;
  assert.equal(t.status, moment === "beforeVerify" ? 1 : 2, "the gateway's side of the crash");

  // The restarted server: same KV file, a clock past the dead process's lease.
  const kv = await Deno.openKv(kvPath);
  try {
    const id = victim.paymentId;
    assert.equal((await getPayment(kv, id))!.state, "pending", "not confirmed by the dead one");
    assert.equal((await listPendingVerifications(kv)).length, 1, "the notification survived");
    assert.equal((await listInTransit(kv, UNIT)).filter((x) => x.paymentId === id).length, 0);

    const clock = manualClock(new Date(Date.now() + 120_000));
    const log = memoryLogger();
    const gateway = createPrzelewy24Gateway({ ...DRILL_CREDENTIALS, baseUrl: fake.url });
    const repeated = JSON.stringify(await fake.notificationFor(id));
    // Przelewy24 repeats its notification while the per-minute sweep runs: both at once.
    const [fromNotification, fromSweep] = await Promise.all([
      receivePaymentNotification(kv, clock, gateway, repeated, log),
      paymentSweep(kv, clock, gateway, log),
    ]);
    assert.ok(fromNotification.ok, JSON.stringify(fromNotification));
    await paymentSweep(kv, clock, gateway, log);

    const p = (await getPayment(kv, id))!;
    assert.equal(p.state, "confirmed");
    assert.equal((await listInTransit(kv, UNIT)).filter((x) => x.paymentId === id).length, 1);
    assert.deepEqual(await listPendingVerifications(kv), []);
    const confirmations = (await listAudit(kv, 1000)).filter((e) =>
      e.action === "payment.confirmed" && e.details?.paymentId === id
    );
    assert.equal(confirmations.length, 1, "confirmed exactly once");
    console.log(
      `${moment}: killed; after restart confirmed once (notification: ${
        fromNotification.ok && fromNotification.outcome
      }, sweep confirmed ${fromSweep.confirmed}; verify calls at the gateway: ${t.verifyCalls})`,
    );
  } finally {
    kv.close();
  }
}

Deno.test("crash drill: kill -9 between the notification and the verify call → confirmed exactly once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ebok-payment-crash-" });
  const fake = startFakePrzelewy24Server(DRILL_CREDENTIALS);
  try {
    await drill("beforeVerify", dir, fake);
    // And killed just after the gateway verified, before our confirmation was committed.
    await drill("afterVerify", dir, fake);
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});
