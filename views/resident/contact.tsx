/** "Moje konto": the resident's own e-mail and phone changes, and the e-mail notices wanted. */
import type { PendingContactChanges } from "../../domain/accounts/contact_change.ts";
import {
  NOTIFICATION_KINDS,
  notificationLabels,
  type NotificationPrefs,
} from "../../domain/accounts/notification_prefs.ts";
import { formatPolishMobile } from "../../domain/shared/phone.ts";
import { ErrorSummary, Field, type FieldErrors } from "../form.tsx";
import { formatDateTime } from "../format.ts";

export type ContactForm = { value?: string; errors?: FieldErrors; banner?: string };
export type ContactForms = { email?: ContactForm; phone?: ContactForm; code?: ContactForm };

function Banner(p: { text?: string }) {
  return p.text ? <p class="notice bad" role="alert">{p.text}</p> : null;
}

export function EmailChangeSection(
  p: { pending?: PendingContactChanges["email"]; form?: ContactForm },
) {
  const errors = p.form?.errors ?? {};
  return (
    <section aria-labelledby="zmiana-email">
      <h2 id="zmiana-email">Zmiana adresu e-mail</h2>
      {p.pending && (
        <p class="notice warn" role="status">
          Link potwierdzający wysłano na adres{" "}
          <strong>{p.pending.to}</strong>. Adres w eBOK zmieni się dopiero po otwarciu tego linku
          (ważny do {formatDateTime(p.pending.expiresAt)}).
        </p>
      )}
      <Banner text={p.form?.banner} />
      <ErrorSummary
        errors={errors}
        labels={{ email: "Nowy adres e-mail", email_password: "Obecne hasło" }}
      />
      <form method="post" action="/ebok/konto/email">
        <Field
          name="email"
          label="Nowy adres e-mail"
          type="email"
          autocomplete="email"
          inputmode="email"
          spellcheck={false}
          maxlength={254}
          value={p.form?.value}
          error={errors.email}
          hint="Wyślemy na niego link. Adres zmieni się po jego otwarciu; stary adres dostanie informację o zmianie."
        />
        <Field
          name="email_password"
          label="Obecne hasło"
          type="password"
          autocomplete="current-password"
          maxlength={200}
          error={errors.email_password}
          hint="Dla bezpieczeństwa: potwierdza, że zmianę robi właściciel konta."
        />
        <div class="actions">
          <button type="submit">Wyślij link na nowy adres</button>
        </div>
      </form>
    </section>
  );
}

export function PhoneChangeSection(
  p: { pending?: PendingContactChanges["phone"]; form?: ContactForm; codeForm?: ContactForm },
) {
  const errors = p.form?.errors ?? {};
  const codeErrors = p.codeForm?.errors ?? {};
  return (
    <section aria-labelledby="zmiana-telefonu">
      <h2 id="zmiana-telefonu">Zmiana numeru telefonu</h2>
      <p>Na ten numer przychodzą SMS-y z hasłem startowym (np. gdy hasło zostanie zapomniane).</p>
      <Banner text={p.codeForm?.banner} />
      {p.pending && (
        <form method="post" action="/ebok/konto/telefon/kod">
          <ErrorSummary errors={codeErrors} labels={{ code: "Kod z SMS-a" }} />
          <Field
            name="code"
            label="Kod z SMS-a"
            inputmode="numeric"
            autocomplete="one-time-code"
            maxlength={6}
            spellcheck={false}
            error={codeErrors.code}
            hint={`Kod wysłano na numer ${formatPolishMobile(p.pending.to)}. Ważny do ${
              formatDateTime(p.pending.expiresAt)
            }. Pozostałe próby: ${p.pending.attemptsLeft}.`}
          />
          <div class="actions">
            <button type="submit">Potwierdź nowy numer</button>
          </div>
        </form>
      )}
      <Banner text={p.form?.banner} />
      <ErrorSummary
        errors={errors}
        labels={{ phone: "Nowy numer telefonu", phone_password: "Obecne hasło" }}
      />
      <form method="post" action="/ebok/konto/telefon">
        <Field
          name="phone"
          label="Nowy numer telefonu komórkowego"
          type="tel"
          autocomplete="tel"
          inputmode="tel"
          maxlength={30}
          value={p.form?.value}
          error={errors.phone}
          hint="Polski numer komórkowy, np. 600 123 456. Wyślemy na niego 6-cyfrowy kod."
        />
        <Field
          name="phone_password"
          label="Obecne hasło"
          type="password"
          autocomplete="current-password"
          maxlength={200}
          error={errors.phone_password}
        />
        <div class="actions">
          <button type="submit" class={p.pending ? "secondary" : undefined}>
            {p.pending ? "Wyślij nowy kod" : "Wyślij kod SMS"}
          </button>
        </div>
      </form>
    </section>
  );
}

