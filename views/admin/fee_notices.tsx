/** Staff pages for fee-change notices (runs, previews, sending) and for letters to go by post. */
import type { ChargeComponent } from "../../domain/balance/ledger.ts";
import {
  type FeeNotice,
  type FeeNoticeRun,
  JUSTIFICATION_MAX,
  longDate,
  runDeadlines,
  type RunOverview,
} from "../../domain/documents/fee_notices.ts";
import type { LetterBatch, PaperList, PaperReason } from "../../domain/documents/paper.ts";
import { daysBetween } from "../../domain/shared/calendar.ts";
import { ErrorSummary, Field, type FieldErrors, TextAreaField } from "../form.tsx";
import { formatBasis, formatDateTime, formatIsoDate, formatMoney } from "../format.ts";
import { TableWrap } from "../table_wrap.tsx";

export const FEE_NOTICES_PATH = "/admin/zawiadomienia";
export const PAPER_PATH = "/admin/papier";

export type RunFormValues = {
  period: string;
  external: string[];
  paymentDay: string;
  justification: string;
};

export const runFormLabels: Record<string, string> = {
  period: "Od miesiąca",
  external: "Opłaty niezależne od spółdzielni",
  payment_day: "Termin płatności",
  justification: "Uzasadnienie",
};

export function FeeNoticesPage(p: {
  runs: FeeNoticeRun[];
  components: ChargeComponent[];
  form: RunFormValues;
  errors: FieldErrors;
  notice?: string;
}) {
  const f = p.form;
  const e = p.errors;
  return (
    <>
      <h1>Zawiadomienia o zmianie opłat</h1>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      <p>
        Najpierw zaimportuj nowe stawki w <a href="/admin/import">Imporcie danych</a>{" "}
        (rodzaj „Stawki opłat”, kolumna „od miesiąca” = miesiąc zmiany). Potem przygotuj tu
        zawiadomienia: każdy lokal, którego opłata się zmienia, dostanie pismo z dotychczasową i
        nową kwotą każdego składnika. Przed wysłaniem sprawdzamy ustawowe terminy (art. 4 ust. 7 i
        7¹).
      </p>
      <p>
        <a href={PAPER_PATH}>Pisma do wysłania pocztą</a>
      </p>
      <RunForm components={p.components} form={f} errors={e} />
      <h2 id="przygotowane">Przygotowane zawiadomienia</h2>
      {p.runs.length === 0 ? <p>Nie ma jeszcze zawiadomień.</p> : <RunsTable runs={p.runs} />}
    </>
  );
}

function RunForm(p: { components: ChargeComponent[]; form: RunFormValues; errors: FieldErrors }) {
  const f = p.form;
  const e = p.errors;
  return (
    <section class="card" aria-labelledby="nowe-zawiadomienia">
      <h2 id="nowe-zawiadomienia">Przygotuj zawiadomienia</h2>
      <ErrorSummary errors={e} labels={runFormLabels} />
      <form method="post" action={FEE_NOTICES_PATH}>
        <Field
          name="period"
          label="Od miesiąca"
          value={f.period}
          error={e.period}
          maxlength={10}
          autocomplete="off"
          hint="Pierwszy miesiąc nowych opłat, np. 01.2027. Opłaty zmieniają się od 1. dnia miesiąca."
        />
        <ExternalFieldset components={p.components} form={f} errors={e} />
        <Field
          name="payment_day"
          label="Termin płatności (dzień miesiąca)"
          type="number"
          inputmode="numeric"
          min={1}
          max={28}
          value={f.paymentDay}
          error={e.payment_day}
          hint="Do którego dnia miesiąca wnosi się opłaty; zwykle 10."
        />
        <TextAreaField
          name="justification"
          label="Uzasadnienie"
          value={f.justification}
          error={e.justification}
          rows={6}
          maxlength={JUSTIFICATION_MAX}
          hint="Dlaczego opłaty się zmieniają. Ten tekst będzie na każdym zawiadomieniu."
        />
        <div class="actions">
          <button type="submit">Przygotuj zawiadomienia</button>
        </div>
      </form>
    </section>
  );
}

