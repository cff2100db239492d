/** Access requests: the office verifies each against the register, then approves or rejects. */
import { type Context, Hono } from "hono";
import {
  type AccessRequest,
  approveAccessRequest,
  getAccessRequest,
  listAccessRequests,
  rejectAccessRequest,
} from "../../domain/access/access_requests.ts";
import {
  findUnitsByAddress,
  getUnits,
  listBuildings,
  listUnitsOfBuilding,
} from "../../domain/backoffice/register.ts";
import { RequestsPage, type RequestView, type UnitChoice } from "../../views/admin/requests.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { renderPage } from "../render.tsx";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";
import { CONTROL_CHARS, multiple, readForm, single } from "../validation.ts";

const notices: Record<string, string> = {
  zatwierdzono: "Wniosek zatwierdzony. Identyfikator i hasło startowe zostały wysłane.",
  odrzucono: "Wniosek odrzucony. Wnioskodawca otrzyma e-mail z powodem.",
};

export function requestRoutes(deps: AppDeps) {
  const { kv, clock, config, hasher } = deps;
  const app = new Hono<StaffEnv>();
  const msgCtx = (coop: AppEnv["Variables"]["cooperative"]) => ({ coop, baseUrl: config.baseUrl });

  const requestView = async (
    request: AccessRequest,
    extra: Partial<RequestView> = {},
  ): Promise<RequestView> => {
    const matched = await findUnitsByAddress(kv, request.street, request.building, request.unit);
    const matchedIds = new Set(matched.map((u) => u.id));
    // Offer every unit of the buildings on the street typed (garages too), matches first.
    const street = request.street.toLowerCase();
    const buildings = (await listBuildings(kv)).filter((b) =>
      b.street.toLowerCase() === street || matched.some((u) => u.buildingId === b.id)
    );
    const choices: UnitChoice[] = [];
    for (const building of buildings) {
      for (const unit of await listUnitsOfBuilding(kv, building.id)) {
        choices.push({ unit, building, matched: matchedIds.has(unit.id) });
      }
    }
    choices.sort((a, b) => Number(b.matched) - Number(a.matched));
    return { request, choices, ...extra };
  };

  const requestsPage = async (
    c: Context<StaffEnv>,
    status: 200 | 404 | 409 | 422 = 200,
    override?: RequestView,
  ) => {
    const pending = await Promise.all(
      (await listAccessRequests(kv, "pending")).map((r) =>
        r.id === override?.request.id ? override : requestView(r)
      ),
    );
    return renderPage(
      c,
      { title: "Wnioski o dostęp", menu: staffMenu, viewer: staffViewer(c.get("staff")), status },
      <RequestsPage pending={pending} notice={notices[c.req.query("wynik") ?? ""]} />,
    );
  };

  app.get("/", (c) => requestsPage(c));

  app.post("/:id/zatwierdz", async (c) => {
    const request = await getAccessRequest(kv, c.req.param("id"));
    if (!request) return requestsPage(c, 404);
    const form = await readForm(c.req);
    let unitIds = multiple(form.unit_id).map((s) => s.slice(0, 40));
    // The page's form says it offered a choice; a plain POST without one (an integration, a
    // script) links the units the register has at the typed address, or none for now.
    const choiceOffered = single(form.units_chosen) === "1";
    if (!choiceOffered && unitIds.length === 0) {
      unitIds = (await findUnitsByAddress(kv, request.street, request.building, request.unit))
        .map((u) => u.id);
    }
    const known = await getUnits(kv, unitIds);
    if (known.length !== new Set(unitIds).size) {
      return requestsPage(
        c,
        422,
        await requestView(request, { error: "Wybrany lokal nie istnieje w rejestrze." }),
      );
    }
    const result = await approveAccessRequest(kv, clock, hasher, {
      ...msgCtx(c.get("cooperative")),
      startPasswordTtlMs: config.startPasswordTtlMs,
    }, {
      requestId: request.id,
      unitIds: known.map((u) => u.id),
      staff: staffActor(c.get("staff")),
    });
    if (!result.ok && result.reason === "no_units") {
      return requestsPage(
        c,
        422,
        await requestView(request, {
          error:
            "Wybierz co najmniej jeden lokal. Jeśli adresu nie ma w rejestrze, najpierw dodaj lokal albo odrzuć wniosek z wyjaśnieniem.",
        }),
      );
    }
    if (!result.ok) return requestsPage(c, 409);
    return c.redirect("/admin/wnioski?wynik=zatwierdzono", 303);
  });

  app.post("/:id/odrzuc", async (c) => {
    const request = await getAccessRequest(kv, c.req.param("id"));
    if (!request) return requestsPage(c, 404);
    const form = await readForm(c.req);
    const reason = single(form.reason).trim().replace(/\r\n/g, "\n");
    let reasonError: string | undefined;
    if (reason.length < 5) reasonError = "Podaj powód odrzucenia (co najmniej 5 znaków).";
    else if (reason.length > 1000) reasonError = "Powód może mieć najwyżej 1000 znaków.";
    else if (CONTROL_CHARS.test(reason)) reasonError = "Powód zawiera niedozwolone znaki.";
    if (reasonError) {
      return requestsPage(
        c,
        422,
        await requestView(request, { reasonError, reason: reason.slice(0, 1000) }),
      );
    }
    const result = await rejectAccessRequest(kv, clock, msgCtx(c.get("cooperative")), {
      requestId: request.id,
      reason,
      staff: staffActor(c.get("staff")),
    });
    if (!result.ok) return requestsPage(c, 409);
    return c.redirect("/admin/wnioski?wynik=odrzucono", 303);
  });
  return app;
}
