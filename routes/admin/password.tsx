import { type Context, Hono } from "hono";
import { recordAudit } from "../../domain/backoffice/audit.ts";
import { checkPasswordRule } from "../../domain/accounts/password_rule.ts";
import { invalidateOwnerSessions } from "../../domain/accounts/sessions.ts";
import { changeStaffPassword } from "../../domain/accounts/staff.ts";
import { ErrorSummary, Field, type FieldErrors } from "../../views/form.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";
import { readForm, single } from "../validation.ts";

export const STAFF_PASSWORD_MIN = 12;

const labels = {
  current_password: "Obecne hasło",
  new_password: "Nowe hasło",
  new_password_confirm: "Powtórz nowe hasło",
};

function StaffPasswordPage(props: { errors?: FieldErrors; done?: boolean }) {
  const e = props.errors ?? {};
  return (
    <>
      <h1>Zmiana mojego hasła</h1>
      {props.done && <p class="notice ok" role="status">Hasło zmienione. Inne sesje zakończono.</p>}
      <ErrorSummary errors={e} labels={labels} />
      <form method="post" action="/admin/haslo">
        <Field
          name="current_password"
          label={labels.current_password}
          type="password"
          autocomplete="current-password"
          error={e.current_password}
          maxlength={200}
        />
        <Field
          name="new_password"
          label={labels.new_password}
          type="password"
          autocomplete="new-password"
          error={e.new_password}
          maxlength={200}
          hint={`Co najmniej ${STAFF_PASSWORD_MIN} znaków, w tym litera i wielka litera.`}
        />
        <Field
          name="new_password_confirm"
          label={labels.new_password_confirm}
          type="password"
          autocomplete="new-password"
          error={e.new_password_confirm}
          maxlength={200}
        />
        <button type="submit">Zmień hasło</button>
      </form>
    </>
  );
}

/** A staff member changes their own password (the office's accounts have longer ones). */
export function staffPasswordRoutes(deps: AppDeps) {
  const { kv, clock, hasher } = deps;
  const app = new Hono<StaffEnv>();
  const page = (
    c: Context<StaffEnv>,
    status: 200 | 422,
    errors?: FieldErrors,
  ) =>
    renderPage(
      c,
      { title: "Zmiana hasła", menu: staffMenu, viewer: staffViewer(c.get("staff")), status },
      <StaffPasswordPage errors={errors} done={c.req.query("zmieniono") !== undefined} />,
    );
  app.get("/", (c) => page(c, 200));
  app.post("/", async (c) => {
    const form = await readForm(c.req);
    const current = single(form.current_password).slice(0, 200);
    const next = single(form.new_password).slice(0, 200);
    const confirm = single(form.new_password_confirm).slice(0, 200);
    const errors: FieldErrors = {};
    if (!current) errors.current_password = "Podaj obecne hasło.";
    const rule = checkPasswordRule(next);
    if ([...next].length < STAFF_PASSWORD_MIN || [...next].length > 128) {
      errors.new_password = `Hasło pracownika: od ${STAFF_PASSWORD_MIN} do 128 znaków.`;
    } else if (rule.length) errors.new_password = rule.join(" ");
    else if (next === current) errors.new_password = "Nowe hasło musi się różnić od obecnego.";
    else if (next !== confirm) errors.new_password_confirm = "Hasła nie są takie same.";
    if (Object.keys(errors).length) return page(c, 422, errors);
    const staff = c.get("staff");
    const result = await changeStaffPassword(kv, hasher, staff.id, current, next);
    if (!result.ok) return page(c, 422, { current_password: "Obecne hasło jest nieprawidłowe." });
    await invalidateOwnerSessions(kv, "staff", staff.id, c.get("staffSession").id);
    await recordAudit(kv, clock, { actor: staffActor(staff), action: "staff.password_changed" });
    return c.redirect("/admin/haslo?zmieniono", 303);
  });
  return app;
}
