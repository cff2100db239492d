import { raw } from "hono/html";
import { TableWrap } from "../table_wrap.tsx";
import type { DataFreshness } from "../../domain/backoffice/data_freshness.ts";
import {
  type ChargeComponent,
  componentLabel,
  type EntryKind,
  entryKindLabels,
} from "../../domain/balance/ledger.ts";
import type { LedgerTotals } from "../../domain/balance/ledger.ts";
import type { ChartRow, StatementRow } from "../../domain/balance/statement.ts";
import { formatBasis, formatIsoDate, formatMoney, formatPeriod } from "../format.ts";
import { BalanceWords, DataAsOf, unitLabel, type UnitRef, UnitSwitcher } from "./parts.tsx";

export type BalanceFilter = {
  year?: number;
  period?: string;
  kind?: EntryKind;
  component?: string;
};

/**
 * A statement line: one entry, or a month's charges posted together (shown as one line that
 * opens to its components and how each was computed).
 */
export type StatementLine =
  | { kind: "single"; row: StatementRow }
  | {
    kind: "charges";
    period: string;
    postedOn: string;
    effect: number;
    balanceAfter: number;
    rows: StatementRow[];
  };

/** Groups consecutive charges with the same posting date and period; rows are newest first. */
export function groupStatementLines(rows: StatementRow[]): StatementLine[] {
  const lines: StatementLine[] = [];
  for (const row of rows) {
    const last = lines[lines.length - 1];
    if (
      row.entry.kind === "charge" && last?.kind === "charges" &&
      last.period === row.entry.period && last.postedOn === row.entry.postedOn
    ) {
      last.rows.push(row);
      last.effect += row.effect;
    } else if (row.entry.kind === "charge") {
      lines.push({
        kind: "charges",
        period: row.entry.period,
        postedOn: row.entry.postedOn,
        effect: row.effect,
        balanceAfter: row.balanceAfter,
        rows: [row],
      });
    } else {
      lines.push({ kind: "single", row });
    }
  }
  // A lone charge reads better as itself.
  return lines.map((l) =>
    l.kind === "charges" && l.rows.length === 1 ? { kind: "single", row: l.rows[0] } : l
  );
}

export type BalanceProps = {
  units: UnitRef[];
  current: UnitRef;
  totals: LedgerTotals;
  filter: BalanceFilter;
  filterError?: string;
  years: number[];
  components: ChargeComponent[];
  lines: StatementLine[];
  page: number;
  pages: number;
  totalLines: number;
  chartSvg: string;
  chartRows: ChartRow[];
  freshness: DataFreshness | null;
};

export function query(base: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && v !== "") params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

export function filterParams(unitId: string, f: BalanceFilter) {
  return { lokal: unitId, rok: f.year, okres: f.period, rodzaj: f.kind, skladnik: f.component };
}

