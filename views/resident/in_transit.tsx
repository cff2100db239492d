import type { InTransitPayment } from "../../domain/payments/in_transit.ts";
import { polishDate } from "../../domain/shared/calendar.ts";
import { formatIsoDate, formatMoney } from "../format.ts";

/**
 * Online payments confirmed by the payment operator, not yet booked by the cooperative: on the
 * money tabs, each marked "w drodze"; the balance and what is due shown above already count them.
 */
export function InTransitList(p: { payments: readonly InTransitPayment[] }) {
  if (p.payments.length === 0) return null;
  return (
    <section class="in-transit-list" aria-labelledby="w-drodze">
      <h2 id="w-drodze">Wpłaty w drodze</h2>
      <p>
        Płatności online przyjęte przez operatora płatności. Czekają na zaksięgowanie przez
        spółdzielnię; saldo i kwota do zapłaty na tej stronie już je uwzględniają.
      </p>
      <ul>
        {p.payments.map((x) => (
          <li>
            <span class="in-transit">w drodze</span>: {formatMoney(x.amount)}, płatność online z
            {" "}
            {formatIsoDate(polishDate(new Date(x.confirmedAt)))}
          </li>
        ))}
      </ul>
    </section>
  );
}