export function NotificationSection(p: { prefs: NotificationPrefs }) {
  return (
    <section aria-labelledby="powiadomienia">
      <h2 id="powiadomienia">Powiadomienia e-mail</h2>
      <form method="post" action="/ebok/konto/powiadomienia">
        <fieldset>
          <legend>Wysyłaj mi e-mail, gdy:</legend>
          <p class="hint" id="powiadomienia-hint">
            E-maile nie zawierają kwot ani treści dokumentów — tylko informację, że coś czeka w
            eBOK. Wiadomości o haśle i zmianach danych kontaktowych przychodzą zawsze.
          </p>
          {NOTIFICATION_KINDS.map((kind) => (
            <div class="checkbox">
              <input
                type="checkbox"
                id={`notify-${kind}`}
                name="notify"
                value={kind}
                checked={p.prefs[kind]}
                aria-describedby="powiadomienia-hint"
              />
              <label for={`notify-${kind}`}>{notificationLabels[kind]}</label>
            </div>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit">Zapisz ustawienia powiadomień</button>
        </div>
      </form>
    </section>
  );
}

export type EmailLinkPageState =
  | { kind: "ready"; token: string; newEmail: string }
  | { kind: "done"; email: string }
  | { kind: "refused"; reason: "unknown" | "used" | "expired" | "stale" };

const refusals: Record<Extract<EmailLinkPageState, { kind: "refused" }>["reason"], string> = {
  unknown: "Ten link jest nieprawidłowy. Sprawdź, czy został skopiowany w całości.",
  used: "Ten link został już użyty — adres e-mail był już zmieniony.",
  expired: "Ten link wygasł. Poproś o nowy w eBOK, w „Moje konto”.",
  stale:
    "Ten link nie jest już ważny: wysłano nowszy albo adres konta zmienił się w inny sposób. Poproś o nowy w eBOK, w „Moje konto”.",
};

/** The page the confirmation link opens: nothing changes until its button is pressed. */
export function EmailLinkPage(p: { state: EmailLinkPageState }) {
  const s = p.state;
  return (
    <>
      <h1>Potwierdzenie nowego adresu e-mail</h1>
      {s.kind === "ready" && (
        <>
          <p class="lead">
            Nowy adres e-mail konta w eBOK: <strong>{s.newEmail}</strong>
          </p>
          <form method="post" action="/potwierdz-email">
            <input type="hidden" name="t" value={s.token} />
            <div class="actions">
              <button type="submit">Potwierdź nowy adres</button>
            </div>
          </form>
        </>
      )}
      {s.kind === "done" && (
        <p class="notice ok" role="status">
          Adres e-mail został zmieniony na{" "}
          <strong>{s.email}</strong>. Poprzedni adres dostał informację o zmianie.
        </p>
      )}
      {s.kind === "refused" && <p class="notice bad" role="alert">{refusals[s.reason]}</p>}
      <p>
        <a href="/ebok/konto">Przejdź do „Moje konto”</a>
      </p>
    </>
  );
}
