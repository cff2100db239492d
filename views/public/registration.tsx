import type { AddressCheck } from "../../domain/access/managed_address.ts";
import {
  type RegistrationFieldName,
  registrationFields,
  registrationLabels,
} from "../../domain/access/registration_form.ts";
import type { RodoNotice } from "../../domain/access/rodo.ts";
import { ErrorSummary, Field, type FieldErrors } from "../form.tsx";

export type RegistrationValues = Partial<Record<string, string>>;

export const VALIDATE_URL = "/rejestracja/sprawdz";

/** The `<datalist>` of the cooperative's streets the street field suggests from. */
const STREETS_LIST = "ulice-spoldzielni";

/** One field of the form, also the fragment htmx swaps in after inline validation. */
export function RegistrationField(
  props: { name: RegistrationFieldName; values: RegistrationValues; errors: FieldErrors },
) {
  if (props.name === "rodo_ack") {
    return <RodoAck checked={props.values.rodo_ack === "on"} error={props.errors.rodo_ack} />;
  }
  const def = registrationFields[props.name];
  return (
    <Field
      name={props.name}
      label={def.label}
      value={props.values[props.name]}
      error={props.errors[props.name]}
      validateUrl={VALIDATE_URL}
      autocomplete={def.autocomplete}
      type={def.input?.type}
      inputmode={def.input?.inputmode}
      maxlength={def.input?.maxlength}
      hint={def.input?.hint}
      list={props.name === "street" ? STREETS_LIST : undefined}
    />
  );
}

const joinNumbers = (numbers: string[]) =>
  numbers.length <= 1
    ? numbers.join("")
    : `${numbers.slice(0, -1).join(", ")} i ${numbers[numbers.length - 1]}`;

const streetNames = (streets: string[]) => streets.map((s) => `ul. ${s}`).join(" lub ");

/** What the applicant is told about the address, in words (also the error summary's line). */
export function addressCheckMessage(check: AddressCheck, typedStreet = ""): string {
  switch (check.status) {
    case "not_checked":
      return "";
    case "unknown_street":
      return `Spółdzielnia nie zarządza budynkami przy ulicy „${typedStreet}”. Sprawdź nazwę ulicy — pole „Ulica” podpowiada ulice spółdzielni.`;
    case "street":
      return `Budynki spółdzielni przy ${streetNames(check.streets)}: nr ${
        joinNumbers(check.numbers)
      }.`;
    case "unknown_building":
      return `Przy ${streetNames(check.streets)} spółdzielnia zarządza budynkami nr ${
        joinNumbers(check.numbers)
      }. Sprawdź numer budynku.`;
    case "managed":
      return `Budynek ul. ${check.street} ${check.number} należy do spółdzielni.`;
  }
}

export const ADDRESS_NOTE_ID = "address-check";

/**
 * Whether the cooperative manages the street and building typed, under the address fields. For
 * an address it does not manage, the applicant may confirm it and send anyway.
 */
export function AddressCheckNote(
  props: {
    check?: AddressCheck;
    values: RegistrationValues;
    error?: string;
    /** Sent beside a field's fragment: htmx puts it in place (out of band). */
    oob?: boolean;
  },
) {
  const check = props.check;
  const message = check ? addressCheckMessage(check, props.values.street ?? "") : "";
  return (
    <div
      id={ADDRESS_NOTE_ID}
      class={props.error ? "field invalid" : undefined}
      aria-live="polite"
      hx-swap-oob={props.oob ? "true" : undefined}
    >
      {check && message && check.managed && (
        <p class={check.status === "managed" ? "notice ok" : "hint"}>{message}</p>
      )}
      {check && !check.managed && (
        <>
          <p class="notice warn" id="address_confirmed-error">{message}</p>
          <div class="checkbox">
            <input
              type="checkbox"
              id="address_confirmed"
              name="address_confirmed"
              value="on"
              checked={props.values.address_confirmed === "on"}
              aria-invalid={props.error ? "true" : undefined}
              aria-describedby="address_confirmed-error"
            />
            <label for="address_confirmed">
              Adres jest poprawny — wyślij formularz mimo to (biuro sprawdzi go ręcznie)
            </label>
          </div>
        </>
      )}
    </div>
  );
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
    /** The cooperative's streets, suggested as the applicant types (no JavaScript needed). */
    streets: string[];
    /** The address check, when the form comes back because of it. */
    address?: AddressCheck;
  },
) {
  const f = (name: RegistrationFieldName) => (
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
      <ErrorSummary
        errors={props.errors}
        labels={{ ...registrationLabels, address_confirmed: "Adres" }}
      />
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
          <AddressCheckNote
            check={props.address}
            values={props.values}
            error={props.errors.address_confirmed}
          />
          <datalist id={STREETS_LIST}>
            {props.streets.map((s) => <option value={s} />)}
          </datalist>
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

export function RegistrationSentPage(props: { addressUnknown?: boolean } = {}) {
  return (
    <>
      <h1>Formularz został wysłany</h1>
      <p class="notice ok" role="status">Dziękujemy. Otrzymaliśmy Twój formularz rejestracyjny.</p>
      {props.addressUnknown && (
        <p class="notice warn">
          Podanego adresu nie ma w rejestrze budynków spółdzielni. Jeśli to pomyłka w adresie, biuro
          skontaktuje się z Tobą, zanim nada uprawnienia.
        </p>
      )}
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
