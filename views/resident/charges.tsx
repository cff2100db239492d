import { InTransitList } from "./in_transit.tsx";
import type { InTransitPayment } from "../../domain/payments/in_transit.ts";
import type { DataFreshness } from "../../domain/backoffice/data_freshness.ts";
import { type ChargeComponent, componentLabel } from "../../domain/balance/ledger.ts";
import type { MonthSummary } from "../../domain/balance/statement.ts";
import { formatBasis, formatMoney, formatPeriod } from "../format.ts";
import { DataAsOf, MoneyTabs, unitLabel, type UnitRef, UnitSwitcher } from "./parts.tsx";
import { query } from "./balance.tsx";

const kindNames = { charge: "", interest: "Odsetki", correction: "Korekta" } as const;

export function ChargesPage(
  p: {
    units: UnitRef[];
    current: UnitRef;
    year: number;
    years: number[];
    months: MonthSummary[];
    components: ChargeComponent[];
    /** Online payments "w drodze" (they pay these charges once booked). */
    inTransit: InTransitPayment[];
    freshness: DataFreshness | null;
  },
) {
  const unitId = p.current.unit.id;
  const months = [...p.months].reverse();
  return (
    <>
      <MoneyTabs path="/ebok/naliczenia" unitId={unitId} />
      <h1>Opłaty miesięczne — skąd się biorą</h1>
      <UnitSwitcher
        units={p.units}
        currentId={unitId}
        hrefFor={(id) => `/ebok/naliczenia${query({ lokal: id, rok: p.year })}`}
      />
      <p class="lead">{unitLabel(p.current)}</p>
      <YearSwitcher years={p.years} year={p.year} unitId={unitId} />
      <InTransitList payments={p.inTransit} />
      <DataAsOf freshness={p.freshness} />
      {months.length === 0 && <p>Brak opłat w {p.year} roku.</p>}
      {months.map((m, i) => <MonthCharges m={m} open={i === 0} components={p.components} />)}
    </>
  );
}

function YearSwitcher(p: { years: number[]; year: number; unitId: string }) {
  return (
    <nav class="year-switcher" aria-label="Wybór roku">
      <ul>
        {p.years.map((y) => (
          <li>
            <a
              href={`/ebok/naliczenia${query({ lokal: p.unitId, rok: y })}`}
              aria-current={y === p.year ? "true" : undefined}
            >
              {y}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** One month's charges, component by component, with what was paid and the balance. */
function MonthCharges(props: { m: MonthSummary; open: boolean; components: ChargeComponent[] }) {
  const m = props.m;
  return (
    <details class="month" open={props.open}>
      <summary>
        <span class="month-name">{formatPeriod(m.period)}</span>
        <span class="month-total">{formatMoney(m.charged)}</span>
      </summary>
      <table class="stack">
        <caption class="visually-hidden">Składniki opłaty za {formatPeriod(m.period)}</caption>
        <thead>
          <tr>
            <th scope="col">Składnik</th>
            <th scope="col">Jak obliczono</th>
            <th scope="col" class="num">Kwota</th>
          </tr>
        </thead>
        <tbody>
          {m.components.map((c) => (
            <tr>
              <th scope="row">
                {kindNames[c.kind]}
                {c.kind !== "charge" && c.code && ": "}
                {c.code ? componentLabel(props.components, c.code) : ""}
              </th>
              <td data-label="Jak obliczono">
                {c.basis ? `${formatBasis(c.basis)}` : c.entries > 1 ? `${c.entries} pozycje` : "—"}
              </td>
              <td class="num" data-label="Kwota">{formatMoney(c.amount)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colspan={2}>Razem za miesiąc</th>
            <td class="num">
              <strong>{formatMoney(m.charged)}</strong>
            </td>
          </tr>
          <tr>
            <th scope="row" colspan={2}>Wpłaty zaksięgowane na ten miesiąc</th>
            <td class="num">{formatMoney(m.paid)}</td>
          </tr>
          <tr>
            <th scope="row" colspan={2}>Saldo na koniec miesiąca</th>
            <td class="num">{formatMoney(m.balanceAtEnd)}</td>
          </tr>
        </tfoot>
      </table>
    </details>
  );
}
