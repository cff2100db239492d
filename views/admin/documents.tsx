/** Staff pages for documents and letters: publish, replace, withdraw, proof of delivery. */
import type { Building } from "../../domain/backoffice/register.ts";
import {
  DOCUMENT_TITLE_MAX,
  documentCategories,
  documentCategoryLabels,
  type StaffDocumentRow,
} from "../../domain/documents/documents.ts";
import { ErrorSummary, Field, type FieldErrors, SelectField } from "../form.tsx";
import { formatDateTime } from "../format.ts";
import { TableWrap } from "../table_wrap.tsx";
import { AudienceField, type AudienceFormValues, buildingLabel } from "./audience_field.tsx";

export const DOCUMENTS_PATH = "/admin/dokumenty";

export type DocumentFormValues = AudienceFormValues & {
  title: string;
  category: string;
  unitCode: string;
};

export const emptyDocumentForm: DocumentFormValues = {
  title: "",
  category: "",
  unitCode: "",
  audience: "all",
  buildingIds: [],
};

export const documentLabels: Record<string, string> = {
  title: "Tytuł",
  file: "Plik",
  category: "Rodzaj",
  unit_code: "Kod lokalu",
  audience: "Do kogo",
};

export type DocumentsAdminProps = {
  rows: StaffDocumentRow[];
  buildings: Building[];
  form: DocumentFormValues;
  errors: FieldErrors;
  notice?: string;
  /** A refused new version or withdrawal, shown above the list. */
  error?: string;
  search: string;
};

export function DocumentsAdminPage(p: DocumentsAdminProps) {
  return (
    <>
      <h1>Dokumenty</h1>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      {p.error && <p class="notice bad" role="alert">{p.error}</p>}
      <p>
        <a href="/admin/zawiadomienia">Zawiadomienia o zmianie opłat</a> ·{" "}
        <a href="/admin/papier">Pisma do wysłania pocztą</a>
      </p>
      <PublishForm {...p} />
      <p>
        Wiele pism do lokali naraz (archiwum ZIP albo kilka plików z plikiem CSV):{" "}
        <a href={`${DOCUMENTS_PATH}/zbiorczo`}>wysyłka zbiorcza pism</a>.
      </p>
      <h2 id="opublikowane">Opublikowane dokumenty i pisma</h2>
      <form method="get" action={DOCUMENTS_PATH} role="search">
        <div class="field" id="field-q">
          <label for="q">Szukaj w tytułach</label>
          <input type="search" id="q" name="q" value={p.search} maxlength={100} />
        </div>
        <div class="actions">
          <button type="submit">Szukaj</button>
        </div>
      </form>
      <DocumentsTable {...p} />
    </>
  );
}

function PublishForm(p: DocumentsAdminProps) {
  const f = p.form;
  const e = p.errors;
  return (
    <section class="card" aria-labelledby="nowy-dokument">
      <h2 id="nowy-dokument">Nowy dokument lub pismo</h2>
      <ErrorSummary errors={e} labels={documentLabels} />
      <form method="post" action={DOCUMENTS_PATH} enctype="multipart/form-data">
        <Field
          name="title"
          label="Tytuł"
          value={f.title}
          error={e.title}
          maxlength={DOCUMENT_TITLE_MAX}
          autocomplete="off"
        />
        <div class={e.file ? "field invalid" : "field"} id="field-file">
          <label for="file">Plik</label>
          <span class="hint" id="file-hint">PDF, JPG albo PNG, do 20 MB.</span>
          <input
            type="file"
            id="file"
            name="file"
            accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
            required
            aria-invalid={e.file ? "true" : undefined}
            aria-describedby={[e.file ? "file-error" : "", "file-hint"].filter(Boolean).join(" ")}
          />
          {e.file && <span class="error-text" id="file-error">{e.file}</span>}
        </div>
        <SelectField
          name="category"
          label="Rodzaj"
          value={f.category}
          error={e.category}
          hint="Bez wyboru: „Komunikaty”, a dla pisma do lokalu: „Pisma”."
          options={[
            { value: "", label: "— wybierz —" },
            ...documentCategories.map((c) => ({ value: c, label: documentCategoryLabels[c] })),
          ]}
        />
        <Field
          name="unit_code"
          label="Kod lokalu (pismo do jednego lokalu)"
          value={f.unitCode}
          error={e.unit_code}
          required={false}
          maxlength={40}
          autocomplete="off"
          hint="Np. KW12/7. Mieszkańcy tego lokalu dostaną e-mail, że w eBOK jest nowy dokument."
        />
        <AudienceField
          buildings={p.buildings}
          value={f}
          error={e.audience}
          hint="Dla pisma do jednego lokalu wystarczy kod lokalu powyżej (bez zaznaczania budynków)."
        />
        <div class="actions">
          <button type="submit">Opublikuj</button>
        </div>
      </form>
    </section>
  );
}

