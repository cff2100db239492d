/**
 * The office's back office under /admin: sign-in is open, everything else needs a signed-in
 * staff member. One sub-app per area, each in its own file.
 */
import { Hono } from "hono";
import type { AppDeps } from "../context.ts";
import { accountRoutes } from "./accounts.tsx";
import { announcementRoutes } from "./announcements.tsx";
import { apiTokenRoutes } from "./api_tokens.tsx";
import { auditRoutes } from "./audit.tsx";
import { documentRoutes } from "./documents.tsx";
import { documentBulkRoutes } from "./documents_bulk.tsx";
import { gdprRoutes } from "./gdpr.tsx";
import { requireStaff, type StaffEnv } from "./guard.ts";
import { importRoutes } from "./import.tsx";
import { staffLoginRoutes } from "./login.tsx";
import { messageRoutes } from "./messages.tsx";
import { staffPasswordRoutes } from "./password.tsx";
import { readingRoutes } from "./readings.tsx";
import { matterAdminRoutes } from "./matters.tsx";
import { registerRoutes } from "./register.tsx";
import { requestRoutes } from "./requests.tsx";
import { settingsRoutes } from "./settings.tsx";
import { paymentAdminRoutes } from "./payments.tsx";
import { feeNoticeRoutes, paperRoutes } from "./fee_notices.tsx";

export function adminRoutes(deps: AppDeps) {
  const app = new Hono<StaffEnv>();
  app.route("/", staffLoginRoutes(deps));

  const guarded = new Hono<StaffEnv>();
  guarded.use(requireStaff(deps));
  guarded.get("/", (c) => c.redirect("/admin/wnioski", 303));
  guarded.route("/wnioski", requestRoutes(deps));
  guarded.route("/konta", accountRoutes(deps));
  guarded.route("/rejestr", registerRoutes(deps));
  guarded.route("/ustawienia/api", apiTokenRoutes(deps));
  guarded.route("/ustawienia", settingsRoutes(deps));
  guarded.route("/wiadomosci", messageRoutes(deps));
  guarded.route("/odczyty", readingRoutes(deps));
  guarded.route("/zgloszenia", matterAdminRoutes(deps));
  guarded.route("/komunikaty", announcementRoutes(deps));
  guarded.route("/dokumenty/zbiorczo", documentBulkRoutes(deps));
  guarded.route("/dokumenty", documentRoutes(deps));
  guarded.route("/haslo", staffPasswordRoutes(deps));
  guarded.route("/import", importRoutes(deps));
  guarded.route("/dziennik", auditRoutes(deps));
  guarded.route("/platnosci", paymentAdminRoutes(deps));
  guarded.route("/zawiadomienia", feeNoticeRoutes(deps));
  guarded.route("/papier", paperRoutes(deps));
  guarded.route("/", gdprRoutes(deps));

  app.route("/", guarded);
  return app;
}
