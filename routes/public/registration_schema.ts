import { z } from "zod";
import { normalizePolishMobile } from "../../domain/shared/phone.ts";
import { CONTROL_CHARS } from "../validation.ts";

const text = (min: number, max: number, empty: string, tooLong: string) =>
  z.string({ error: empty }).transform((s) => s.trim().replace(/\s+/g, " ")).pipe(
    z.string().min(min, empty).max(max, tooLong).refine(
      (s) => !CONTROL_CHARS.test(s) && !/[<>]/.test(s),
      "Pole zawiera niedozwolone znaki.",
    ),
  );

const NAME = /^[\p{L}][\p{L}\p{M} .'’-]*$/u;

/** The registration form; field names are CONTRACT.md's. */
export const registrationSchema = z.object({
  first_name: text(1, 60, "Podaj imię.", "Imię może mieć najwyżej 60 znaków.")
    .refine((s) => NAME.test(s), "Imię może zawierać tylko litery, spacje, apostrof i łącznik."),
  last_name: text(1, 80, "Podaj nazwisko.", "Nazwisko może mieć najwyżej 80 znaków.")
    .refine(
      (s) => NAME.test(s),
      "Nazwisko może zawierać tylko litery, spacje, apostrof i łącznik.",
    ),
  email: z.string({ error: "Podaj adres e-mail." }).trim().toLowerCase()
    .min(1, "Podaj adres e-mail.")
    .max(254, "Adres e-mail jest za długi.")
    .pipe(z.email("Podaj poprawny adres e-mail, np. jan.kowalski@example.pl.")),
  phone: z.string({ error: "Podaj numer telefonu komórkowego." }).trim()
    .min(1, "Podaj numer telefonu komórkowego.")
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
  street: text(2, 80, "Podaj ulicę.", "Nazwa ulicy może mieć najwyżej 80 znaków.")
    .transform((s) => s.replace(/^(ul\.?|ulica)\s+/i, "")),
  building: text(1, 10, "Podaj numer budynku.", "Numer budynku może mieć najwyżej 10 znaków.")
    .refine(
      (s) => /^\d{1,4}[a-zA-Z]?(\/\d{1,3}[a-zA-Z]?)?$/.test(s),
      "Podaj numer budynku, np. 12 lub 12A.",
    ),
  unit: text(1, 8, "Podaj numer lokalu.", "Numer lokalu może mieć najwyżej 8 znaków.")
    .refine((s) => /^[0-9a-zA-Z][0-9a-zA-Z/-]*$/.test(s), "Podaj numer lokalu, np. 7 lub 7A."),
  rodo_ack: z.literal("on", {
    error: "Potwierdź zapoznanie się z informacją o przetwarzaniu danych osobowych.",
  }),
});

export type RegistrationInput = z.infer<typeof registrationSchema>;

export const registrationLabels: Record<keyof RegistrationInput, string> = {
  first_name: "Imię",
  last_name: "Nazwisko",
  email: "Adres e-mail",
  phone: "Telefon komórkowy",
  street: "Ulica",
  building: "Numer budynku",
  unit: "Numer lokalu",
  rodo_ack: "Informacja o przetwarzaniu danych osobowych",
};
