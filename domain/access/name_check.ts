/**
 * The name check of a request for access: does the applicant's name match the people the
 * register lists for a unit? The office must not hand a stranger someone else's balance, so only
 * a full match lets a unit be linked without an explicit confirmation (access_requests.ts).
 *
 * Case, diacritics and word order do not count ("WÓJCIK halina" = "Halina Wójcik"); a double
 * surname matches either part ("Anna Kowalska" is in "Anna Kowalska-Nowak"). The same surname
 * with another first name — or the other gender's form of it (Dąbrowski / Dąbrowska) — is only a
 * partial match: a relative, perhaps, but not the person the register names.
 */
import type { Unit } from "../backoffice/register.ts";
import { foldText } from "../shared/text.ts";

export type NameVerdict = "match" | "partial" | "mismatch" | "unknown";

export type NameCheck = {
  verdict: NameVerdict;
  /** The occupant the verdict rests on (for "match" and "partial"). */
  occupant?: string;
};

/** How staff read each verdict. */
export const nameVerdictLabels: Record<NameVerdict, string> = {
  match: "zgodne",
  partial: "częściowo zgodne",
  mismatch: "niezgodne",
  unknown: "brak danych w rejestrze",
};

/** Best first: a unit's verdict is its best occupant's; a set of units is judged by its worst. */
const rank: Record<NameVerdict, number> = { match: 3, partial: 2, mismatch: 1, unknown: 0 };

function nameWords(name: string): string[] {
  return foldText(name).split(/[\s\-–'’.]+/).filter((w) => w.length > 0);
}

/** Dąbrowska → dąbrowski, Nowicka → nowicki, Zawadzka → zawadzki: one key for both genders. */
function surnameStem(word: string): string {
  return word.replace(/(sk|ck|dzk)a$/, "$1i");
}

/** One applicant against one name from the register. */
export function compareNames(
  applicant: { firstName: string; lastName: string },
  occupant: string,
): "match" | "partial" | "mismatch" {
  const first = nameWords(applicant.firstName);
  const last = nameWords(applicant.lastName);
  const theirs = nameWords(occupant);
  if (first.length === 0 || last.length === 0 || theirs.length === 0) return "mismatch";
  const has = (w: string) => theirs.includes(w);
  // The first given name and every part of the surname, in any order.
  if (has(first[0]) && last.every(has)) return "match";
  const stems = new Set(theirs.map(surnameStem));
  return last.some((w) => w.length >= 2 && stems.has(surnameStem(w))) ? "partial" : "mismatch";
}

/** The applicant against everyone the register lists for the unit. */
export function checkName(
  applicant: { firstName: string; lastName: string },
  unit: Pick<Unit, "occupants">,
): NameCheck {
  if (unit.occupants.length === 0) return { verdict: "unknown" };
  let best: NameCheck = { verdict: "mismatch" };
  for (const occupant of unit.occupants) {
    const verdict = compareNames(applicant, occupant);
    if (rank[verdict] > rank[best.verdict]) best = { verdict, occupant };
  }
  return best;
}

/** The weakest of several verdicts (all units linked must pass, not just one). */
export function weakestVerdict(verdicts: NameVerdict[]): NameVerdict {
  return verdicts.reduce<NameVerdict>((w, v) => (rank[v] < rank[w] ? v : w), "match");
}
