import { type Context, Hono } from "hono";
import { z } from "zod";
import {
  changeAccountUnits,
  changeContact,
  endAccountSessions,
  resendIdentifier,
  setAccountBlocked,
  unlockLogin,
} from "../../domain/accounts/account_support.ts";
import { type Account, getAccount, listAccounts } from "../../domain/accounts/accounts.ts";
import { getAccountOverview } from "../../domain/accounts/account_overview.ts";
import { issueStartPassword } from "../../domain/accounts/credentials.ts";
import { normalizePolishMobile } from "../../domain/shared/phone.ts";
import { AccountPage, AccountsPage } from "../../views/admin/accounts.tsx";
import type { FieldErrors } from "../../views/form.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";
import { multiple, readForm, single } from "../validation.ts";

const notices: Record<string, string> = {
  "haslo-wyslane": "Nowe hasło startowe zostało wysłane SMS-em. Poprzednie przestało działać.",
  odblokowano: "Blokada logowania została zdjęta.",
  identyfikator: "E-mail z Identyfikatorem został wysłany ponownie.",
  kontakt: "Dane kontaktowe zmienione. Na dotychczasowy adres e-mail wysłano powiadomienie.",
  zablokowano: "Konto zablokowane, a jego sesje zakończone.",
  odblokowano_konto: "Konto odblokowane.",
  wylogowano: "Wszystkie sesje mieszkańca zostały zakończone.",
  lokale: "Lista lokali konta została zmieniona.",
};

const contactSchema = z.object({
  email: z.string().trim().toLowerCase().max(254, "Adres e-mail jest za długi.")
    .pipe(z.email("Podaj poprawny adres e-mail.")),
  phone: z.string().trim().max(30).transform((s, ctx) => {
    const e164 = normalizePolishMobile(s);
    if (!e164) {
      ctx.addIssue({ code: "custom", message: "Podaj polski numer komórkowy, np. 600 123 456." });
      return z.NEVER;
    }
    return e164;
  }),
});

type AccountPageExtra = {
  status?: 200 | 422;
  contactErrors?: FieldErrors;
  contactValues?: Record<string, string>;
  unitsError?: string;
};

/** The account's support page, with the form errors of a refused change when there are any. */
async function accountPage(
  { kv, clock }: AppDeps,
  c: Context<StaffEnv>,
  account: Account,
  extra: AccountPageExtra = {},
) {
  return renderPage(
    c,
    {
      title: `Konto ${account.identifier}`,
      menu: staffMenu,
      viewer: staffViewer(c.get("staff")),
      status: extra.status ?? 200,
    },
    <AccountPage
      account={account}
      {...await getAccountOverview(kv, clock, account)}
      now={clock()}
      notice={notices[c.req.query("wynik") ?? ""]}
      contactErrors={extra.contactErrors}
      contactValues={extra.contactValues}
      unitsError={extra.unitsError}
    />,
  );
}

/** Back to the account's page, which says what was done. */
const done = (c: Context<StaffEnv>, id: string, result: string) =>
  c.redirect(`/admin/konta/${id}?wynik=${result}`, 303);

const messageContext = (config: AppDeps["config"], c: Context<StaffEnv>) => ({
  coop: c.get("cooperative"),
  baseUrl: config.baseUrl,
});

/** The office's view of one resident account and what it can do for them. */
export function accountRoutes(deps: AppDeps) {
  const { kv, clock, config } = deps;
  const app = new Hono<StaffEnv>();

  app.get("/", async (c) =>
    renderPage(
      c,
      { title: "Konta mieszkańców", menu: staffMenu, viewer: staffViewer(c.get("staff")) },
      <AccountsPage accounts={await listAccounts(kv)} now={clock()} />,
    ));

  app.get("/:id", async (c) => {
    const account = await getAccount(kv, c.req.param("id"));
    if (!account) return c.notFound();
    return accountPage(deps, c, account);
  });

  app.post("/:id/kontakt", async (c) => {
    const account = await getAccount(kv, c.req.param("id"));
    if (!account) return c.notFound();
    const form = await readForm(c.req);
    const values = {
      email: single(form.email).slice(0, 300),
      phone: single(form.phone).slice(0, 40),
    };
    const parsed = contactSchema.safeParse(values);
    if (!parsed.success) {
      const contactErrors: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        contactErrors[String(issue.path[0])] ??= issue.message;
      }
      return accountPage(deps, c, account, { status: 422, contactErrors, contactValues: values });
    }
    const staff = staffActor(c.get("staff"));
    await changeContact(kv, clock, messageContext(config, c), account.id, parsed.data, staff);
    return done(c, account.id, "kontakt");
  });

  app.post("/:id/lokale", async (c) => {
    const account = await getAccount(kv, c.req.param("id"));
    if (!account) return c.notFound();
    const form = await readForm(c.req);
    const changed = await changeAccountUnits(kv, clock, account, {
      keep: multiple(form.unit_id),
      address: {
        street: single(form.street).trim().slice(0, 80),
        building: single(form.building).trim().slice(0, 10),
        unit: single(form.unit).trim().slice(0, 8),
      },
    }, staffActor(c.get("staff")));
    if (!changed.ok) {
      return accountPage(deps, c, account, {
        status: 422,
        unitsError:
          "W rejestrze nie ma lokalu o tym adresie. Sprawdź ulicę, numer budynku i lokalu.",
      });
    }
    return done(c, account.id, "lokale");
  });

  supportActionRoutes(app, deps);
  return app;
}

/** The one-button actions of the support page: each calls one domain function and redirects. */
function supportActionRoutes(app: Hono<StaffEnv>, deps: AppDeps) {
  const { kv, clock, config, hasher } = deps;

  app.post("/:id/haslo-startowe", async (c) => {
    const account = await issueStartPassword(kv, clock, hasher, {
      ...messageContext(config, c),
      startPasswordTtlMs: config.startPasswordTtlMs,
    }, {
      accountId: c.req.param("id"),
      actor: staffActor(c.get("staff")),
      action: "account.start_password_issued",
    });
    if (!account) return c.notFound();
    return done(c, account.id, "haslo-wyslane");
  });

  app.post("/:id/odblokuj", async (c) => {
    const account = await unlockLogin(kv, clock, c.req.param("id"), staffActor(c.get("staff")));
    if (!account) return c.notFound();
    return done(c, account.id, "odblokowano");
  });

  app.post("/:id/identyfikator", async (c) => {
    const account = await resendIdentifier(
      kv,
      clock,
      messageContext(config, c),
      c.req.param("id"),
      staffActor(c.get("staff")),
    );
    if (!account) return c.notFound();
    return done(c, account.id, "identyfikator");
  });

  const blockedRoute = (path: string, blocked: boolean, result: string) =>
    app.post(`/:id/${path}`, async (c) => {
      const id = c.req.param("id");
      const account = await setAccountBlocked(kv, clock, id, blocked, staffActor(c.get("staff")));
      return account ? done(c, account.id, result) : c.redirect(`/admin/konta/${id}`, 303);
    });
  blockedRoute("blokuj", true, "zablokowano");
  blockedRoute("odblokuj-konto", false, "odblokowano_konto");

  app.post("/:id/wyloguj", async (c) => {
    const account = await getAccount(kv, c.req.param("id"));
    if (!account) return c.notFound();
    await endAccountSessions(kv, clock, account.id, staffActor(c.get("staff")));
    return done(c, account.id, "wylogowano");
  });
}
