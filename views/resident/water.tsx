import { raw } from "hono/html";
import { TableWrap } from "../table_wrap.tsx";
import { inline, type Regions } from "../regions.ts";
import type { DataFreshness } from "../../domain/backoffice/data_freshness.ts";
import type {
  ReadingSubmission,
  ReadingWindowDates,
  SubmissionCheck,
} from "../../domain/water/reading_submissions.ts";
import {
  type Meter,
  meterKindLabels,
  type Reading,
  readingSourceLabels,
} from "../../domain/water/water.ts";
import type { ConsumptionChartRow } from "../../domain/water/water_chart.ts";
import {
  explainSettlement,
  formatM3,
  type WaterSettlement,
} from "../../domain/water/water_settlements.ts";
import { formatDateTime, formatIsoDate, formatMoney } from "../format.ts";
import { query } from "./balance.tsx";
import { DataAsOf, unitLabel, type UnitRef, UnitSwitcher } from "./parts.tsx";

export type MeterView = {
  meter: Meter;
  last: Reading | null;
  /** Days until the legalisation ends (negative: ended). */
  legalDaysLeft: number;
};

export type ConsumptionRow = Required<ConsumptionChartRow> & {
  lastYear: { cold: number; hot: number } | null;
};

export type WaterProps = {
  units: UnitRef[];
  current: UnitRef;
  meters: MeterView[];
  /** The chart's SVG, made only when the usage region is rendered. */
  chartSvg: () => string;
  rows: ConsumptionRow[];
  /** Litres per person per month over the last 12 months, when the cooperative shows it. */
  comparison?: { own: number | null; building: number | null; persons: number };
  settlements: WaterSettlement[];
  submissions: ReadingSubmission[];
  window: ReadingWindowDates;
  freshness: DataFreshness | null;
  notice?: string;
  /** The parts rendered once per version of the unit's water data (see views/regions.ts). */
  regions?: Regions<WaterRegion>;
};

export type WaterRegion = "meters" | "usage" | "settlements";

/** Legalisation ending within this many days is worth a warning. */
export const LEGAL_WARNING_DAYS = 90;

function LegalBadge(props: { daysLeft: number }) {
  if (props.daysLeft < 0) {
    return <span class="badge bad">legalizacja wygasła — biuro wymieni wodomierz</span>;
  }
  if (props.daysLeft <= LEGAL_WARNING_DAYS) {
    return <span class="badge warn">kończy się za {props.daysLeft}&nbsp;dni</span>;
  }
  return null;
}

export function WaterPage(p: WaterProps) {
  const unitId = p.current.unit.id;
  const region = p.regions ?? inline;
  return (
    <>
      <h1>Woda</h1>
      <UnitSwitcher
        units={p.units}
        currentId={unitId}
        hrefFor={(id) => `/ebok/woda${query({ lokal: id })}`}
      />
      <p class="lead">{unitLabel(p.current)}</p>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      {p.meters.length === 0 ? <p>W tym lokalu nie ma wodomierzy.</p> : (
        <>
          {region("meters", () => (
            <section aria-labelledby="wodomierze">
              <h2 id="wodomierze">Wodomierze</h2>
              <MetersTable meters={p.meters} />
              <ReadingWindowNote window={p.window} unitId={unitId} submissions={p.submissions} />
            </section>
          ))}
          {region("usage", () => (
            <section aria-labelledby="zuzycie" class="chart">
              <h2 id="zuzycie">Zużycie w kolejnych miesiącach</h2>
              <TableWrap label="Wykres zużycia wody">{raw(p.chartSvg())}</TableWrap>
              <ConsumptionTable rows={p.rows} />
              <BuildingComparison comparison={p.comparison} />
              <p class="muted small">
                „Szacunek” oznacza okres rozliczony na podstawie odczytu szacunkowego (np. gdy nie
                było dostępu do wodomierza); po kolejnym rzeczywistym odczycie zużycie wyrównuje się
                samo.
              </p>
            </section>
          ))}
        </>
      )}
      {region("settlements", () => (
        <section aria-labelledby="rozliczenia">
          <h2 id="rozliczenia">Rozliczenia wody</h2>
          {p.settlements.length === 0 && <p>Brak rozliczeń dla tego lokalu.</p>}
          {p.settlements.map((s) => <SettlementCard s={s} />)}
        </section>
      ))}
      <DataAsOf freshness={p.freshness} />
    </>
  );
}

