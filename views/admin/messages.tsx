import {
  isStuckSending,
  type Message,
  type MessageState,
} from "../../domain/messaging/messages.ts";
import { TableWrap } from "../table_wrap.tsx";
import { formatDateTime } from "../format.ts";

const stateLabels: Record<MessageState, { text: string; tone: string }> = {
  queued: { text: "w kolejce", tone: "" },
  sending: { text: "wysyłanie", tone: "" },
  sent: { text: "wysłana", tone: "ok" },
  failed: { text: "nieudana", tone: "bad" },
  uncertain: { text: "niepewna", tone: "warn" },
};

/** What each message is for, in staff's words (`purpose` as notifications.ts names it). */
export const messagePurposeLabels: Record<string, string> = {
  registration_received: "Potwierdzenie przyjęcia wniosku",
  registration_duplicate: "Wniosek już złożony",
  registration_existing_account: "Konto już istnieje",
  identifier: "Identyfikator (login)",
  start_password: "Hasło startowe (SMS)",
  registration_rejected: "Odrzucenie wniosku",
  password_changed: "Powiadomienie o zmianie hasła",
  reading_submitted: "Potwierdzenie odczytu wodomierza",
  contact_changed: "Powiadomienie o zmianie danych kontaktowych",
  announcement: "Komunikat spółdzielni",
  document_available: "Nowy dokument w eBOK",
  matter_reply: "Odpowiedź w sprawie (zgłoszeniu)",
  email_change_link: "Link potwierdzający nowy adres e-mail",
  phone_change_code: "Kod potwierdzający nowy numer telefonu (SMS)",
  payment_reminder: "Przypomnienie o terminie opłat",
  payment_booked: "Powiadomienie o zaksięgowaniu wpłaty",
};

export function MessagesTable(props: { messages: Message[]; now?: Date }) {
  if (props.messages.length === 0) return <p>Brak wiadomości.</p>;
  return (
    <TableWrap label="Wiadomości e-mail i SMS">
      <table>
        <caption>Wiadomości e-mail i SMS</caption>
        <thead>
          <tr>
            <th scope="col">Utworzona</th>
            <th scope="col">Kanał</th>
            <th scope="col">Do</th>
            <th scope="col">Cel</th>
            <th scope="col">Stan</th>
            <th scope="col">Próby</th>
            <th scope="col">Działanie</th>
          </tr>
        </thead>
        <tbody>
          {props.messages.map((m) => (
            <tr>
              <td>{formatDateTime(new Date(m.createdAt))}</td>
              <td>{m.channel === "email" ? "e-mail" : "SMS"}</td>
              <td>{m.to}</td>
              <td>
                {messagePurposeLabels[m.purpose] ?? m.purpose}
                {m.subject && <div class="muted small">{m.subject}</div>}
              </td>
              <td>
                {props.now && isStuckSending(m, props.now)
                  ? (
                    // A hung provider or a crash mid-send: the sweep applies the recovery rules.
                    <span class="badge warn">utknęła w wysyłce</span>
                  )
                  : (
                    <span class={`badge ${stateLabels[m.state].tone}`}>
                      {stateLabels[m.state].text}
                    </span>
                  )}
                {m.lastError && <div class="muted">{m.lastError}</div>}
                {m.sentAt && <div class="muted">{formatDateTime(new Date(m.sentAt))}</div>}
              </td>
              <td class="num">{m.attempts}</td>
              <td>
                {(m.state === "failed" || m.state === "uncertain") && (
                  <form method="post" action={`/admin/wiadomosci/${m.id}/ponow`}>
                    <button type="submit" class="secondary">Wyślij ponownie</button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function MessagesPage(props: { messages: Message[]; notice?: string; now?: Date }) {
  return (
    <>
      <h1>Wiadomości</h1>
      {props.notice && <p class="notice ok" role="status">{props.notice}</p>}
      <p class="lead">
        Każdy e-mail i SMS z eBOK ze stanem doręczenia do operatora. „Niepewna” oznacza SMS
        przerwany w trakcie wysyłki: sprawdź u mieszkańca, czy dotarł, zanim wyślesz go ponownie.
        „Utknęła w wysyłce” oznacza brak odpowiedzi operatora od ponad 2 minut: system sam ponowi
        e-mail, a SMS oznaczy jako niepewny.
      </p>
      <MessagesTable messages={props.messages} now={props.now} />
    </>
  );
}
