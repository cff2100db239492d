import { type Context, Hono } from "hono";
import { z } from "zod";
import {
  changeContact,
  endAccountSessions,
  resendIdentifier,
  setAccountBlocked,
  setAccountUnits,
  unlockLogin,
} from "../../domain/accounts/account_support.ts";
import { type Account, getAccount, listAccounts } from "../../domain/accounts/accounts.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { getLockout, issueStartPassword } from "../../domain/accounts/credentials.ts";
import { listMessagesByRef } from "../../domain/messaging/messages.ts";
import { normalizePolishMobile } from "../../domain/shared/phone.ts";
import { findUnitsByAddress, getBuilding, getUnits } from "../../domain/backoffice/register.ts";
import { listOwnerSessions } from "../../domain/accounts/sessions.ts";
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

/** The office's view of one resident account and what it can do for them. */
export function accountRoutes(deps: AppDeps) {
  const { kv, clock, config, hasher } = deps;
  const app = new Hono<StaffEnv>();
  const ctx = (c: Context<StaffEnv>) => ({ coop: c.get("cooperative"), baseUrl: config.baseUrl });

  app.get("/", async (c) =>
    renderPage(
      c,
      { title: "Konta mieszkańców", menu: staffMenu, viewer: staffViewer(c.get("staff")) },
      <AccountsPage accounts={await listAccounts(kv)} now={clock()} />,
    ));

  const accountPage = async (
    c: Context<StaffEnv>,
    account: Account,
    extra: {
      status?: 200 | 422;
      contactErrors?: FieldErrors;
      contactValues?: Record<string, string>;
      unitsError?: string;
    } = {},
  ) => {
    const units = await Promise.all(
      (await getUnits(kv, account.unitIds)).map(async (unit) => ({
        unit,
        building: await getBuilding(kv, unit.buildingId),
      })),
    );
    const messages = [
      ...(account.requestId ? await listMessagesByRef(kv, `request:${account.requestId}`) : []),
      ...await listMessagesByRef(kv, `account:${account.id}`),
    ];
    const audit = (await listAudit(kv, 500)).filter((e) =>
      e.target?.id === account.id || e.actor.id === account.id ||
      (account.requestId && e.target?.id === account.requestId)
    );
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
        units={units}
        lockedUntil={await getLockout(kv, clock, account.identifier)}
        sessions={(await listOwnerSessions(kv, clock, "resident", account.id)).length}
        messages={messages}
        audit={audit}
        now={clock()}
        notice={notices[c.req.query("wynik") ?? ""]}
        contactErrors={extra.contactErrors}
        contactValues={extra.contactValues}
        unitsError={extra.unitsError}
      />,
    );
  };

  app.get("/:id", async (c) => {
    const account = await getAccount(kv, c.req.param("id"));
    if (!account) return c.notFound();
    return accountPage(c, account);
  });

  const done = (c: Context<StaffEnv>, id: string, result: string) =>
    c.redirect(`/admin/konta/${id}?wynik=${result}`, 303);

  app.post("/:id/haslo-startowe", async (c) => {
    const account = await issueStartPassword(kv, clock, hasher, {
      ...ctx(c),
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
      ctx(c),
      c.req.param("id"),
      staffActor(c.get("staff")),
    );
    if (!account) return c.notFound();
    return done(c, account.id, "identyfikator");
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
      return accountPage(c, account, { status: 422, contactErrors, contactValues: values });
    }
    await changeContact(kv, clock, ctx(c), account.id, parsed.data, staffActor(c.get("staff")));
    return done(c, account.id, "kontakt");
  });

  app.post("/:id/blokuj", async (c) => {
    const account = await setAccountBlocked(
      kv,
      clock,
      c.req.param("id"),
      true,
      staffActor(c.get("staff")),
    );
    return account
      ? done(c, account.id, "zablokowano")
      : c.redirect(`/admin/konta/${c.req.param("id")}`, 303);
  });

  app.post("/:id/odblokuj-konto", async (c) => {
    const account = await setAccountBlocked(
      kv,
      clock,
      c.req.param("id"),
      false,
      staffActor(c.get("staff")),
    );
    return account
      ? done(c, account.id, "odblokowano_konto")
      : c.redirect(`/admin/konta/${c.req.param("id")}`, 303);
  });

  app.post("/:id/wyloguj", async (c) => {
    const account = await getAccount(kv, c.req.param("id"));
    if (!account) return c.notFound();
    await endAccountSessions(kv, clock, account.id, staffActor(c.get("staff")));
    return done(c, account.id, "wylogowano");
  });

  app.post("/:id/lokale", async (c) => {
    const account = await getAccount(kv, c.req.param("id"));
    if (!account) return c.notFound();
    const form = await readForm(c.req);
    const keep = multiple(form.unit_id).filter((id) => account.unitIds.includes(id));
    const street = single(form.street).trim().slice(0, 80);
    const building = single(form.building).trim().slice(0, 10);
    const unit = single(form.unit).trim().slice(0, 8);
    let add: string[] = [];
    if (street || building || unit) {
      const found = await findUnitsByAddress(kv, street, building, unit);
      if (found.length === 0) {
        return accountPage(c, account, {
          status: 422,
          unitsError:
            "W rejestrze nie ma lokalu o tym adresie. Sprawdź ulicę, numer budynku i lokalu.",
        });
      }
      add = found.map((u) => u.id);
    }
    await setAccountUnits(kv, clock, account.id, [...keep, ...add], staffActor(c.get("staff")));
    return done(c, account.id, "lokale");
  });

  return app;
}
