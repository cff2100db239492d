import { Hono } from "hono";
import { submitAccessRequest } from "../../domain/access/access_requests.ts";
import { consumeRateLimit } from "../../domain/accounts/rate_limit.ts";
import { getRodoNotice } from "../../domain/access/rodo.ts";
import { publicMenu } from "../../views/menu.ts";
import {
  RegistrationField,
  RegistrationPage,
  RegistrationSentPage,
  type RegistrationValues,
} from "../../views/public/registration.tsx";
import { clientAddress } from "../client.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { registrationLabels, registrationSchema } from "./registration_schema.ts";
import { renderPage } from "../render.tsx";
import { fieldErrors, readForm, single } from "../validation.ts";

const PER_ADDRESS = { limit: 20, windowMs: 60 * 60_000 };
const PER_EMAIL = { limit: 3, windowMs: 24 * 60 * 60_000 };

type FieldName = keyof typeof registrationLabels;
const fieldNames = Object.keys(registrationLabels) as FieldName[];

export function registrationRoutes(deps: AppDeps) {
  const { kv, clock, config } = deps;
  const app = new Hono<AppEnv>();

  app.get("/rejestracja", async (c) => {
    const notice = await getRodoNotice(kv, c.get("cooperative"));
    return renderPage(
      c,
      { title: "Rejestracja", menu: publicMenu },
      <RegistrationPage values={{}} errors={{}} notice={notice} />,
    );
  });

  // htmx: validates the field the user just left and returns it re-rendered.
  app.post("/rejestracja/sprawdz", async (c) => {
    const form = await readForm(c.req);
    const name = c.req.header("HX-Trigger-Name") as FieldName | undefined;
    if (!name || !fieldNames.includes(name)) return c.body(null, 204);
    const values = Object.fromEntries(fieldNames.map((f) => [f, single(form[f])]));
    const result = registrationSchema.safeParse(values);
    const errors = result.success ? {} : fieldErrors(result.error);
    c.header("Vary", "HX-Request", { append: true });
    return c.html(
      <RegistrationField name={name} values={values} errors={{ [name]: errors[name] }} />,
    );
  });

  app.post("/rejestracja", async (c) => {
    const form = await readForm(c.req);
    const values: RegistrationValues = Object.fromEntries(
      fieldNames.map((f) => [f, single(form[f]).slice(0, 300)]),
    );
    const notice = await getRodoNotice(kv, c.get("cooperative"));
    const page = (status: 422 | 429, errors: Record<string, string | undefined>, banner?: string) =>
      renderPage(
        c,
        { title: "Rejestracja — popraw dane", menu: publicMenu, status },
        <RegistrationPage values={values} errors={errors} notice={notice} banner={banner} />,
      );

    const parsed = registrationSchema.safeParse(values);
    if (!parsed.success) return page(422, fieldErrors(parsed.error));
    // The notice may have changed while the form was open: the resident must see this one.
    if (single(form.rodo_version) && single(form.rodo_version) !== notice.version) {
      return page(422, {
        rodo_ack:
          "Informacja o przetwarzaniu danych została zmieniona. Przeczytaj ją i potwierdź ponownie.",
      });
    }

    const address = clientAddress(c, config.trustProxy);
    const tooMany =
      "Wysłano zbyt wiele formularzy w krótkim czasie. Spróbuj ponownie później albo skontaktuj się z biurem spółdzielni.";
    if (!(await consumeRateLimit(kv, clock, "registration_address", address, PER_ADDRESS)).ok) {
      return page(429, {}, tooMany);
    }
    const d = parsed.data;
    if (!(await consumeRateLimit(kv, clock, "registration_email", d.email, PER_EMAIL)).ok) {
      return page(429, {}, tooMany);
    }
    await submitAccessRequest(kv, clock, { coop: c.get("cooperative"), baseUrl: config.baseUrl }, {
      firstName: d.first_name,
      lastName: d.last_name,
      email: d.email,
      phone: d.phone,
      street: d.street,
      building: d.building,
      unit: d.unit,
    }, { rodoVersion: notice.version, clientAddress: address });
    return c.redirect("/rejestracja/wyslano", 303);
  });

  app.get(
    "/rejestracja/wyslano",
    (c) =>
      renderPage(c, { title: "Formularz wysłany", menu: publicMenu }, <RegistrationSentPage />),
  );

  return app;
}
