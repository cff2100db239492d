import { type Context, Hono } from "hono";
import {
  approveAccessRequest,
  getAccessRequest,
  listAccessRequests,
  rejectAccessRequest,
} from "../domain/access_requests.ts";
import { getAccount } from "../domain/accounts.ts";
import { recordAudit } from "../domain/audit.ts";
import { listMessages, resendMessage } from "../domain/messages.ts";
import { consumeRateLimit } from "../domain/rate_limit.ts";
import {
  findUnitsByAddress,
  getBuilding,
  getUnits,
  listBuildings,
  listUnitsOfBuilding,
  unitAddress,
} from "../domain/register.ts";
import { createSession, deleteSession, validateSession } from "../domain/sessions.ts";
import { STAFF_LOGIN_PATTERN, verifyStaffLogin } from "../domain/staff.ts";
import {
  acceptSubmission,
  listPendingSubmissions,
  rejectSubmission,
} from "../domain/reading_submissions.ts";
import { listMeters } from "../domain/water.ts";
import { ReadingSubmissionsPage } from "../views/admin_readings.tsx";
import { accountRoutes } from "./admin_accounts.tsx";
import { announcementRoutes } from "./admin_announcements.tsx";
import { auditRoutes } from "./admin_audit.tsx";
import { importRoutes } from "./admin_import.tsx";
import { apiTokenRoutes } from "./admin_api_tokens.tsx";
import { staffPasswordRoutes } from "./admin_password.tsx";
import { gdprRoutes } from "./admin_gdpr.tsx";
import { registerRoutes } from "./admin_register.tsx";
import { settingsRoutes } from "./admin_settings.tsx";
import type { AccessRequest } from "../domain/access_requests.ts";
import { StaffLoginPage } from "../views/admin_login.tsx";
import { MessagesPage } from "../views/admin_messages.tsx";
import { RequestsPage, type RequestView, type UnitChoice } from "../views/admin_requests.tsx";
import { formatDateTime } from "../views/format.ts";
import { publicMenu, staffMenu } from "../views/menu.ts";
import { clientAddress } from "./client.ts";
import type { AppDeps, AppEnv } from "./context.ts";
import { deleteSessionCookie, readSessionCookie, setSessionCookie } from "./cookies.ts";
import { renderPage } from "./render.tsx";
import { requireStaff, staffActor, type StaffEnv, staffViewer } from "./staff_guard.ts";
import { CONTROL_CHARS, multiple, readForm, single } from "./validation.ts";

const STAFF_LOGIN_PER_ADDRESS = { limit: 20, windowMs: 15 * 60_000 };
const notices: Record<string, string> = {
  zatwierdzono: "Wniosek zatwierdzony. Identyfikator i hasło startowe zostały wysłane.",
  odrzucono: "Wniosek odrzucony. Wnioskodawca otrzyma e-mail z powodem.",
  "haslo-wyslane": "Nowe hasło startowe zostało wysłane SMS-em. Poprzednie przestało działać.",
  odblokowano: "Blokada logowania została zdjęta.",
  ponowiono: "Wiadomość wróciła do kolejki wysyłki.",
  "odczyt-przyjety": "Odczyt przyjęty i zapisany.",
  "odczyt-odrzucony": "Odczyt odrzucony. Mieszkaniec zobaczy powód w eBOK.",
};

