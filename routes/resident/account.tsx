/**
 * "Moje konto" (/ebok/konto): the account's facts, the resident's own e-mail and phone changes
 * (each confirmed through the new contact), the e-mail notices wanted, sessions.
 */
import { type Context, Hono } from "hono";
import {
  confirmPhoneChange,
  type ContactErrors,
  type ContactRequestResult,
  getPendingContactChanges,
  type PhoneConfirmResult,
  requestEmailChange,
  requestPhoneChange,
} from "../../domain/accounts/contact_change.ts";
import {
  notificationPrefsOf,
  setNotificationPrefs,
} from "../../domain/accounts/notification_prefs.ts";
import { listResidentUnits } from "../../domain/accounts/resident_units.ts";
import { invalidateOwnerSessions, listOwnerSessions } from "../../domain/accounts/sessions.ts";
import {
  ECORRESPONDENCE_CONSENT_TEXT,
  getEcorrespondenceConsent,
} from "../../domain/documents/consent.ts";
import { formatDateTime } from "../../views/format.ts";
import { residentMenu } from "../../views/menu.ts";
import { AccountPage } from "../../views/resident/account.tsx";
import type { ContactForms } from "../../views/resident/contact.tsx";
import { EcorrespondenceSection } from "../../views/resident/documents.tsx";
import { clientAddress } from "../client.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { multiple, readForm, single } from "../validation.ts";
import { consentNotices } from "./documents.tsx";
import { type ResidentEnv, residentViewer } from "./guard.ts";
import { messageCtx } from "./message_ctx.ts";

/** The notice shown after a redirect back to the page, by its query word. */
const notices: Record<string, string> = {
  wylogowano: "Wylogowano na pozostałych urządzeniach.",
  "link-wyslany":
    "Link potwierdzający wysłano na nowy adres e-mail. Adres zmieni się po otwarciu linku.",
  "kod-wyslany": "Kod wysłano SMS-em na nowy numer. Wpisz go poniżej.",
  "telefon-zmieniony": "Numer telefonu został zmieniony. Na adres e-mail wysłano informację.",
  "powiadomienia-zapisane": "Ustawienia powiadomień zostały zapisane.",
};

function noticeOf(c: Context<ResidentEnv>): string | undefined {
  const word = Object.keys(notices).find((w) => c.req.query(w) !== undefined);
  return word ? notices[word] : consentNotices[c.req.query("e-korespondencja") ?? ""];
}

/** A refused request's form state: field errors under the page's field names, or a banner. */
function refusedForm(
  result: Exclude<ContactRequestResult, { ok: true }>,
  value: string,
  fields: { main: "email" | "phone"; password: string },
): ContactForms["email"] {
  if (result.reason === "invalid") {
    const e: ContactErrors = result.errors;
    return {
      value,
      errors: { [fields.main]: e[fields.main], [fields.password]: e.current_password },
    };
  }
  return {
    value,
    banner: result.reason === "locked"
      ? `Zbyt wiele błędnych haseł. Spróbuj ponownie po ${formatDateTime(result.retryAt)}.`
      : `Zbyt wiele próśb o zmianę danych. Spróbuj ponownie po ${formatDateTime(result.retryAt)}.`,
  };
}

/** A refused code: its field error (422), or a banner when no code can be tried any more. */
function codeRefusal(
  result: Exclude<PhoneConfirmResult, { ok: true }>,
): { forms: ContactForms; status: 422 | 429 } {
  if (result.reason === "invalid") {
    return { status: 422, forms: { code: { errors: result.errors } } };
  }
  return {
    status: result.reason === "too_many" ? 429 : 422,
    forms: {
      code: {
        banner: result.reason === "too_many"
          ? "Zbyt wiele błędnych kodów — ten kod już nie działa. Poproś o nowy kod poniżej."
          : "Kod wygasł albo nie ma kodu do potwierdzenia. Poproś o nowy kod poniżej.",
      },
    },
  };
}

