import { DeliveryError, type SmsSender } from "../domain/messaging/messages.ts";

export type TwilioConfig = {
  accountSid: string;
  authToken: string;
  from: string;
  apiBase: string | undefined;
  /** The SDK's request timeout (default 15 s instead of its 30 s). */
  timeoutMs?: number;
};

const TWILIO_TIMEOUT_MS = 15_000;

type TwilioClient = {
  messages: { create(p: { to: string; from: string; body: string }): Promise<{ sid: string }> };
};

export function createTwilioSms(config: TwilioConfig): SmsSender {
  let client: Promise<TwilioClient> | undefined;
  return {
    async sendSms(sms) {
      // The SDK costs ~200 ms to import: load it on the first SMS, not at start.
      client ??= loadClient(config);
      try {
        const message = await (await client).messages.create({
          to: sms.to,
          from: config.from,
          body: sms.text,
        });
        return { providerId: message.sid };
      } catch (error) {
        const e = error as { status?: number; code?: number | string; message?: string };
        const status = typeof e.status === "number" ? e.status : undefined;
        throw new DeliveryError(
          `Twilio ${status ?? "-"} ${e.code ?? ""}: ${e.message ?? String(error)}`.trim(),
          status !== undefined && status >= 400 && status < 500 && status !== 429,
          // No HTTP answer (a timeout, a reset connection): Twilio may have taken the SMS.
          status === undefined,
        );
      }
    },
  };
}

async function loadClient(config: TwilioConfig): Promise<TwilioClient> {
  const { default: twilio } = await import("twilio");
  type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>["request"]>[0];
  const options: Record<string, unknown> = {};
  // The SDK's own retries stay off (autoRetry defaults to false; it retries only 429s anyway):
  // an SMS is sent once per claim, and a timeout makes it `uncertain`, never a blind repeat.
  const clientOptions = { timeout: config.timeoutMs ?? TWILIO_TIMEOUT_MS, autoRetry: false };
  if (config.apiBase) {
    const base = new URL(config.apiBase);
    // Tests point the real SDK at a local server: rewrite each request's origin.
    class RebasedRequestClient extends twilio.RequestClient {
      override request<T>(opts: RequestOptions) {
        const uri = new URL(opts.uri);
        uri.protocol = base.protocol;
        uri.host = base.host;
        return super.request<T>({ ...opts, uri: uri.href } as RequestOptions & { data?: T });
      }
    }
    options.httpClient = new RebasedRequestClient(clientOptions);
  } else {
    options.httpClient = new twilio.RequestClient(clientOptions);
  }
  return twilio(config.accountSid, config.authToken, options) as unknown as TwilioClient;
}