export function adminRoutes(deps: AppDeps) {
  const { kv, clock, config, hasher } = deps;
  const app = new Hono<StaffEnv>();
  const msgCtx = (coop: AppEnv["Variables"]["cooperative"]) => ({ coop, baseUrl: config.baseUrl });

  app.get(
    "/logowanie",
    (c) => renderPage(c, { title: "Logowanie pracownika", menu: publicMenu }, <StaffLoginPage />),
  );

  app.post("/logowanie", async (c) => {
    const form = await readForm(c.req);
    const login = single(form.login).trim().slice(0, 40);
    const password = single(form.password).slice(0, 200);
    const totp = single(form.totp).trim().slice(0, 12);
    const address = clientAddress(c, config.trustProxy);
    const refuse = (status: 422 | 429, banner: string) =>
      renderPage(
        c,
        { title: "Logowanie pracownika", menu: publicMenu, status },
        <StaffLoginPage login={login} banner={banner} />,
      );
    if (!login || !password || !totp) {
      return renderPage(
        c,
        { title: "Logowanie pracownika", menu: publicMenu, status: 422 },
        <StaffLoginPage
          login={login}
          errors={{
            login: login ? undefined : "Podaj login.",
            password: password ? undefined : "Podaj hasło.",
            totp: totp ? undefined : "Podaj kod z aplikacji.",
          }}
        />,
      );
    }
    const limited = await consumeRateLimit(
      kv,
      clock,
      "staff_login_address",
      address,
      STAFF_LOGIN_PER_ADDRESS,
    );
    if (!limited.ok) {
      return refuse(
        429,
        `Zbyt wiele prób logowania. Spróbuj ponownie po ${formatDateTime(limited.retryAt)}.`,
      );
    }
    const result = await verifyStaffLogin(kv, clock, hasher, { login, password, totp });
    if (!result.ok) {
      await recordAudit(kv, clock, {
        // What was typed is logged only when it looks like a login: never a mistyped password.
        actor: {
          kind: "anonymous",
          label: STAFF_LOGIN_PATTERN.test(login.toLowerCase()) ? login : "—",
        },
        action: `staff_login.${result.reason}`,
        clientAddress: address,
      });
      return result.reason === "locked"
        ? refuse(
          429,
          `Konto zablokowane po nieudanych próbach do ${formatDateTime(result.retryAt)}.`,
        )
        : refuse(422, "Nieprawidłowy login, hasło lub kod.");
    }
    const old = readSessionCookie(c, config, "staff");
    if (old) {
      const s = await validateSession(kv, clock, "staff", old);
      if (s) await deleteSession(kv, s);
    }
    const { token } = await createSession(kv, clock, "staff", result.staff.id);
    setSessionCookie(c, config, "staff", token);
    await recordAudit(kv, clock, {
      actor: staffActor(result.staff),
      action: "staff_login.ok",
      clientAddress: address,
    });
    return c.redirect("/admin/wnioski", 303);
  });

  app.post("/wyloguj", async (c) => {
    const token = readSessionCookie(c, config, "staff");
    const session = token ? await validateSession(kv, clock, "staff", token) : null;
    if (session) await deleteSession(kv, session);
    deleteSessionCookie(c, config, "staff");
    return c.redirect("/admin/logowanie", 303);
  });

  const guarded = new Hono<StaffEnv>();
  guarded.use(requireStaff(deps));

  guarded.get("/", (c) => c.redirect("/admin/wnioski", 303));

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

  guarded.get("/wnioski", (c) => requestsPage(c));

  guarded.post("/wnioski/:id/zatwierdz", async (c) => {
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

  guarded.post("/wnioski/:id/odrzuc", async (c) => {
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

  guarded.route("/konta", accountRoutes(deps));
  guarded.route("/rejestr", registerRoutes(deps));
  guarded.route("/ustawienia/api", apiTokenRoutes(deps));
  guarded.route("/ustawienia", settingsRoutes(deps));

  guarded.get("/wiadomosci", async (c) => {
    const messages = (await listMessages(kv, { limit: 1000 })).reverse().slice(0, 200);
    return renderPage(
      c,
      { title: "Wiadomości", menu: staffMenu, viewer: staffViewer(c.get("staff")) },
      <MessagesPage messages={messages} notice={notices[c.req.query("wynik") ?? ""]} />,
    );
  });

  guarded.post("/wiadomosci/:id/ponow", async (c) => {
    const id = c.req.param("id");
    const result = await resendMessage(kv, clock, id);
    if (!result.ok) return c.redirect("/admin/wiadomosci", 303);
    await recordAudit(kv, clock, {
      actor: staffActor(c.get("staff")),
      action: "message.resent",
      target: { kind: "message", id },
    });
    return c.redirect("/admin/wiadomosci?wynik=ponowiono", 303);
  });

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

  guarded.get("/odczyty", (c) => readingsPage(c));

  guarded.post("/odczyty/:id/przyjmij", async (c) => {
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

  guarded.post("/odczyty/:id/odrzuc", async (c) => {
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

  guarded.route("/komunikaty", announcementRoutes(deps));
  guarded.route("/haslo", staffPasswordRoutes(deps));
  guarded.route("/import", importRoutes(deps));
  guarded.route("/dziennik", auditRoutes(deps));
  guarded.route("/", gdprRoutes(deps));

  app.route("/", guarded);
  return app;
}
