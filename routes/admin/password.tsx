import { type Context, Hono } from "hono";
import { STAFF_PASSWORD_MIN_LENGTH } from "../../domain/accounts/password_rule.ts";
import { changeStaffPassword } from "../../domain/accounts/staff.ts";
import { formatDateTime } from "../../views/format.ts";
import { ErrorSummary, Field, type FieldErrors } from "../../views/form.tsx";
import { staffMenu } from "../../views/menu.ts";
import { clientAddress } from "../client.ts";
import type { AppDeps } from "../context.ts";
import { setSessionCookie } from "../cookies.ts";
import { renderPage } from "../render.tsx";
import { type StaffEnv, staffViewer } from "./guard.ts";
import { readForm, single } from "../validation.ts";

const labels = {
  current_password: "Obecne hasło",
  new_password: "Nowe hasło",
  new_password_confirm: "Powtórz nowe hasło",
};

function StaffPasswordPage(props: { errors?: FieldErrors; done?: boolean; banner?: string }) {
  const e = props.errors ?? {};
  return (
    <>
      <h1>Zmiana mojego hasła</h1>
      {props.done && <p class="notice ok" role="status">Hasło zmienione. Inne sesje zakończono.</p>}
      {props.banner && <p class="notice bad" role="alert">{props.banner}</p>}
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
          hint={`Co najmniej ${STAFF_PASSWORD_MIN_LENGTH} znaków, w tym litera i wielka litera.`}
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
  const { kv, clock, hasher, config } = deps;
  const app = new Hono<StaffEnv>();
  const page = (
    c: Context<StaffEnv>,
    status: 200 | 409 | 422 | 429,
    errors?: FieldErrors,
    banner?: string,
  ) =>
    renderPage(
      c,
      { title: "Zmiana hasła", menu: staffMenu, viewer: staffViewer(c.get("staff")), status },
      <StaffPasswordPage
        errors={errors}
        banner={banner}
        done={c.req.query("zmieniono") !== undefined}
      />,
    );
  app.get("/", (c) => page(c, 200));
  app.post("/", async (c) => {
    const form = await readForm(c.req);
    const result = await changeStaffPassword(kv, clock, hasher, {
      staff: c.get("staff"),
      current: single(form.current_password).slice(0, 200),
      next: single(form.new_password).slice(0, 200),
      confirm: single(form.new_password_confirm).slice(0, 200),
      clientAddress: clientAddress(c, config.trustProxy),
    });
    if (result.ok) {
      // A new token for this browser; every other session of this staff member ended.
      setSessionCookie(c, config, "staff", result.token);
      return c.redirect("/admin/haslo?zmieniono", 303);
    }
    switch (result.reason) {
      case "invalid":
        return page(c, 422, result.errors);
      case "locked":
        return page(
          c,
          429,
          undefined,
          `Zbyt wiele błędnych haseł. Zmiana hasła i logowanie będą możliwe po ${
            formatDateTime(result.retryAt)
          }.`,
        );
      case "already_changed":
      case "missing":
        return page(c, 409, undefined, "Hasło zostało już zmienione w innym oknie lub karcie.");
    }
  });
  return app;
}
