import type { StoredFile } from "../../domain/files/file_store.ts";
import {
  isOpenStatus,
  type Matter,
  MATTER_CATEGORIES,
  MATTER_STATUSES,
  MATTER_TRANSITIONS,
  matterAgeDays,
  matterCategoryLabels,
  type MatterEntry,
  type MatterNote,
  type MatterQueue,
  matterStatusLabels,
  MAX_REPLY_CHARS,
} from "../../domain/matters/matters.ts";
import { SelectField, TextAreaField } from "../form.tsx";
import { formatDateTime, formatIsoDate } from "../format.ts";
import { Attachments, Thread } from "../resident/matters.tsx";
import { TableWrap } from "../table_wrap.tsx";

export type QueueFilterValues = {
  status: string;
  category: string;
  age: string;
  building: string;
};

function ageWords(days: number): string {
  if (days === 0) return "dziś";
  if (days === 1) return "1 dzień";
  return `${days} dni`;
}

export function MatterQueuePage(
  props: { queue: MatterQueue; filter: QueueFilterValues; now: Date },
) {
  const { queue, filter } = props;
  return (
    <>
      <h1>Zgłoszenia mieszkańców</h1>
      <section aria-labelledby="otwarte-kategorie">
        <h2 id="otwarte-kategorie">Otwarte według rodzaju</h2>
        <ul>
          {MATTER_CATEGORIES.map((c) => (
            <li>
              {matterCategoryLabels[c]}: <strong>{queue.openByCategory[c]}</strong>
            </li>
          ))}
        </ul>
      </section>
      <QueueFilters queue={queue} filter={filter} />
      {queue.matters.length === 0
        ? <p>Brak zgłoszeń spełniających warunki.</p>
        : <QueueTable queue={queue} now={props.now} />}
    </>
  );
}

function QueueFilters(props: { queue: MatterQueue; filter: QueueFilterValues }) {
  const { queue, filter } = props;
  return (
    <form method="get" action="/admin/zgloszenia" class="filters">
      <SelectField
        name="stan"
        label="Stan"
        value={filter.status}
        options={[
          { value: "otwarte", label: "Otwarte (przyjęte i w realizacji)" },
          { value: "", label: "Wszystkie" },
          ...MATTER_STATUSES.map((s) => ({ value: s, label: matterStatusLabels[s] })),
        ]}
      />
      <SelectField
        name="rodzaj"
        label="Rodzaj"
        value={filter.category}
        options={[
          { value: "", label: "Wszystkie" },
          ...MATTER_CATEGORIES.map((c) => ({ value: c, label: matterCategoryLabels[c] })),
        ]}
      />
      <SelectField
        name="budynek"
        label="Budynek"
        value={filter.building}
        options={[
          { value: "", label: "Wszystkie" },
          ...queue.buildings.map((b) => ({ value: b.id, label: b.label })),
        ]}
      />
      <SelectField
        name="wiek"
        label="Wiek"
        value={filter.age}
        options={[
          { value: "", label: "Dowolny" },
          { value: "3", label: "Starsze niż 3 dni" },
          { value: "7", label: "Starsze niż 7 dni" },
          { value: "14", label: "Starsze niż 14 dni" },
          { value: "30", label: "Starsze niż 30 dni" },
        ]}
      />
      <div class="actions">
        <button type="submit">Pokaż</button>
      </div>
    </form>
  );
}

