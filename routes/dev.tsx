import { Hono } from "hono";
import { listOutbox } from "../adapters/dev_outbox.ts";
import { createFakePrzelewy24 } from "../adapters/fake_przelewy24.ts";
import { DEV_P24_CREDENTIALS } from "../adapters/przelewy24.ts";
import { publicMenu } from "../views/menu.ts";
import { OutboxPage } from "../views/outbox.tsx";
import type { AppDeps, AppEnv } from "./context.ts";
import { renderPage } from "./render.tsx";

/** Development-only tools; main.ts mounts them only outside production. */
export function devRoutes(deps: AppDeps) {
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
  // Without P24_* the app pays through its own fake gateway (adapters/przelewy24.ts:
  // configuredPaymentGateway points the adapter at /dev/platnosci).
  if (!deps.config.przelewy24) {
    app.route("/platnosci", createFakePrzelewy24(DEV_P24_CREDENTIALS).app);
  }
  return app;
}
