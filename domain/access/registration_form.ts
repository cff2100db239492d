/**
 * The registration form's fields, defined once: each field's form name (CONTRACT.md's), the key it
 * is kept under on a request, its Polish label, its rule (zod, with Polish messages, tidying what
 * was typed), and how the browser should help fill it in (autocomplete, input type, length, hint).
 * The schema, the view, the route's mapping and the `RegistrationData` type all come from here.
 */
import { z } from "zod";
import { normalizePolishMobile } from "../shared/phone.ts";
import { cleanText, CONTROL_CHARS, stripControlChars } from "../shared/text.ts";
import { tidyBuildingNo, tidyStreet, tidyUnitNo } from "../backoffice/addresses.ts";

/** Tidy text (no invisible characters, single spaces) of a bounded length, without markup. */
const text = (min: number, max: number, empty: string, tooLong: string) =>
  z.string({ error: empty }).transform(cleanText).pipe(
    z.string().min(min, empty).max(max, tooLong).refine(
      (s) => !CONTROL_CHARS.test(s) && !/[<>]/.test(s),
      "Pole zawiera niedozwolone znaki.",
    ),
  );

const NAME = /^[\p{L}][\p{L}\p{M} .'’-]*$/u;

type Input = {
  type?: "text" | "email" | "tel";
  inputmode?: "text" | "numeric" | "tel" | "email";
  maxlength: number;
  hint?: string;
};

type FieldDef<K extends string | null> = {
  /** The request's property the value is kept under; null: not kept as such. */
  key: K;
  label: string;
  autocomplete?: string;
  input?: Input;
  rule: z.ZodType<string, unknown>;
};

const field = <K extends string | null>(def: FieldDef<K>) => def;

export const registrationFields = {
  first_name: field({
    key: "firstName",
    label: "Imię",
    autocomplete: "given-name",
    input: { maxlength: 60 },
    rule: text(1, 60, "Podaj imię.", "Imię może mieć najwyżej 60 znaków.")
      .refine((s) => NAME.test(s), "Imię może zawierać tylko litery, spacje, apostrof i łącznik."),
  }),
  last_name: field({
    key: "lastName",
    label: "Nazwisko",
    autocomplete: "family-name",
    input: { maxlength: 80 },
    rule: text(1, 80, "Podaj nazwisko.", "Nazwisko może mieć najwyżej 80 znaków.")
      .refine(
        (s) => NAME.test(s),
        "Nazwisko może zawierać tylko litery, spacje, apostrof i łącznik.",
      ),
  }),
  email: field({
    key: "email",
    label: "Adres e-mail",
    autocomplete: "email",
    input: {
      type: "email",
      maxlength: 254,
      hint: "Na ten adres wyślemy potwierdzenie i Identyfikator.",
    },
    rule: z.string({ error: "Podaj adres e-mail." }).transform(cleanText)
      .pipe(
        z.string().toLowerCase().min(1, "Podaj adres e-mail.")
          .max(254, "Adres e-mail jest za długi.")
          .pipe(z.email("Podaj poprawny adres e-mail, np. jan.kowalski@example.pl.")),
      ),
  }),
  phone: field({
    key: "phone",
    label: "Telefon komórkowy",
    autocomplete: "tel",
    input: {
      type: "tel",
      inputmode: "tel",
      maxlength: 30,
      hint: "Numer komórkowy, np. 600 123 456. Na ten numer wyślemy SMS z hasłem startowym.",
    },
    rule: z.string({ error: "Podaj numer telefonu komórkowego." }).transform(cleanText)
      .pipe(
        z.string().min(1, "Podaj numer telefonu komórkowego.")
          .max(30, "Podaj numer telefonu komórkowego (9 cyfr), np. 600 123 456.")
          .transform((s, ctx) => {
            const e164 = normalizePolishMobile(s);
            if (!e164) {
              ctx.addIssue({
                code: "custom",
                message:
                  "Podaj polski numer telefonu komórkowego (9 cyfr), np. 600 123 456 — na ten numer wyślemy SMS z hasłem startowym.",
              });
              return z.NEVER;
            }
            return e164;
          }),
      ),
  }),
  street: field({
    key: "street",
    label: "Ulica",
    autocomplete: "address-line1",
    input: { maxlength: 80, hint: "np. Słowackiego — podpowiadamy ulice spółdzielni" },
    rule: text(2, 80, "Podaj ulicę.", "Nazwa ulicy może mieć najwyżej 80 znaków.")
      .transform(tidyStreet)
      .pipe(z.string().min(2, "Podaj ulicę.")),
  }),
  building: field({
    key: "building",
    label: "Numer budynku",
    input: { maxlength: 10, hint: "np. 12 lub 12A" },
    rule: text(1, 10, "Podaj numer budynku.", "Numer budynku może mieć najwyżej 10 znaków.")
      .transform(tidyBuildingNo)
      .refine(
        (s) => /^\d{1,4}[A-Z]?(\/\d{1,3}[A-Z]?)?$/.test(s),
        "Podaj numer budynku, np. 12 lub 12A.",
      ),
  }),
  unit: field({
    key: "unit",
    label: "Numer lokalu",
    input: { maxlength: 12, hint: "numer mieszkania, np. 7 (bez „m.”)" },
    rule: text(1, 12, "Podaj numer lokalu.", "Numer lokalu może mieć najwyżej 12 znaków.")
      .transform(tidyUnitNo)
      .refine(
        (s) => s.length <= 8 && /^[0-9A-Z][0-9A-Z/-]*$/.test(s),
        "Podaj numer lokalu, np. 7 lub 7A.",
      ),
  }),
  rodo_ack: field({
    key: null,
    label: "Informacja o przetwarzaniu danych osobowych",
    rule: z.literal("on", {
      error: "Potwierdź zapoznanie się z informacją o przetwarzaniu danych osobowych.",
    }),
  }),
} as const;

type Fields = typeof registrationFields;
export type RegistrationFieldName = keyof Fields;

/** The form's field names, in the form's order. */
export const registrationFieldNames = Object.keys(registrationFields) as RegistrationFieldName[];

/** The fields kept on a request (all but the acknowledgement), by form name. */
type KeptField = { [F in RegistrationFieldName]: Fields[F]["key"] extends string ? F : never }[
  RegistrationFieldName
];

/** What a request keeps of the form: `{ firstName, lastName, email, phone, street, building, unit }`. */
export type RegistrationData = {
  [F in KeptField as Fields[F]["key"] & string]: string;
};

/** The form's schema: one rule per field, every message in Polish. */
export const registrationSchema = z.object(
  Object.fromEntries(registrationFieldNames.map((f) => [f, registrationFields[f].rule])) as {
    [F in RegistrationFieldName]: Fields[F]["rule"];
  },
);

export type RegistrationInput = z.output<typeof registrationSchema>;

/** The labels by form name (the error summary links each message to its field). */
export const registrationLabels = Object.fromEntries(
  registrationFieldNames.map((f) => [f, registrationFields[f].label]),
) as Record<RegistrationFieldName, string>;

/** The parsed form → what a request keeps, through each field's `key`. */
export function toRegistrationData(input: RegistrationInput): RegistrationData {
  const out: Record<string, string> = {};
  for (const f of registrationFieldNames) {
    const key = registrationFields[f].key;
    if (key !== null) out[key] = input[f];
  }
  return out as RegistrationData;
}

/**
 * Text kept on a request, tidied again where it is stored: whoever calls the domain (the form,
 * a test, a future API), no invisible or control characters get in.
 */
export function tidyRegistrationData(data: RegistrationData): RegistrationData {
  const out = {} as Record<string, string>;
  for (const [k, v] of Object.entries(data)) out[k] = cleanText(stripControlChars(v));
  return out as RegistrationData;
}
