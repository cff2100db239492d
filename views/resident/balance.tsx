import { InTransitList } from "./in_transit.tsx";
import type { InTransitPayment } from "../../domain/payments/in_transit.ts";
import { raw } from "hono/html";
import { TableWrap } from "../table_wrap.tsx";
import { inline, type Regions } from "../regions.ts";
import type { DataFreshness } from "../../domain/backoffice/data_freshness.ts";
import {
  type ChargeComponent,
  componentLabel,
  type EntryKind,
} from "../../domain/balance/ledger.ts";
import type { LedgerTotals } from "../../domain/balance/ledger.ts";
import type {
  AmountDue,
  ArrearsOrigin,
  ChartRow,
  StatementRow,
} from "../../domain/balance/statement.ts";
import { formatNrb } from "../../domain/shared/nrb.ts";
import { formatBasis, formatIsoDate, formatMoney, formatPeriod } from "../format.ts";
import {
  BalanceWords,
  DataAsOf,
  DueSentence,
  MoneyTabs,
  unitLabel,
  type UnitRef,
  UnitSwitcher,
} from "./parts.tsx";

/** The kinds of entry in words a resident uses (not the accounting system's). */
export const residentKindLabels: Record<EntryKind, string> = {
  opening_balance: "Saldo na początek okresu",
  charge: "Opłata",
  payment: "Wpłata",
  interest: "Odsetki za zwłokę",
  correction: "Korekta",
};

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
  /** The day of the first entry (the opening balance is "saldo na" this day). */
  firstPostedOn: string | null;
  due: AmountDue;
  origin: ArrearsOrigin;
  /** Online payments "w drodze"; `totals.balance` is already lowered by `inTransitSum`. */
  inTransit: InTransitPayment[];
  inTransitSum: number;
  filter: BalanceFilter;
  filterError?: string;
  years: number[];
  /** The months with entries, newest first ("YYYY-MM"), for the month filter. */
  periods: string[];
  components: ChargeComponent[];
  lines: StatementLine[];
  page: number;
  pages: number;
  totalLines: number;
  /** The chart's SVG and its data table, made only when the chart region is rendered. */
  chart: () => { svg: string; rows: ChartRow[] };
  freshness: DataFreshness | null;
  /** The parts rendered once per version of the unit's ledger (see views/regions.ts). */
  regions?: Regions<BalanceRegion>;
};

export type BalanceRegion = "filter" | "statement" | "chart";

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

/** "+ 1 234,56 zł" parts of the sum: an operator, words, and the amount without its sign. */
function Term(props: { op: string; label: string; note?: string; amount: number }) {
  return (
    <div>
      <dt>
        <span class="op" aria-hidden="true">{props.op}</span> {props.label}
        {props.note && <span class="muted small">{props.note}</span>}
      </dt>
      <dd>{formatMoney(Math.abs(props.amount))}</dd>
    </div>
  );
}

/**
 * The balance as a sum with signs: saldo na początek okresu + opłaty + odsetki ± korekty
 * − wpłaty = wynik, the result said in words (never only a sign).
 */
function BalanceSum(p: BalanceProps) {
  const t = p.totals;

  const sign = (n: number) => (n < 0 ? "−" : "+");
  return (
    <section class="balance-sum" aria-labelledby="rachunek">
      <h2 id="rachunek">Jak powstało saldo</h2>
      <dl class="equation">
        <div>
          <dt>
            {p.firstPostedOn
              ? `Saldo na ${formatIsoDate(p.firstPostedOn)}`
              : "Saldo na początek okresu"}
            <span class="muted small">
              {t.opening < 0
                ? "nadpłata przeniesiona z poprzedniego systemu"
                : "kwota przeniesiona z poprzedniego systemu"}
            </span>
          </dt>
          <dd>{t.opening < 0 ? `−${formatMoney(-t.opening)}` : formatMoney(t.opening)}</dd>
        </div>
        <Term op="+" label="opłaty" note="naliczone za kolejne miesiące" amount={t.charged} />
        {t.interest !== 0 && (
          <Term op={sign(t.interest)} label="odsetki za zwłokę" amount={t.interest} />
        )}
        {t.corrections !== 0 && (
          <Term
            op={sign(t.corrections)}
            label="korekty"
            note={t.corrections < 0 ? "zmniejszenia opłat" : "zwiększenia opłat"}
            amount={t.corrections}
          />
        )}
        <Term op="−" label="wpłaty" amount={t.paid} />
        {p.inTransitSum !== 0 && (
          <Term
            op="−"
            label="wpłaty w drodze"
            note="płatności online czekające na zaksięgowanie"
            amount={p.inTransitSum}
          />
        )}
        <div class="result">
          <dt>
            <span class="op" aria-hidden="true">=</span> {t.balance > 0
              ? "do zapłaty"
              : t.balance < 0
              ? "nadpłata — nic nie musisz płacić"
              : "rozliczone — nic nie musisz płacić"}
          </dt>
          <dd>{formatMoney(Math.abs(t.balance))}</dd>
        </div>
      </dl>
      <DueSentence due={p.due} origin={p.origin} />
      <p class="pay-details">
        Numer konta do wpłat za ten lokal:{" "}
        <code class="nrb-value">{formatNrb(p.current.unit.bankAccount)}</code>{" "}
        <a href={`/ebok/wplaty${query({ lokal: p.current.unit.id })}#jak-zaplacic`}>
          Jak zapłacić (kod QR, tytuł przelewu)
        </a>
      </p>
    </section>
  );
}

