import { ErrorSummary, Field, type FieldErrors } from "../form.tsx";

export function LoginPage(
  props: {
    identifier?: string;
    errors?: FieldErrors;
    banner?: { kind: "ok" | "bad" | "warn"; text: string };
  },
) {
  const errors = props.errors ?? {};
  return (
    <>
      <h1>Logowanie do eBOK</h1>
      {props.banner && (
        <p
          class={`notice ${props.banner.kind}`}
          role={props.banner.kind === "ok" ? "status" : "alert"}
        >
          {props.banner.text}
        </p>
      )}
      <ErrorSummary errors={errors} labels={{ identifier: "Identyfikator", password: "Hasło" }} />
      <form method="post" action="/logowanie">
        <Field
          name="identifier"
          label="Identyfikator"
          value={props.identifier}
          error={errors.identifier}
          autocomplete="username"
          maxlength={20}
          hint="Z e-maila od spółdzielni, np. KTM-4827."
        />
        <Field
          name="password"
          label="Hasło"
          type="password"
          error={errors.password}
          autocomplete="current-password"
          maxlength={200}
          hint="Przy pierwszym logowaniu: hasło startowe z SMS-a."
        />
        <div class="actions">
          <button type="submit">Zaloguj się</button>
        </div>
      </form>
      <p>
        <a href="/nie-pamietam-hasla">Nie pamiętam hasła</a> ·{" "}
        <a href="/rejestracja">Nie mam jeszcze dostępu — rejestracja</a>
      </p>
    </>
  );
}