function audienceText(row: StaffDocumentRow, names: Map<string, string>): string {
  const a = row.document.audience;
  if (a.kind === "all") return "wszyscy";
  if (a.kind === "unit") return `lokal ${a.unitCode}`;
  return a.buildingIds.map((id) => names.get(id) ?? id).join("; ");
}

function DocumentsTable(p: DocumentsAdminProps) {
  if (p.rows.length === 0) return <p>Nie ma dokumentów.</p>;
  const names = new Map(p.buildings.map((b) => [b.id, buildingLabel(b)]));
  return (
    <TableWrap label="Dokumenty i pisma">
      <table>
        <caption>Dokumenty i pisma, od najnowszego</caption>
        <thead>
          <tr>
            <th scope="col">Tytuł</th>
            <th scope="col">Rodzaj</th>
            <th scope="col">Dla kogo</th>
            <th scope="col">Opublikowany</th>
            <th scope="col">Pierwsze otwarcie</th>
            <th scope="col">Działania</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((row) => <DocumentRow row={row} names={names} />)}
        </tbody>
      </table>
    </TableWrap>
  );
}

function DocumentRow(props: { row: StaffDocumentRow; names: Map<string, string> }) {
  const { row, names } = props;
  const d = row.document;
  const current = !d.withdrawnAt && !d.replacedBy;
  return (
    <tr id={`dokument-${d.id}`}>
      <td>
        {d.withdrawnAt ? d.title : (
          <a href={`${DOCUMENTS_PATH}/${d.id}/plik`} hx-boost="false">
            {d.title}
          </a>
        )}
        {d.withdrawnAt && (
          <div class="small">
            <span class="badge bad">wycofany</span> {formatDateTime(new Date(d.withdrawnAt))},{" "}
            {d.withdrawnBy}
          </div>
        )}
        {d.replacedBy && (
          <div class="small">
            <span class="badge">zastąpiony nowszą wersją</span>
          </div>
        )}
      </td>
      <td>{documentCategoryLabels[d.category]}</td>
      <td>{audienceText(row, names)}</td>
      <td>
        {formatDateTime(new Date(d.publishedAt))}
        <div class="muted small">{d.publishedBy}</div>
      </td>
      <td>
        {d.audience.kind !== "unit" ? "—" : row.firstOpen
          ? (
            <>
              {formatDateTime(new Date(row.firstOpen.at))}
              <div class="muted small">{row.firstOpen.accountLabel}</div>
            </>
          )
          : "jeszcze nie otwarto"}
      </td>
      <td>
        {current && <DocumentActions d={d} />}
      </td>
    </tr>
  );
}

/** A new version and the withdrawal, offered only for the current version of a document. */
function DocumentActions(props: { d: StaffDocumentRow["document"] }) {
  const d = props.d;
  return (
    <>
      <details>
        <summary>Nowa wersja</summary>
        <form
          method="post"
          action={`${DOCUMENTS_PATH}/${d.id}/zastap`}
          enctype="multipart/form-data"
        >
          <div class="field">
            <label for={`title-${d.id}`}>Tytuł</label>
            <input
              type="text"
              id={`title-${d.id}`}
              name="title"
              value={d.title}
              maxlength={DOCUMENT_TITLE_MAX}
              required
            />
          </div>
          <div class="field">
            <label for={`file-${d.id}`}>Plik</label>
            <input type="file" id={`file-${d.id}`} name="file" required />
          </div>
          <button type="submit">Opublikuj nową wersję</button>
        </form>
      </details>
      <form method="post" action={`${DOCUMENTS_PATH}/${d.id}/wycofaj`}>
        <button
          type="submit"
          class="secondary"
          aria-label={`Wycofaj dokument: ${d.title}`}
        >
          Wycofaj
        </button>
      </form>
    </>
  );
}
