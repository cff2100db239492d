import { Resend } from "resend";
import { DeliveryError, type Mailer } from "../domain/messaging/messages.ts";

export type ResendConfig = { apiKey: string; from: string; baseUrl: string | undefined };

/** Client errors other than rate limits and idempotency conflicts will not heal by retrying. */
function isPermanent(status: number | null | undefined): boolean {
  return typeof status === "number" && status >= 400 && status < 500 && status !== 409 &&
    status !== 429;
}

export function createResendMailer(config: ResendConfig): Mailer {
  const client = new Resend(config.apiKey, { baseUrl: config.baseUrl });
  return {
    async sendEmail(email) {
      const { data, error } = await client.emails.send(
        { from: config.from, to: email.to, subject: email.subject, text: email.text },
        // Resend drops a repeat of the same key, so a retry after a timeout cannot send twice.
        { idempotencyKey: email.id },
      );
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
