/** Staff sign-in (password + TOTP) and sign-out. */
import { Hono } from "hono";
import { recordAudit } from "../../domain/backoffice/audit.ts";
import { consumeRateLimit } from "../../domain/accounts/rate_limit.ts";
import { createSession, deleteSession, validateSession } from "../../domain/accounts/sessions.ts";
import { STAFF_LOGIN_PATTERN, verifyStaffLogin } from "../../domain/accounts/staff.ts";
import { StaffLoginPage } from "../../views/admin/login.tsx";
import { formatDateTime } from "../../views/format.ts";
import { publicMenu } from "../../views/menu.ts";
import { clientAddress } from "../client.ts";
import type { AppDeps } from "../context.ts";
import { deleteSessionCookie, readSessionCookie, setSessionCookie } from "../cookies.ts";
import { renderPage } from "../render.tsx";
import { staffActor, type StaffEnv } from "./guard.ts";
import { readForm, single } from "../validation.ts";

const STAFF_LOGIN_PER_ADDRESS = { limit: 20, windowMs: 15 * 60_000 };

export function staffLoginRoutes(deps: AppDeps) {
  const { kv, clock, config, hasher } = deps;
  const app = new Hono<StaffEnv>();

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

  return app;
}