export function BalancePage(p: BalanceProps) {
  const unitId = p.current.unit.id;
  return (
    <>
      <h1>Saldo rozliczeń</h1>
      <UnitSwitcher
        units={p.units}
        currentId={unitId}
        hrefFor={(id) => `/ebok/saldo${query({ ...filterParams(id, p.filter), lokal: id })}`}
      />
      <p class="lead">
        {unitLabel(p.current)}: <BalanceWords balance={p.totals.balance} />
      </p>
      <dl class="facts totals">
        <dt>Saldo otwarcia (z poprzedniego systemu)</dt>
        <dd class="num">{formatMoney(p.totals.opening)}</dd>
        <dt>Naliczone opłaty</dt>
        <dd class="num">{formatMoney(p.totals.charged)}</dd>
        <dt>Odsetki</dt>
        <dd class="num">{formatMoney(p.totals.interest)}</dd>
        <dt>Korekty</dt>
        <dd class="num">{formatMoney(p.totals.corrections)}</dd>
        <dt>Wpłaty</dt>
        <dd class="num">{formatMoney(p.totals.paid)}</dd>
      </dl>
      <DataAsOf freshness={p.freshness} />
      <BalanceFilterForm {...p} />
      <h2 id="wyciag-naglowek">Operacje</h2>
      {/* Outside the swapped region, so a screen reader hears the new count after filtering. */}
      <p class="muted" id="wyciag-stan" aria-live="polite">{statementStatus(p)}</p>
      <StatementRegion {...p} />
      <section aria-labelledby="wykres-naglowek" class="chart">
        <h2 id="wykres-naglowek">Saldo i opłaty w czasie</h2>
        <TableWrap label="Wykres salda i opłat">{raw(p.chartSvg)}</TableWrap>
        <details>
          <summary>Dane wykresu w tabeli</summary>
          <TableWrap label="Dane wykresu salda">
            <table id="wykres-salda-dane">
              <caption>Opłaty w miesiącu i saldo na koniec miesiąca</caption>
              <thead>
                <tr>
                  <th scope="col">Miesiąc</th>
                  <th scope="col" class="num">Opłaty</th>
                  <th scope="col" class="num">Saldo na koniec</th>
                </tr>
              </thead>
              <tbody>
                {p.chartRows.map((r) => (
                  <tr>
                    <th scope="row">{r.label}</th>
                    <td class="num">{formatMoney(r.charged)}</td>
                    <td class="num">{formatMoney(r.balanceAtEnd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </details>
      </section>
    </>
  );
}

function BalanceFilterForm(p: BalanceProps) {
  const f = p.filter;
  return (
    <form
      method="get"
      action="/ebok/saldo"
      class="filters no-print"
      hx-get="/ebok/saldo"
      hx-target="#wyciag"
      hx-select="#wyciag"
      hx-swap="outerHTML"
      hx-push-url="true"
      hx-trigger="change, submit"
    >
      <input type="hidden" name="lokal" value={p.current.unit.id} />
      <div class="filter-row">
        <div class="field">
          <label for="rok">Rok</label>
          <select id="rok" name="rok">
            <option value="">wszystkie</option>
            {p.years.map((y) => <option value={String(y)} selected={f.year === y}>{y}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="okres">Miesiąc</label>
          <input
            type="month"
            id="okres"
            name="okres"
            value={f.period}
            aria-describedby={p.filterError ? "filtr-blad" : undefined}
          />
        </div>
        <div class="field">
          <label for="rodzaj">Rodzaj operacji</label>
          <select id="rodzaj" name="rodzaj">
            <option value="">wszystkie</option>
            {(Object.keys(entryKindLabels) as EntryKind[]).map((k) => (
              <option value={k} selected={f.kind === k}>{entryKindLabels[k]}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="skladnik">Składnik opłaty</label>
          <select id="skladnik" name="skladnik">
            <option value="">wszystkie</option>
            {p.components.map((c) => (
              <option value={c.code} selected={f.component === c.code}>{c.label}</option>
            ))}
          </select>
        </div>
        <div class="actions">
          <button type="submit">Pokaż</button>
          <a class="button secondary" href={`/ebok/saldo${query({ lokal: p.current.unit.id })}`}>
            Wyczyść filtry
          </a>
        </div>
      </div>
      {p.filterError && <p class="error-text" id="filtr-blad" role="alert">{p.filterError}</p>}
    </form>
  );
}

export function statementStatus(p: Pick<BalanceProps, "totalLines" | "page" | "pages">): string {
  return p.totalLines === 0
    ? "Brak operacji spełniających wybrane warunki."
    : `Pozycji: ${p.totalLines}, od najnowszej. Strona ${p.page} z ${p.pages}.`;
}

/** What htmx gets when the filters change: the region, and the new count out of band. */
export function StatementFragment(p: BalanceProps) {
  return (
    <>
      <StatementRegion {...p} />
      <p id="wyciag-stan" hx-swap-oob="innerHTML">{statementStatus(p)}</p>
    </>
  );
}

/** The statement table with its paging and export links: what htmx swaps when filters change. */
export function StatementRegion(p: BalanceProps) {
  const unitId = p.current.unit.id;
  const params = filterParams(unitId, p.filter);
  return (
    <section id="wyciag" aria-labelledby="wyciag-naglowek">
      <div class="actions no-print">
        <a
          class="button secondary"
          href={`/ebok/saldo.csv${query(params)}`}
          hx-boost="false"
          download
        >
          Pobierz CSV (Excel)
        </a>
        <button type="button" class="secondary" data-print hidden>Drukuj zestawienie</button>
      </div>
      {p.lines.length > 0 && (
        <TableWrap label="Operacje na koncie lokalu">
          <table class="statement">
            <caption class="visually-hidden">
              Operacje na koncie lokalu z saldem po każdej operacji
            </caption>
            <thead>
              <tr>
                <th scope="col">Data</th>
                <th scope="col">Operacja</th>
                <th scope="col" class="num">Obciążenie</th>
                <th scope="col" class="num">Wpłata / uznanie</th>
                <th scope="col" class="num">Saldo po operacji</th>
              </tr>
            </thead>
            <tbody>
              {p.lines.map((line) => <StatementLineRow line={line} components={p.components} />)}
            </tbody>
          </table>
        </TableWrap>
      )}
      {p.pages > 1 && (
        <nav class="pager no-print" aria-label="Strony zestawienia">
          {p.page > 1 && (
            <a href={`/ebok/saldo${query({ ...params, strona: p.page - 1 })}`} rel="prev">
              ← Nowsze
            </a>
          )}
          <span>Strona {p.page} z {p.pages}</span>
          {p.page < p.pages && (
            <a href={`/ebok/saldo${query({ ...params, strona: p.page + 1 })}`} rel="next">
              Starsze →
            </a>
          )}
        </nav>
      )}
    </section>
  );
}

function Amounts(props: { effect: number; balanceAfter: number }) {
  return (
    <>
      <td class="num">{props.effect > 0 ? formatMoney(props.effect) : ""}</td>
      <td class="num">{props.effect < 0 ? formatMoney(-props.effect) : ""}</td>
      <td class="num">{formatMoney(props.balanceAfter)}</td>
    </>
  );
}

function StatementLineRow(props: { line: StatementLine; components: ChargeComponent[] }) {
  const line = props.line;
  if (line.kind === "single") {
    const e = line.row.entry;
    return (
      <tr class={`kind-${e.kind}`}>
        <td>{formatIsoDate(e.postedOn)}</td>
        <td>
          <strong>{entryKindLabels[e.kind]}</strong>
          {e.component && <>: {componentLabel(props.components, e.component)}</>}{" "}
          <span class="muted">za {formatPeriod(e.period)}</span>
          <div class="muted small">
            {e.description} · dok. {e.documentNo}
          </div>
        </td>
        <Amounts effect={line.row.effect} balanceAfter={line.row.balanceAfter} />
      </tr>
    );
  }
  return (
    <tr class="kind-charges">
      <td>{formatIsoDate(line.postedOn)}</td>
      <td>
        <details>
          <summary>
            <strong>Opłaty za {formatPeriod(line.period)}</strong>{" "}
            <span class="muted">({line.rows.length} składników)</span>
          </summary>
          <table class="components">
            <caption class="visually-hidden">
              Składniki opłat za {formatPeriod(line.period)}
            </caption>
            <tbody>
              {line.rows.map((r) => (
                <tr>
                  <th scope="row">{componentLabel(props.components, r.entry.component ?? "")}</th>
                  <td>{r.entry.basis ? formatBasis(r.entry.basis) : ""}</td>
                  <td class="num">{formatMoney(r.effect)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </td>
      <Amounts effect={line.effect} balanceAfter={line.balanceAfter} />
    </tr>
  );
}
