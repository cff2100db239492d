import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { receivePaymentNotification } from "../../domain/payments/confirmation.ts";
import type { AppDeps, AppEnv } from "../context.ts";

/** Where the gateway sends its server-to-server notification (exempt from CSRF: signed). */
export const PAYMENT_NOTIFICATION_PATH = "/platnosci/przelewy24";

/** The notification URL the app registers with every transaction. */
export const paymentNotifyUrl = (baseUrl: string) => `${baseUrl}${PAYMENT_NOTIFICATION_PATH}`;

/**
 * The gateway's notification: the raw body goes to the domain, which checks the signature and
 * verifies before anything counts. 200 tells the gateway to stop repeating it; 400 makes it
 * repeat (or gives up on a forgery). A Przelewy24 notification is well under 1 KB.
 */
export function paymentNotificationRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const gateway = deps.paymentGateway;
  if (!gateway) return app;
  app.post(
    PAYMENT_NOTIFICATION_PATH,
    bodyLimit({ maxSize: 8 * 1024, onError: (c) => c.text("too large", 413) }),
    async (c) => {
      const result = await receivePaymentNotification(
        deps.kv,
        deps.clock,
        gateway,
        await c.req.text(),
        deps.log,
      );
      return result.ok ? c.text("OK") : c.text(result.reason, 400);
    },
  );
  return app;
}