/** The page, with what a refused form needs re-rendered (422/429) or a notice. */
async function renderAccountPage(
  deps: AppDeps,
  c: Context<ResidentEnv>,
  options: { forms?: ContactForms; status?: 200 | 422 | 429 } = {},
) {
  const { kv, clock } = deps;
  const account = c.get("account");
  return renderPage(
    c,
    {
      title: "Moje konto",
      menu: residentMenu,
      viewer: residentViewer(account),
      status: options.status,
    },
    <AccountPage
      account={account}
      units={await listResidentUnits(kv, account)}
      sessions={await listOwnerSessions(kv, clock, "resident", account.id)}
      currentSessionId={c.get("session").id}
      notice={options.forms ? undefined : noticeOf(c)}
      pending={await getPendingContactChanges(kv, clock, account.id)}
      prefs={notificationPrefsOf(account)}
      forms={options.forms}
      ecorrespondence={
        <EcorrespondenceSection
          consent={await getEcorrespondenceConsent(kv, account.id)}
          text={ECORRESPONDENCE_CONSENT_TEXT}
        />
      }
    />,
  );
}

export function accountRoutes(deps: AppDeps) {
  const { kv, clock, config, hasher } = deps;
  const app = new Hono<ResidentEnv>();

  app.get("/", (c) => renderAccountPage(deps, c));

  app.post("/wyloguj-wszedzie", async (c) => {
    const account = c.get("account");
    await invalidateOwnerSessions(kv, "resident", account.id, c.get("session").id, {
      clock,
      entry: (ended) => ({
        actor: { kind: "resident", id: account.id, label: account.identifier },
        action: "sessions.ended_elsewhere",
        details: { ended },
      }),
    });
    return c.redirect("/ebok/konto?wylogowano", 303);
  });

  app.post("/email", async (c) => {
    const form = await readForm(c.req);
    const email = single(form.email).trim().slice(0, 300);
    const result = await requestEmailChange(kv, clock, hasher, messageCtx(deps, c), {
      account: c.get("account"),
      email,
      password: single(form.email_password).slice(0, 200),
      clientAddress: clientAddress(c, config.trustProxy),
    });
    if (result.ok) return c.redirect("/ebok/konto?link-wyslany#zmiana-email", 303);
    return renderAccountPage(deps, c, {
      status: result.reason === "invalid" ? 422 : 429,
      forms: { email: refusedForm(result, email, { main: "email", password: "email_password" }) },
    });
  });

  app.post("/telefon", async (c) => {
    const form = await readForm(c.req);
    const phone = single(form.phone).trim().slice(0, 40);
    const result = await requestPhoneChange(kv, clock, hasher, messageCtx(deps, c), {
      account: c.get("account"),
      phone,
      password: single(form.phone_password).slice(0, 200),
      clientAddress: clientAddress(c, config.trustProxy),
    });
    if (result.ok) return c.redirect("/ebok/konto?kod-wyslany#zmiana-telefonu", 303);
    return renderAccountPage(deps, c, {
      status: result.reason === "invalid" ? 422 : 429,
      forms: { phone: refusedForm(result, phone, { main: "phone", password: "phone_password" }) },
    });
  });

  app.post("/telefon/kod", async (c) => {
    const code = single((await readForm(c.req)).code).slice(0, 20);
    const result = await confirmPhoneChange(kv, clock, messageCtx(deps, c), {
      account: c.get("account"),
      code,
      clientAddress: clientAddress(c, config.trustProxy),
    });
    if (result.ok) return c.redirect("/ebok/konto?telefon-zmieniony#zmiana-telefonu", 303);
    return renderAccountPage(deps, c, codeRefusal(result));
  });

  app.post("/powiadomienia", async (c) => {
    const chosen = multiple((await readForm(c.req)).notify);
    await setNotificationPrefs(kv, clock, c.get("account").id, chosen);
    return c.redirect("/ebok/konto?powiadomienia-zapisane#powiadomienia", 303);
  });

  return app;
}
