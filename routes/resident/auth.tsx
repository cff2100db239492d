import { Hono } from "hono";
import { requestStartPasswordBySms, signInResident } from "../../domain/accounts/credentials.ts";
import { changeResidentPassword } from "../../domain/accounts/password_change.ts";
import { deleteSession, validateSession } from "../../domain/accounts/sessions.ts";
import { formatDateTime } from "../../views/format.ts";
import { LoginPage } from "../../views/public/login.tsx";
import { publicMenu } from "../../views/menu.ts";
import {
  ForgotPasswordPage,
  PasswordChangePage,
  PasswordRule,
} from "../../views/public/password_change.tsx";
import { clientAddress } from "../client.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { deleteSessionCookie, readSessionCookie, setSessionCookie } from "../cookies.ts";
import { renderPage } from "../render.tsx";
import { currentResident, residentViewer } from "./guard.ts";
import { readForm, single } from "../validation.ts";

export function authRoutes(deps: AppDeps) {
  const { kv, clock, config, hasher } = deps;
  const app = new Hono<AppEnv>();
  const ctx = (c: { get(k: "cooperative"): AppEnv["Variables"]["cooperative"] }) => ({
    coop: c.get("cooperative"),
    baseUrl: config.baseUrl,
  });

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
    const address = clientAddress(c, config.trustProxy);
    const refuse = (status: 422 | 429, text: string, kind: "bad" | "warn" = "bad") =>
      renderPage(
        c,
        { title: "Logowanie", menu: publicMenu, status },
        <LoginPage identifier={identifier} banner={{ kind, text }} />,
      );

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
      clientAddress: address,
      previousToken: readSessionCookie(c, config, "resident"),
    });
    if (!result.ok) {
      switch (result.reason) {
        case "rate_limited":
          return refuse(
            429,
            `Zbyt wiele prób logowania z tego adresu. Spróbuj ponownie po ${
              formatDateTime(result.retryAt)
            }.`,
            "warn",
          );
        case "invalid":
          return refuse(422, "Nieprawidłowy Identyfikator lub hasło.");
        case "locked":
          return refuse(
            429,
            `Zbyt wiele nieudanych prób logowania. Logowanie na to konto będzie możliwe po ${
              formatDateTime(result.retryAt)
            }. Możesz odblokować je od razu: w opcji „Nie pamiętam hasła” poproś o nowe hasło startowe — przyjdzie SMS-em i zalogujesz się nim od razu. Możesz też skontaktować się z biurem spółdzielni.`,
            "warn",
          );
        case "blocked":
          return refuse(422, "Konto jest zablokowane. Skontaktuj się z biurem spółdzielni.");
        case "start_password_expired":
          return refuse(
            422,
            "Hasło startowe wygasło. Poproś o nowe w opcji „Nie pamiętam hasła” albo w biurze spółdzielni.",
          );
      }
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

  app.get("/zmiana-hasla", async (c) => {
    const found = await currentResident(deps, c);
    if (!found) return c.redirect("/logowanie", 303);
    return renderPage(
      c,
      {
        title: "Zmiana hasła",
        menu: found.session.restricted ? [] : publicMenu,
        viewer: residentViewer(found.account),
      },
      <PasswordChangePage forced={found.session.restricted} />,
    );
  });

  // htmx: ticks off the rule as the resident types the new password.
  app.post("/zmiana-hasla/sprawdz", async (c) => {
    const form = await readForm(c.req);
    c.header("Vary", "HX-Request", { append: true });
    c.header("HX-Retarget", "#password-rule");
    c.header("HX-Reswap", "outerHTML");
    return c.html(<PasswordRule password={single(form.new_password).slice(0, 200)} />);
  });

  app.post("/zmiana-hasla", async (c) => {
    const found = await currentResident(deps, c);
    if (!found) return c.redirect("/logowanie", 303);
    const { account, session } = found;
    const form = await readForm(c.req);
    const result = await changeResidentPassword(kv, clock, hasher, ctx(c), {
      account,
      session,
      current: single(form.current_password).slice(0, 200),
      next: single(form.new_password).slice(0, 200),
      confirm: single(form.new_password_confirm).slice(0, 200),
      clientAddress: clientAddress(c, config.trustProxy),
    });
    if (result.ok) {
      setSessionCookie(c, config, "resident", result.token);
      return c.redirect("/ebok?haslo-zmienione", 303);
    }
    if (result.reason === "already_changed" || result.reason === "unavailable") {
      // A double-click or a second tab: the first change won and ended this session. The
      // cookie is left alone: the browser may already hold the winner's new one.
      return renderPage(
        c,
        { title: "Logowanie", menu: publicMenu, status: 409 },
        <LoginPage
          identifier={account.identifier}
          banner={{
            kind: "warn",
            text: result.reason === "already_changed"
              ? "Hasło zostało już zmienione — formularz wysłano drugi raz albo z innej karty. Zaloguj się hasłem, które zostało ustawione."
              : "Konto nie jest dostępne. Skontaktuj się z biurem spółdzielni.",
          }}
        />,
      );
    }
    const page = { forced: session.restricted };
    return renderPage(
      c,
      {
        title: "Zmiana hasła",
        menu: session.restricted ? [] : publicMenu,
        viewer: residentViewer(account),
        status: result.reason === "locked" ? 429 : 422,
      },
      result.reason === "locked"
        ? (
          <PasswordChangePage
            {...page}
            banner={`Zbyt wiele błędnych haseł. Zmiana hasła i logowanie będą możliwe po ${
              formatDateTime(result.retryAt)
            }.`}
          />
        )
        : <PasswordChangePage {...page} errors={result.errors} ticket={result.ticket} />,
    );
  });

  app.get(
    "/nie-pamietam-hasla",
    (c) => renderPage(c, { title: "Nie pamiętam hasła", menu: publicMenu }, <ForgotPasswordPage />),
  );

  app.post("/nie-pamietam-hasla", async (c) => {
    const form = await readForm(c.req);
    const typed = single(form.identifier).trim().slice(0, 40);
    if (!typed) {
      return renderPage(
        c,
        { title: "Nie pamiętam hasła", menu: publicMenu, status: 422 },
        <ForgotPasswordPage errors={{ identifier: "Podaj Identyfikator." }} />,
      );
    }
    const result = await requestStartPasswordBySms(kv, clock, hasher, {
      ...ctx(c),
      startPasswordTtlMs: config.startPasswordTtlMs,
    }, { identifier: typed, clientAddress: clientAddress(c, config.trustProxy) });
    if (!result.ok) {
      return renderPage(
        c,
        { title: "Nie pamiętam hasła", menu: publicMenu, status: 429 },
        <ForgotPasswordPage
          identifier={typed}
          banner={`Zbyt wiele prób. Spróbuj ponownie po ${formatDateTime(result.retryAt)}.`}
        />,
      );
    }
    return renderPage(
      c,
      { title: "Nie pamiętam hasła", menu: publicMenu },
      <ForgotPasswordPage sent />,
    );
  });

  return app;
}
