/**
 * Every kind of audit entry eBOK writes, with the Polish words staff read on their pages. The
 * union `AuditAction` is what `addAudit` takes, so a new event must be named here (with its
 * label) before it can be logged; the filter of "Dziennik zdarzeń" is built from this list, so
 * every event can be filtered, by itself or by its family (the part before the dot).
 */

export const auditFamilyLabels = {
  login: "Logowanie mieszkańców",
  staff_login: "Logowanie pracowników",
  password: "Hasła mieszkańców",
  sessions: "Sesje",
  request: "Wnioski o dostęp",
  account: "Konta mieszkańców",
  reading: "Odczyty wodomierzy",
  import: "Import danych",
  announcement: "Komunikaty",
  message: "Wiadomości",
  audit: "Dziennik zdarzeń",
  settings: "Ustawienia",
  staff: "Konta pracowników",
  unit: "Rejestr lokali",
  api_token: "Tokeny API",
  api: "Wywołania API",
  payment: "Płatności online",
  document: "Dokumenty i pisma",
  matter: "Sprawy i zgłoszenia",
} as const;

export type AuditFamily = keyof typeof auditFamilyLabels;

export const auditActionLabels = {
  "login.ok": "Zalogowano",
  "login.start_password": "Zalogowano hasłem startowym (SMS)",
  "login.invalid": "Nieudane logowanie: zły identyfikator lub hasło",
  "login.locked": "Logowanie wstrzymane po wielu nieudanych próbach",
  "login.blocked": "Próba logowania na zablokowane konto",
  "login.start_password_expired": "Próba logowania wygasłym hasłem startowym",
  "login.start_password_used": "Próba logowania zużytym hasłem startowym",
  "staff_login.ok": "Pracownik zalogowany",
  "staff_login.invalid": "Nieudane logowanie pracownika",
  "staff_login.locked": "Logowanie pracownika wstrzymane po wielu nieudanych próbach",
  "password.changed": "Zmieniono hasło",
  "password.set_after_start": "Ustawiono własne hasło po haśle startowym",
  "password.reset_requested": "Poproszono o nowe hasło startowe",
  "sessions.ended_elsewhere": "Wylogowano na pozostałych urządzeniach",
  "request.approved": "Wniosek zatwierdzony, konto utworzone",
  "request.rejected": "Wniosek odrzucony",
  "request.purged": "Usunięto dane odrzuconego wniosku",
  "account.blocked": "Konto zablokowane",
  "account.unblocked": "Konto odblokowane",
  "account.unlocked": "Zdjęto blokadę logowania po nieudanych próbach",
  "account.units_changed": "Zmieniono lokale konta",
  "account.start_password_issued": "Wysłano nowe hasło startowe (SMS)",
  "account.sessions_ended": "Zakończono sesje mieszkańca",
  "account.identifier_resent": "Ponownie wysłano Identyfikator (e-mail)",
  "account.data_exported": "Pobrano dane mieszkańca (RODO)",
  "account.contact_changed": "Zmieniono dane kontaktowe",
  "reading.submitted": "Mieszkaniec podał odczyt",
  "reading.resubmitted": "Mieszkaniec poprawił odczyt",
  "reading.accepted": "Odczyt przyjęty",
  "reading.rejected": "Odczyt odrzucony",
  "import.previewed": "Plik sprawdzony (podgląd importu)",
  "import.applied": "Dane wczytane",
  "import.failed": "Wczytywanie przerwane błędem",
  "announcement.published": "Komunikat opublikowany",
  "announcement.withdrawn": "Komunikat wycofany",
  "announcement.emails_queued": "E-maile z komunikatem w kolejce",
  "announcement.emails_resumed": "Dokończono wysyłkę e-maili z komunikatem",
  "message.resent": "Wiadomość wysłana ponownie",
  "audit.exported": "Pobrano dziennik zdarzeń (CSV)",
  "settings.cooperative_changed": "Zmieniono dane spółdzielni",
  "settings.reading_window_changed": "Zmieniono okres podawania odczytów",
  "settings.water_average_changed": "Zmieniono porównanie ze średnią budynku",
  "settings.rodo_changed": "Zmieniono treść informacji RODO",
  "staff.created": "Utworzono konto pracownika",
  "staff.activated": "Włączono konto pracownika",
  "staff.deactivated": "Wyłączono konto pracownika",
  "staff.password_changed": "Pracownik zmienił hasło",
  "unit.updated": "Zmieniono dane lokalu",
  "api_token.created": "Utworzono token API",
  "api_token.revoked": "Unieważniono token API",
  "api.unauthorized": "Odmowa dostępu do API (brak ważnego tokenu)",
  "api.request": "Wywołanie API",
  "api.import": "Import przez API",
  "api.import_status": "Sprawdzenie stanu importu przez API",
  "api.history": "Odczyt historii importów przez API",
  "api.payments": "Odczyt płatności online przez API",
  "api.not_found": "Wywołanie nieznanego adresu API",
  "payment.created": "Rozpoczęto płatność online",
  "payment.pending": "Płatność online przekazana do operatora",
  "payment.notified": "Operator płatności zgłosił wpłatę",
  "payment.notification_refused":
    "Odrzucono powiadomienie operatora płatności (zły podpis lub kwota)",
  "payment.confirmed": "Płatność online potwierdzona",
  "payment.failed": "Płatność online nieudana",
  "payment.expired": "Płatność online wygasła",
  "payment.matched": "Płatność online zaksięgowana (dopasowana do wpłaty z księgowości)",
  "payment.orphan_notified": "Powiadomienie o nieznanej płatności",
  "payment.orphan_kept": "Zachowano płatność nieznaną aplikacji (do wyjaśnienia)",
  "payment.settings_changed": "Zmieniono ustawienia płatności online",
  "document.published": "Opublikowano dokument",
  "document.replaced": "Opublikowano nową wersję dokumentu",
  "document.withdrawn": "Wycofano dokument",
  "document.first_opened": "Mieszkaniec pierwszy raz otworzył pismo",
  "document.consent_given": "Mieszkaniec zgodził się na doręczanie pism w eBOK",
  "document.consent_withdrawn": "Mieszkaniec wycofał zgodę na doręczanie pism w eBOK",
  "matter.created": "Mieszkaniec zgłosił sprawę",
  "matter.resident_replied": "Mieszkaniec odpisał w sprawie",
  "matter.staff_replied": "Biuro odpowiedziało w sprawie",
  "matter.status_changed": "Zmieniono stan sprawy",
  "matter.note_added": "Dodano notatkę wewnętrzną do sprawy",
  "matter.assigned": "Przydzielono sprawę pracownikowi",
  "matter.occupants_accepted": "Przyjęto zmianę liczby osób (rejestr lokali zmieniony)",
  "document.bulk_letter_published": "Opublikowano pismo z wysyłki zbiorczej",
  "document.bulk_published": "Opublikowano wysyłkę zbiorczą pism",
  "document.fee_notices_prepared": "Przygotowano zawiadomienia o zmianie opłat",
  "document.fee_notices_sent": "Wysłano zawiadomienia o zmianie opłat",
  "document.paper_printed": "Wydrukowano pisma do wysłania pocztą",
  "document.paper_days_changed": "Zmieniono, po ilu dniach nieotwarte pismo idzie pocztą",
  "payment.exported": "Pobrano listę płatności online (CSV)",
  "matter.retention_changed": "Zmieniono okres przechowywania zamkniętych zgłoszeń",
  "matter.purged": "Usunięto zamknięte zgłoszenie po okresie przechowywania (RODO)",
  "account.email_change_requested": "Mieszkaniec poprosił o zmianę adresu e-mail (link wysłany)",
  "account.email_changed": "Mieszkaniec potwierdził nowy adres e-mail",
  "account.phone_change_requested": "Mieszkaniec poprosił o zmianę numeru telefonu (kod SMS)",
  "account.phone_changed": "Mieszkaniec potwierdził nowy numer telefonu kodem SMS",
  "account.phone_code_failed": "Błędny kod SMS przy zmianie numeru telefonu",
  "account.notifications_changed": "Mieszkaniec zmienił ustawienia powiadomień",
  "message.payment_reminders_queued": "Wysłano przypomnienia o terminie płatności",
  "message.payment_booked_notices_queued": "Wysłano powiadomienia o zaksięgowaniu wpłaty",
} as const satisfies Record<`${AuditFamily}.${string}`, string>;

