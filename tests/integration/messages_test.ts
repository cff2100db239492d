import assert from "node:assert/strict";
import { createDevOutbox, listOutbox } from "../../adapters/dev_outbox.ts";
import { createResendMailer } from "../../adapters/resend_mailer.ts";
import { createTwilioSms } from "../../adapters/twilio_sms.ts";
import { listenForJobs } from "../../domain/messaging/delivery.ts";
import { type Clock, manualClock, systemClock } from "../../domain/shared/clock.ts";
import {
  addMessage,
  deliverMessage,
  getMessage,
  listMessages,
  type Message,
  resendMessage,
  sweepMessages,
  type Transports,
} from "../../domain/messaging/messages.ts";
import { memoryLogger } from "../../platform/log.ts";
import { startFakeResend, startFakeTwilio } from "../fakes/fake_provider.ts";
import { eventually, testApp } from "../helpers.ts";

async function withProviders(
  fn: (ctx: {
    kv: Deno.Kv;
    transports: Transports;
    resend: ReturnType<typeof startFakeResend>;
    twilio: ReturnType<typeof startFakeTwilio>;
  }) => Promise<void>,
) {
  const resend = startFakeResend();
  const twilio = startFakeTwilio();
  const kv = await Deno.openKv(":memory:");
  const transports: Transports = {
    mailer: createResendMailer({
      apiKey: "re_test_key",
      from: "eBOK <ebok@sm.example.pl>",
      baseUrl: resend.url,
    }),
    sms: createTwilioSms({
      accountSid: "AC0123456789abcdef0123456789abcdef",
      authToken: "twilio-test-token",
      from: "+48500100200",
      apiBase: twilio.url,
    }),
    retryBaseMs: 10,
    maxAttempts: 6,
  };
  try {
    await fn({ kv, transports, resend, twilio });
  } finally {
    try {
      kv.close();
    } catch { /* the test closed it already */ }
    await resend.close();
    await twilio.close();
  }
}

async function enqueue(
  kv: Deno.Kv,
  draft: Parameters<typeof addMessage>[2],
  clock: Clock = systemClock,
): Promise<Message> {
  const op = kv.atomic();
  const message = addMessage(op, clock, draft);
  assert.ok((await op.commit()).ok);
  return message;
}

Deno.test("the real Resend SDK sends through the configured origin with the message id as idempotency key", async () => {
  await withProviders(async ({ kv, transports, resend }) => {
    const m = await enqueue(kv, {
      channel: "email",
      to: "jan.kowalski@example.pl",
      subject: "Potwierdzenie",
      text: "Dzień dobry, otrzymaliśmy formularz.",
      purpose: "test",
    });
    assert.equal(await deliverMessage(kv, transports, systemClock, m.id), "sent");
    assert.equal(resend.requests.length, 1);
    const req = resend.requests[0];
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/emails");
    assert.equal(req.headers["authorization"], "Bearer re_test_key");
    assert.equal(req.headers["idempotency-key"], m.id);
    const body = JSON.parse(req.body);
    assert.equal(body.from, "eBOK <ebok@sm.example.pl>");
    assert.deepEqual(body.to, "jan.kowalski@example.pl");
    assert.equal(body.subject, "Potwierdzenie");
    assert.equal(body.text, "Dzień dobry, otrzymaliśmy formularz.");
    const stored = await getMessage(kv, m.id);
    assert.equal(stored?.state, "sent");
    assert.equal(stored?.providerId, "re_fake_1");
    assert.equal(stored?.attempts, 1);
  });
});