/** The charge components to tick as costs outside the cooperative's control (art. 4 ust. 7¹). */
function ExternalFieldset(
  p: { components: ChargeComponent[]; form: RunFormValues; errors: FieldErrors },
) {
  const f = p.form;
  const e = p.errors;
  return (
    <fieldset
      class={e.external ? "field invalid" : "field"}
      aria-describedby={e.external ? "external-error external-hint" : "external-hint"}
    >
      <legend>Opłaty niezależne od spółdzielni</legend>
      <span class="hint" id="external-hint">
        Zaznacz składniki, które są kosztami niezależnymi od spółdzielni (energia, ciepło, gaz,
        woda, ścieki, odpady). Ich zmianę wystarczy ogłosić 14 dni przed terminem płatności (art. 4
        ust. 7¹); pozostałe — 3 miesiące naprzód, na koniec miesiąca (art. 4 ust. 7).
      </span>
      {p.components.length === 0 && <p class="muted">Nie ma listy składników opłat.</p>}
      {p.components.map((c) => (
        <div class="checkbox">
          <input
            type="checkbox"
            name="external"
            value={c.code}
            id={`external-${c.code}`}
            checked={f.external.includes(c.code)}
          />
          <label for={`external-${c.code}`}>{c.label}</label>
        </div>
      ))}
      {e.external && <span class="error-text" id="external-error">{e.external}</span>}
    </fieldset>
  );
}

