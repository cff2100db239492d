/** Signing in and out of eBOK (residents). */
import { Hono } from "hono";
import { signInResident, type SignInResult } from "../../domain/accounts/credentials.ts";
import { deleteSession, validateSession } from "../../domain/accounts/sessions.ts";
import { formatDateTime } from "../../views/format.ts";
import { LoginPage } from "../../views/public/login.tsx";
import { publicMenu } from "../../views/menu.ts";
import { clientAddress } from "../client.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { deleteSessionCookie, readSessionCookie, setSessionCookie } from "../cookies.ts";
import { renderPage } from "../render.tsx";
import { currentResident } from "./guard.ts";
import { readForm, single } from "../validation.ts";

type Refusal = { status: 422 | 429; text: string; kind: "bad" | "warn" };

/** The banner and status for a refused sign-in. */
function refusalOf(result: Exclude<SignInResult, { ok: true }>): Refusal {
  switch (result.reason) {
    case "rate_limited":
      return {
        status: 429,
        kind: "warn",
        text: `Zbyt wiele prób logowania z tego adresu. Spróbuj ponownie po ${
          formatDateTime(result.retryAt)
        }.`,
      };
    case "invalid":
      return { status: 422, kind: "bad", text: "Nieprawidłowy Identyfikator lub hasło." };
    case "locked":
      return {
        status: 429,
        kind: "warn",
        text: `Zbyt wiele nieudanych prób logowania. Logowanie na to konto będzie możliwe po ${
          formatDateTime(result.retryAt)
        }. Możesz odblokować je od razu: w opcji „Nie pamiętam hasła” poproś o nowe hasło startowe — przyjdzie SMS-em i zalogujesz się nim od razu. Możesz też skontaktować się z biurem spółdzielni.`,
      };
    case "blocked":
      return {
        status: 422,
        kind: "bad",
        text: "Konto jest zablokowane. Skontaktuj się z biurem spółdzielni.",
      };
    case "start_password_expired":
      return {
        status: 422,
        kind: "bad",
        text:
          "Hasło startowe wygasło. Poproś o nowe w opcji „Nie pamiętam hasła” albo w biurze spółdzielni.",
      };
  }
}

export function loginRoutes(deps: AppDeps) {
  const { kv, clock, config, hasher } = deps;
  const app = new Hono<AppEnv>();

  app.get("/logowanie", async (c) => {
    const found = await currentResident(deps, c);
    if (found) return c.redirect(found.session.restricted ? "/zmiana-hasla" : "/ebok", 303);
    const banner = c.req.query("wylogowano") !== undefined
      ? { kind: "ok" as const, text: "Wylogowano. Do zobaczenia!" }
      : c.req.query("sesja") !== undefined
      ? { kind: "warn" as const, text: "Sesja wygasła. Zaloguj się ponownie." }
      : undefined;
    return renderPage(c, { title: "Logowanie", menu: publicMenu }, <LoginPage banner={banner} />);
  });

  app.post("/logowanie", async (c) => {
    const form = await readForm(c.req);
    const identifier = single(form.identifier).trim().slice(0, 40);
    const password = single(form.password).slice(0, 200);
    if (!identifier || !password) {
      return renderPage(
        c,
        { title: "Logowanie", menu: publicMenu, status: 422 },
        <LoginPage
          identifier={identifier}
          errors={{
            identifier: identifier ? undefined : "Podaj Identyfikator.",
            password: password ? undefined : "Podaj hasło.",
          }}
        />,
      );
    }
    const result = await signInResident(kv, clock, hasher, {
      identifier,
      password,
      clientAddress: clientAddress(c, config.trustProxy),
      previousToken: readSessionCookie(c, config, "resident"),
    });
    if (!result.ok) {
      const r = refusalOf(result);
      return renderPage(
        c,
        { title: "Logowanie", menu: publicMenu, status: r.status },
        <LoginPage identifier={identifier} banner={{ kind: r.kind, text: r.text }} />,
      );
    }
    setSessionCookie(c, config, "resident", result.token);
    return c.redirect(result.withStartPassword ? "/zmiana-hasla" : "/ebok", 303);
  });

  app.post("/wyloguj", async (c) => {
    const token = readSessionCookie(c, config, "resident");
    if (token) {
      const session = await validateSession(kv, clock, "resident", token);
      if (session) await deleteSession(kv, session);
    }
    deleteSessionCookie(c, config, "resident");
    // Nothing of the account stays in this browser: no cached page, no htmx history snapshot.
    c.header("Clear-Site-Data", '"cache", "storage"');
    return c.redirect("/logowanie?wylogowano", 303);
  });

  return app;
}
