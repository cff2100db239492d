/** Staff sign-in (password + TOTP) and sign-out. */
import { Hono } from "hono";
import { deleteSession, validateSession } from "../../domain/accounts/sessions.ts";
import { signInStaff } from "../../domain/accounts/staff.ts";
import { StaffLoginPage } from "../../views/admin/login.tsx";
import { formatDateTime } from "../../views/format.ts";
import { publicMenu } from "../../views/menu.ts";
import { clientAddress } from "../client.ts";
import type { AppDeps } from "../context.ts";
import { deleteSessionCookie, readSessionCookie, setSessionCookie } from "../cookies.ts";
import { renderPage } from "../render.tsx";
import type { StaffEnv } from "./guard.ts";
import { readForm, single } from "../validation.ts";

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
    const result = await signInStaff(kv, clock, hasher, {
      login,
      password,
      totp,
      clientAddress: address,
      previousToken: readSessionCookie(c, config, "staff"),
    });
    if (!result.ok) {
      switch (result.reason) {
        case "rate_limited":
          return refuse(
            429,
            `Zbyt wiele prób logowania. Spróbuj ponownie po ${formatDateTime(result.retryAt)}.`,
          );
        case "locked":
          return refuse(
            429,
            `Konto zablokowane po nieudanych próbach do ${formatDateTime(result.retryAt)}.`,
          );
        case "invalid":
          return refuse(422, "Nieprawidłowy login, hasło lub kod.");
      }
    }
    setSessionCookie(c, config, "staff", result.token);
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