function RunsTable(p: { runs: FeeNoticeRun[] }) {
  return (
    <TableWrap label="Przygotowane zawiadomienia">
      <table>
        <caption>Zawiadomienia, od najnowszych</caption>
        <thead>
          <tr>
            <th scope="col">Zmiana od</th>
            <th scope="col">Przygotowane</th>
            <th scope="col">Stan</th>
          </tr>
        </thead>
        <tbody>
          {p.runs.map((r) => (
            <tr>
              <td>
                <a href={`${FEE_NOTICES_PATH}/${r.id}`}>{longDate(`${r.period}-01`)}</a>
              </td>
              <td>
                {formatDateTime(new Date(r.createdAt))}
                <div class="muted small">{r.createdBy}</div>
              </td>
              <td>
                {r.sentAt
                  ? (
                    <>
                      <span class="badge ok">wysłane</span>{" "}
                      {count(r.letters ?? 0, "pismo", "pisma", "pism")},{" "}
                      {formatDateTime(new Date(r.sentAt))}
                    </>
                  )
                  : <span class="badge">do wysłania</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function deadlineText(deadline: string, today: string): string {
  const days = daysBetween(today, deadline);
  return days < 0
    ? `${formatIsoDate(deadline)} — termin minął`
    : days === 0
    ? `${formatIsoDate(deadline)} — to dziś`
    : `${formatIsoDate(deadline)} — zostało ${days} ${days === 1 ? "dzień" : "dni"}`;
}

export function FeeNoticeRunPage(p: { overview: RunOverview; notice?: string; error?: string }) {
  const { run, notices, letters, late } = p.overview;
  const pending = notices.filter((n) => !letters.has(n.unitId)).length;
  const base = `${FEE_NOTICES_PATH}/${run.id}`;
  return (
    <>
      <h1>Zmiana opłat od {longDate(`${run.period}-01`)}</h1>
      <p>
        <a href={FEE_NOTICES_PATH}>Wszystkie zawiadomienia</a>
      </p>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      {p.error && <p class="notice bad" role="alert" id="send-error">{p.error}</p>}
      <RunFacts overview={p.overview} />
      {pending > 0 && late.length > 0 && !p.error && (
        <p class="notice warn" role="status">
          Dziś nie można wysłać tych zawiadomień: dla{" "}
          {count(late.length, "lokalu", "lokali", "lokali")} minął ustawowy termin.
        </p>
      )}
      {pending > 0
        ? (
          <form method="post" action={`${base}/wyslij`}>
            <div class="actions">
              <button type="submit">
                Wyślij zawiadomienia ({count(pending, "lokal", "lokale", "lokali")})
              </button>
            </div>
            <p class="hint">
              Każdy lokal dostanie pismo w eBOK (zakładka „Dokumenty”), a jego mieszkańcy — e-mail
              „W eBOK jest nowy dokument”. Lokale bez zgody na e-korespondencję znajdziesz potem na
              liście <a href={`${PAPER_PATH}/${run.id}`}>pism do wysłania pocztą</a>.
            </p>
          </form>
        )
        : (
          <p>
            Wszystkie zawiadomienia wysłane.{" "}
            <a href={`${PAPER_PATH}/${run.id}`}>Pisma do wysłania pocztą</a>
          </p>
        )}
      <h2 id="lokale">Lokale ({notices.length})</h2>
      {notices.length === 0
        ? <p>Żaden lokal nie ma zmiany opłat w tym miesiącu.</p>
        : <NoticesTable overview={p.overview} />}
    </>
  );
}

function RunFacts(p: { overview: RunOverview }) {
  const { run, today, externalLabels } = p.overview;
  const d = runDeadlines(run);
  return (
    <dl class="facts">
      <dt>Ostatni dzień zawiadomienia (art. 4 ust. 7, 3 miesiące)</dt>
      <dd>{deadlineText(d.threeMonths, today)}</dd>
      <dt>Ostatni dzień dla opłat niezależnych od spółdzielni (art. 4 ust. 7¹, 14 dni)</dt>
      <dd>
        {deadlineText(d.external, today)} (termin płatności: {run.paymentDay}. dnia miesiąca)
      </dd>
      <dt>Opłaty niezależne od spółdzielni</dt>
      <dd>{externalLabels.length ? externalLabels.join(", ") : "brak"}</dd>
      <dt>Uzasadnienie</dt>
      <dd>
        <Paragraphs text={run.justification} />
      </dd>
    </dl>
  );
}

function NoticesTable(p: { overview: RunOverview }) {
  const { run, notices, letters, late } = p.overview;
  const base = `${FEE_NOTICES_PATH}/${run.id}`;
  return (
    <TableWrap label="Lokale ze zmianą opłat">
      <table>
        <caption>Lokale, których opłaty się zmieniają</caption>
        <thead>
          <tr>
            <th scope="col">Lokal</th>
            <th scope="col" class="num">Dotychczas</th>
            <th scope="col" class="num">Nowa opłata</th>
            <th scope="col" class="num">Zmiana</th>
            <th scope="col">Zawiadomienie</th>
          </tr>
        </thead>
        <tbody>
          {notices.map((n) => {
            const isLate = late.some((l) => l.unitCode === n.unitCode);
            return (
              <tr>
                <td>
                  {n.unitCode}
                  <div class="muted small">{n.address}</div>
                </td>
                <td class="num">{formatMoney(n.oldTotal)}</td>
                <td class="num">{formatMoney(n.newTotal)}</td>
                <td class="num">{signed(n.newTotal - n.oldTotal)}</td>
                <td>
                  <a href={`${base}/lokal/${n.unitId}`}>podgląd</a>{" "}
                  <a href={`${base}/lokal/${n.unitId}/pdf`}>PDF</a> {letters.has(n.unitId)
                    ? <span class="badge ok">wysłane</span>
                    : isLate
                    ? <span class="badge bad">po terminie</span>
                    : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** "1 pismo", "3 pisma", "5 pism": Polish plural by the number. */
export function count(n: number, one: string, few: string, many: string): string {
  const tens = n % 100;
  const word = n === 1 ? one : n % 10 >= 2 && n % 10 <= 4 && (tens < 12 || tens > 14) ? few : many;
  return `${n} ${word}`;
}

/** Staff's text with its line breaks kept, as paragraphs. */
function Paragraphs(p: { text: string }) {
  return <>{p.text.split(/\r?\n+/).filter((t) => t.trim()).map((t) => <p>{t}</p>)}</>;
}

function signed(grosze: number): string {
  return grosze > 0 ? `+${formatMoney(grosze)}` : formatMoney(grosze);
}

/** The notice as HTML: the same content as the PDF. */
export function FeeNoticePreview(p: { run: FeeNoticeRun; notice: FeeNotice }) {
  const n = p.notice;
  const external = n.lines.some((l) => l.external);
  return (
    <>
      <p>
        <a href={`${FEE_NOTICES_PATH}/${p.run.id}`}>Wróć do listy lokali</a>{" "}
        <a href={`${FEE_NOTICES_PATH}/${p.run.id}/lokal/${n.unitId}/pdf`}>Pobierz PDF</a>
      </p>
      <article class="card">
        <p>
          <strong>Lokal {n.unitCode}</strong>
          <br />
          {n.occupants.join(", ")}
          <br />
          {n.address}
        </p>
        <h1>Zawiadomienie o zmianie wysokości opłat</h1>
        <p>
          Na podstawie art. 4 ust. 7{external ? " i 7¹" : ""}{" "}
          ustawy z dnia 15 grudnia 2000 r. o spółdzielniach mieszkaniowych zawiadamiamy, że od{" "}
          {n.effectiveDate} zmieniają się miesięczne opłaty za lokal{" "}
          {n.unitCode}. Opłaty wnosi się co miesiąc z góry do {n.paymentDay}. dnia miesiąca.
        </p>
        <TableWrap label="Opłaty dotychczas i od zmiany">
          <table>
            <caption>Miesięczne opłaty za lokal {n.unitCode}</caption>
            <thead>
              <tr>
                <th scope="col">Składnik opłat</th>
                <th scope="col">Dotychczas: podstawa × stawka</th>
                <th scope="col" class="num">Kwota</th>
                <th scope="col">Od {n.effectiveDate}: podstawa × stawka</th>
                <th scope="col" class="num">Kwota</th>
              </tr>
            </thead>
            <tbody>
              {n.lines.map((l) => (
                <tr>
                  <th scope="row">
                    {l.label}
                    {l.external && " *"}
                    {l.changed && <span class="badge">zmiana</span>}
                  </th>
                  <td>{l.old ? formatBasis(l.old) : "— (nowy składnik)"}</td>
                  <td class="num">{l.old ? formatMoney(l.old.amount) : "—"}</td>
                  <td>{formatBasis(l.new)}</td>
                  <td class="num">{formatMoney(l.new.amount)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Razem miesięcznie</th>
                <td></td>
                <td class="num">{formatMoney(n.oldTotal)}</td>
                <td>zmiana: {signed(n.newTotal - n.oldTotal)}</td>
                <td class="num">{formatMoney(n.newTotal)}</td>
              </tr>
            </tfoot>
          </table>
        </TableWrap>
        {external && (
          <p class="small muted">
            * opłata niezależna od spółdzielni (energia, gaz, woda, ścieki, odpady) — art. 4 ust. 7¹
          </p>
        )}
        <h2>Uzasadnienie</h2>
        <Paragraphs text={n.justification} />
      </article>
    </>
  );
}

const reasonLabels: Record<PaperReason, string> = {
  no_consent: "brak zgody na e-korespondencję",
  not_opened: "nieotwarte w eBOK",
};

export function PaperBatchesPage(
  p: { batches: LetterBatch[]; afterDays: number; error?: string; notice?: string },
) {
  return (
    <>
      <h1>Pisma do wysłania pocztą</h1>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      <p>
        Pismo idzie pocztą, gdy nikt w lokalu nie zgodził się na e-korespondencję albo gdy nikt go
        nie otworzył w eBOK w ciągu {p.afterDays} dni.
      </p>
      <form method="post" action={`${PAPER_PATH}/ustawienia`}>
        <Field
          name="after_days"
          label="Po ilu dniach nieotwarte pismo idzie pocztą"
          type="number"
          inputmode="numeric"
          min={1}
          max={90}
          value={String(p.afterDays)}
          error={p.error}
        />
        <div class="actions">
          <button type="submit" class="secondary">Zapisz</button>
        </div>
      </form>
      <h2 id="wysylki">Wysyłki pism</h2>
      {p.batches.length === 0 ? <p>Nie ma jeszcze wysyłek pism.</p> : (
        <ul>
          {p.batches.map((b) => (
            <li>
              <a href={`${PAPER_PATH}/${encodeURIComponent(b.batchId)}`}>{b.title}</a> —{" "}
              {count(b.letters, "pismo", "pisma", "pism")},{" "}
              {formatDateTime(new Date(b.firstPublishedAt))}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function PaperListPage(p: { list: PaperList; today: string; error?: string }) {
  const { list } = p;
  return (
    <>
      <h1>Pisma do wysłania pocztą</h1>
      <p>
        <a href={PAPER_PATH}>Wszystkie wysyłki</a>
      </p>
      {p.error && <p class="notice bad" role="alert">{p.error}</p>}
      <p>
        {list.rows[0]?.document.title}:{" "}
        {count(list.rows.length, "pismo", "pisma", "pism")}, pocztą trzeba wysłać{" "}
        <strong>{list.toPrint.length}</strong>.
      </p>
      {list.toPrint.length > 0 && (
        <form method="post" action={`${PAPER_PATH}/${encodeURIComponent(list.batchId)}/drukuj`}>
          <div class="actions">
            <button type="submit">
              Pobierz do druku jeden PDF ({count(list.toPrint.length, "pismo", "pisma", "pism")})
            </button>
          </div>
        </form>
      )}
      <TableWrap label="Pisma tej wysyłki">
        <table>
          <caption>Pisma tej wysyłki i sposób doręczenia</caption>
          <thead>
            <tr>
              <th scope="col">Lokal</th>
              <th scope="col">Zgoda na e-korespondencję</th>
              <th scope="col">Pierwsze otwarcie</th>
              <th scope="col">Doręczenie</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((r) => (
              <tr>
                <td>{r.unitCode}</td>
                <td>{r.consent ? "tak" : "nie"}</td>
                <td>
                  {r.firstOpen
                    ? (
                      <>
                        {formatDateTime(new Date(r.firstOpen.at))}
                        <div class="muted small">{r.firstOpen.accountLabel}</div>
                      </>
                    )
                    : "jeszcze nie otwarto"}
                </td>
                <td>
                  {r.reason
                    ? <span class="badge warn">pocztą: {reasonLabels[r.reason]}</span>
                    : r.firstOpen
                    ? <span class="badge ok">doręczone w eBOK</span>
                    : `czeka na otwarcie; pocztą od ${formatIsoDate(r.paperFrom)}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}
