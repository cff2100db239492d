/**
 * The texts of every e-mail and SMS eBOK sends, in one place. Plain text, Polish, written for
 * everyone alike: "Dzień dobry," without a name (a first name in the nominative after it reads
 * as a mistake), and no past tense that assumes the reader's gender ("wysłano", not
 * "wysłałeś").
 */
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import type { NewMessage } from "./messages.ts";
import { formatDate, formatDateTime, formatIsoDate } from "../shared/calendar.ts";

function signature(coop: CooperativeProfile): string {
  return [
    "",
    "—",
    coop.name,
    coop.address,
    [coop.phone && `tel. ${coop.phone}`, coop.email].filter(Boolean).join(", "),
    "",
    "Ta wiadomość została wysłana automatycznie. Nie odpowiadaj na nią.",
  ].filter((l) => l !== undefined).join("\n");
}

type Ctx = { coop: CooperativeProfile; baseUrl: string };

/** An e-mail's text: the greeting, the lines, the cooperative's signature. */
export function letter(ctx: { coop: CooperativeProfile }, lines: string[]): string {
  return ["Dzień dobry,", "", ...lines, signature(ctx.coop)].join("\n");
}

export function registrationReceived(
  ctx: Ctx,
  r: { email: string; firstName: string; requestId: string },
): NewMessage {
  return {
    channel: "email",
    to: r.email,
    subject: "eBOK — otrzymaliśmy Twój formularz",
    purpose: "registration_received",
    subjectRef: `request:${r.requestId}`,
    text: letter(ctx, [
      "Otrzymaliśmy Twój formularz rejestracyjny do eBOK.",
      "Biuro spółdzielni sprawdzi podane dane. Ten etap może potrwać kilka dni roboczych.",
      "Po nadaniu uprawnień otrzymasz kolejny e-mail z Identyfikatorem, a SMS-em hasło startowe.",
      "",
      "Jeśli formularz wysłano bez Twojej wiedzy, zignoruj tę wiadomość.",
    ]),
  };
}

export function registrationStillPending(
  ctx: Ctx,
  r: { email: string; firstName: string; requestId: string; submittedAt: Date },
): NewMessage {
  return {
    channel: "email",
    to: r.email,
    subject: "eBOK — Twój wniosek czeka na weryfikację",
    purpose: "registration_duplicate",
    subjectRef: `request:${r.requestId}`,
    text: letter(ctx, [
      `Ponownie wysłano formularz rejestracyjny eBOK na ten adres. Twój wniosek z dnia ${
        formatDate(r.submittedAt)
      } wciąż czeka na weryfikację — nie trzeba wysyłać go jeszcze raz.`,
      "Po nadaniu uprawnień otrzymasz e-mail z Identyfikatorem i SMS z hasłem startowym.",
    ]),
  };
}

export function registrationHasAccount(
  ctx: Ctx,
  r: { email: string; identifiers: string[] },
): NewMessage {
  return {
    channel: "email",
    to: r.email,
    subject: "eBOK — masz już dostęp",
    purpose: "registration_existing_account",
    text: letter(ctx, [
      "Ponownie wysłano formularz rejestracyjny eBOK na ten adres, ale masz już konto w eBOK.",
      `Twój Identyfikator: ${r.identifiers.join(", ")}`,
      `Jeśli nie pamiętasz hasła, użyj opcji „Nie pamiętam hasła”: ${ctx.baseUrl}/nie-pamietam-hasla`,
    ]),
  };
}

export function identifierEmail(
  ctx: Ctx,
  a: { email: string; firstName: string; identifier: string; accountId: string },
): NewMessage {
  return {
    channel: "email",
    to: a.email,
    subject: "eBOK — Twój Identyfikator",
    purpose: "identifier",
    subjectRef: `account:${a.accountId}`,
    text: letter(ctx, [
      "Biuro spółdzielni nadało Ci dostęp do eBOK.",
      "",
      `Identyfikator: ${a.identifier}`,
      "",
      "Hasło startowe wyślemy SMS-em na podany numer telefonu. Jest jednorazowe i ważne przez 7 dni.",
      `Zaloguj się na stronie ${ctx.baseUrl}/logowanie. Przy pierwszym logowaniu system poprosi o ustawienie`,
      "własnego hasła: co najmniej 7 znaków, co najmniej jedna litera, w tym co najmniej jedna wielka.",
      "",
      "W eBOK sprawdzisz saldo rozliczeń ze spółdzielnią: opłaty za mieszkanie, wpłaty i zużycie wody.",
      `Instrukcja obsługi: ${ctx.baseUrl}/pomoc`,
    ]),
  };
}

export function startPasswordSms(
  ctx: Ctx,
  a: { phone: string; accountId: string; password: string; expiresAt: Date },
): NewMessage {
  return {
    channel: "sms",
    to: a.phone,
    purpose: "start_password",
    sensitive: true,
    subjectRef: `account:${a.accountId}`,
    text: `${ctx.coop.shortName} eBOK. Hasło startowe: ${a.password} (jednorazowe, ważne do ${
      formatDateTime(a.expiresAt)
    }). Przy logowaniu ustawisz własne hasło.`,
  };
}

