import { Field, type FieldErrors } from "../form.tsx";

export function StaffLoginPage(props: { login?: string; errors?: FieldErrors; banner?: string }) {
  const errors = props.errors ?? {};
  return (
    <>
      <h1>Logowanie pracownika biura</h1>
      {props.banner && <p class="notice bad" role="alert">{props.banner}</p>}
      <form method="post" action="/admin/logowanie">
        <Field
          name="login"
          label="Login"
          value={props.login}
          error={errors.login}
          autocomplete="username"
          maxlength={32}
        />
        <Field
          name="password"
          label="Hasło"
          type="password"
          error={errors.password}
          autocomplete="current-password"
          maxlength={200}
        />
        <Field
          name="totp"
          label="Kod z aplikacji uwierzytelniającej"
          error={errors.totp}
          autocomplete="one-time-code"
          inputmode="numeric"
          maxlength={8}
          hint="6 cyfr, np. 123456."
        />
        <div class="actions">
          <button type="submit">Zaloguj się</button>
        </div>
      </form>
    </>
  );
}