Deno.test("the real Twilio SDK posts the SMS form to the configured origin", async () => {
  await withProviders(async ({ kv, transports, twilio }) => {
    const m = await enqueue(kv, {
      channel: "sms",
      to: "+48600123456",
      text: "Hasło startowe: Abc12345",
      purpose: "test",
      sensitive: true,
    });
    assert.equal(await deliverMessage(kv, transports, systemClock, m.id), "sent");
    assert.equal(twilio.requests.length, 1);
    const req = twilio.requests[0];
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json");
    const basic = btoa("AC0123456789abcdef0123456789abcdef:twilio-test-token");
    assert.equal(req.headers["authorization"], `Basic ${basic}`);
    const form = new URLSearchParams(req.body);
    assert.equal(form.get("To"), "+48600123456");
    assert.equal(form.get("From"), "+48500100200");
    assert.equal(form.get("Body"), "Hasło startowe: Abc12345");
    const stored = await getMessage(kv, m.id);
    assert.equal(stored?.state, "sent");
    assert.match(stored?.providerId ?? "", /^SM0+1$/);
    assert.doesNotMatch(stored?.text ?? "", /Abc12345/, "the secret is dropped once sent");
  });
});

Deno.test("provider outage: 500 three times, then 200 — delivered exactly once, via the queue", async () => {
  await withProviders(async ({ kv, transports, resend, twilio }) => {
    resend.failNext(3, 500);
    twilio.failNext(3, 500);
    const listening = listenForJobs(kv, transports, systemClock, memoryLogger());
    const email = await enqueue(kv, {
      channel: "email",
      to: "a@example.pl",
      subject: "Test",
      text: "Treść",
      purpose: "test",
    });
    const sms = await enqueue(kv, {
      channel: "sms",
      to: "+48600123456",
      text: "SMS",
      purpose: "test",
    });
    const sentEmail = await eventually(async () => {
      const m = await getMessage(kv, email.id);
      return m?.state === "sent" ? m : undefined;
    });
    const sentSms = await eventually(async () => {
      const m = await getMessage(kv, sms.id);
      return m?.state === "sent" ? m : undefined;
    });
    // Let any stray duplicate deliveries run, then count what the providers received.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(sentEmail.attempts, 4);
    assert.equal(sentSms.attempts, 4);
    assert.equal(resend.requests.length, 4, "3 failed + 1 accepted, nothing after");
    assert.equal(twilio.requests.length, 4);
    assert.equal(
      resend.requests.filter((r) => r.headers["idempotency-key"] === email.id).length,
      4,
    );
    assert.equal(sentEmail.lastError, undefined);
    kv.close();
    await listening;
  });
});

Deno.test("a permanent provider refusal fails at once, with the reason stored; staff can resend", async () => {
  await withProviders(async ({ kv, transports, resend }) => {
    resend.failNext(1, 422);
    const m = await enqueue(kv, {
      channel: "email",
      to: "zly-adres@example.pl",
      subject: "Test",
      text: "Treść",
      purpose: "test",
    });
    assert.equal(await deliverMessage(kv, transports, systemClock, m.id), "failed");
    const failed = await getMessage(kv, m.id);
    assert.equal(failed?.state, "failed");
    assert.match(failed?.lastError ?? "", /Resend 422/);
    assert.deepEqual((await listMessages(kv, { state: "failed" })).map((x) => x.id), [m.id]);

    assert.deepEqual(await resendMessage(kv, systemClock, m.id), { ok: true });
    assert.equal(await deliverMessage(kv, transports, systemClock, m.id), "sent");
    assert.equal((await getMessage(kv, m.id))?.state, "sent");
    assert.deepEqual(await listMessages(kv, { state: "failed" }), []);
  });
});

Deno.test("retries stop after maxAttempts and the message is marked failed", async () => {
  await withProviders(async ({ kv, transports, resend }) => {
    resend.failNext(100, 503);
    const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
    const m = await enqueue(
      kv,
      { channel: "email", to: "a@example.pl", subject: "S", text: "T", purpose: "test" },
      clock,
    );
    const outcomes = [];
    for (let i = 0; i < transports.maxAttempts; i++) {
      clock.advance(60_000);
      outcomes.push(await deliverMessage(kv, transports, clock, m.id));
    }
    assert.deepEqual(outcomes, [
      ...Array(transports.maxAttempts - 1).fill("retry_scheduled"),
      "failed",
    ]);
    assert.equal(resend.requests.length, transports.maxAttempts);
  });
});

