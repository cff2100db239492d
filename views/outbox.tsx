import type { OutboxEntry } from "../adapters/dev_outbox.ts";
import { TableWrap } from "./table_wrap.tsx";
import { formatDateTime } from "./format.ts";

export function OutboxPage(props: { entries: OutboxEntry[] }) {
  return (
    <>
      <h1>Skrzynka nadawcza (tryb deweloperski)</h1>
      <p class="notice warn">
        Ta strona istnieje tylko w trybie deweloperskim. Pokazuje e-maile i SMS-y, które aplikacja
        wysłałaby przez Resend i Twilio. Te same dane w JSON:{" "}
        <a href="/dev/outbox.json">
          /dev/outbox.json
        </a>.
      </p>
      {props.entries.length === 0
        ? <p>Brak wiadomości.</p>
        : (
          <TableWrap label="Wiadomości w skrzynce">
            <table>
              <caption>Wiadomości, od najstarszej</caption>
              <thead>
                <tr>
                  <th scope="col">Czas</th>
                  <th scope="col">Kanał</th>
                  <th scope="col">Do</th>
                  <th scope="col">Treść</th>
                </tr>
              </thead>
              <tbody>
                {props.entries.map((e) => (
                  <tr>
                    <td>{formatDateTime(new Date(e.createdAt))}</td>
                    <td>{e.channel === "email" ? "e-mail" : "SMS"}</td>
                    <td>{e.to}</td>
                    <td>
                      {e.subject && <strong>{e.subject}</strong>}
                      <pre class="message">{e.text}</pre>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
    </>
  );
}
