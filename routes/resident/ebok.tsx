import { Hono } from "hono";
import { announcementsFor } from "../../domain/backoffice/announcements.ts";
import { polishDate, polishPeriod } from "../../domain/shared/calendar.ts";
import {
  createMoneyReader,
  type DashboardUnit,
  dashboardUnits,
} from "../../domain/balance/resident_money.ts";
import type { CooperativeProfile } from "../../domain/backoffice/cooperative.ts";
import type { Regions } from "../../views/regions.ts";
import type { RegionCache } from "../page_regions.ts";
import { createResidentUnitsReader } from "../../domain/accounts/resident_units.ts";
import { DashboardPage } from "../../views/resident/dashboard.tsx";
import { residentMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { requireResident, type ResidentEnv, residentViewer } from "./guard.ts";
import { balanceRoutes } from "./balance.tsx";
import { documentRoutes } from "./documents.tsx";
import { accountRoutes } from "./account.tsx";
import { waterRoutes } from "./water.tsx";
import { matterRoutes } from "./matters.tsx";
import { paymentRoutes } from "./online_payment.tsx";

/**
 * Each unit card rendered once per version of its figures: the key names the unit and its
 * building, the versionstamps of the records the figures come from (totals, payments "w drodze",
 * payment settings), the day and the month, and the cooperative's names in the transfer details.
 */
function cardRegions(
  cache: RegionCache | undefined,
  units: DashboardUnit[],
  today: string,
  period: string,
  coop: CooperativeProfile,
): Regions | undefined {
  if (!cache) return undefined;
  const keys = new Map(units.map((u) => [
    `card:${u.unit.id}`,
    `ebok-karta|${today}|${period}|${u.version}|${
      JSON.stringify([u.unit, u.building, coop.nip, coop.shortName, coop.name])
    }`,
  ]));
  return (name, render) => {
    const key = keys.get(name);
    return key ? cache.region(key, render) : render();
  };
}

/**
 * The resident's eBOK: every page here needs a signed-in resident with their own password.
 * Long because it registers every handler of the area inline after its path (Hono's way: the
 * path's parameter types are inferred); each handler is short: parse, call one domain function, render.
 */
export function ebokRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<ResidentEnv>();
  app.use(requireResident(deps));

  // Remembered per process only what cannot go stale or is checked against what each request
  // reads (see createResidentUnitsReader, createMoneyReader).
  const readUnits = createResidentUnitsReader(kv);
  const money = createMoneyReader(kv);

  // Three KV operations whatever the length of the history (up to three units): the session
  // with its account, the units with their buildings, the units' totals and payments "w drodze".
  app.get("/", async (c) => {
    const account = c.get("account");
    const residentUnits = await readUnits(account);
    const announcements = announcementsFor(
      await c.get("settings").announcements(),
      clock(),
      [...new Set(residentUnits.map((u) => u.unit.buildingId))],
    );
    const units = await dashboardUnits(money, residentUnits, {
      today: polishDate(clock()),
      period: polishPeriod(clock()),
      coop: c.get("cooperative"),
      online: deps.paymentGateway !== undefined,
    });
    return renderPage(
      c,
      { title: "Strona główna", menu: residentMenu, viewer: residentViewer(account) },
      <DashboardPage
        account={account}
        units={units}
        period={polishPeriod(clock())}
        freshness={await c.get("settings").freshness()}
        passwordChanged={c.req.query("haslo-zmienione") !== undefined}
        announcements={announcements}
        regions={cardRegions(
          c.get("regions"),
          units,
          polishDate(clock()),
          polishPeriod(clock()),
          c.get("cooperative"),
        )}
      />,
    );
  });

  app.route("/", balanceRoutes(deps, { readUnits, money }));
  app.route("/", waterRoutes(deps, { readUnits }));
  app.route("/", documentRoutes(deps));
  app.route("/zgloszenia", matterRoutes(deps));
  app.route("/", paymentRoutes(deps));

  app.route("/konto", accountRoutes(deps));

  return app;
}