Deno.test("a message delivered twice at once is sent once", async () => {
  await withProviders(async ({ kv, transports, twilio }) => {
    const m = await enqueue(kv, { channel: "sms", to: "+48600123456", text: "x", purpose: "test" });
    const outcomes = await Promise.all([
      deliverMessage(kv, transports, systemClock, m.id),
      deliverMessage(kv, transports, systemClock, m.id),
      deliverMessage(kv, transports, systemClock, m.id),
    ]);
    assert.equal(outcomes.filter((o) => o === "sent").length, 1);
    assert.equal(twilio.requests.length, 1);
    assert.equal(await deliverMessage(kv, transports, systemClock, m.id), "not_queued");
    assert.equal(twilio.requests.length, 1);
  });
});

Deno.test("the sweep re-drives a crash mid-send: e-mail retried, SMS marked uncertain", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
    const email = await enqueue(
      kv,
      { channel: "email", to: "a@example.pl", subject: "S", text: "T", purpose: "test" },
      clock,
    );
    const sms = await enqueue(
      kv,
      { channel: "sms", to: "+48600123456", text: "x", purpose: "test" },
      clock,
    );
    // A transport that never answers stands for a process killed during the provider call.
    const hanging: Transports = {
      mailer: { sendEmail: () => new Promise(() => {}) },
      sms: { sendSms: () => new Promise(() => {}) },
      retryBaseMs: 10,
      maxAttempts: 3,
    };
    void deliverMessage(kv, hanging, clock, email.id);
    void deliverMessage(kv, hanging, clock, sms.id);
    await eventually(async () => (await getMessage(kv, sms.id))?.state === "sending");
    await eventually(async () => (await getMessage(kv, email.id))?.state === "sending");

    assert.deepEqual(await sweepMessages(kv, clock), { requeued: 0, uncertain: 0 }, "too early");
    clock.advance(5 * 60_000);
    assert.deepEqual(await sweepMessages(kv, clock), { requeued: 1, uncertain: 1 });
    assert.equal((await getMessage(kv, email.id))?.state, "queued");
    const uncertain = await getMessage(kv, sms.id);
    assert.equal(uncertain?.state, "uncertain");
    assert.match(uncertain?.lastError ?? "", /nie wiadomo/);
  } finally {
    kv.close();
  }
});

Deno.test("development outbox: messages land in KV and /dev/outbox.json lists them oldest first", async () => {
  await using t = await testApp();
  const transports: Transports = {
    mailer: createDevOutbox(t.kv, t.clock),
    sms: createDevOutbox(t.kv, t.clock),
    retryBaseMs: 10,
    maxAttempts: 3,
  };
  const first = await enqueue(t.kv, {
    channel: "email",
    to: "jan@example.pl",
    subject: "Identyfikator eBOK",
    text: "Identyfikator: KTM-4827",
    purpose: "test",
  }, t.clock);
  const second = await enqueue(t.kv, {
    channel: "sms",
    to: "+48600123456",
    text: "Hasło startowe: Abc12345",
    purpose: "test",
  }, t.clock);
  assert.equal(await deliverMessage(t.kv, transports, t.clock, first.id), "sent");
  t.clock.advance(1000);
  assert.equal(await deliverMessage(t.kv, transports, t.clock, second.id), "sent");
  assert.equal((await listOutbox(t.kv)).length, 2);

  const res = await t.app.request("/dev/outbox.json");
  const json = await res.json();
  assert.equal(json.length, 2);
  assert.deepEqual(
    { channel: json[0].channel, to: json[0].to, subject: json[0].subject, text: json[0].text },
    {
      channel: "email",
      to: "jan@example.pl",
      subject: "Identyfikator eBOK",
      text: "Identyfikator: KTM-4827",
    },
  );
  assert.equal(json[1].channel, "sms");
  assert.equal(json[1].text, "Hasło startowe: Abc12345");
  assert.equal(json[1].subject, undefined);
  assert.ok(Date.parse(json[0].createdAt) < Date.parse(json[1].createdAt));

  const page = await (await t.app.request("/dev/outbox")).text();
  assert.match(page, /Identyfikator: KTM-4827/);
  assert.match(page, /<h1>Skrzynka nadawcza/);
});