export type AuditAction = keyof typeof auditActionLabels;

export const auditActions = Object.keys(auditActionLabels) as AuditAction[];

export function isAuditAction(s: string): s is AuditAction {
  return Object.hasOwn(auditActionLabels, s);
}

export function auditFamilyOf(action: string): string {
  return action.slice(0, action.indexOf(".") + 1 || undefined);
}

/** The families in the order of the labels above, each with its actions: the filter's groups. */
export const auditActionGroups: readonly {
  /** "login." — the filter value for the whole family. */
  prefix: `${AuditFamily}.`;
  label: string;
  actions: readonly AuditAction[];
}[] = (Object.keys(auditFamilyLabels) as AuditFamily[]).map((family) => ({
  prefix: `${family}.` as const,
  label: auditFamilyLabels[family],
  actions: auditActions.filter((a) => a.startsWith(`${family}.`)),
}));

/** A value the log can be filtered by: a family ("login.") or one action ("login.ok"). */
export function isAuditActionFilter(s: string): boolean {
  return isAuditAction(s) || auditActionGroups.some((g) => g.prefix === s);
}

/** Staff's words for an action; an unknown one (an old entry) is shown as it is stored. */
export function auditActionLabel(action: string): string {
  return isAuditAction(action) ? auditActionLabels[action] : action;
}