export function rejectionEmail(
  ctx: Ctx,
  r: { email: string; firstName: string; requestId: string; reason: string },
): NewMessage {
  return {
    channel: "email",
    to: r.email,
    subject: "eBOK — wniosek o dostęp nie został rozpatrzony pozytywnie",
    purpose: "registration_rejected",
    subjectRef: `request:${r.requestId}`,
    text: letter(ctx, [
      "Nie możemy nadać dostępu do eBOK na podstawie Twojego formularza.",
      "",
      `Powód: ${r.reason}`,
      "",
      "Możesz wypełnić formularz ponownie z poprawionymi danymi albo skontaktować się z biurem spółdzielni.",
    ]),
  };
}

export function passwordChangedEmail(
  ctx: Ctx,
  a: { email: string; firstName: string; accountId: string; at: Date },
): NewMessage {
  return {
    channel: "email",
    to: a.email,
    subject: "eBOK — hasło zostało zmienione",
    purpose: "password_changed",
    subjectRef: `account:${a.accountId}`,
    text: letter(ctx, [
      `Hasło do Twojego konta w eBOK zostało zmienione ${formatDateTime(a.at)}.`,
      "Pozostałe sesje zostały zakończone.",
      "",
      "Jeśli hasło zmieniono bez Twojej wiedzy, natychmiast skontaktuj się z biurem spółdzielni.",
    ]),
  };
}

/** The confirmation that a resident's meter reading arrived (and waits for the office). */
export function readingSubmittedEmail(
  ctx: Ctx,
  r: {
    email: string;
    firstName: string;
    accountId: string;
    /** The day of the reading, "YYYY-MM-DD". */
    readOn: string;
    /** e.g. "ul. Kazimierza Wielkiego 12/7"; omitted when not known. */
    unitLabel?: string;
    /** One line per meter, e.g. "zimna woda, łazienka (nr ZW-2112345): 123,456 m³". */
    lines: string[];
    /** It replaces a reading sent earlier the same day. */
    replaced: boolean;
  },
): NewMessage {
  const day = formatIsoDate(r.readOn);
  return {
    channel: "email",
    to: r.email,
    subject: r.replaced
      ? "eBOK — otrzymaliśmy poprawiony odczyt wodomierzy"
      : "eBOK — otrzymaliśmy odczyt wodomierzy",
    purpose: "reading_submitted",
    subjectRef: `account:${r.accountId}`,
    text: letter(ctx, [
      `Otrzymaliśmy stan wodomierzy podany w eBOK ${day}${
        r.unitLabel ? ` dla lokalu ${r.unitLabel}` : ""
      }:`,
      ...r.lines.map((l) => `- ${l}`),
      ...(r.replaced ? ["", "Ten odczyt zastępuje odczyt podany wcześniej tego samego dnia."] : []),
      "",
      "Biuro spółdzielni sprawdzi odczyt i przyjmie go do rozliczeń. Stan sprawdzisz w eBOK:",
      `${ctx.baseUrl}/ebok`,
      "",
      "Jeśli odczyt podano bez Twojej wiedzy, skontaktuj się z biurem spółdzielni.",
    ]),
  };
}

export function contactChangedEmail(
  ctx: Ctx,
  a: { to: string; firstName: string; accountId: string; what: string },
): NewMessage {
  return {
    channel: "email",
    to: a.to,
    subject: "eBOK — zmieniono dane kontaktowe",
    purpose: "contact_changed",
    subjectRef: `account:${a.accountId}`,
    text: letter(ctx, [
      `Na Twoją prośbę biuro spółdzielni zmieniło w eBOK: ${a.what}.`,
      "Od teraz powiadomienia i hasła startowe będą wysyłane na nowe dane.",
      "",
      "Jeśli to nie była Twoja prośba, natychmiast skontaktuj się z biurem spółdzielni.",
    ]),
  };
}

/** An announcement of the cooperative, e-mailed to one resident (as published in eBOK). */
export function announcementEmail(
  ctx: Ctx,
  a: {
    email: string;
    firstName: string;
    accountId: string;
    title: string;
    /** Plain text; paragraphs separated by blank lines. */
    body: string;
    publishedAt: Date;
  },
): NewMessage {
  return {
    channel: "email",
    to: a.email,
    subject: `eBOK — komunikat: ${a.title}`,
    purpose: "announcement",
    subjectRef: `account:${a.accountId}`,
    text: letter(ctx, [
      `Spółdzielnia opublikowała komunikat (${formatDate(a.publishedAt)}):`,
      "",
      a.title,
      "",
      a.body,
      "",
      `Komunikaty znajdziesz też w eBOK, na stronie głównej: ${ctx.baseUrl}/ebok`,
    ]),
  };
}

