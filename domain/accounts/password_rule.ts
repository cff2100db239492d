/**
 * The cooperative's password rule (the floor, shown to residents as such): at least 7
 * characters, at least one letter, at least one upper-case letter.
 */
export const PASSWORD_MIN_LENGTH = 7;

/** Polish messages for each part of the rule the password breaks; empty when it holds. */
export function checkPasswordRule(password: string): string[] {
  const problems: string[] = [];
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    problems.push(`Hasło musi mieć co najmniej ${PASSWORD_MIN_LENGTH} znaków.`);
  }
  if (!/\p{L}/u.test(password)) problems.push("Hasło musi zawierać co najmniej jedną literę.");
  if (!/\p{Lu}/u.test(password)) {
    problems.push("Hasło musi zawierać co najmniej jedną wielką literę.");
  }
  return problems;
}
