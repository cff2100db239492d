import type { StoredFile } from "../../domain/files/file_store.ts";
import {
  type Matter,
  MATTER_CATEGORIES,
  matterCategoryLabels,
  type MatterEntry,
  type MatterPlace,
  matterStatusLabels,
  MAX_ATTACHMENTS,
  MAX_DESCRIPTION_CHARS,
  MAX_PERSONS,
  MAX_REPLY_CHARS,
} from "../../domain/matters/matters.ts";
import { ErrorSummary, Field, type FieldErrors, SelectField, TextAreaField } from "../form.tsx";
import { formatDateTime, formatIsoDate } from "../format.ts";
import { telHref } from "../layout.tsx";
import { TableWrap } from "../table_wrap.tsx";

export function MatterListPage(props: { matters: Matter[] }) {
  return (
    <>
      <h1>Zgłoszenia</h1>
      <p class="lead">
        Tu zgłosisz awarię lub usterkę, zapytasz o rozliczenie albo poprosisz o zaświadczenie.
      </p>
      <section aria-labelledby="nowe-zgloszenie">
        <h2 id="nowe-zgloszenie">Nowe zgłoszenie — czego dotyczy?</h2>
        <ul class="category-choice">
          {MATTER_CATEGORIES.map((c) => (
            <li>
              <a class="button secondary" href={`/ebok/zgloszenia/nowe?rodzaj=${c}`}>
                {matterCategoryLabels[c]}
              </a>
            </li>
          ))}
        </ul>
      </section>
      {props.matters.length === 0
        ? <p>Nie ma jeszcze żadnych zgłoszeń.</p>
        : (
          <TableWrap label="Twoje zgłoszenia">
            <table>
              <caption class="visually-hidden">Twoje zgłoszenia</caption>
              <thead>
                <tr>
                  <th scope="col">Numer</th>
                  <th scope="col">Sprawa</th>
                  <th scope="col">Dotyczy</th>
                  <th scope="col">Zgłoszono</th>
                  <th scope="col">Stan</th>
                </tr>
              </thead>
              <tbody>
                {props.matters.map((m) => (
                  <tr>
                    <td>
                      <a href={`/ebok/zgloszenia/${m.id}`}>{m.number}</a>
                    </td>
                    <td>{matterCategoryLabels[m.category]}</td>
                    <td>{m.placeLabel}</td>
                    <td>{formatDateTime(new Date(m.createdAt))}</td>
                    <td>{matterStatusLabels[m.status]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
    </>
  );
}

export type NewMatterValues = {
  category: string;
  place: string;
  description: string;
  persons: string;
  from: string;
};

export const newMatterLabels: Record<string, string> = {
  category: "Czego dotyczy sprawa",
  place: "Lokal",
  description: "Opis",
  attachment: "Załączniki",
  persons: "Nowa liczba osób",
  from: "Od kiedy",
};

/**
 * The emergency number, in large type, before the form. Without JavaScript it is shown unless
 * another category has been chosen (?rodzaj=…, or the form came back with one); app.js shows it
 * only while "awaria" is selected.
 */
function EmergencyBox(props: { phone: string; category: string }) {
  if (!props.phone) return null;
  const shown = props.category === "" || props.category === "awaria";
  return (
    <section
      class="notice warn emergency-box"
      aria-labelledby="awaria-title"
      data-emergency
      hidden={!shown}
    >
      <h2 id="awaria-title">Awaria, która nie może czekać?</h2>
      <p>
        Przy zalaniu, braku wody, ogrzewania lub prądu albo zepsutej windzie zadzwoń na numer
        alarmowy:
      </p>
      <p class="emergency-number">
        <a href={telHref(props.phone)}>{props.phone.replace(/ /g, "\u00a0")}</a>
      </p>
      <p>Zgłoszenie w eBOK biuro przeczyta w godzinach pracy.</p>
    </section>
  );
}

/** Filled by app.js from htmx's upload progress events; without JavaScript it stays hidden. */
function UploadProgress() {
  return (
    <div class="field" data-upload-status hidden>
      <label for="upload-progress">Wysyłanie plików</label>
      <progress id="upload-progress" class="upload-progress" max="100" value="0">0%</progress>
      <span data-upload-percent></span>
    </div>
  );
}

export function NewMatterPage(props: {
  places: MatterPlace[];
  values: NewMatterValues;
  errors: FieldErrors;
  formError?: string;
  emergencyPhone: string;
}) {
  const { values, errors } = props;
  return (
    <>
      <h1>Nowe zgłoszenie</h1>
      <EmergencyBox phone={props.emergencyPhone} category={values.category} />
      <ErrorSummary errors={errors} labels={newMatterLabels} />
      {props.formError && <p class="notice bad" role="alert">{props.formError}</p>}
      <form
        method="post"
        action="/ebok/zgloszenia/nowe"
        enctype="multipart/form-data"
        data-matter-form
        data-upload-progress
      >
        <SelectField
          name="category"
          label={newMatterLabels.category}
          value={values.category}
          error={errors.category}
          options={[
            { value: "", label: "— wybierz —" },
            ...MATTER_CATEGORIES.map((c) => ({ value: c, label: matterCategoryLabels[c] })),
          ]}
        />
        <SelectField
          name="place"
          label={newMatterLabels.place}
          value={values.place}
          error={errors.place}
          hint="Twój lokal albo części wspólne budynku (klatka, piwnica, winda)."
          options={props.places.map((p) => ({ value: p.value, label: p.label }))}
        />
        <TextAreaField
          name="description"
          label={newMatterLabels.description}
          value={values.description}
          error={errors.description}
          rows={6}
          maxlength={MAX_DESCRIPTION_CHARS}
          hint="Co się stało, gdzie dokładnie i od kiedy."
        />
        <OccupantsFieldset values={values} errors={errors} />
        <AttachmentField error={errors.attachment} />
        <UploadProgress />
        <div class="actions">
          <button type="submit">Wyślij zgłoszenie</button>
          <a href="/ebok/zgloszenia">Anuluj</a>
        </div>
      </form>
    </>
  );
}

/** The new number of persons and its date, filled only when that is what the matter is about. */
function OccupantsFieldset(props: { values: NewMatterValues; errors: FieldErrors }) {
  const { values, errors } = props;
  return (
    <fieldset>
      <legend>Tylko przy zmianie liczby osób w lokalu</legend>
      <Field
        name="persons"
        label={newMatterLabels.persons}
        type="number"
        inputmode="numeric"
        min={0}
        max={MAX_PERSONS}
        required={false}
        value={values.persons}
        error={errors.persons}
        hint="Ile osób mieszka w lokalu po zmianie. Od tej liczby zależy opłata za śmieci."
      />
      <Field
        name="from"
        label={newMatterLabels.from}
        type="date"
        required={false}
        value={values.from}
        error={errors.from}
      />
    </fieldset>
  );
}

function AttachmentField(props: { error?: string }) {
  const attachmentError = props.error;
  return (
    <div class={attachmentError ? "field invalid" : "field"} id="field-attachment">
      <label for="attachment">
        {newMatterLabels.attachment} <span class="muted">(nieobowiązkowe)</span>
      </label>
      <span class="hint" id="attachment-hint">
        Do {MAX_ATTACHMENTS} plików: zdjęcia JPG lub PNG albo PDF, każdy do 20 MB.
      </span>
      <input
        id="attachment"
        name="attachment"
        type="file"
        multiple
        accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
        aria-invalid={attachmentError ? "true" : undefined}
        aria-describedby={[attachmentError && "attachment-error", "attachment-hint"]
          .filter(Boolean).join(" ")}
      />
      {attachmentError && <span class="error-text" id="attachment-error">{attachmentError}</span>}
    </div>
  );
}

export function Thread(props: { matter: Matter; entries: MatterEntry[]; staffView?: boolean }) {
  return (
    <ol class="thread">
      <li class="card">
        <p class="muted">
          {props.staffView ? props.matter.authorName : "Zgłoszenie"},{" "}
          {formatDateTime(new Date(props.matter.createdAt))}
        </p>
        <p class="pre-wrap">{props.matter.description}</p>
      </li>
      {props.entries.map((e) => (
        <li class="card">
          <p class="muted">
            {e.author.kind === "staff" ? `Biuro (${e.author.name})` : e.author.name},{" "}
            {formatDateTime(new Date(e.at))}
          </p>
          {e.kind === "status" && e.status
            ? (
              <p>
                Zmiana stanu: <strong>{matterStatusLabels[e.status]}</strong>
                {e.text && <>. Powód: {e.text}</>}
              </p>
            )
            : <p class="pre-wrap">{e.text}</p>}
        </li>
      ))}
    </ol>
  );
}

export function Attachments(props: { files: StoredFile[]; hrefBase: string }) {
  if (!props.files.length) return null;
  return (
    <section aria-labelledby="zalaczniki">
      <h2 id="zalaczniki">Załączniki</h2>
      <ul>
        {props.files.map((f) => (
          <li>
            <a href={`${props.hrefBase}/${f.id}`}>{f.name}</a>{" "}
            <span class="muted">({Math.max(1, Math.round(f.size / 1024))} KB)</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function MatterPage(props: {
  matter: Matter;
  entries: MatterEntry[];
  files: StoredFile[];
  reply?: string;
  replyError?: string;
  notice?: string;
}) {
  const m = props.matter;
  const open = m.status === "przyjete" || m.status === "w_realizacji";
  return (
    <>
      <p>
        <a href="/ebok/zgloszenia">← Wszystkie zgłoszenia</a>
      </p>
      <h1>Zgłoszenie {m.number}</h1>
      {props.notice && <p class="notice ok" role="status">{props.notice}</p>}
      <dl class="summary">
        <dt>Sprawa</dt>
        <dd>{matterCategoryLabels[m.category]}</dd>
        <dt>Dotyczy</dt>
        <dd>{m.placeLabel}</dd>
        {m.occupants && (
          <>
            <dt>Nowa liczba osób</dt>
            <dd>{m.occupants.persons} od {formatIsoDate(m.occupants.from)}</dd>
          </>
        )}
        <dt>Stan</dt>
        <dd>
          <strong>{matterStatusLabels[m.status]}</strong>
          {m.status === "odrzucone" && m.rejectionReason && <>. Powód: {m.rejectionReason}</>}
        </dd>
      </dl>
      <Attachments files={props.files} hrefBase={`/ebok/zgloszenia/${m.id}/zalaczniki`} />
      <h2>Wiadomości</h2>
      <Thread matter={m} entries={props.entries} />
      {open
        ? (
          <form method="post" action={`/ebok/zgloszenia/${m.id}`}>
            <TextAreaField
              name="reply"
              label="Twoja odpowiedź"
              value={props.reply}
              error={props.replyError}
              rows={4}
              maxlength={MAX_REPLY_CHARS}
            />
            <div class="actions">
              <button type="submit">Wyślij odpowiedź</button>
            </div>
          </form>
        )
        : (
          <p>
            Ta sprawa jest zamknięta. Jeśli coś jeszcze trzeba załatwić, utwórz nowe zgłoszenie.
          </p>
        )}
    </>
  );
}
