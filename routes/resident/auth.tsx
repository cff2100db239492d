import { Hono } from "hono";
import { getAccountByIdentifier, updateAccount } from "../../domain/accounts/accounts.ts";
import { addAudit, recordAudit } from "../../domain/backoffice/audit.ts";
import {
  changePassword,
  newStartPassword,
  verifyResidentLogin,
} from "../../domain/accounts/credentials.ts";
import { normalizeIdentifier } from "../../domain/access/identifier.ts";
import { addMessage } from "../../domain/messaging/messages.ts";
import { passwordChangedEmail, startPasswordSms } from "../../domain/messaging/notifications.ts";
import { consumeRateLimit } from "../../domain/accounts/rate_limit.ts";
import {
  createSession,
  deleteSession,
  invalidateOwnerSessions,
  validateSession,
} from "../../domain/accounts/sessions.ts";
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

const LOGIN_PER_ADDRESS = { limit: 60, windowMs: 15 * 60_000 };
const FORGOT_PER_ADDRESS = { limit: 5, windowMs: 60 * 60_000 };
const FORGOT_PER_ACCOUNT = { limit: 3, windowMs: 24 * 60 * 60_000 };

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
    const perAddress = await consumeRateLimit(
      kv,
      clock,
      "login_address",
      address,
      LOGIN_PER_ADDRESS,
    );
    if (!perAddress.ok) {
      return refuse(
        429,
        `Zbyt wiele prób logowania z tego adresu. Spróbuj ponownie po ${
          formatDateTime(perAddress.retryAt)
        }.`,
        "warn",
      );
    }
    const result = await verifyResidentLogin(kv, clock, hasher, identifier, password);
    if (!result.ok) {
      const account = result.reason === "invalid" || result.reason === "locked"
        ? null
        : await getAccountByIdentifier(kv, normalizeIdentifier(identifier) ?? "");
      await recordAudit(kv, clock, {
        actor: account
          ? { kind: "resident", id: account.id, label: account.identifier }
          : { kind: "anonymous", label: "—" },
        action: `login.${result.reason}`,
        // Logged only when it has the shape of an identifier: never a password typed by mistake.
        details: { identifier: normalizeIdentifier(identifier) ?? "(niepoprawny)" },
        clientAddress: address,
      });
      switch (result.reason) {
        case "invalid":
          return refuse(422, "Nieprawidłowy Identyfikator lub hasło.");
        case "locked":
          return refuse(
            429,
            `Zbyt wiele nieudanych prób logowania. Logowanie na to konto będzie możliwe po ${
              formatDateTime(result.retryAt)
            }. Jeśli nie pamiętasz hasła, skorzystaj z opcji „Nie pamiętam hasła” albo skontaktuj się z biurem spółdzielni.`,
            "warn",
          );
        case "blocked":
          return refuse(422, "Konto jest zablokowane. Skontaktuj się z biurem spółdzielni.");
        case "start_password_expired":
          return refuse(
            422,
            "Hasło startowe wygasło. Poproś o nowe w opcji „Nie pamiętam hasła” albo w biurze spółdzielni.",
          );
        case "start_password_used":
          return refuse(
            422,
            "To hasło startowe zostało już użyte. Poproś o nowe w opcji „Nie pamiętam hasła” albo w biurze spółdzielni.",
          );
      }
    }
    const { account, withStartPassword } = result;
    // A fresh token at every login: an old cookie (fixation) is never promoted.
    const old = readSessionCookie(c, config, "resident");
    if (old) {
      const s = await validateSession(kv, clock, "resident", old);
      if (s) await deleteSession(kv, s);
    }
    const { token } = await createSession(kv, clock, "resident", account.id, {
      restricted: withStartPassword,
    });
    setSessionCookie(c, config, "resident", token);
    await recordAudit(kv, clock, {
      actor: { kind: "resident", id: account.id, label: account.identifier },
      action: withStartPassword ? "login.start_password" : "login.ok",
      clientAddress: address,
    });
    return c.redirect(withStartPassword ? "/zmiana-hasla" : "/ebok", 303);
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
    const current = single(form.current_password).slice(0, 200);
    const next = single(form.new_password).slice(0, 200);
    const confirm = single(form.new_password_confirm).slice(0, 200);
    const now = clock();
    const result = await changePassword(kv, clock, hasher, {
      account,
      withStartPassword: session.restricted,
      current,
      next,
      confirm,
    }, (op, updated) => {
      addMessage(
        op,
        clock,
        passwordChangedEmail(ctx(c), {
          email: updated.email,
          firstName: updated.firstName,
          accountId: updated.id,
          at: now,
        }),
      );
      addAudit(op, clock, {
        actor: { kind: "resident", id: updated.id, label: updated.identifier },
        action: session.restricted ? "password.set_after_start" : "password.changed",
        clientAddress: clientAddress(c, config.trustProxy),
      });
    });
    if (!result.ok) {
      return renderPage(
        c,
        {
          title: "Zmiana hasła",
          menu: session.restricted ? [] : publicMenu,
          viewer: residentViewer(account),
          status: 422,
        },
        <PasswordChangePage forced={session.restricted} errors={result.errors} />,
      );
    }
    // End every session, this one too, and open a fresh one: a new token after the change.
    await invalidateOwnerSessions(kv, "resident", account.id);
    const { token } = await createSession(kv, clock, "resident", account.id);
    setSessionCookie(c, config, "resident", token);
    return c.redirect("/ebok?haslo-zmienione", 303);
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
    const address = clientAddress(c, config.trustProxy);
    const perAddress = await consumeRateLimit(
      kv,
      clock,
      "forgot_address",
      address,
      FORGOT_PER_ADDRESS,
    );
    if (!perAddress.ok) {
      return renderPage(
        c,
        { title: "Nie pamiętam hasła", menu: publicMenu, status: 429 },
        <ForgotPasswordPage
          identifier={typed}
          banner={`Zbyt wiele prób. Spróbuj ponownie po ${formatDateTime(perAddress.retryAt)}.`}
        />,
      );
    }
    const identifier = normalizeIdentifier(typed);
    const account = identifier ? await getAccountByIdentifier(kv, identifier) : null;
    // Hash either way, so the answer takes as long whether or not the identifier exists.
    const start = await newStartPassword(hasher, clock, config.startPasswordTtlMs);
    if (
      account && account.status === "active" &&
      (await consumeRateLimit(kv, clock, "forgot_account", account.id, FORGOT_PER_ACCOUNT)).ok
    ) {
      await updateAccount(
        kv,
        account.id,
        (a) => ({ ...a, startPassword: start.record }),
        (op, a) => {
          addMessage(
            op,
            clock,
            startPasswordSms(ctx(c), {
              phone: a.phone,
              accountId: a.id,
              password: start.plain,
              expiresAt: new Date(start.record.expiresAt),
            }),
          );
          addAudit(op, clock, {
            actor: { kind: "resident", id: a.id, label: a.identifier },
            action: "password.reset_requested",
            clientAddress: address,
          });
        },
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
