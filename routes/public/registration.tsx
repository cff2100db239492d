import { type Context, Hono } from "hono";
import { submitAccessRequest } from "../../domain/access/access_requests.ts";
import {
  type RegistrationFieldName,
  registrationFieldNames,
  registrationSchema,
  toRegistrationData,
} from "../../domain/access/registration_form.ts";
import { consumeRateLimit } from "../../domain/accounts/rate_limit.ts";
import { getRodoNotice } from "../../domain/access/rodo.ts";
import { checkManagedAddress } from "../../domain/access/managed_address.ts";
import { listStreets } from "../../domain/backoffice/register.ts";
import { publicMenu } from "../../views/menu.ts";
import {
  AddressCheckNote,
  RegistrationField,
  RegistrationPage,
  RegistrationSentPage,
  type RegistrationValues,
} from "../../views/public/registration.tsx";
import { clientAddress } from "../client.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { renderPage } from "../render.tsx";
import { fieldErrors, readForm, single } from "../validation.ts";

const PER_ADDRESS = { limit: 20, windowMs: 60 * 60_000 };
const PER_EMAIL = { limit: 3, windowMs: 24 * 60 * 60_000 };

/** The form's own fields plus the applicant's "the address is right" after a warning. */
const ADDRESS_CONFIRMED = "address_confirmed";

const valuesOf = (form: Record<string, string | string[]>): RegistrationValues => ({
  ...Object.fromEntries(registrationFieldNames.map((f) => [f, single(form[f]).slice(0, 300)])),
  [ADDRESS_CONFIRMED]: single(form[ADDRESS_CONFIRMED]) === "on" ? "on" : "",
});

const ADDRESS_FIELDS: readonly RegistrationFieldName[] = ["street", "building", "unit"];

const TOO_MANY =
  "Wysłano zbyt wiele formularzy w krótkim czasie. Spróbuj ponownie później albo skontaktuj się z biurem spółdzielni.";

/** Counts one submission against the sender's address and the e-mail; false when over a limit. */
async function withinRateLimits(kv: Deno.Kv, clock: AppDeps["clock"], ip: string, email: string) {
  if (!(await consumeRateLimit(kv, clock, "registration_address", ip, PER_ADDRESS)).ok) {
    return false;
  }
  return (await consumeRateLimit(kv, clock, "registration_email", email, PER_EMAIL)).ok;
}

/** The form again, as typed, with its errors (422) or the too-many banner (429). */
async function correctionPage(
  kv: Deno.Kv,
  c: Context<AppEnv>,
  props: {
    values: RegistrationValues;
    notice: Awaited<ReturnType<typeof getRodoNotice>>;
    status: 422 | 429;
    errors: Record<string, string | undefined>;
    banner?: string;
  },
) {
  return renderPage(
    c,
    { title: "Rejestracja — popraw dane", menu: publicMenu, status: props.status },
    <RegistrationPage
      values={props.values}
      errors={props.errors}
      notice={props.notice}
      banner={props.banner}
      streets={await listStreets(kv)}
    />,
  );
}

/** One field re-rendered with its error; after an address field, the address check too. */
async function checkedField(kv: Deno.Kv, name: RegistrationFieldName, values: RegistrationValues) {
  const result = registrationSchema.safeParse(values);
  const errors = result.success ? {} : fieldErrors(result.error);
  const check = ADDRESS_FIELDS.includes(name)
    ? await checkManagedAddress(kv, values.street ?? "", values.building ?? "")
    : undefined;
  return (
    <>
      <RegistrationField name={name} values={values} errors={{ [name]: errors[name] }} />
      {check && <AddressCheckNote check={check} values={values} oob />}
    </>
  );
}

export function registrationRoutes(deps: AppDeps) {
  const { kv, clock, config } = deps;
  const app = new Hono<AppEnv>();

  app.get("/rejestracja", async (c) => {
    const notice = await getRodoNotice(kv, c.get("cooperative"));
    return renderPage(
      c,
      { title: "Rejestracja", menu: publicMenu },
      <RegistrationPage values={{}} errors={{}} notice={notice} streets={await listStreets(kv)} />,
    );
  });

  // htmx: validates the field the user just left and returns it re-rendered; after an address
  // field, also whether the cooperative manages that street and building (out of band).
  app.post("/rejestracja/sprawdz", async (c) => {
    const form = await readForm(c.req);
    const name = c.req.header("HX-Trigger-Name") as RegistrationFieldName | undefined;
    if (!name || !registrationFieldNames.includes(name)) return c.body(null, 204);
    c.header("Vary", "HX-Request", { append: true });
    return c.html(await checkedField(kv, name, valuesOf(form)));
  });

  app.post("/rejestracja", async (c) => {
    const form = await readForm(c.req);
    const values = valuesOf(form);
    const notice = await getRodoNotice(kv, c.get("cooperative"));
    const page = (status: 422 | 429, errors: Record<string, string | undefined>, banner?: string) =>
      correctionPage(kv, c, { values, notice, status, errors, banner });

    const parsed = registrationSchema.safeParse(values);
    if (!parsed.success) return page(422, fieldErrors(parsed.error));
    // The notice may have changed while the form was open: the resident must see this one.
    if (single(form.rodo_version) && single(form.rodo_version) !== notice.version) {
      return page(422, {
        rodo_ack:
          "Informacja o przetwarzaniu danych została zmieniona. Przeczytaj ją i potwierdź ponownie.",
      });
    }
    // An address the cooperative does not manage is most often a typo. With JavaScript the
    // applicant is told when leaving the field, before sending; without it the form is still
    // accepted (CONTRACT.md: a valid form answers 303, and the register may lag behind), and the
    // confirmation page says the office will check the address.
    const d = parsed.data;
    const address = await checkManagedAddress(kv, d.street, d.building);

    const ip = clientAddress(c, config.trustProxy);
    if (!(await withinRateLimits(kv, clock, ip, d.email))) {
      return page(429, {}, TOO_MANY);
    }
    await submitAccessRequest(
      kv,
      clock,
      { coop: c.get("cooperative"), baseUrl: config.baseUrl },
      toRegistrationData(d),
      { rodoVersion: notice.version, clientAddress: ip },
    );
    return c.redirect(
      address.managed ? "/rejestracja/wyslano" : "/rejestracja/wyslano?adres=spoza-rejestru",
      303,
    );
  });

  app.get(
    "/rejestracja/wyslano",
    (c) =>
      renderPage(
        c,
        { title: "Formularz wysłany", menu: publicMenu },
        <RegistrationSentPage addressUnknown={c.req.query("adres") === "spoza-rejestru"} />,
      ),
  );

  return app;
}