/**
 * A new letter for the resident's unit in eBOK. Never the document, its title or amounts: only
 * that there is something to read, and where (the e-mail may be read by others).
 */
export function newDocumentEmail(
  ctx: Ctx,
  a: { email: string; firstName: string; accountId: string },
): NewMessage {
  return {
    channel: "email",
    to: a.email,
    subject: "W eBOK jest nowy dokument",
    purpose: "document_available",
    subjectRef: `account:${a.accountId}`,
    text: letter(ctx, [
      "W eBOK jest nowy dokument dla Twojego lokalu.",
      `Aby go przeczytać, zaloguj się: ${ctx.baseUrl}/ebok/dokumenty`,
    ]),
  };
}

/**
 * The link that confirms a new e-mail address, sent to that address. Following it (and pressing
 * the button on the page) makes the change; nothing changes before.
 */
export function emailChangeLinkEmail(
  ctx: Ctx,
  a: { to: string; accountId: string; token: string; expiresAt: Date },
): NewMessage {
  return {
    channel: "email",
    to: a.to,
    subject: "eBOK — potwierdź nowy adres e-mail",
    purpose: "email_change_link",
    subjectRef: `account:${a.accountId}`,
    // The link is a secret until used: dropped once the message is settled.
    sensitive: true,
    text: letter(ctx, [
      "W eBOK poproszono o zmianę adresu e-mail konta na ten adres.",
      "Aby potwierdzić zmianę, otwórz link i naciśnij „Potwierdź nowy adres”:",
      `${ctx.baseUrl}/potwierdz-email?t=${a.token}`,
      "",
      `Link działa jeden raz, do ${formatDateTime(a.expiresAt)}.`,
      "Jeśli to nie była Twoja prośba, zignoruj tę wiadomość — adres nie zostanie zmieniony.",
    ]),
  };
}

/** To the old address once the new one is confirmed, or to the address when the phone changed. */
export function ownContactChangedEmail(
  ctx: Ctx,
  a: { to: string; accountId: string; what: "email" | "phone"; at: Date },
): NewMessage {
  return {
    channel: "email",
    to: a.to,
    subject: "eBOK — zmieniono dane kontaktowe",
    purpose: "contact_changed",
    subjectRef: `account:${a.accountId}`,
    text: letter(ctx, [
      a.what === "email"
        ? `Adres e-mail Twojego konta w eBOK został zmieniony ${
          formatDateTime(a.at)
        }. Kolejne wiadomości eBOK przyjdą na nowy adres.`
        : `Numer telefonu do SMS Twojego konta w eBOK został zmieniony ${
          formatDateTime(a.at)
        }. Hasła startowe przyjdą SMS-em na nowy numer.`,
      "",
      "Nie ja? Jeśli zmiany nie zrobiono na Twoją prośbę, natychmiast skontaktuj się z biurem spółdzielni.",
    ]),
  };
}

/** The 6-digit code that confirms a new phone number, sent by SMS to that number. */
export function phoneChangeCodeSms(
  ctx: Ctx,
  a: { phone: string; accountId: string; code: string },
): NewMessage {
  return {
    channel: "sms",
    to: a.phone,
    purpose: "phone_change_code",
    subjectRef: `account:${a.accountId}`,
    sensitive: true,
    text: `${ctx.coop.name}: kod potwierdzenia numeru w eBOK: ${a.code}. Ważny 10 minut.`,
  };
}

/** A few days before the payment date, when something is due. No amounts: only where to look. */
export function paymentReminderEmail(
  ctx: Ctx,
  a: { email: string; accountId: string; dueBy: string },
): NewMessage {
  return {
    channel: "email",
    to: a.email,
    subject: "eBOK — przypomnienie o terminie płatności",
    purpose: "payment_reminder",
    subjectRef: `account:${a.accountId}`,
    text: letter(ctx, [
      `Przypominamy: termin opłat za lokal mija ${formatIsoDate(a.dueBy)}.`,
      `Kwotę do zapłaty i numer konta znajdziesz w eBOK: ${ctx.baseUrl}/ebok`,
      "",
      "Jeśli opłata jest już w drodze, zignoruj tę wiadomość.",
      "Przypomnienia wyłączysz w eBOK, w „Moje konto”.",
    ]),
  };
}

/** The accounting import booked a payment for the resident's unit. No amounts. */
export function paymentBookedEmail(
  ctx: Ctx,
  a: { email: string; accountId: string },
): NewMessage {
  return {
    channel: "email",
    to: a.email,
    subject: "eBOK — wpłata zaksięgowana",
    purpose: "payment_booked",
    subjectRef: `account:${a.accountId}`,
    text: letter(ctx, [
      "Spółdzielnia zaksięgowała wpłatę na konto Twojego lokalu.",
      `Szczegóły i aktualne saldo znajdziesz w eBOK: ${ctx.baseUrl}/ebok/saldo`,
      "",
      "Te powiadomienia wyłączysz w eBOK, w „Moje konto”.",
    ]),
  };
}
