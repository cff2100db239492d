/**
 * Local stand-ins for the Resend and Twilio HTTP APIs. The real SDKs talk to them (through
 * RESEND_BASE_URL / TWILIO_API_BASE), and tests assert the exact requests they received.
 */
export type RecordedRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** A repeat the provider answered without sending (Resend's idempotency key). */
  replayed?: boolean;
};

export type FakeProvider = {
  url: string;
  requests: RecordedRequest[];
  /** The next `n` requests get `status` (e.g. 500) instead of success. */
  failNext(n: number, status?: number): void;
  /**
   * The next `n` requests are recorded, then answered only after `ms` (a slow provider), or
   * never (`ms` = Infinity: a hung provider; `release()` lets them through).
   */
  delayNext(n: number, ms: number): void;
  /** Answers every request held by `delayNext` now. */
  release(): void;
  close(): Promise<void>;
};

type Responder = (req: RecordedRequest, seq: number) => Response;

/** The provider's own error body for an HTTP status. */
type ErrorBody = (status: number) => Record<string, unknown>;

function startFake(respond: Responder, errorBody: ErrorBody): FakeProvider {
  const requests: RecordedRequest[] = [];
  let failures: { left: number; status: number } = { left: 0, status: 500 };
  let delays: { left: number; ms: number } = { left: 0, ms: 0 };
  const held = new Set<() => void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const recorded: RecordedRequest = {
      method: req.method,
      path: new URL(req.url).pathname,
      headers: Object.fromEntries(req.headers),
      body: await req.text(),
    };
    requests.push(recorded);
    if (delays.left > 0) {
      delays.left--;
      const ms = delays.ms;
      await new Promise<void>((resolve) => {
        const done = () => {
          held.delete(done);
          clearTimeout(timer);
          resolve();
        };
        held.add(done);
        const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      });
    }
    if (failures.left > 0) {
      failures.left--;
      return Response.json(errorBody(failures.status), { status: failures.status });
    }
    return respond(recorded, requests.length);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    failNext(n, status = 500) {
      failures = { left: n, status };
    },
    delayNext(n, ms) {
      delays = { left: n, ms };
    },
    release() {
      for (const done of [...held]) done();
    },
    async close() {
      for (const done of [...held]) done();
      await server.shutdown();
    },
  };
}

/**
 * Answers POST /emails like Resend: `{ id }`. Like Resend, a repeat of an Idempotency-Key it
 * accepted gets the first answer and sends nothing: such requests are marked `replayed`.
 */
export function startFakeResend(): FakeProvider {
  const accepted = new Map<string, string>();
  return startFake((req, seq) => {
    if (req.method !== "POST" || req.path !== "/emails") {
      return Response.json({ statusCode: 404, name: "not_found", message: "no route" }, {
        status: 404,
      });
    }
    const key = req.headers["idempotency-key"];
    const earlier = key ? accepted.get(key) : undefined;
    if (earlier) {
      req.replayed = true;
      return Response.json({ id: earlier });
    }
    const id = `re_fake_${seq}`;
    if (key) accepted.set(key, id);
    return Response.json({ id });
  }, (status) => ({ statusCode: status, name: "application_error", message: "fake failure" }));
}

/** Answers POST /2010-04-01/Accounts/{sid}/Messages.json like Twilio: `{ sid, status }`. */
export function startFakeTwilio(): FakeProvider {
  return startFake((req, seq) => {
    const match = req.path.match(/^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/);
    if (req.method !== "POST" || !match) {
      return Response.json({ code: 20404, message: "not found", status: 404 }, { status: 404 });
    }
    const form = new URLSearchParams(req.body);
    return Response.json({
      sid: `SM${String(seq).padStart(32, "0")}`,
      account_sid: match[1],
      to: form.get("To"),
      from: form.get("From"),
      body: form.get("Body"),
      status: "queued",
    }, { status: 201 });
  }, (status) => ({ code: 20500, message: "fake failure", status }));
}
