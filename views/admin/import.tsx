/** Staff's data import: the upload form with the history, and a job's preview and result. */
import type { Actor } from "../../domain/backoffice/audit.ts";
import { formatDecimal } from "../../domain/shared/csv.ts";
import { importKindDefs } from "../../domain/backoffice/import_kinds/index.ts";
import type { ImportAction } from "../../domain/backoffice/import_kinds/types.ts";
import {
  encodingLabel,
  type ImportHistoryRecord,
  type ImportJob,
  type ImportKind,
  importKindLabels,
  importKinds,
  importResultLabels,
  type RefusedLine,
} from "../../domain/backoffice/imports.ts";
import { formatDateTime } from "../format.ts";
import { TableWrap } from "../table_wrap.tsx";

export const IMPORT_PATH = "/admin/import";

export type UploadErrors = { kind?: string; file?: string };

const actionLabels: Record<ImportAction, string> = {
  add: "do dodania",
  change: "do zmiany",
  unchanged: "bez zmian",
  refused: "odrzucony",
};

const statusLabels: Record<ImportJob["status"], string> = {
  previewed: "sprawdzony, czeka na decyzję",
  applying: "wczytywanie w toku",
  applied: "wczytany",
  failed: "przerwany z błędem",
  expired: "podgląd wygasł",
};

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${formatDecimal(Math.round(bytes / 102.4), 1)} KiB`;
  return `${formatDecimal(Math.round(bytes / 104857.6), 1)} MiB`;
}

/** Numbers and their units are not broken across lines: "1 200,00 zł" keeps together. */
function keepTogether(text: string): string {
  return text.replace(/(\d) (?=\d{3}(?!\d))/g, "$1\u00a0").replace(
    /(\d) (zł|m³|m²)/g,
    "$1\u00a0$2",
  );
}

function who(actor: Actor): string {
  return actor.label;
}

function when(iso: string): string {
  return formatDateTime(new Date(iso));
}

// --- The upload page ----------------------------------------------------------------------------

export type ImportFormProps = {
  kind?: string;
  errors?: UploadErrors;
  history: ImportHistoryRecord[];
  pending: ImportJob[];
};

/** Why the file could not be checked, with links to the fields. */
function UploadErrorSummary({ errors }: { errors: UploadErrors }) {
  return (
    <div class="notice bad" role="alert">
      <h2 class="error-summary-title">Nie można sprawdzić pliku</h2>
      <ul>
        {errors.kind && (
          <li>
            <a href="#kind">Rodzaj danych</a>: {errors.kind}
          </li>
        )}
        {errors.file && (
          <li>
            <a href="#file">Plik CSV</a>: {errors.file}
          </li>
        )}
      </ul>
    </div>
  );
}

/** The kind of data and the file; nothing is stored until the preview is accepted. */
function UploadForm({ kind, errors }: { kind?: string; errors: UploadErrors }) {
  return (
    <form method="post" action={IMPORT_PATH} enctype="multipart/form-data" class="card">
      <div class={errors.kind ? "field invalid" : "field"}>
        <label for="kind">Rodzaj danych</label>
        <select
          id="kind"
          name="kind"
          required
          aria-invalid={errors.kind ? "true" : undefined}
          aria-describedby={errors.kind ? "kind-error" : undefined}
        >
          <option value="">— wybierz —</option>
          {importKinds.map((k) => (
            <option value={k} selected={kind === k}>{importKindLabels[k]}</option>
          ))}
        </select>
        {errors.kind && <span class="error-text" id="kind-error">{errors.kind}</span>}
      </div>
      <div class={errors.file ? "field invalid" : "field"}>
        <label for="file">Plik CSV</label>
        <span class="hint" id="file-hint">
          Pierwszy wiersz to nagłówek z nazwami kolumn, kolumny rozdzielone średnikiem (;), liczby z
          przecinkiem (1 234,56), daty 25.11.2026. Kodowanie UTF-8 (Excel: „CSV UTF-8”); plik w
          Windows-1250 też zostanie odczytany. Najwyżej 20 MB.
        </span>
        <input
          type="file"
          id="file"
          name="file"
          accept=".csv,text/csv"
          required
          aria-invalid={errors.file ? "true" : undefined}
          aria-describedby={errors.file ? "file-error file-hint" : "file-hint"}
        />
        {errors.file && <span class="error-text" id="file-error">{errors.file}</span>}
      </div>
      <button type="submit">Sprawdź plik</button>
    </form>
  );
}

/** Checked files that wait for a decision. */
function PendingJobs({ pending }: { pending: ImportJob[] }) {
  return (
    <>
      <h2>Sprawdzone pliki czekające na decyzję</h2>
      <TableWrap label="Sprawdzone pliki czekające na decyzję">
        <table>
          <caption class="visually-hidden">Sprawdzone pliki czekające na decyzję</caption>
          <thead>
            <tr>
              <th scope="col">Sprawdzono</th>
              <th scope="col">Kto</th>
              <th scope="col">Rodzaj</th>
              <th scope="col">Plik</th>
              <th scope="col" class="num">Wierszy</th>
              <th scope="col" class="num">Odrzuconych</th>
              <th scope="col">Stan</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((j) => (
              <tr>
                <td>{when(j.createdAt)}</td>
                <td>{who(j.createdBy)}</td>
                <td>{importKindLabels[j.kind]}</td>
                <td>
                  <a href={`${IMPORT_PATH}/${j.id}`}>{j.fileName}</a>
                </td>
                <td class="num">{j.counts.total}</td>
                <td class="num">{j.counts.refused}</td>
                <td>{statusLabels[j.status]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

export function ImportFormPage(p: ImportFormProps) {
  const errors = p.errors ?? {};
  const hasErrors = Boolean(errors.kind || errors.file);
  return (
    <>
      <h1>Import danych</h1>
      <p class="lead">
        Dane z systemu księgowego wczytuje się z plików CSV. Najpierw plik jest sprawdzany:
        zobaczysz, co zostanie dodane, zmienione albo odrzucone (z numerami wierszy i powodami).
        Dopiero potem decydujesz, czy go wczytać. Ten sam plik wczytany drugi raz niczego nie
        zmienia.
      </p>
      {hasErrors && <UploadErrorSummary errors={errors} />}
      <UploadForm kind={p.kind} errors={errors} />

      <h2>Kolumny plików</h2>
      <p>Nazwy kolumn można pisać wielkimi lub małymi literami, z polskimi znakami lub bez.</p>
      {importKinds.map((k) => <KindColumns kind={k} />)}

      {p.pending.length > 0 && <PendingJobs pending={p.pending} />}

      <h2>Historia importów</h2>
      {p.history.length === 0
        ? <p>Nie wczytano jeszcze żadnego pliku.</p>
        : <HistoryTable history={p.history} />}
    </>
  );
}

function KindColumns(props: { kind: ImportKind }) {
  const def = importKindDefs[props.kind];
  return (
    <details>
      <summary>{def.label}</summary>
      <p>{def.description}</p>
      <TableWrap label={`Kolumny pliku: ${def.label}`}>
        <table>
          <caption class="visually-hidden">Kolumny pliku: {def.label}</caption>
          <thead>
            <tr>
              <th scope="col">Kolumna</th>
              <th scope="col">Znaczenie</th>
              <th scope="col">Zapis</th>
              <th scope="col">Wymagana</th>
            </tr>
          </thead>
          <tbody>
            {def.columns.map((c) => (
              <tr>
                <th scope="row">
                  <code>{c.header}</code>
                </th>
                <td>{c.meaning}</td>
                <td>{c.format}</td>
                <td>{c.required ? "tak" : "nie"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </details>
  );
}

function HistoryTable(props: { history: ImportHistoryRecord[] }) {
  return (
    <TableWrap label="Historia importów">
      <table>
        <caption class="visually-hidden">Historia importów, od najnowszego</caption>
        <thead>
          <tr>
            <th scope="col">Kiedy</th>
            <th scope="col">Kto</th>
            <th scope="col">Rodzaj</th>
            <th scope="col">Plik</th>
            <th scope="col" class="num">Dodano</th>
            <th scope="col" class="num">Zmieniono</th>
            <th scope="col" class="num">Bez zmian</th>
            <th scope="col" class="num">Odrzucono</th>
            <th scope="col">Wynik</th>
          </tr>
        </thead>
        <tbody>
          {props.history.map((h) => (
            <tr>
              <td>{when(h.at)}</td>
              <td>{who(h.who)}</td>
              <td>{importKindLabels[h.kind]}</td>
              <td>
                <a href={`${IMPORT_PATH}/${h.jobId}`}>{h.fileName}</a>
                <div class="muted small" title={`Suma kontrolna SHA-256: ${h.hash}`}>
                  {size(h.size)}
                </div>
              </td>
              <td class="num">{h.applied.added}</td>
              <td class="num">{h.applied.changed}</td>
              <td class="num">{h.counts.unchanged + h.applied.unchanged}</td>
              <td class="num">{h.counts.refused + h.applied.refused}</td>
              <td>
                {h.result === "failed"
                  ? <span class="badge bad">{importResultLabels[h.result]}</span>
                  : h.result === "applied_valid_only"
                  ? <span class="badge warn">{importResultLabels[h.result]}</span>
                  : <span class="badge ok">{importResultLabels[h.result]}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

// --- A job: preview, progress, result -----------------------------------------------------------

export type ImportJobProps = {
  job: ImportJob;
  /** The first refused lines (of the preview and of applying). */
  refused: RefusedLine[];
  notice?: string;
  /** Why applying was refused just now. */
  error?: string;
};

/** Lines shown on the page at most; the rest come as a CSV. */
export const REFUSED_SHOWN = 200;

/** Who checked and applied the file, when, its encoding and checksum. */
function JobFacts({ job }: { job: ImportJob }) {
  return (
    <>
      <dl class="facts">
        <dt>Plik</dt>
        <dd>{job.fileName} ({size(job.size)})</dd>
        <dt>Kodowanie</dt>
        <dd>{encodingLabel(job.encoding)}</dd>
        <dt>Sprawdził(a)</dt>
        <dd>{who(job.createdBy)}, {when(job.createdAt)}</dd>
        {job.appliedBy && (
          <>
            <dt>Wczytał(a)</dt>
            <dd>
              {who(job.appliedBy)}
              {job.applyStartedAt && `, ${when(job.applyStartedAt)}`}
              {job.applyValidOnly && " (tylko poprawne wiersze)"}
            </dd>
          </>
        )}
        <dt>Stan</dt>
        <dd>{statusLabels[job.status]}</dd>
      </dl>
      <details class="muted small">
        <summary>Suma kontrolna pliku (SHA-256)</summary>
        <code>{job.hash}</code>
      </details>
    </>
  );
}

/** One row of counts under their headers. */
function CountsTable(
  props: { label: string; caption: string; counts: [string, number][] },
) {
  return (
    <TableWrap label={props.label}>
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.counts.map(([header]) => <th scope="col" class="num">{header}</th>)}
          </tr>
        </thead>
        <tbody>
          <tr>
            {props.counts.map(([, value]) => <td class="num">{value}</td>)}
          </tr>
        </tbody>
      </table>
    </TableWrap>
  );
}

/** What the check found: rows to add, to change, unchanged, refused. */
function CheckCounts({ c }: { c: ImportJob["counts"] }) {
  return (
    <CountsTable
      label="Wynik sprawdzenia pliku"
      caption={`Wynik sprawdzenia pliku (${c.total} wierszy danych)`}
      counts={[
        ["Do dodania", c.add],
        ["Do zmiany", c.change],
        ["Bez zmian", c.unchanged],
        ["Odrzucone", c.refused],
      ]}
    />
  );
}

/** What applying did so far (or in all, once applied). */
function ApplyCounts({ job }: { job: ImportJob }) {
  const c = job.counts;
  const a = job.applied;
  const soFar = job.status === "applying" || job.status === "failed"
    ? ` (dotąd: ${job.progress.rowsDone} z ${c.add + c.change} wierszy)`
    : "";
  return (
    <CountsTable
      label="Wynik wczytania"
      caption={`Wynik wczytania${soFar}`}
      counts={[
        ["Dodano", a.added],
        ["Zmieniono", a.changed],
        ["Już zapisane", a.unchanged],
        ["Odrzucone przy wczytywaniu", a.refused],
      ]}
    />
  );
}

/** Apply the file, or only its valid rows when some are refused. */
function ApplyDecision({ job }: { job: ImportJob }) {
  const c = job.counts;
  const valid = c.add + c.change + c.unchanged;
  return (
    <section aria-labelledby="decyzja" class="card">
      <h2 id="decyzja">Wczytać plik?</h2>
      {c.refused > 0
        ? (
          <p id="apply-blocked">
            Plik zawiera {c.refused} {c.refused === 1 ? "błędny wiersz" : "błędnych wierszy"}{" "}
            (lista poniżej). Popraw plik i sprawdź go ponownie — albo wczytaj tylko poprawne
            wiersze; błędne zostaną pominięte.
          </p>
        )
        : (
          <p>
            Wszystkie wiersze są poprawne. Wczytanie zapisze {c.add} nowych i {c.change}{" "}
            zmienionych; {c.unchanged} bez zmian zostanie pominiętych.
          </p>
        )}
      <div class="actions">
        <form method="post" action={`${IMPORT_PATH}/${job.id}/wczytaj`}>
          <button
            type="submit"
            disabled={c.refused > 0}
            aria-describedby={c.refused > 0 ? "apply-blocked" : undefined}
          >
            Wczytaj
          </button>
        </form>
        {c.refused > 0 && valid > 0 && (
          <form method="post" action={`${IMPORT_PATH}/${job.id}/wczytaj`}>
            <input type="hidden" name="apply_valid_only" value="1" />
            <button type="submit" class="secondary">Wczytaj tylko poprawne wiersze</button>
          </form>
        )}
      </div>
    </section>
  );
}

/** The first refused lines with their reasons, and all of them as a CSV. */
function RefusedLines(
  { job, refused, refusedTotal }: { job: ImportJob; refused: RefusedLine[]; refusedTotal: number },
) {
  return (
    <section aria-labelledby="odrzucone">
      <h2 id="odrzucone">Odrzucone wiersze ({refusedTotal})</h2>
      <TableWrap label="Odrzucone wiersze">
        <table>
          <caption class="visually-hidden">
            Odrzucone wiersze pliku z powodami, według numeru wiersza
          </caption>
          <thead>
            <tr>
              <th scope="col" class="num">Wiersz</th>
              <th scope="col">Powód</th>
            </tr>
          </thead>
          <tbody>
            {refused.map((r) => (
              <tr>
                <td class="num">{r.line}</td>
                <td>{keepTogether(r.reason)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {refusedTotal > refused.length && <p>Pokazano pierwsze {refused.length}.</p>}
      <p>
        <a
          class="button secondary"
          href={`${IMPORT_PATH}/${job.id}/odrzucone.csv`}
          hx-boost="false"
          download
        >
          Pobierz odrzucone wiersze (CSV)
        </a>
      </p>
    </section>
  );
}

/** A few rows of the file and what will happen to each. */
function SampleRows({ job }: { job: ImportJob }) {
  return (
    <section aria-labelledby="przyklady">
      <h2 id="przyklady">Przykładowe wiersze</h2>
      <TableWrap label="Przykładowe wiersze">
        <table>
          <caption class="visually-hidden">
            Przykładowe wiersze pliku i co się z nimi stanie
          </caption>
          <thead>
            <tr>
              <th scope="col" class="num">Wiersz</th>
              <th scope="col">Działanie</th>
              {job.sampleHeaders.map((h) => <th scope="col">{h}</th>)}
              <th scope="col">Zmiana</th>
            </tr>
          </thead>
          <tbody>
            {job.sample.map((s) => (
              <tr>
                <td class="num">{s.line}</td>
                <td>{actionLabels[s.action]}</td>
                {job.sampleHeaders.map((_, i) => <td>{keepTogether(s.cells[i] ?? "")}</td>)}
                <td>{keepTogether(s.note ?? "")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}

export function ImportJobPage(p: ImportJobProps) {
  const { job } = p;
  const c = job.counts;
  const label = importKindLabels[job.kind];
  const refusedTotal = c.refused + job.applied.refused;
  return (
    <>
      <h1>
        {job.status === "previewed" ? "Podgląd importu" : "Import"}: {label}
      </h1>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      {p.error && <p class="notice bad" role="alert">{p.error}</p>}
      <StatusNotice job={job} />

      <JobFacts job={job} />

      {job.notices.length > 0 && (
        <div class="notice warn" role="note">
          <ul>{job.notices.map((n) => <li>{n}</li>)}</ul>
        </div>
      )}

      <CheckCounts c={c} />

      {job.status !== "previewed" && job.status !== "expired" && <ApplyCounts job={job} />}

      {job.status === "previewed" && <ApplyDecision job={job} />}
      {(job.status === "failed" || job.status === "applying") && (
        <form method="post" action={`${IMPORT_PATH}/${job.id}/wczytaj`} class="actions">
          <button type="submit">Wznów wczytywanie</button>
        </form>
      )}

      {refusedTotal > 0 && (
        <RefusedLines job={job} refused={p.refused} refusedTotal={refusedTotal} />
      )}

      {job.sample.length > 0 && <SampleRows job={job} />}

      <p>
        <a href={IMPORT_PATH}>Wróć do importu danych</a>
      </p>
    </>
  );
}

function StatusNotice(props: { job: ImportJob }) {
  const { job } = props;
  switch (job.status) {
    case "applied":
      return (
        <p class="notice ok" role="status">
          Plik wczytano{" "}
          {job.finishedAt ? when(job.finishedAt) : ""}. Dane mieszkańców są aktualne na ten moment.
        </p>
      );
    case "applying":
      return (
        <p class="notice warn" role="status">
          Plik jest wczytywany: zapisano {job.progress.rowsDone} z{" "}
          {job.counts.add + job.counts.change}{" "}
          wierszy. Odśwież stronę, aby zobaczyć postęp. Jeśli wczytywanie zostało przerwane (np.
          restart serwera), zostanie wznowione samo albo przyciskiem poniżej.
        </p>
      );
    case "failed":
      return (
        <div class="notice bad" role="alert">
          <p>
            Wczytywanie przerwał błąd po {job.progress.rowsDone} z{" "}
            {job.counts.add + job.counts.change}{" "}
            wierszy. Zapisane dotąd wiersze zostają; wznowienie dokończy resztę bez powtarzania ich.
          </p>
          {job.error && <p class="small">{job.error}</p>}
        </div>
      );
    case "expired":
      return (
        <p class="notice warn" role="status">
          Ten podgląd wygasł (nie wczytano go przez 7 dni). Sprawdź plik ponownie.
        </p>
      );
    default:
      return null;
  }
}
