/** Meter readings submitted by residents, waiting for the office to accept or reject them. */
import { type Context, Hono } from "hono";
import { getAccount } from "../../domain/accounts/accounts.ts";
import { getBuilding, getUnits, unitAddress } from "../../domain/backoffice/register.ts";
import {
  acceptSubmission,
  listPendingSubmissions,
  rejectSubmission,
} from "../../domain/water/reading_submissions.ts";
import { listMeters } from "../../domain/water/water.ts";
import { ReadingSubmissionsPage } from "../../views/admin/readings.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";
import { CONTROL_CHARS, readForm, single } from "../validation.ts";

const notices: Record<string, string> = {
  "odczyt-przyjety": "Odczyt przyjęty i zapisany.",
  "odczyt-odrzucony": "Odczyt odrzucony. Mieszkaniec zobaczy powód w eBOK.",
};

export function readingRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<StaffEnv>();

  const readingsPage = async (
    c: Context<StaffEnv>,
    status: 200 | 404 | 409 | 422 = 200,
    errorFor?: { id: string; error: string },
  ) => {
    const pending = await listPendingSubmissions(kv);
    const views = await Promise.all(pending.map(async (submission) => {
      const [unit] = await getUnits(kv, [submission.unitId]);
      const building = unit ? await getBuilding(kv, unit.buildingId) : null;
      const account = await getAccount(kv, submission.accountId);
      const meters = new Map((await listMeters(kv, submission.unitId)).map((m) => [m.id, m]));
      return {
        submission,
        unitLabel: unit && building ? unitAddress(building, unit) : submission.unitId,
        residentName: account
          ? `${account.firstName} ${account.lastName} (${account.identifier})`
          : "—",
        meters,
        error: errorFor?.id === submission.id ? errorFor.error : undefined,
      };
    }));
    return renderPage(
      c,
      {
        title: "Odczyty mieszkańców",
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        status,
      },
      <ReadingSubmissionsPage pending={views} notice={notices[c.req.query("wynik") ?? ""]} />,
    );
  };

  app.get("/", (c) => readingsPage(c));

  app.post("/:id/przyjmij", async (c) => {
    const id = c.req.param("id");
    const result = await acceptSubmission(kv, clock, { id, staff: staffActor(c.get("staff")) });
    if (result.ok) return c.redirect("/admin/odczyty?wynik=odczyt-przyjety", 303);
    if (result.reason === "not_found") return readingsPage(c, 404);
    if (result.reason === "reading_refused") {
      return readingsPage(c, 409, {
        id,
        error:
          "Odczytu nie można przyjąć: nie pasuje do odczytów zapisanych w międzyczasie. Odrzuć go z wyjaśnieniem.",
      });
    }
    return readingsPage(c, 409);
  });

  app.post("/:id/odrzuc", async (c) => {
    const id = c.req.param("id");
    const form = await readForm(c.req);
    const reason = single(form.reason).trim();
    if (!reason || CONTROL_CHARS.test(reason)) {
      return readingsPage(c, 422, { id, error: "Podaj powód odrzucenia." });
    }
    const result = await rejectSubmission(kv, clock, {
      id,
      reason,
      staff: staffActor(c.get("staff")),
    });
    if (result.ok) return c.redirect("/admin/odczyty?wynik=odczyt-odrzucony", 303);
    return readingsPage(c, result.reason === "not_found" ? 404 : 409);
  });
  return app;
}
