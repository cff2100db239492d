import { Hono } from "hono";
import { listOutbox } from "../adapters/dev_outbox.ts";
import { createFakePrzelewy24, type FakePrzelewy24 } from "../adapters/fake_przelewy24.ts";
import { DEV_P24_CREDENTIALS } from "../adapters/przelewy24.ts";
import { publicMenu } from "../views/menu.ts";
import { OutboxPage } from "../views/outbox.tsx";
import type { AppDeps, AppEnv } from "./context.ts";
import { renderPage } from "./render.tsx";

/**
 * The app's own fake gateway, in development without P24_* (adapters/przelewy24.ts:
 * configuredPaymentGateway points the adapter at /dev/platnosci); undefined otherwise.
 * routes/app.tsx mounts its API apart from its pages (see there why).
 */
export function devPaymentGateway(deps: AppDeps): FakePrzelewy24 | undefined {
  if (deps.config.env !== "development" || deps.config.przelewy24) return undefined;
  return createFakePrzelewy24(DEV_P24_CREDENTIALS);
}

/** Development-only tools; routes/app.tsx mounts them only outside production. */
export function devRoutes(deps: AppDeps, gateway?: FakePrzelewy24) {
  const app = new Hono<AppEnv>();
  app.get("/outbox.json", async (c) => {
    const entries = await listOutbox(deps.kv);
    return c.json(entries.map(({ channel, to, subject, text, createdAt, messageId }) => ({
      channel,
      to,
      ...(subject !== undefined ? { subject } : {}),
      text,
      createdAt,
      messageId,
    })));
  });
  app.get("/outbox", async (c) =>
    renderPage(
      c,
      { title: "Skrzynka nadawcza", menu: publicMenu },
      <OutboxPage entries={await listOutbox(deps.kv)} />,
    ));
  // The fake gateway's payment page, behind the app's middleware (CSP, form-CSRF check).
  if (gateway) app.route("/platnosci", gateway.pages);
  return app;
}