/** The unit's meters with their last reading and legalisation. */
function MetersTable(p: { meters: MeterView[] }) {
  return (
    <table class="stack">
      <caption class="visually-hidden">
        Wodomierze w lokalu i ich ostatnie odczyty
      </caption>
      <thead>
        <tr>
          <th scope="col">Wodomierz</th>
          <th scope="col">Nr fabryczny</th>
          <th scope="col" class="num">Ostatni odczyt</th>
          <th scope="col">Legalizacja ważna do</th>
        </tr>
      </thead>
      <tbody>
        {p.meters.map((m) => (
          <tr>
            <th scope="row">
              {meterKindLabels[m.meter.kind]}, {m.meter.location}
            </th>
            <td data-label="Nr fabryczny">{m.meter.serialNo}</td>
            <td class="num" data-label="Ostatni odczyt">
              {m.last
                ? (
                  <>
                    {formatM3(m.last.litres)}
                    <div class="muted small">
                      {formatIsoDate(m.last.readOn)}, {readingSourceLabels[m.last.source]}
                    </div>
                  </>
                )
                : "—"}
            </td>
            <td data-label="Legalizacja ważna do">
              {formatIsoDate(m.meter.legalUntil)} <LegalBadge daysLeft={m.legalDaysLeft} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ConsumptionTable(p: { rows: ConsumptionRow[] }) {
  return (
    <table id="zuzycie-dane" class="stack stack-grid">
      <caption>
        Zużycie wody w m³ i porównanie z tym samym miesiącem rok wcześniej
      </caption>
      <thead>
        <tr>
          <th scope="col">Miesiąc</th>
          <th scope="col" class="num">Zimna</th>
          <th scope="col" class="num">Ciepła</th>
          <th scope="col" class="num">Razem</th>
          <th scope="col" class="num">Rok wcześniej</th>
        </tr>
      </thead>
      <tbody>
        {[...p.rows].reverse().map((r) => (
          <tr>
            <th scope="row">
              {r.label}
              {r.estimated && <span class="badge warn">szacunek</span>}
            </th>
            <td class="num" data-label="Zimna">{formatM3(r.cold)}</td>
            <td class="num" data-label="Ciepła">{formatM3(r.hot)}</td>
            <td class="num" data-label="Razem">{formatM3(r.cold + r.hot)}</td>
            <td class="num" data-label="Rok wcześniej">
              {r.lastYear ? formatM3(r.lastYear.cold + r.lastYear.hot) : "—"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The building's average use per person beside the unit's own, when the cooperative shows it. */
function BuildingComparison(p: { comparison: WaterProps["comparison"] }) {
  return (
    <>
      {p.comparison && p.comparison.building !== null && (
        <p class="comparison">
          Średnie zużycie wody w Twoim budynku w ostatnich 12 miesiącach:{" "}
          <strong>{formatM3(p.comparison.building)}</strong> na osobę miesięcznie.
          {p.comparison.own !== null && (
            <>
              {" "}W Twoim lokalu: <strong>{formatM3(p.comparison.own)}</strong>{" "}
              na osobę ({p.comparison.persons}&nbsp;os.).
            </>
          )}
        </p>
      )}
    </>
  );
}

function ReadingWindowNote(
  props: { window: ReadingWindowDates; unitId: string; submissions: ReadingSubmission[] },
) {
  const pending = props.submissions.filter((s) => s.status === "pending");
  const lastDecided = props.submissions.find((s) => s.status !== "pending");
  return (
    <div class="reading-window">
      {props.window.open
        ? (
          <p>
            Trwa okres podawania odczytów (do {formatIsoDate(props.window.to)}).{" "}
            <a class="button" href={`/ebok/woda/odczyt${query({ lokal: props.unitId })}`}>
              Podaj odczyt wodomierzy
            </a>
          </p>
        )
        : (
          <p class="muted">
            Odczyty można podawać od {formatIsoDate(props.window.from)} do{" "}
            {formatIsoDate(props.window.to)}.
          </p>
        )}
      {pending.map((s) => (
        <p class="notice" role="status">
          Odczyt podany {formatDateTime(new Date(s.submittedAt))} czeka na sprawdzenie przez biuro.
        </p>
      ))}
      {lastDecided?.status === "rejected" && (
        <p class="notice warn">
          Biuro nie przyjęło odczytu z {formatIsoDate(lastDecided.readOn)}. Powód:{" "}
          {lastDecided.reason}
        </p>
      )}
    </div>
  );
}

function SettlementCard(props: { s: WaterSettlement }) {
  const s = props.s;
  const result = s.difference > 0
    ? <span class="badge bad">dopłata {formatMoney(s.difference)}</span>
    : s.difference < 0
    ? <span class="badge ok">nadpłata {formatMoney(-s.difference)}</span>
    : <span class="badge ok">bez różnicy</span>;
  return (
    <article class="settlement card" aria-labelledby={`rozl-${s.id}`}>
      <h3 id={`rozl-${s.id}`}>
        {formatIsoDate(s.from)} – {formatIsoDate(s.to)} {result}
      </h3>
      <table class="stack">
        <caption class="visually-hidden">
          Zaliczki i koszt rzeczywisty za okres {formatIsoDate(s.from)} – {formatIsoDate(s.to)}
        </caption>
        <thead>
          <tr>
            <th scope="col">Składnik</th>
            <th scope="col" class="num">Zużycie</th>
            <th scope="col" class="num">Cena za m³</th>
            <th scope="col" class="num">Koszt</th>
            <th scope="col" class="num">Zaliczki</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Woda i ścieki</th>
            <td class="num" data-label="Zużycie">{formatM3(s.cold.litres)}</td>
            <td class="num" data-label="Cena za m³">
              {formatMoney(s.cold.priceGroszePerM3)}
            </td>
            <td class="num" data-label="Koszt">{formatMoney(s.cold.actualCost)}</td>
            <td class="num" data-label="Zaliczki">{formatMoney(s.cold.advances)}</td>
          </tr>
          {s.hot && (
            <tr>
              <th scope="row">Podgrzanie wody</th>
              <td class="num" data-label="Zużycie">{formatM3(s.hot.litres)}</td>
              <td class="num" data-label="Cena za m³">
                {formatMoney(s.hot.priceGroszePerM3)}
              </td>
              <td class="num" data-label="Koszt">{formatMoney(s.hot.actualCost)}</td>
              <td class="num" data-label="Zaliczki">{formatMoney(s.hot.advances)}</td>
            </tr>
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colspan={3}>Razem</th>
            <td class="num" data-label="Koszt">{formatMoney(s.totalActual)}</td>
            <td class="num" data-label="Zaliczki">{formatMoney(s.totalAdvances)}</td>
          </tr>
        </tfoot>
      </table>
      <details>
        <summary>Jak to policzyliśmy</summary>
        {explainSettlement(s).map((line) => <p>{line}</p>)}
      </details>
      <p class="muted small">
        {s.postedToLedger
          ? `Wynik zaksięgowany na koncie lokalu ${
            formatIsoDate(s.postedToLedger.postedOn)
          } (dokument ${s.postedToLedger.documentNo}).`
          : "Wynik nie został jeszcze zaksięgowany na koncie lokalu."}
      </p>
    </article>
  );
}

export type ReadingFormEntry = {
  meter: Meter;
  last: Reading | null;
  value?: string;
  error?: string;
  warning?: string;
};

export function ReadingFormPage(
  p: {
    current: UnitRef;
    entries: ReadingFormEntry[];
    window: ReadingWindowDates;
    needsConfirmation: boolean;
    formError?: string;
  },
) {
  const unitId = p.current.unit.id;
  return (
    <>
      <h1>Podaj odczyt wodomierzy</h1>
      <p class="lead">{unitLabel(p.current)}</p>
      {!p.window.open
        ? (
          <p class="notice warn">
            Teraz nie można podawać odczytów. Najbliższy okres: od {formatIsoDate(p.window.from)} do
            {" "}
            {formatIsoDate(p.window.to)}.
          </p>
        )
        : (
          <form method="post" action={`/ebok/woda/odczyt${query({ lokal: unitId })}`}>
            <p>
              Wpisz stan każdego wodomierza w m³, tak jak na liczniku, np. <strong>123,456</strong>
              {" "}
              (czarne cyfry to metry sześcienne, czerwone — litry). Biuro sprawdzi odczyt, a
              potwierdzenie wyślemy e-mailem.
            </p>
            {p.formError && <p class="notice bad" role="alert">{p.formError}</p>}
            {p.entries.map((e) => <ReadingField e={e} />)}
            {p.needsConfirmation && (
              <div class="field">
                <div class="checkbox">
                  <input type="checkbox" id="potwierdzam" name="potwierdzam" value="1" required />
                  <label for="potwierdzam">
                    Potwierdzam: odczyty są prawidłowe, mimo nietypowo dużego zużycia.
                  </label>
                </div>
              </div>
            )}
            <div class="actions">
              <button type="submit">Wyślij odczyt</button>
              <a class="button secondary" href={`/ebok/woda${query({ lokal: unitId })}`}>Anuluj</a>
            </div>
          </form>
        )}
    </>
  );
}

/** One meter's input, with the last reading as its hint. */
function ReadingField(props: { e: ReadingFormEntry }) {
  const e = props.e;
  const name = `m_${e.meter.id}`;
  const hintId = `${name}-hint`;
  const errorId = `${name}-error`;
  const warnId = `${name}-warning`;
  const describedBy = [e.error && errorId, e.warning && warnId, hintId]
    .filter(Boolean).join(" ");
  return (
    <div class={e.error ? "field invalid" : "field"}>
      <label for={name}>
        {meterKindLabels[e.meter.kind]}, {e.meter.location}{" "}
        <span class="muted">(nr {e.meter.serialNo})</span>
      </label>
      <span class="hint" id={hintId}>
        {e.last
          ? `Poprzedni odczyt: ${formatM3(e.last.litres)} z dnia ${formatIsoDate(e.last.readOn)}.`
          : "Brak poprzednich odczytów."}
      </span>
      <input
        id={name}
        name={name}
        type="text"
        inputmode="decimal"
        value={e.value}
        maxlength={12}
        aria-invalid={e.error ? "true" : undefined}
        aria-describedby={describedBy}
      />
      {e.error && <span class="error-text" id={errorId}>{e.error}</span>}
      {e.warning && <span class="warning-text" id={warnId}>{e.warning}</span>}
    </div>
  );
}

export type { SubmissionCheck };
