import { Hono } from "hono";
import { getTotals } from "../domain/ledger.ts";
import { getBuilding, getUnits } from "../domain/register.ts";
import { recordAudit } from "../domain/audit.ts";
import { invalidateOwnerSessions, listOwnerSessions } from "../domain/sessions.ts";
import { AccountPage } from "../views/account.tsx";
import { DashboardPage } from "../views/dashboard.tsx";
import { residentMenu } from "../views/menu.ts";
import type { AppDeps } from "./context.ts";
import { renderPage } from "./render.tsx";
import { requireResident, type ResidentEnv, residentViewer } from "./resident_guard.ts";

/** The resident's eBOK: every page here needs a signed-in resident with their own password. */
export function ebokRoutes(deps: AppDeps) {
  const { kv } = deps;
  const app = new Hono<ResidentEnv>();
  app.use(requireResident(deps));

  app.get("/", async (c) => {
    const account = c.get("account");
    const units = await Promise.all(
      (await getUnits(kv, account.unitIds)).map(async (unit) => ({
        unit,
        building: await getBuilding(kv, unit.buildingId),
        totals: await getTotals(kv, unit.id),
      })),
    );
    return renderPage(
      c,
      { title: "Pulpit", menu: residentMenu, viewer: residentViewer(account) },
      <DashboardPage
        account={account}
        units={units}
        passwordChanged={c.req.query("haslo-zmienione") !== undefined}
      />,
    );
  });

  app.get("/konto", async (c) => {
    const account = c.get("account");
    const units = await Promise.all(
      (await getUnits(kv, account.unitIds)).map(async (unit) => ({
        unit,
        building: await getBuilding(kv, unit.buildingId),
      })),
    );
    return renderPage(
      c,
      { title: "Moje konto", menu: residentMenu, viewer: residentViewer(account) },
      <AccountPage
        account={account}
        units={units}
        sessions={await listOwnerSessions(kv, deps.clock, "resident", account.id)}
        currentSessionId={c.get("session").id}
        notice={c.req.query("wylogowano") !== undefined
          ? "Wylogowano na pozostałych urządzeniach."
          : undefined}
      />,
    );
  });

  app.post("/konto/wyloguj-wszedzie", async (c) => {
    const account = c.get("account");
    const ended = await invalidateOwnerSessions(kv, "resident", account.id, c.get("session").id);
    await recordAudit(kv, deps.clock, {
      actor: { kind: "resident", id: account.id, label: account.identifier },
      action: "sessions.ended_elsewhere",
      details: { ended },
    });
    return c.redirect("/ebok/konto?wylogowano", 303);
  });

  return app;
}
