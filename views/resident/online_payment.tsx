/** Online payment pages: the "Zapłać online" form, its 422 page, the return page (pure). */
import type { OnlinePayment } from "../../domain/payments/payments.ts";
import { formatMoney } from "../format.ts";

export type PayOffer = {
  unitId: string;
  /** Grosze. */
  proposed: number;
  min: number;
  max: number;
};

/** "612,34": an amount as a resident types it. */
export function amountInput(grosze: number): string {
  return `${Math.floor(grosze / 100)},${String(grosze % 100).padStart(2, "0")}`;
}

/** The small form under a unit's transfer details; a plain POST, no script needed. */
export function PayOnlineForm(props: { offer: PayOffer; value?: string; error?: string }) {
  const { offer } = props;
  const id = `kwota-${offer.unitId}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    // A full page load, never an htmx swap: the answer redirects to the gateway's own site.
    <form method="post" action="/ebok/platnosci" class="pay-online" hx-boost="false">
      <input type="hidden" name="lokal" value={offer.unitId} />
      <div class={props.error ? "field invalid" : "field"}>
        <label for={id}>Kwota płatności online</label>
        <span class="hint" id={hintId}>
          Od {formatMoney(offer.min)} do {formatMoney(offer.max)}. Możesz zapłacić mniej.
        </span>
        <input
          id={id}
          name="kwota"
          type="text"
          inputmode="decimal"
          autocomplete="off"
          maxlength={16}
          size={10}
          value={props.value ?? amountInput(offer.proposed)}
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? `${hintId} ${errorId}` : hintId}
        />
        {props.error && <span class="error-text" id={errorId}>{props.error}</span>}
      </div>
      <button type="submit">Zapłać online</button>
    </form>
  );
}

/** The form again, after an amount the cooperative does not accept (422). */
export function PayAgainPage(
  props: { unitLabel: string; offer?: PayOffer; value: string; error: string },
) {
  return (
    <>
      <h1>Płatność online</h1>
      <p>{props.unitLabel}</p>
      {props.offer
        ? <PayOnlineForm offer={props.offer} value={props.value} error={props.error} />
        : <p class="notice warn" role="alert">{props.error}</p>}
      <p>
        <a href="/ebok">Wróć do strony głównej</a>
      </p>
    </>
  );
}

export function PaymentUnavailablePage() {
  return (
    <>
      <h1>Płatność online chwilowo niedostępna</h1>
      <p class="notice warn" role="alert">
        Nie udało się połączyć z serwisem płatności. Nic nie zostało pobrane. Spróbuj ponownie za
        kilka minut albo zapłać zwykłym przelewem — dane do przelewu są na stronie głównej.
      </p>
      <p>
        <a href="/ebok">Wróć do strony głównej</a>
      </p>
    </>
  );
}

/** After the gateway: says only what is known; never calls an unconfirmed payment paid. */
export function PaymentReturnPage(props: { payment: OnlinePayment }) {
  const p = props.payment;
  const amount = formatMoney(p.amount);
  return (
    <>
      <h1>Płatność online</h1>
      <dl class="facts">
        <dt>Kwota</dt>
        <dd>{amount}</dd>
        <dt>Tytuł</dt>
        <dd>{p.title}</dd>
      </dl>
      {p.state === "confirmed"
        ? (
          <p class="notice ok" role="status">
            Płatność potwierdzona. Kwota {amount}{" "}
            jest w drodze do spółdzielni: saldo zmieni się, gdy biuro zaksięguje wpłatę. Do tego
            czasu kwota do zapłaty jest o nią pomniejszona.
          </p>
        )
        : p.state === "failed" || p.state === "expired"
        ? (
          <p class="notice warn" role="status">
            Ta płatność nie została zrealizowana. Jeśli pieniądze zostały jednak pobrane, pojawią
            się tu po potwierdzeniu przez serwis płatności. Możesz spróbować ponownie albo zapłacić
            zwykłym przelewem.
          </p>
        )
        : (
          // The gateway says nothing when the payer gives up: a pending payment may be on its
          // way or abandoned, so the page names both and claims neither.
          <div class="notice" role="status">
            <p>
              Czekamy na potwierdzenie płatności od serwisu płatności. Dopóki nie ma potwierdzenia,
              płatność nie jest uwzględniona w saldzie.
            </p>
            <p>
              Jeśli zapłacono, potwierdzenie przychodzi zwykle w ciągu kilku minut — odśwież stronę.
              Jeśli płatność została przerwana lub odrzucona, nic nie zostało pobrane: możesz
              zapłacić ponownie na stronie głównej albo zwykłym przelewem.
            </p>
          </div>
        )}
      <p>
        <a href="/ebok">Wróć do strony głównej</a>
      </p>
    </>
  );
}