Deno.test("without a queue, the periodic sweep itself delivers overdue messages, once", async () => {
  await withProviders(async ({ kv, transports, resend }) => {
    const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
    const m = await enqueue(
      kv,
      { channel: "email", to: "a@example.pl", subject: "S", text: "T", purpose: "test" },
      clock,
    );
    // Nobody listens to the queue here: the message waits.
    const { sweep } = await import("../../domain/messaging/delivery.ts");
    await sweep(kv, transports, clock, memoryLogger());
    assert.equal(resend.requests.length, 0, "not overdue yet");
    clock.advance(2 * 60_000);
    await sweep(kv, transports, clock, memoryLogger());
    await sweep(kv, transports, clock, memoryLogger());
    assert.equal(resend.requests.length, 1);
    assert.equal((await getMessage(kv, m.id))?.state, "sent");
  });
});

Deno.test("the development outbox shows a message once, even when it is delivered twice", async () => {
  await using t = await testApp();
  const outbox = createDevOutbox(t.kv, t.clock);
  const email = { id: "01JDEVOUTBOXTEST000000000A", to: "a@example.pl", subject: "S", text: "T" };
  await outbox.sendEmail(email);
  await outbox.sendEmail(email);
  assert.equal((await listOutbox(t.kv)).length, 1);
});

