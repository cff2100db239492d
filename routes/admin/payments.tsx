import { Hono } from "hono";
import {
  getPaymentSettings,
  listPayments,
  type PaymentState,
  paymentStateLabels,
  paymentStates,
} from "../../domain/payments/payments.ts";
import { listOrphanPayments } from "../../domain/payments/confirmation.ts";
import { exportPayments } from "../../domain/payments/export.ts";
import { listUnmatchedPayments } from "../../domain/payments/in_transit.ts";
import { polishDate } from "../../domain/shared/calendar.ts";
import { formatMoney } from "../../views/format.ts";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";

/** `?stan=…` → one of the states, or undefined (all) for anything else. */
function stateFilter(raw: string | undefined): PaymentState | undefined {
  return paymentStates.find((s) => s === raw);
}

/** Online payments for the office: by state, orphans, and those not booked in time. */
export function paymentAdminRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<StaffEnv>();
  app.get("/", async (c) => {
    const state = stateFilter(c.req.query("stan"));
    const settings = await getPaymentSettings(kv);
    const [{ payments }, orphans, unmatched] = await Promise.all([
      listPayments(kv, { state, limit: 200 }),
      listOrphanPayments(kv),
      listUnmatchedPayments(kv, clock, settings.unmatchedAfterDays),
    ]);
    return renderPage(
      c,
      { title: "Płatności online", menu: staffMenu, viewer: staffViewer(c.get("staff")) },
      <>
        <h1>Płatności online</h1>
        <form method="get" action="/admin/platnosci">
          <label for="stan">Stan</label>{" "}
          <select id="stan" name="stan">
            <option value="">wszystkie</option>
            {paymentStates.map((s) => (
              <option value={s} selected={s === state}>{paymentStateLabels[s]}</option>
            ))}
          </select>{" "}
          <button type="submit">Pokaż</button>
        </form>
        <p>
          <a href={`/admin/platnosci/platnosci.csv${state ? `?stan=${state}` : ""}`} download>
            Pobierz CSV{state ? ` (${paymentStateLabels[state]})` : ""}
          </a>
        </p>
        <h2>Niezaksięgowane po {settings.unmatchedAfterDays} dniach</h2>
        {unmatched.length === 0 ? <p>Brak.</p> : (
          <ul>
            {unmatched.map((u) => (
              <li>
                {formatMoney(u.amount)} — {u.title} (nr transakcji {u.orderId}, potwierdzona{" "}
                {u.confirmedAt.slice(0, 10)})
              </li>
            ))}
          </ul>
        )}
        <h2>Wpłaty bez płatności w eBOK</h2>
        {orphans.length === 0 ? <p>Brak.</p> : (
          <ul>
            {orphans.map((o) => (
              <li>
                {formatMoney(o.amount)} — nr transakcji {o.orderId}, sesja {o.sessionId}
              </li>
            ))}
          </ul>
        )}
        <h2>Płatności</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Rozpoczęta</th>
                <th>Tytuł</th>
                <th>Kwota</th>
                <th>Stan</th>
                <th>Zaksięgowana</th>
              </tr>
            </thead>
            <tbody>
              {payments.map((p) => (
                <tr>
                  <td>{p.createdAt.slice(0, 16).replace("T", " ")}</td>
                  <td>{p.title}</td>
                  <td>{formatMoney(p.amount)}</td>
                  <td>{paymentStateLabels[p.state]}</td>
                  <td>{p.booked ? p.booked.documentNo : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>,
    );
  });

  // The list with the page's filter, for a spreadsheet; the export is audited.
  app.get("/platnosci.csv", async (c) => {
    const state = stateFilter(c.req.query("stan"));
    const csv = await exportPayments(kv, clock, { state }, staffActor(c.get("staff")));
    const day = polishDate(clock());
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header(
      "Content-Disposition",
      `attachment; filename="platnosci-online-${state ?? "wszystkie"}-${day}.csv"`,
    );
    c.header("Cache-Control", "no-store");
    return c.body(csv);
  });
  return app;
}
