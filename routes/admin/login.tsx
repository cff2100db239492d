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

/** The fields left empty, each with its message. */
function missingFields(f: { login: string; password: string; totp: string }) {
  return {
    login: f.login ? undefined : "Podaj login.",
    password: f.password ? undefined : "Podaj hasło.",
    totp: f.totp ? undefined : "Podaj kod z aplikacji.",
  };
}

/** Why signing in was refused, in the banner's words, and the status to answer with. */
function refusalOf(
  result: Exclude<Awaited<ReturnType<typeof signInStaff>>, { ok: true }>,
): { status: 422 | 429; banner: string } {
  switch (result.reason) {
    case "rate_limited":
      return {
        status: 429,
        banner: `Zbyt wiele prób logowania. Spróbuj ponownie po ${formatDateTime(result.retryAt)}.`,
      };
    case "locked":
      return {
        status: 429,
        banner: `Konto zablokowane po nieudanych próbach do ${formatDateTime(result.retryAt)}.`,
      };
    case "invalid":
      return { status: 422, banner: "Nieprawidłowy login, hasło lub kod." };
  }
}

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
    const page = (status: 422 | 429, props: Parameters<typeof StaffLoginPage>[0]) =>
      renderPage(
        c,
        { title: "Logowanie pracownika", menu: publicMenu, status },
        <StaffLoginPage {...props} />,
      );
    if (!login || !password || !totp) {
      return page(422, { login, errors: missingFields({ login, password, totp }) });
    }
    const result = await signInStaff(kv, clock, hasher, {
      login,
      password,
      totp,
      clientAddress: clientAddress(c, config.trustProxy),
      previousToken: readSessionCookie(c, config, "staff"),
    });
    if (!result.ok) {
      const refusal = refusalOf(result);
      return page(refusal.status, { login, banner: refusal.banner });
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
