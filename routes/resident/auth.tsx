/**
 * The resident's public pages around the account, by concern: signing in and out (login.tsx),
 * passwords (password.tsx), and the link that confirms a new e-mail address (here: it must
 * work without a session, from whatever device the e-mail is read on).
 */
import { Hono } from "hono";
import { checkEmailChangeLink, confirmEmailChange } from "../../domain/accounts/contact_change.ts";
import { publicMenu } from "../../views/menu.ts";
import { EmailLinkPage } from "../../views/resident/contact.tsx";
import { clientAddress } from "../client.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { renderPage } from "../render.tsx";
import { readForm, single } from "../validation.ts";
import { loginRoutes } from "./login.tsx";
import { messageCtx } from "./message_ctx.ts";
import { passwordRoutes } from "./password.tsx";

export function authRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.route("/", loginRoutes(deps));
  app.route("/", passwordRoutes(deps));
  app.route("/", emailLinkRoutes(deps));
  return app;
}

const EMAIL_LINK_TITLE = "Potwierdzenie adresu e-mail";

/** An unknown link is not found; a used, expired or replaced one conflicts with the state: 409. */
function refusedStatus(r: { ok: true } | { ok: false; reason: string }) {
  return r.ok ? 200 : r.reason === "unknown" ? 404 : 409;
}

/**
 * GET only shows the page (mail scanners open links); the change needs the button (POST).
 * The token is never echoed anywhere but the hidden field of that form.
 */
function emailLinkRoutes(deps: AppDeps) {
  const { kv, clock, config } = deps;
  const app = new Hono<AppEnv>();

  app.get("/potwierdz-email", async (c) => {
    const token = (c.req.query("t") ?? "").slice(0, 64);
    const link = await checkEmailChangeLink(kv, clock, token);
    c.header("Referrer-Policy", "no-referrer");
    return renderPage(
      c,
      { title: EMAIL_LINK_TITLE, menu: publicMenu, status: refusedStatus(link) },
      <EmailLinkPage
        state={link.ok
          ? { kind: "ready", token, newEmail: link.change.newEmail }
          : { kind: "refused", reason: link.reason }}
      />,
    );
  });

  app.post("/potwierdz-email", async (c) => {
    const token = single((await readForm(c.req)).t).slice(0, 64);
    const result = await confirmEmailChange(kv, clock, messageCtx(deps, c), {
      token,
      clientAddress: clientAddress(c, config.trustProxy),
    });
    return renderPage(
      c,
      { title: EMAIL_LINK_TITLE, menu: publicMenu, status: refusedStatus(result) },
      <EmailLinkPage
        state={result.ok
          ? { kind: "done", email: result.account.email }
          : { kind: "refused", reason: result.reason }}
      />,
    );
  });

  return app;
}
