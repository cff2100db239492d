import { Resend } from "resend";
import { DeliveryError, type Mailer } from "../domain/messaging/messages.ts";

export type ResendConfig = {
  apiKey: string;
  from: string;
  baseUrl: string | undefined;
  /** Abort a call to Resend after this long (default 15 s); the retry keeps the idempotency key. */
  timeoutMs?: number;
};

export const PROVIDER_TIMEOUT_MS = 15_000;

/** Client errors other than rate limits and idempotency conflicts will not heal by retrying. */
function isPermanent(status: number | null | undefined): boolean {
  return typeof status === "number" && status >= 400 && status < 500 && status !== 409 &&
    status !== 429;
}

export function createResendMailer(config: ResendConfig): Mailer {
  const client = new Resend(config.apiKey, { baseUrl: config.baseUrl });
  return {
    async sendEmail(email) {
      const timeoutMs = config.timeoutMs ?? PROVIDER_TIMEOUT_MS;
      const signal = AbortSignal.timeout(timeoutMs);
      const timedOut = () =>
        new DeliveryError(`timeout: Resend did not answer in ${timeoutMs} ms`, false, true);
      let sent;
      try {
        sent = await client.emails.send(
          { from: config.from, to: email.to, subject: email.subject, text: email.text },
          // Resend drops a repeat of the same key, so a retry after a timeout cannot send twice.
          // The SDK spreads these options into fetch(), so the signal aborts a hung request.
          { idempotencyKey: email.id, signal } as {
            idempotencyKey: string;
          },
        );
      } catch (error) {
        // Aborted or cut off: it may have arrived, which the idempotency key makes harmless.
        if (signal.aborted) throw timedOut();
        throw new DeliveryError(
          `Resend network error: ${error instanceof Error ? error.message : String(error)}`,
          false,
          true,
        );
      }
      // The SDK turns a failed fetch (our abort included) into an error without a status.
      if (signal.aborted && sent.error) throw timedOut();
      const { data, error } = sent;
      if (error || !data) {
        const status = (error as { statusCode?: number | null } | null)?.statusCode;
        throw new DeliveryError(
          `Resend ${status ?? "-"} ${error?.name ?? "no_data"}: ${error?.message ?? ""}`,
          isPermanent(status),
        );
      }
      return { providerId: data.id };
    },
  };
}
