import { Hono } from "hono";
import { announcementsFor } from "../../domain/backoffice/announcements.ts";
import { polishDate, polishPeriod } from "../../domain/shared/calendar.ts";
import { getTotals, listEntries } from "../../domain/balance/ledger.ts";
import { listResidentUnits } from "../../domain/accounts/resident_units.ts";
import { amountDue, arrearsOrigin } from "../../domain/balance/statement.ts";
import { transferFor } from "../../domain/balance/unit_transfer.ts";
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
import { dueShown, listInTransit } from "../../domain/payments/in_transit.ts";
import { paymentOffer } from "../../domain/payments/payments.ts";

/** Enough of the newest entries to name a year of unpaid months (about ten entries a month). */
const ARREARS_ENTRIES = 120;

/**
 * The resident's eBOK: every page here needs a signed-in resident with their own password.
 * Long because it registers every handler of the area inline after its path (Hono's way: the
 * path's parameter types are inferred); each handler is short: parse, call one domain function, render.
 */
export function ebokRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<ResidentEnv>();
  app.use(requireResident(deps));

  // The dashboard reads a constant amount per unit (totals, this month's entries), whatever
  // the length of the history.
  app.get("/", async (c) => {
    const account = c.get("account");
    const today = polishDate(clock());
    const period = polishPeriod(clock());
    const coop = c.get("cooperative");
    const residentUnits = await listResidentUnits(kv, account);
    const announcements = announcementsFor(
      await c.get("settings").announcements(),
      clock(),
      [...new Set(residentUnits.map((u) => u.unit.buildingId))],
    );
    const units = await Promise.all(
      residentUnits.map(async (u) => {
        const [ledgerTotals, month, inTransit] = await Promise.all([
          getTotals(kv, u.unit.id),
          listEntries(kv, u.unit.id, { from: period }),
          deps.paymentGateway ? listInTransit(kv, u.unit.id) : [],
        ]);
        // Online payments confirmed but not yet booked lower what is shown as due (marked).
        const shown = dueShown(ledgerTotals.balance, inTransit);
        const totals = { ...ledgerTotals, balance: shown.due };
        const due = amountDue(totals, month.entries, today);
        const offer = deps.paymentGateway && due.dueNow > 0
          ? (await paymentOffer(kv, u.unit.id)).range
          : undefined;
        // Only a unit with arrears needs older entries, to name the months they come from.
        const origin = arrearsOrigin(
          due.arrears > 0
            ? (await listEntries(kv, u.unit.id, { reverse: true, limit: ARREARS_ENTRIES }))
              .entries
            : month.entries,
          { balance: totals.balance, due, today },
        );
        const monthCharge = month.entries
          .filter((e) => e.period === period && (e.kind === "charge" || e.kind === "correction"))
          .reduce((sum, e) => sum + e.amount, 0);
        return {
          ...u,
          totals,
          due,
          origin,
          monthCharge,
          inTransit: shown.inTransit,
          payOffer: offer ? { unitId: u.unit.id, ...offer } : undefined,
          transfer: transferFor(coop, u, period, due.dueNow),
        };
      }),
    );
    return renderPage(
      c,
      { title: "Strona główna", menu: residentMenu, viewer: residentViewer(account) },
      <DashboardPage
        account={account}
        units={units}
        period={period}
        freshness={await c.get("settings").freshness()}
        passwordChanged={c.req.query("haslo-zmienione") !== undefined}
        announcements={announcements}
      />,
    );
  });

  app.route("/", balanceRoutes(deps));
  app.route("/", waterRoutes(deps));
  app.route("/", documentRoutes(deps));
  app.route("/zgloszenia", matterRoutes(deps));
  app.route("/", paymentRoutes(deps));

  app.route("/konto", accountRoutes(deps));

  return app;
}
