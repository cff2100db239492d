/** Staff: GDPR (RODO) duties — a resident's data as JSON, on request (art. 15). */
import { Hono } from "hono";
import { exportResidentData } from "../../domain/backoffice/gdpr.ts";
import { staffOnly } from "./backoffice_guard.ts";
import type { AppDeps } from "../context.ts";
import { staffActor, type StaffEnv } from "./guard.ts";

/** Mounted at /admin: GET /admin/konta/:id/dane.json. */
export function gdprRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<StaffEnv>();
  app.use("/konta/*", staffOnly(deps));

  app.get("/konta/:id/dane.json", async (c) => {
    const id = c.req.param("id").slice(0, 40);
    const data = await exportResidentData(kv, id, clock, staffActor(c.get("staff")));
    if (!data) return c.notFound();
    const identifier = String(data.account.identifier ?? id).replace(/[^A-Za-z0-9-]/g, "");
    c.header("Content-Type", "application/json; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="dane-${identifier}.json"`);
    c.header("Cache-Control", "no-store");
    return c.body(JSON.stringify(data, null, 2));
  });

  return app;
}
