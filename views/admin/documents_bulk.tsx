/** Staff: many letters at once — a ZIP or several files with a CSV, a preview, then publishing. */
import { type BulkLine, type BulkPreview, bulkRefusalLabels } from "../../domain/documents/bulk.ts";
import { BULK_MAX_FILES, BULK_MAX_TOTAL_BYTES } from "../../domain/documents/bulk_files.ts";
import {
  DOCUMENT_TITLE_MAX,
  documentCategories,
  documentCategoryLabels,
} from "../../domain/documents/documents.ts";
import { ErrorSummary, Field, type FieldErrors, SelectField } from "../form.tsx";
import { TableWrap } from "../table_wrap.tsx";
import { DOCUMENTS_PATH } from "./documents.tsx";

export const DOCUMENTS_BULK_PATH = `${DOCUMENTS_PATH}/zbiorczo`;

export type BulkFormValues = { title: string; category: string };

export const emptyBulkForm: BulkFormValues = { title: "", category: "pisma" };

export const bulkLabels: Record<string, string> = {
  title: "Tytuł pism",
  category: "Rodzaj",
  files: "Pliki",
  csv: "Plik CSV",
};

export type BulkPageProps = {
  form: BulkFormValues;
  errors: FieldErrors;
  /** After a check: each CSV line and each file the CSV does not name. */
  lines?: BulkLine[];
  preview?: BulkPreview | null;
  notice?: string;
};

export function DocumentsBulkPage(p: BulkPageProps) {
  return (
    <>
      <h1>Wysyłka zbiorcza pism</h1>
      <p>
        <a href={DOCUMENTS_PATH}>← Dokumenty</a>
      </p>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      {p.lines && <BulkPreviewSection lines={p.lines} preview={p.preview ?? null} />}
      <BulkUploadForm {...p} />
      <CsvHelp />
    </>
  );
}

function FileInput(
  p: {
    name: string;
    label: string;
    hint: string;
    accept: string;
    multiple?: boolean;
    error?: string;
  },
) {
  const describedBy = [p.error ? `${p.name}-error` : "", `${p.name}-hint`].filter(Boolean).join(
    " ",
  );
  return (
    <div class={p.error ? "field invalid" : "field"} id={`field-${p.name}`}>
      <label for={p.name}>{p.label}</label>
      <span class="hint" id={`${p.name}-hint`}>{p.hint}</span>
      <input
        type="file"
        id={p.name}
        name={p.name}
        accept={p.accept}
        multiple={p.multiple}
        required
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={describedBy}
      />
      {p.error && <span class="error-text" id={`${p.name}-error`}>{p.error}</span>}
    </div>
  );
}

function BulkUploadForm(p: BulkPageProps) {
  const e = p.errors;
  return (
    <section class="card" aria-labelledby="przeslij">
      <h2 id="przeslij">{p.lines ? "Prześlij poprawione pliki" : "Prześlij pisma"}</h2>
      <ErrorSummary errors={e} labels={bulkLabels} />
      <form method="post" action={DOCUMENTS_BULK_PATH} enctype="multipart/form-data">
        <FileInput
          name="files"
          label="Pliki"
          hint={`Archiwum ZIP albo kilka plików PDF, JPG, PNG naraz; razem do ${BULK_MAX_FILES} plików i ${
            BULK_MAX_TOTAL_BYTES / (1024 * 1024)
          } MB.`}
          accept=".zip,application/zip,application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
          multiple
          error={e.files}
        />
        <FileInput
          name="csv"
          label="Plik CSV"
          hint="Kolumny: plik;lokal, a jeśli trzeba także tytul i rodzaj (opis niżej)."
          accept=".csv,text/csv"
          error={e.csv}
        />
        <Field
          name="title"
          label="Tytuł pism"
          value={p.form.title}
          error={e.title}
          maxlength={DOCUMENT_TITLE_MAX}
          autocomplete="off"
          hint="Np. „Rozliczenie wody za 2026 r.”. Kolumna tytul w CSV może go zmienić dla jednego pisma."
        />
        <SelectField
          name="category"
          label="Rodzaj"
          value={p.form.category}
          error={e.category}
          options={documentCategories.map((c) => ({ value: c, label: documentCategoryLabels[c] }))}
        />
        <div class="actions">
          <button type="submit">Sprawdź pliki</button>
        </div>
      </form>
    </section>
  );
}

