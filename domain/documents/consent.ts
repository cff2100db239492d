/**
 * Consent to electronic delivery (e-korespondencja): a resident agrees that the cooperative's
 * letters reach them in eBOK instead of by post, or withdraws that. As with the RODO notice, the
 * date and the exact text agreed to are kept, and every change stays in the history.
 *
 *   ["ecorrespondence_consent", accountId]               EcorrespondenceConsent (current)
 *   ["ecorrespondence_consent_history", accountId, id]   EcorrespondenceConsent (every change)
 */
import type { Account } from "../accounts/accounts.ts";
import { addAudit } from "../backoffice/audit.ts";
import type { Clock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { keys } from "../shared/keys.ts";

/** The text a resident agrees to; stored with each consent, so a later change of it is visible. */
export const ECORRESPONDENCE_CONSENT_TEXT =
  "Zgadzam się, aby spółdzielnia doręczała mi pisma (zawiadomienia o opłatach, rozliczenia, " +
  "zaświadczenia, odpowiedzi) w eBOK, w zakładce „Dokumenty”, zamiast pocztą. O każdym nowym " +
  "piśmie dostanę e-mail. Zgodę mogę wycofać w każdej chwili na stronie „Moje konto” — wtedy " +
  "pisma znów będą przychodzić pocztą.";

export type EcorrespondenceConsent = {
  given: boolean;
  /** ISO instant of the decision. */
  at: string;
  /** The text shown when the decision was made. */
  text: string;
};

export async function getEcorrespondenceConsent(
  kv: Deno.Kv,
  accountId: string,
): Promise<EcorrespondenceConsent | null> {
  return (await kv.get<EcorrespondenceConsent>(keys.ecorrespondenceConsent(accountId))).value;
}

export type ConsentResult = { ok: true; changed: boolean; consent: EcorrespondenceConsent };

/**
 * Records the resident's decision with its audit entry in one operation; a decision equal to the
 * current one changes nothing (a form sent twice).
 */
export async function setEcorrespondenceConsent(
  kv: Deno.Kv,
  clock: Clock,
  account: Account,
  given: boolean,
): Promise<ConsentResult> {
  const key = keys.ecorrespondenceConsent(account.id);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await kv.get<EcorrespondenceConsent>(key);
    if (current.value && current.value.given === given) {
      return { ok: true, changed: false, consent: current.value };
    }
    if (!current.value && !given) {
      // Never agreed: nothing to withdraw.
      return {
        ok: true,
        changed: false,
        consent: { given: false, at: clock().toISOString(), text: ECORRESPONDENCE_CONSENT_TEXT },
      };
    }
    const now = clock();
    const consent: EcorrespondenceConsent = {
      given,
      at: now.toISOString(),
      text: ECORRESPONDENCE_CONSENT_TEXT,
    };
    const op = kv.atomic()
      .check(current)
      .set(key, consent)
      .set(keys.ecorrespondenceConsentHistory(account.id, newId(now)), consent);
    addAudit(op, clock, {
      actor: {
        kind: "resident",
        id: account.id,
        label: `${account.firstName} ${account.lastName}`,
      },
      action: given ? "document.consent_given" : "document.consent_withdrawn",
      target: { kind: "account", id: account.id },
    });
    if ((await op.commit()).ok) return { ok: true, changed: true, consent };
  }
  throw new Error(`account ${account.id}: consent kept conflicting`);
}