Deno.test("with queues switched off (EBOK_QUEUES=0), messages wait in KV and the sweep sends them", async () => {
  const { withoutQueues } = await import("../../platform/kv.ts");
  await withProviders(async ({ kv: raw, transports, resend }) => {
    const kv = withoutQueues(raw);
    const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
    const op = kv.atomic();
    const m = addMessage(op, clock, {
      channel: "email",
      to: "a@example.pl",
      subject: "S",
      text: "T",
      purpose: "test",
    });
    assert.ok((await op.commit()).ok, "the atomic operation commits without a queue");
    assert.equal((await getMessage(kv, m.id))?.state, "queued");
    const { sweep } = await import("../../domain/messaging/delivery.ts");
    resend.failNext(1, 500);
    await sweep(kv, transports, clock, memoryLogger(), 0);
    assert.equal((await getMessage(kv, m.id))?.state, "queued", "a failure waits for its back-off");
    await sweep(kv, transports, clock, memoryLogger(), 0);
    assert.equal(resend.requests.length, 1, "not before the back-off");
    clock.advance(60_000);
    await sweep(kv, transports, clock, memoryLogger(), 0);
    assert.equal((await getMessage(kv, m.id))?.state, "sent");
    assert.equal(resend.requests.length, 2);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("hung e-mail provider: the send times out, the sweep finishes, the retry keeps the idempotency key", async () => {
  const resend = startFakeResend();
  const kv = await Deno.openKv(":memory:");
  try {
    resend.delayNext(1, Infinity); // Resend takes the request and never answers.
    const transports: Transports = {
      mailer: createResendMailer({
        apiKey: "re_test_key",
        from: "eBOK <ebok@sm.example.pl>",
        baseUrl: resend.url,
        timeoutMs: 300,
      }),
      sms: { sendSms: () => Promise.reject(new Error("unused")) },
      retryBaseMs: 10,
      maxAttempts: 5,
    };
    const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
    const m = await enqueue(
      kv,
      { channel: "email", to: "a@example.pl", subject: "S", text: "T", purpose: "test" },
      clock,
    );
    const { sweep } = await import("../../domain/messaging/delivery.ts");
    clock.advance(2 * 60_000);
    const outcome = await Promise.race([
      sweep(kv, transports, clock, memoryLogger(), 0).then(() => "finished"),
      sleep(5_000).then(() => "still waiting on the hung send"),
    ]);
    assert.equal(outcome, "finished");
    const waiting = await getMessage(kv, m.id);
    assert.equal(waiting?.state, "queued", "back in the queue, not stuck in sending");
    assert.match(waiting?.lastError ?? "", /timeout/);

    clock.advance(60_000);
    await sweep(kv, transports, clock, memoryLogger(), 0);
    assert.equal((await getMessage(kv, m.id))?.state, "sent");
    assert.equal(resend.requests.length, 2);
    assert.deepEqual(resend.requests.map((r) => r.headers["idempotency-key"]), [m.id, m.id]);
  } finally {
    kv.close();
    await resend.close();
  }
});

Deno.test("hung provider: any transport is cut off by sendTimeoutMs; e-mail retried, SMS uncertain", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
    const calls = { email: 0, sms: 0 };
    const hanging: Transports = {
      mailer: { sendEmail: () => (calls.email++, new Promise(() => {})) },
      sms: { sendSms: () => (calls.sms++, new Promise(() => {})) },
      retryBaseMs: 10,
      maxAttempts: 3,
      sendTimeoutMs: 200,
    };
    const email = await enqueue(
      kv,
      { channel: "email", to: "a@example.pl", subject: "S", text: "T", purpose: "test" },
      clock,
    );
    const sms = await enqueue(
      kv,
      { channel: "sms", to: "+48600123456", text: "x", purpose: "test" },
      clock,
    );
    assert.equal(await deliverMessage(kv, hanging, clock, email.id), "retry_scheduled");
    assert.equal(await deliverMessage(kv, hanging, clock, sms.id), "uncertain");
    assert.equal((await getMessage(kv, sms.id))?.state, "uncertain");
    assert.match((await getMessage(kv, sms.id))?.lastError ?? "", /nie wiadomo/);
    clock.advance(10 * 60_000);
    await sweepMessages(kv, clock, 0, (id) => deliverMessage(kv, hanging, clock, id));
    assert.deepEqual(calls, { email: 2, sms: 1 }, "the SMS is never sent again by itself");
  } finally {
    kv.close();
  }
});

Deno.test("slow SMS provider: an SMS cut off by the SDK timeout becomes uncertain, never retried blindly", async () => {
  await withProviders(async ({ kv, twilio }) => {
    twilio.delayNext(3, 1_500); // Twilio answers (and sends) only after our timeout.
    const transports: Transports = {
      mailer: { sendEmail: () => Promise.reject(new Error("unused")) },
      sms: createTwilioSms({
        accountSid: "AC0123456789abcdef0123456789abcdef",
        authToken: "twilio-test-token",
        from: "+48500100200",
        apiBase: twilio.url,
        timeoutMs: 300,
      }),
      retryBaseMs: 10,
      maxAttempts: 6,
    };
    const listening = listenForJobs(kv, transports, systemClock, memoryLogger());
    const sms = await enqueue(kv, {
      channel: "sms",
      to: "+48600123456",
      text: "Hasło startowe: X",
      purpose: "start_password",
    });
    const settled = await eventually(async () => {
      const m = await getMessage(kv, sms.id);
      return m?.state === "uncertain" ? m : undefined;
    });
    assert.match(settled.lastError ?? "", /nie wiadomo/);
    await sleep(2_000); // Long enough for any blind retry to reach the provider.
    assert.equal(twilio.requests.length, 1, "one request per SMS");
    assert.equal((await getMessage(kv, sms.id))?.state, "uncertain");
    kv.close();
    await listening;
  });
});

Deno.test("hung provider: a message stuck in sending is shown to staff at /admin/wiadomosci", async () => {
  await using t = await testApp();
  const m = await enqueue(
    t.kv,
    { channel: "email", to: "a@example.pl", subject: "S", text: "T", purpose: "test" },
    t.clock,
  );
  const entry = await t.kv.get<Message>(["messages", m.id]);
  const { keys } = await import("../../domain/shared/keys.ts");
  await t.kv.atomic().check(entry).set(keys.messages(m.id), { ...m, state: "sending" })
    .delete(keys.messagesByState("queued", m.id)).set(keys.messagesByState("sending", m.id), m.id)
    .commit();
  const staff = await t.staffClient();
  assert.doesNotMatch(await (await staff.get("/admin/wiadomosci")).text(), /utknęła w wysyłce/);
  t.clock.advance(3 * 60_000);
  assert.match(await (await staff.get("/admin/wiadomosci")).text(), /utknęła w wysyłce/);
});
