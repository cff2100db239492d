import type { RodoNotice } from "../../domain/access/rodo.ts";
import { ErrorSummary, Field, type FieldErrors } from "../form.tsx";

export type RegistrationValues = Partial<Record<string, string>>;

export const VALIDATE_URL = "/rejestracja/sprawdz";

const fieldLabels = {
  first_name: "Imię",
  last_name: "Nazwisko",
  email: "Adres e-mail",
  phone: "Telefon komórkowy",
  street: "Ulica",
  building: "Numer budynku",
  unit: "Numer lokalu",
  rodo_ack: "Informacja o przetwarzaniu danych osobowych",
} as const;

/** One field of the form, also the fragment htmx swaps in after inline validation. */
export function RegistrationField(
  props: { name: keyof typeof fieldLabels; values: RegistrationValues; errors: FieldErrors },
) {
  const common = {
    name: props.name,
    label: fieldLabels[props.name],
    value: props.values[props.name],
    error: props.errors[props.name],
    validateUrl: VALIDATE_URL,
  };
  switch (props.name) {
    case "first_name":
      return <Field {...common} autocomplete="given-name" maxlength={60} />;
    case "last_name":
      return <Field {...common} autocomplete="family-name" maxlength={80} />;
    case "email":
      return (
        <Field
          {...common}
          type="email"
          autocomplete="email"
          maxlength={254}
          hint="Na ten adres wyślemy potwierdzenie i Identyfikator."
        />
      );
    case "phone":
      return (
        <Field
          {...common}
          type="tel"
          autocomplete="tel"
          inputmode="tel"
          maxlength={30}
          hint="Numer komórkowy, np. 600 123 456. Na ten numer wyślemy SMS z hasłem startowym."
        />
      );
    case "street":
      return (
        <Field {...common} autocomplete="address-line1" maxlength={80} hint="np. Słowackiego" />
      );
    case "building":
      return <Field {...common} maxlength={10} hint="np. 12 lub 12A" />;
    case "unit":
      return <Field {...common} maxlength={8} hint="numer mieszkania, np. 7" />;
    case "rodo_ack":
      return <RodoAck checked={props.values.rodo_ack === "on"} error={props.errors.rodo_ack} />;
  }
}

function RodoAck(props: { checked: boolean; error?: string }) {
  return (
    <div class={props.error ? "field invalid" : "field"} id="field-rodo_ack">
      <div class="checkbox">
        <input
          type="checkbox"
          id="rodo_ack"
          name="rodo_ack"
          value="on"
          required
          checked={props.checked}
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? "rodo_ack-error rodo-info" : "rodo-info"}
        />
        <label for="rodo_ack">
          Potwierdzam zapoznanie się z{" "}
          <a href="#rodo-info">informacją o przetwarzaniu danych osobowych</a>.
        </label>
      </div>
      {props.error && <span class="error-text" id="rodo_ack-error">{props.error}</span>}
    </div>
  );
}

export function RegistrationPage(
  props: {
    values: RegistrationValues;
    errors: FieldErrors;
    notice: RodoNotice;
    banner?: string;
  },
) {
  const f = (name: keyof typeof fieldLabels) => (
    <RegistrationField name={name} values={props.values} errors={props.errors} />
  );
  return (
    <>
      <h1>Rejestracja w eBOK</h1>
      <p class="lead">
        Wypełnij formularz, aby otrzymać Identyfikator i hasło startowe. Wszystkie pola są
        obowiązkowe.
      </p>
      {props.banner && <p class="notice warn" role="alert">{props.banner}</p>}
      <ErrorSummary errors={props.errors} labels={fieldLabels} />
      <form method="post" action="/rejestracja">
        <fieldset>
          <legend>Dane osobowe</legend>
          {f("first_name")}
          {f("last_name")}
          {f("email")}
          {f("phone")}
        </fieldset>
        <fieldset>
          <legend>Adres lokalu w spółdzielni</legend>
          {f("street")}
          {f("building")}
          {f("unit")}
        </fieldset>
        <section class="rodo" id="rodo-info" aria-labelledby="rodo-title">
          <h2 id="rodo-title">Informacja o przetwarzaniu danych osobowych</h2>
          {props.notice.text.split("\n\n").map((p) => <p>{p}</p>)}
        </section>
        {f("rodo_ack")}
        <input type="hidden" name="rodo_version" value={props.notice.version} />
        <div class="actions">
          <button type="submit">Wyślij formularz</button>
        </div>
      </form>
    </>
  );
}

export function RegistrationSentPage() {
  return (
    <>
      <h1>Formularz został wysłany</h1>
      <p class="notice ok" role="status">Dziękujemy. Otrzymaliśmy Twój formularz rejestracyjny.</p>
      <h2>Co dalej</h2>
      <ol class="steps">
        <li>
          Na podany adres e-mail wyślemy potwierdzenie otrzymania formularza. Jeśli go nie widzisz,
          sprawdź folder „Spam”.
        </li>
        <li>
          Biuro spółdzielni sprawdzi Twoje dane i nada uprawnienia. Ten etap może potrwać kilka dni
          roboczych.
        </li>
        <li>
          Otrzymasz e-mail z Identyfikatorem, a SMS-em — hasło startowe. Przy pierwszym logowaniu
          ustawisz własne hasło.
        </li>
      </ol>
      <p>
        <a href="/">Wróć na stronę główną</a>
      </p>
    </>
  );
}
