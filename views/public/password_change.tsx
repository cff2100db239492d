import { checkPasswordRule, PASSWORD_MIN_LENGTH } from "../../domain/accounts/password_rule.ts";
import { ErrorSummary, Field, type FieldErrors } from "../form.tsx";

export const PASSWORD_CHECK_URL = "/zmiana-hasla/sprawdz";

/** The rule, each part ticked off as the new password satisfies it (live with htmx). */
export function PasswordRule(props: { password?: string }) {
  const pw = props.password ?? "";
  const problems = pw ? checkPasswordRule(pw) : null;
  const items = [
    {
      text: `co najmniej ${PASSWORD_MIN_LENGTH} znaków`,
      ok: [...pw].length >= PASSWORD_MIN_LENGTH,
    },
    { text: "co najmniej jedna litera", ok: /\p{L}/u.test(pw) },
    { text: "co najmniej jedna wielka litera", ok: /\p{Lu}/u.test(pw) },
  ];
  return (
    <div id="password-rule" class="password-rule" aria-live="polite">
      <p>Nowe hasło musi mieć (to minimum — dłuższe hasło jest bezpieczniejsze):</p>
      <ul>
        {items.map((i) => (
          <li class={problems === null ? "" : i.ok ? "met" : "unmet"}>
            {problems === null ? "" : i.ok ? "✓ " : "✗ "}
            {i.text}
            {problems !== null && (
              <span class="visually-hidden">{i.ok ? " — spełnione" : " — niespełnione"}</span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function PasswordChangePage(
  props: {
    forced: boolean;
    errors?: FieldErrors;
    newPassword?: string;
    banner?: string;
    /** The current password was right: this ticket (never the password) fills its field. */
    ticket?: string;
  },
) {
  const errors = props.errors ?? {};
  return (
    <>
      <h1>{props.forced ? "Ustaw własne hasło" : "Zmiana hasła"}</h1>
      {props.forced && (
        <p class="notice warn" role="status">
          Logujesz się hasłem startowym. Zanim przejdziesz do eBOK, ustaw własne hasło, którego
          będziesz odtąd używać.
        </p>
      )}
      {props.banner && <p class="notice bad" role="alert">{props.banner}</p>}
      <ErrorSummary
        errors={errors}
        labels={{
          current_password: props.forced ? "Hasło startowe" : "Obecne hasło",
          new_password: "Nowe hasło",
          new_password_confirm: "Powtórz nowe hasło",
        }}
      />
      <form method="post" action="/zmiana-hasla">
        <Field
          name="current_password"
          label={props.forced ? "Hasło startowe (z SMS-a)" : "Obecne hasło"}
          type="password"
          autocomplete="current-password"
          error={errors.current_password}
          maxlength={200}
          keepValue={props.ticket}
          hint={props.ticket
            ? `${
              props.forced ? "Hasło startowe zostało sprawdzone" : "Obecne hasło zostało sprawdzone"
            } — nie trzeba go wpisywać ponownie.`
            : undefined}
        />
        <PasswordRule password={props.newPassword} />
        <Field
          name="new_password"
          label="Nowe hasło"
          type="password"
          autocomplete="new-password"
          error={errors.new_password}
          maxlength={200}
          hint="Co najmniej 7 znaków, w tym litera i wielka litera."
          validateUrl={PASSWORD_CHECK_URL}
          hxTrigger="input changed delay:400ms, change"
        />
        <Field
          name="new_password_confirm"
          label="Powtórz nowe hasło"
          type="password"
          autocomplete="new-password"
          error={errors.new_password_confirm}
          maxlength={200}
        />
        <div class="actions">
          <button type="submit">Zapisz nowe hasło</button>
        </div>
      </form>
    </>
  );
}

export function ForgotPasswordPage(
  props: { identifier?: string; errors?: FieldErrors; sent?: boolean; banner?: string },
) {
  return (
    <>
      <h1>Nie pamiętam hasła</h1>
      {props.sent
        ? (
          <p class="notice ok" role="status">
            Jeśli podany Identyfikator należy do aktywnego konta, wysłaliśmy SMS z nowym hasłem
            startowym na numer telefonu zapisany w eBOK. Zalogujesz się nim od razu, także gdy
            logowanie zostało zablokowane po nieudanych próbach. Dotychczasowe hasło działa, dopóki
            nie ustawisz nowego.
          </p>
        )
        : (
          <p class="lead">
            Podaj Identyfikator. Wyślemy SMS z nowym, jednorazowym hasłem startowym na numer
            telefonu zapisany w eBOK.
          </p>
        )}
      {props.banner && <p class="notice bad" role="alert">{props.banner}</p>}
      <form method="post" action="/nie-pamietam-hasla">
        <Field
          name="identifier"
          label="Identyfikator"
          value={props.identifier}
          error={props.errors?.identifier}
          autocomplete="username"
          maxlength={20}
          hint="Z e-maila od spółdzielni, np. KTM-4827."
        />
        <div class="actions">
          <button type="submit">Wyślij nowe hasło startowe</button>
        </div>
      </form>
      <p>
        Numer telefonu się zmienił albo nie pamiętasz Identyfikatora? Skontaktuj się z biurem
        spółdzielni. <a href="/logowanie">Wróć do logowania</a>
      </p>
    </>
  );
}
