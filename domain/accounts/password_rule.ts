/**
 * The one password rule, for residents and for staff, used by the web forms and by
 * `deno task admin create-staff`. Residents: the cooperative's rule (the floor, shown to them as
 * such): at least 7 characters, a letter, an upper-case letter. Staff: the same with at least
 * 12 characters. Common passwords are refused for both.
 */
import { isCommonPassword } from "./common_passwords.ts";

export type PasswordHolder = "resident" | "staff";

export const PASSWORD_MIN_LENGTH = 7;
export const STAFF_PASSWORD_MIN_LENGTH = 12;
/** Long passphrases are welcome; the cap only keeps hashing cost bounded. Never truncated. */
export const PASSWORD_MAX_LENGTH = 128;

export function passwordMinLength(holder: PasswordHolder): number {
  return holder === "staff" ? STAFF_PASSWORD_MIN_LENGTH : PASSWORD_MIN_LENGTH;
}

/** Polish messages for each part of the rule the password breaks; empty when it holds. */
export function checkPasswordRule(password: string, holder: PasswordHolder = "resident"): string[] {
  const problems: string[] = [];
  const min = passwordMinLength(holder);
  const length = [...password].length;
  if (length < min) {
    problems.push(
      holder === "staff"
        ? `Hasło pracownika musi mieć co najmniej ${min} znaków.`
        : `Hasło musi mieć co najmniej ${min} znaków.`,
    );
  }
  if (length > PASSWORD_MAX_LENGTH) {
    problems.push(`Hasło może mieć najwyżej ${PASSWORD_MAX_LENGTH} znaków.`);
  }
  if (!/\p{L}/u.test(password)) problems.push("Hasło musi zawierać co najmniej jedną literę.");
  if (!/\p{Lu}/u.test(password)) {
    problems.push("Hasło musi zawierać co najmniej jedną wielką literę.");
  }
  return problems;
}

export type PasswordField = "current_password" | "new_password" | "new_password_confirm";
export type PasswordErrors = Partial<Record<PasswordField, string>>;

/**
 * The rule, the common-password list, the confirmation and, where given, the identifier
 * (or login) and the current password it must differ from; no hashing involved.
 */
export function validateNewPassword(
  next: string,
  confirm: string | undefined,
  context: { holder: PasswordHolder; identifier?: string; current?: string },
): PasswordErrors {
  const errors: PasswordErrors = {};
  const problems = checkPasswordRule(next, context.holder);
  const name = context.identifier?.replace("-", "").toUpperCase();
  if (!next) errors.new_password = "Podaj nowe hasło.";
  else if (problems.length) errors.new_password = problems.join(" ");
  else if (isCommonPassword(next)) {
    errors.new_password = "To hasło jest zbyt popularne i łatwe do odgadnięcia. Wybierz inne.";
  } else if (name && name.length >= 3 && next.toUpperCase().includes(name)) {
    errors.new_password = context.holder === "staff"
      ? "Hasło nie może zawierać loginu."
      : "Hasło nie może zawierać Identyfikatora.";
  } else if (context.current && next === context.current) {
    errors.new_password = "Nowe hasło musi się różnić od obecnego.";
  }
  if (confirm !== undefined && !errors.new_password && next !== confirm) {
    errors.new_password_confirm = "Hasła nie są takie same.";
  }
  return errors;
}
