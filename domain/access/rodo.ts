/**
 * The data-protection information (art. 13 GDPR) shown on the registration form. The text is
 * the cooperative's: stored in KV when staff set it, else built from the cooperative's profile.
 * Each request stores the SHA-256 of the exact text the resident acknowledged.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import { addAuditBy, type AuditBy } from "../backoffice/audit.ts";
import { keys } from "../shared/keys.ts";

export type RodoNotice = { text: string; version: string };

export function defaultRodoText(coop: CooperativeProfile): string {
  const contact = [
    coop.address,
    coop.email && `e-mail: ${coop.email}`,
    coop.phone && `tel. ${coop.phone}`,
  ]
    .filter(Boolean).join(", ");
  return [
    `Administratorem Twoich danych osobowych jest ${coop.name}${contact ? `, ${contact}` : ""}.`,
    `Z administratorem skontaktujesz się listownie na adres siedziby lub e-mailem${
      coop.email ? ` (${coop.email})` : ""
    }; w sprawach ochrony danych możesz też pisać do inspektora ochrony danych na ten sam adres.`,
    "Dane podane w formularzu (imię, nazwisko, adres e-mail, numer telefonu komórkowego, adres lokalu) przetwarzamy, aby zweryfikować Twoje prawo do lokalu, założyć i prowadzić konto w eBOK oraz wysłać dane do logowania i powiadomienia o koncie (art. 6 ust. 1 lit. b RODO — działania na Twoje żądanie przed zawarciem i w ramach umowy o korzystanie z eBOK, oraz art. 6 ust. 1 lit. f RODO — prawnie uzasadniony interes administratora polegający na zapewnieniu bezpieczeństwa konta i obsłudze członków i mieszkańców).",
    "Odbiorcami danych są dostawcy usług, którzy działają na nasze zlecenie: dostawca poczty elektronicznej (Resend) — adres e-mail i treść wiadomości, operator SMS (Twilio) — numer telefonu i treść SMS-a, oraz dostawca hostingu aplikacji. Dostawcy ci mogą przetwarzać dane poza Europejskim Obszarem Gospodarczym na podstawie standardowych klauzul umownych zatwierdzonych przez Komisję Europejską.",
    "Dane z formularza przechowujemy przez czas korzystania z eBOK, a po zamknięciu konta — do upływu terminów przedawnienia roszczeń. Dane z wniosku odrzuconego usuwamy po 90 dniach od decyzji.",
    "Masz prawo dostępu do swoich danych, ich sprostowania, usunięcia lub ograniczenia przetwarzania, przenoszenia danych oraz wniesienia sprzeciwu wobec przetwarzania opartego na prawnie uzasadnionym interesie.",
    "Masz prawo wnieść skargę do Prezesa Urzędu Ochrony Danych Osobowych (ul. Stawki 2, 00-193 Warszawa, uodo.gov.pl), jeśli uznasz, że przetwarzamy Twoje dane niezgodnie z prawem.",
    "Podanie danych jest dobrowolne, ale bez nich nie możemy nadać dostępu do eBOK. Nie podejmujemy wobec Ciebie decyzji w sposób zautomatyzowany ani nie profilujemy Cię.",
  ].join("\n\n");
}

export function rodoVersion(text: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(text)));
}

export async function getRodoNotice(kv: Deno.Kv, coop: CooperativeProfile): Promise<RodoNotice> {
  const stored = (await kv.get<{ text: string }>(keys.settings("rodo_notice"))).value;
  const text = stored?.text ?? defaultRodoText(coop);
  return { text, version: rodoVersion(text) };
}

export async function saveRodoText(kv: Deno.Kv, text: string, by?: AuditBy) {
  const op = kv.atomic().set(keys.settings("rodo_notice"), { text });
  addAuditBy(op, by, { action: "settings.rodo_changed" });
  await op.commit();
}