function QueueTable(props: { queue: MatterQueue; now: Date }) {
  return (
    <TableWrap label="Zgłoszenia">
      <table>
        <caption class="visually-hidden">Zgłoszenia, od najstarszego</caption>
        <thead>
          <tr>
            <th scope="col">Numer</th>
            <th scope="col">Rodzaj</th>
            <th scope="col">Dotyczy</th>
            <th scope="col">Zgłasza</th>
            <th scope="col">Stan</th>
            <th scope="col">Czeka</th>
            <th scope="col">Prowadzi</th>
          </tr>
        </thead>
        <tbody>
          {props.queue.matters.map((m) => (
            <tr>
              <td>
                <a href={`/admin/zgloszenia/${m.id}`}>{m.number}</a>
              </td>
              <td>{matterCategoryLabels[m.category]}</td>
              <td>{m.placeLabel}</td>
              <td>{m.authorName}</td>
              <td>
                {matterStatusLabels[m.status]}
                {isOpenStatus(m.status) && m.lastReplyBy === "resident" && (
                  <span class="badge">czeka na biuro</span>
                )}
              </td>
              <td>{isOpenStatus(m.status) ? ageWords(matterAgeDays(m, props.now)) : "—"}</td>
              <td>{m.assignedTo?.name ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export type StaffMatterForms = {
  reply?: string;
  replyError?: string;
  note?: string;
  noteError?: string;
  reason?: string;
  statusError?: string;
};

type StaffMatterProps = {
  matter: Matter;
  entries: MatterEntry[];
  notes: MatterNote[];
  files: StoredFile[];
  staffOptions: { id: string; name: string }[];
  forms: StaffMatterForms;
  notice?: string;
  now: Date;
};

export function StaffMatterPage(props: StaffMatterProps) {
  const m = props.matter;
  const f = props.forms;
  const base = `/admin/zgloszenia/${m.id}`;
  return (
    <>
      <p>
        <a href="/admin/zgloszenia">← Kolejka zgłoszeń</a>
      </p>
      <h1>Zgłoszenie {m.number}</h1>
      {props.notice && <p class="notice ok" role="status">{props.notice}</p>}
      <MatterSummary matter={m} now={props.now} />
      {m.occupants && isOpenStatus(m.status) && (
        <form method="post" action={`${base}/przyjmij-zmiane`}>
          <p>
            Przyjęcie zmieni liczbę osób lokalu w rejestrze i zakończy sprawę. Aby odrzucić, wybierz
            niżej stan „Odrzucone” i podaj powód.
          </p>
          <div class="actions">
            <button type="submit">Przyjmij zmianę liczby osób</button>
          </div>
        </form>
      )}
      <Attachments files={props.files} hrefBase={`${base}/zalaczniki`} />
      <h2>Wiadomości</h2>
      <Thread matter={m} entries={props.entries} staffView />

      <form method="post" action={`${base}/odpowiedz`}>
        <TextAreaField
          name="reply"
          label="Odpowiedź dla mieszkańca"
          value={f.reply}
          error={f.replyError}
          rows={4}
          maxlength={MAX_REPLY_CHARS}
          hint="Mieszkaniec dostanie e-mail, że w eBOK czeka odpowiedź (bez jej treści)."
        />
        <div class="actions">
          <button type="submit">Wyślij odpowiedź</button>
        </div>
      </form>

      <StatusForm matter={m} forms={f} base={base} />

      <form method="post" action={`${base}/przydziel`}>
        <h2>Prowadzi</h2>
        <SelectField
          name="staffId"
          label="Pracownik"
          value={m.assignedTo?.id ?? ""}
          options={[
            { value: "", label: "Nikt" },
            ...props.staffOptions.map((s) => ({ value: s.id, label: s.name })),
          ]}
        />
        <div class="actions">
          <button type="submit">Przydziel</button>
        </div>
      </form>

      <StaffNotes notes={props.notes} forms={f} base={base} />
    </>
  );
}

function MatterSummary(props: { matter: Matter; now: Date }) {
  const m = props.matter;
  return (
    <dl class="summary">
      <dt>Rodzaj</dt>
      <dd>{matterCategoryLabels[m.category]}</dd>
      <dt>Dotyczy</dt>
      <dd>{m.placeLabel}</dd>
      <dt>Zgłasza</dt>
      <dd>{m.authorName}</dd>
      <dt>Zgłoszono</dt>
      <dd>
        {formatDateTime(new Date(m.createdAt))}
        {isOpenStatus(m.status) && <>{" "}(czeka: {ageWords(matterAgeDays(m, props.now))})</>}
      </dd>
      <dt>Stan</dt>
      <dd>
        <strong>{matterStatusLabels[m.status]}</strong>
        {m.rejectionReason && <>. Powód: {m.rejectionReason}</>}
      </dd>
      <dt>Prowadzi</dt>
      <dd>{m.assignedTo?.name ?? "nikt"}</dd>
      {m.occupants && (
        <>
          <dt>Nowa liczba osób</dt>
          <dd>{m.occupants.persons} od {formatIsoDate(m.occupants.from)}</dd>
        </>
      )}
    </dl>
  );
}

/** The status change, offered only where the matter can still move on. */
function StatusForm(props: { matter: Matter; forms: StaffMatterForms; base: string }) {
  const f = props.forms;
  const next = MATTER_TRANSITIONS[props.matter.status];
  return (
    <>
      {next.length > 0 && (
        <form method="post" action={`${props.base}/stan`}>
          <h2>Zmień stan</h2>
          {f.statusError && <p class="notice bad" role="alert">{f.statusError}</p>}
          <SelectField
            name="status"
            label="Nowy stan"
            options={next.map((s) => ({ value: s, label: matterStatusLabels[s] }))}
          />
          <TextAreaField
            name="reason"
            label="Powód odrzucenia"
            value={f.reason}
            required={false}
            rows={2}
            maxlength={MAX_REPLY_CHARS}
            hint="Tylko przy odrzuceniu; mieszkaniec go zobaczy."
          />
          <div class="actions">
            <button type="submit">Zmień stan</button>
          </div>
        </form>
      )}
    </>
  );
}

function StaffNotes(props: { notes: MatterNote[]; forms: StaffMatterForms; base: string }) {
  const f = props.forms;
  return (
    <section aria-labelledby="notatki">
      <h2 id="notatki">Notatki wewnętrzne (mieszkaniec ich nie widzi)</h2>
      {props.notes.length === 0 ? <p>Brak notatek.</p> : (
        <ul>
          {props.notes.map((n) => (
            <li>
              <span class="muted">{n.author.name}, {formatDateTime(new Date(n.at))}:</span>{" "}
              <span class="pre-wrap">{n.text}</span>
            </li>
          ))}
        </ul>
      )}
      <form method="post" action={`${props.base}/notatka`}>
        <TextAreaField
          name="note"
          label="Nowa notatka"
          value={f.note}
          error={f.noteError}
          rows={2}
          maxlength={MAX_REPLY_CHARS}
        />
        <div class="actions">
          <button type="submit">Dodaj notatkę</button>
        </div>
      </form>
    </section>
  );
}
