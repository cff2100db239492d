/**
 * API tokens of integrations (`/admin/ustawienia/api`): administrators only. Lists the tokens,
 * creates one (its secret shown once, on the answer to the POST — never stored, never again) and
 * revokes one. Plain forms with POST + 303; a form with errors is shown again with 422.
 */
import { type Context, Hono } from "hono";
import {
  apiTokenNameProblem,
  createApiToken,
  isApiScope,
  listApiTokens,
  revokeApiToken,
} from "../../domain/backoffice/api_tokens.ts";
import {
  API_TOKENS_PATH,
  ApiTokensPage,
  type ApiTokensPageProps,
  type NewApiTokenShown,
} from "../../views/admin/api_tokens.tsx";
import type { FieldErrors } from "../../views/form.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { requireStaff, staffActor, type StaffEnv, staffViewer } from "./guard.ts";
import { multiple, readForm, single } from "../validation.ts";

export { API_TOKENS_PATH };

const notices: Record<string, string> = {
  uniewazniono: "Token unieważniony: integracja, która go używa, dostanie odmowę (401).",
};

/** The sub-app; mount it at `/admin/ustawienia/api` inside the staff area. */
export function apiTokenRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<StaffEnv>();
  app.use(requireStaff(deps, ["admin"]));

  const page = async (
    c: Context<StaffEnv>,
    status: 200 | 422 = 200,
    extra: Omit<ApiTokensPageProps, "tokens"> = {},
  ) => {
    // Says so itself (not only by the app's default): the answer to a POST holds a secret.
    c.header("Cache-Control", "no-store");
    return renderPage(
      c,
      {
        title: "Tokeny API",
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        status,
      },
      <ApiTokensPage
        tokens={await listApiTokens(kv)}
        notice={notices[c.req.query("wynik") ?? ""]}
        {...extra}
      />,
    );
  };

  app.get("/", (c) => page(c));

  app.post("/", async (c) => {
    const form = await readForm(c.req);
    const name = single(form.name).slice(0, 200);
    const scopes = multiple(form.scope).map((s) => s.slice(0, 40));
    const values = { name: name.trim().slice(0, 80), scopes: scopes.filter(isApiScope) };
    const errors: FieldErrors = {};
    const nameProblem = apiTokenNameProblem(name);
    if (nameProblem) errors.name = nameProblem;
    if (values.scopes.length === 0 || scopes.some((s) => !isApiScope(s))) {
      errors.scopes = "Zaznacz co najmniej jedno uprawnienie z listy.";
    }
    if (errors.name || errors.scopes) return page(c, 422, { errors, values });
    const result = await createApiToken(kv, clock, {
      name,
      scopes: values.scopes,
      actor: staffActor(c.get("staff")),
    });
    if (!result.ok) {
      return page(c, 422, {
        errors: result.reason === "name_taken"
          ? { name: "Aktywny token o tej nazwie już istnieje: unieważnij go albo wybierz inną." }
          : result.reason === "no_scopes"
          ? { scopes: "Zaznacz co najmniej jedno uprawnienie z listy." }
          : { name: "Nieprawidłowa nazwa." },
        values,
      });
    }
    const created: NewApiTokenShown = {
      name: result.token.name,
      secret: result.secret,
      scopes: result.token.scopes,
    };
    return page(c, 200, { created });
  });

  app.post("/:id/uniewaznij", async (c) => {
    const id = c.req.param("id").slice(0, 40);
    const result = await revokeApiToken(kv, clock, id, staffActor(c.get("staff")));
    if (!result.ok) return c.notFound();
    return c.redirect(`${API_TOKENS_PATH}?wynik=uniewazniono`, 303);
  });

  return app;
}