const statusText: Record<BulkLine["status"], string> = {
  ready: "do wysłania",
  already_published: "już opublikowane w tej wysyłce",
  refused: "odrzucone",
};

function BulkPreviewSection(p: { lines: BulkLine[]; preview: BulkPreview | null }) {
  const refused = p.lines.filter((l) => l.status === "refused").length;
  const already = p.lines.filter((l) => l.status === "already_published").length;
  return (
    <section class="card" aria-labelledby="podglad">
      <h2 id="podglad">Podgląd: co trafi do którego lokalu</h2>
      <p role="status">
        Do wysłania: {p.preview?.items ?? 0}. Odrzucone: {refused}.
        {already > 0 && ` Już opublikowane wcześniej: ${already}.`}
      </p>
      <TableWrap label="Podgląd wysyłki">
        <table>
          <caption>Pliki i lokale</caption>
          <thead>
            <tr>
              <th scope="col">Wiersz CSV</th>
              <th scope="col">Plik</th>
              <th scope="col">Lokal</th>
              <th scope="col">Tytuł</th>
              <th scope="col">Wynik</th>
            </tr>
          </thead>
          <tbody>
            {p.lines.map((l) => (
              <tr class={l.status === "refused" ? "refused" : undefined}>
                <td>{l.line ?? "—"}</td>
                <td>{l.fileName || "—"}</td>
                <td>{l.unitCode || "—"}</td>
                <td>{l.title || "—"}</td>
                <td>
                  <span class={l.status === "refused" ? "badge bad" : "badge"}>
                    {statusText[l.status]}
                  </span>
                  {l.reason && <div class="small">{bulkRefusalLabels[l.reason]}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {p.preview
        ? (
          <form method="post" action={`${DOCUMENTS_BULK_PATH}/publikuj`}>
            <input type="hidden" name="preview_id" value={p.preview.id} />
            {refused > 0 && (
              <p>Odrzucone pliki nie zostaną wysłane. Można je poprawić i przesłać osobno.</p>
            )}
            <div class="actions">
              <button type="submit">Opublikuj pisma ({p.preview.items})</button>
            </div>
          </form>
        )
        : <p>Nie ma czego opublikować. Popraw pliki albo CSV i prześlij je jeszcze raz.</p>}
    </section>
  );
}

const CSV_EXAMPLE = "plik;lokal;tytul\nrozliczenie_7.pdf;KW12/7;Rozliczenie wody 2026\n" +
  "rozliczenie_8.pdf;KW12/8;\n";

function CsvHelp() {
  return (
    <section class="card" aria-labelledby="csv-opis">
      <h2 id="csv-opis">Jak przygotować plik CSV</h2>
      <p>
        Jeden wiersz na jedno pismo. Kolumny rozdziela średnik (;), pierwszy wiersz to nazwy kolumn:
      </p>
      <ul>
        <li>
          <code>plik</code> — nazwa pliku w archiwum ZIP lub wśród przesłanych (bez folderów),
        </li>
        <li>
          <code>lokal</code> — kod lokalu z systemu księgowego, np. KW12/7,
        </li>
        <li>
          <code>tytul</code> (nieobowiązkowa) — tytuł tego pisma zamiast tytułu z formularza,
        </li>
        <li>
          <code>rodzaj</code> (nieobowiązkowa) — np. „Rozliczenia” albo „Zaświadczenia”.
        </li>
      </ul>
      <pre><code>{CSV_EXAMPLE}</code></pre>
      <p>
        Najpierw pokazujemy podgląd: który plik trafi do którego lokalu i które wiersze są
        odrzucone, z powodem. Pisma publikuje dopiero przycisk „Opublikuj pisma”. Ponowne przesłanie
        tej samej wysyłki nie dubluje pism.
      </p>
    </section>
  );
}
