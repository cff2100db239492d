/** Residents' passwords: the change (also the forced one after a start password) and "Nie pamiętam hasła". */
import { type Context, Hono } from "hono";
import type { Account } from "../../domain/accounts/accounts.ts";
import type { Session } from "../../domain/accounts/sessions.ts";
import { requestStartPasswordBySms } from "../../domain/accounts/credentials.ts";
import {
  type ChangePasswordResult,
  changeResidentPassword,
} from "../../domain/accounts/password_change.ts";
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
import { setSessionCookie } from "../cookies.ts";
import { renderPage } from "../render.tsx";
import { currentResident, residentViewer } from "./guard.ts";
import { messageCtx } from "./message_ctx.ts";
import { readForm, single } from "../validation.ts";

/** The password change (forced after a start password, or chosen) and "Nie pamiętam hasła". */
export function passwordRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.route("/", passwordChangeRoutes(deps));
  app.route("/", forgotPasswordRoutes(deps));
  return app;
}

function passwordChangeRoutes(deps: AppDeps) {
  const { kv, clock, config, hasher } = deps;
  const app = new Hono<AppEnv>();
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
    const result = await changeResidentPassword(kv, clock, hasher, messageCtx(deps, c), {
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
    return renderRefusedChange(c, found, result);
  });

  return app;
}

/** A refused change: another tab won (the login page), the lock, or the form with its errors. */
function renderRefusedChange(
  c: Context<AppEnv>,
  found: { account: Account; session: Session },
  result: Exclude<ChangePasswordResult, { ok: true }>,
) {
  const { account, session } = found;
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
}

function forgotPasswordRoutes(deps: AppDeps) {
  const { kv, clock, config, hasher } = deps;
  const app = new Hono<AppEnv>();

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
      ...messageCtx(deps, c),
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
