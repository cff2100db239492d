import { Hono } from "hono";
import { type Account, getAccount } from "../domain/accounts.ts";
import { keys } from "../domain/keys.ts";
import { getTotals } from "../domain/ledger.ts";
import { getBuilding, getUnit, unitAddress } from "../domain/register.ts";
import { searchRegister } from "../domain/register_search.ts";
import { listMeters } from "../domain/water.ts";
import { RegisterPage, RegisterResults, UnitPage } from "../views/admin_register.tsx";
import { staffMenu } from "../views/menu.ts";
import type { AppDeps } from "./context.ts";
import { renderPage } from "./render.tsx";
import { type StaffEnv, staffViewer } from "./staff_guard.ts";

/** The register: search (as-you-type with htmx, a plain GET form without) and unit pages. */
export function registerRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<StaffEnv>();

  app.get("/", async (c) => {
    const q = (c.req.query("q") ?? "").trim().slice(0, 100);
    const result = await searchRegister(kv, q);
    return renderPage(
      c,
      {
        title: "Rejestr i konta",
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        fragment: () => <RegisterResults q={q} result={result} now={clock()} />,
      },
      <RegisterPage q={q} result={result} now={clock()} />,
    );
  });

  app.get("/lokale/:id", async (c) => {
    const unit = await getUnit(kv, c.req.param("id"));
    if (!unit) return c.notFound();
    const building = await getBuilding(kv, unit.buildingId);
    const accounts: Account[] = [];
    for await (const e of kv.list<string>({ prefix: keys.accountsByUnitAll(unit.id) })) {
      const a = await getAccount(kv, e.value);
      if (a) accounts.push(a);
    }
    return renderPage(
      c,
      { title: "Lokal", menu: staffMenu, viewer: staffViewer(c.get("staff")) },
      <UnitPage
        unit={unit}
        building={building}
        label={building ? unitAddress(building, unit) : unit.number}
        accounts={accounts}
        totals={await getTotals(kv, unit.id)}
        meters={(await listMeters(kv, unit.id)).filter((m) => !m.removedOn).length}
        now={clock()}
      />,
    );
  });

  return app;
}