export function BalancePage(p: BalanceProps) {
  const unitId = p.current.unit.id;
  const region = p.regions ?? inline;
  return (
    <>
      <MoneyTabs path="/ebok/saldo" unitId={unitId} />
      <h1>Moje saldo</h1>
      <UnitSwitcher
        units={p.units}
        currentId={unitId}
        hrefFor={(id) => `/ebok/saldo${query({ ...filterParams(id, p.filter), lokal: id })}`}
      />
      <p class="lead">
        {unitLabel(p.current)}: <BalanceWords balance={p.totals.balance} />
      </p>
      <BalanceSum {...p} />
      <InTransitList payments={p.inTransit} />
      <DataAsOf freshness={p.freshness} />
      <h2 id="wyciag-naglowek">Operacje</h2>
      <p class="muted small how-to-read">
        Opłaty i odsetki zwiększają kwotę do zapłaty, wpłaty i zwroty ją zmniejszają. „Saldo po
        operacji” to kwota do zapłaty po danej operacji; ze znakiem „−” to nadpłata.
      </p>
      {region("filter", () => <BalanceFilterForm {...p} />)}
      {/* Outside the swapped region, so a screen reader hears the new count after filtering. */}
      <p class="muted" id="wyciag-stan" aria-live="polite">{statementStatus(p)}</p>
      {region("statement", () => <StatementRegion {...p} />)}
      {region("chart", () => <BalanceChart chart={p.chart()} />)}
    </>
  );
}

function BalanceChart({ chart }: { chart: ReturnType<BalanceProps["chart"]> }) {
  return (
    <section aria-labelledby="wykres-naglowek" class="chart">
      <h2 id="wykres-naglowek">Saldo i opłaty w czasie</h2>
      <TableWrap label="Wykres salda i opłat">{raw(chart.svg)}</TableWrap>
      <details>
        <summary>Dane wykresu w tabeli</summary>
        <table id="wykres-salda-dane" class="stack">
          <caption>Opłaty w miesiącu i saldo na koniec miesiąca</caption>
          <thead>
            <tr>
              <th scope="col">Miesiąc</th>
              <th scope="col" class="num">Opłaty</th>
              <th scope="col" class="num">Saldo na koniec</th>
            </tr>
          </thead>
          <tbody>
            {chart.rows.map((r) => (
              <tr>
                <th scope="row">{r.label}</th>
                <td class="num" data-label="Opłaty">{formatMoney(r.charged)}</td>
                <td class="num" data-label="Saldo na koniec">{formatMoney(r.balanceAtEnd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
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
          <select
            id="okres"
            name="okres"
            aria-describedby={p.filterError ? "filtr-blad" : undefined}
          >
            <option value="">wszystkie</option>
            {p.periods.map((m) => (
              <option value={m} selected={f.period === m}>{formatPeriod(m)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="rodzaj">Rodzaj operacji</label>
          <select id="rodzaj" name="rodzaj">
            <option value="">wszystkie</option>
            {(Object.keys(residentKindLabels) as EntryKind[]).map((k) => (
              <option value={k} selected={f.kind === k}>{residentKindLabels[k]}</option>
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
  const region = p.regions ?? inline;
  return (
    <>
      {region("statement", () => <StatementRegion {...p} />)}
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
        <table class="statement stack">
          <caption class="visually-hidden">
            Operacje na koncie lokalu z saldem po każdej operacji
          </caption>
          <thead>
            <tr>
              <th scope="col">Data</th>
              <th scope="col">Operacja</th>
              <th scope="col" class="num">{AMOUNT_HEADERS.charge}</th>
              <th scope="col" class="num">{AMOUNT_HEADERS.payment}</th>
              <th scope="col" class="num">{AMOUNT_HEADERS.balance}</th>
            </tr>
          </thead>
          <tbody>
            {p.lines.map((line) => <StatementLineRow line={line} components={p.components} />)}
          </tbody>
        </table>
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

/** The statement's amount columns; on a phone each value carries its column's name. */
const AMOUNT_HEADERS = {
  charge: "Opłata (+)",
  payment: "Wpłata lub zwrot (−)",
  balance: "Saldo po operacji",
} as const;

function Amounts(props: { effect: number; balanceAfter: number }) {
  return (
    <>
      <td class="num" data-label={AMOUNT_HEADERS.charge}>
        {props.effect > 0 ? formatMoney(props.effect) : ""}
      </td>
      <td class="num" data-label={AMOUNT_HEADERS.payment}>
        {props.effect < 0 ? formatMoney(-props.effect) : ""}
      </td>
      <td class="num" data-label={AMOUNT_HEADERS.balance}>{formatMoney(props.balanceAfter)}</td>
    </>
  );
}

function StatementLineRow(props: { line: StatementLine; components: ChargeComponent[] }) {
  const line = props.line;
  if (line.kind === "single") {
    const e = line.row.entry;
    return (
      <tr class={`kind-${e.kind}`}>
        <td class="date">{formatIsoDate(e.postedOn)}</td>
        <td class="operation">
          <strong>{residentKindLabels[e.kind]}</strong>
          {e.component && e.kind !== "interest" && (
            <>: {componentLabel(props.components, e.component)}</>
          )} <span class="muted">za {formatPeriod(e.period)}</span>
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
      <td class="date">{formatIsoDate(line.postedOn)}</td>
      <td class="operation">
        <details>
          <summary>
            <strong>Opłaty za {formatPeriod(line.period)}</strong>{" "}
            <span class="muted">({line.rows.length} składników)</span>
          </summary>
          <table class="components stack">
            <caption class="visually-hidden">
              Składniki opłat za {formatPeriod(line.period)}
            </caption>
            <tbody>
              {line.rows.map((r) => (
                <tr>
                  <th scope="row">{componentLabel(props.components, r.entry.component ?? "")}</th>
                  <td class="basis">{r.entry.basis ? formatBasis(r.entry.basis) : ""}</td>
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
