/** Staff pages for the cooperative's announcements (komunikaty). */
import {
  type Announcement,
  ANNOUNCEMENT_BODY_MAX,
  ANNOUNCEMENT_TITLE_MAX,
  announcementState,
} from "../../domain/backoffice/announcements.ts";
import type { Building } from "../../domain/backoffice/register.ts";
import { ErrorSummary, Field, type FieldErrors } from "../form.tsx";
import { formatDateTime, formatIsoDate } from "../format.ts";
import { AnnouncementBody } from "../resident/announcements.tsx";
import { TableWrap } from "../table_wrap.tsx";
import { AudienceField, buildingLabel } from "./audience_field.tsx";

export { buildingLabel };

export const ANNOUNCEMENTS_PATH = "/admin/komunikaty";

/** The form as typed, for re-filling it. */
export type AnnouncementFormValues = {
  title: string;
  body: string;
  audience: "all" | "buildings";
  buildingIds: string[];
  visibleUntil: string;
  email: boolean;
};

export const emptyAnnouncementForm: AnnouncementFormValues = {
  title: "",
  body: "",
  audience: "all",
  buildingIds: [],
  visibleUntil: "",
  email: false,
};

export const announcementLabels: Record<string, string> = {
  title: "Tytuł",
  body: "Treść",
  audience: "Do kogo",
  visible_until: "Widoczny do",
  email: "Wyślij też e-mailem",
};

export type AnnouncementsPageProps = {
  announcements: Announcement[];
  buildings: Building[];
  form: AnnouncementFormValues;
  errors: FieldErrors;
  notice?: string;
  /** "YYYY-MM-DD" in Poland: the earliest "visible until". */
  today: string;
  now: Date;
};

export function AnnouncementsPage(p: AnnouncementsPageProps) {
  return (
    <>
      <h1>Komunikaty</h1>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      <AnnouncementFormSection {...p} />
      <h2 id="opublikowane">Opublikowane komunikaty</h2>
      <AnnouncementsTable {...p} />
    </>
  );
}

/** The ids of a field's error (when there is one) and hint, for aria-describedby. */
function describe(errors: FieldErrors, name: string, hint?: boolean): string | undefined {
  return [errors[name] ? `${name}-error` : undefined, hint ? `${name}-hint` : undefined]
    .filter(Boolean).join(" ") || undefined;
}

function AnnouncementFormSection(p: AnnouncementsPageProps) {
  const f = p.form;
  const e = p.errors;
  return (
    <section class="card" aria-labelledby="nowy-komunikat">
      <h2 id="nowy-komunikat">Nowy komunikat</h2>
      <ErrorSummary errors={e} labels={announcementLabels} />
      <form method="post" action={ANNOUNCEMENTS_PATH}>
        <Field
          name="title"
          label="Tytuł"
          value={f.title}
          error={e.title}
          maxlength={ANNOUNCEMENT_TITLE_MAX}
          autocomplete="off"
        />
        <BodyField value={f.body} errors={e} />
        <AudienceField buildings={p.buildings} value={f} error={e.audience} />
        <VisibleUntilField value={f.visibleUntil} today={p.today} errors={e} />
        <EmailField checked={f.email} errors={e} />
        <div class="actions">
          <button type="submit">Opublikuj komunikat</button>
        </div>
      </form>
    </section>
  );
}

function BodyField(p: { value: string; errors: FieldErrors }) {
  const e = p.errors;
  return (
    <div class={e.body ? "field invalid" : "field"} id="field-body">
      <label for="body">Treść</label>
      <span class="hint" id="body-hint">
        Zwykły tekst, bez formatowania. Akapity oddziel pustą linią. Najwyżej{" "}
        {ANNOUNCEMENT_BODY_MAX} znaków.
      </span>
      <textarea
        id="body"
        name="body"
        rows={8}
        maxlength={ANNOUNCEMENT_BODY_MAX}
        required
        aria-invalid={e.body ? "true" : undefined}
        aria-describedby={describe(e, "body", true)}
      >
        {p.value}
      </textarea>
      {e.body && <span class="error-text" id="body-error">{e.body}</span>}
    </div>
  );
}

function VisibleUntilField(p: { value: string; today: string; errors: FieldErrors }) {
  const e = p.errors;
  return (
    <div class={e.visible_until ? "field invalid" : "field"} id="field-visible_until">
      <label for="visible_until">
        Widoczny do <span class="muted">(nieobowiązkowe)</span>
      </label>
      <span class="hint" id="visible_until-hint">
        Ostatni dzień, w którym mieszkańcy zobaczą komunikat w eBOK. Puste pole: do wycofania.
      </span>
      <input
        type="date"
        id="visible_until"
        name="visible_until"
        value={p.value}
        min={p.today}
        aria-invalid={e.visible_until ? "true" : undefined}
        aria-describedby={describe(e, "visible_until", true)}
      />
      {e.visible_until && <span class="error-text" id="visible_until-error">{e.visible_until}
      </span>}
    </div>
  );
}

function EmailField(p: { checked: boolean; errors: FieldErrors }) {
  const e = p.errors;
  return (
    <div class={e.email ? "field invalid" : "field"}>
      <div class="checkbox">
        <input
          type="checkbox"
          name="email"
          value="on"
          id="email"
          checked={p.checked}
          aria-describedby={describe(e, "email", true)}
        />
        <label for="email">Wyślij też e-mailem</label>
      </div>
      <span class="hint" id="email-hint">
        Jeden e-mail na każde aktywne konto w eBOK wśród adresatów.
      </span>
      {e.email && <span class="error-text" id="email-error">{e.email}</span>}
    </div>
  );
}

const stateBadges = {
  visible: <span class="badge ok">widoczny</span>,
  expired: <span class="badge">wygasł</span>,
  withdrawn: <span class="badge bad">wycofany</span>,
};

function emailStatus(a: Announcement) {
  if (!a.emailed.requested) return "nie";
  if (a.emailed.completedAt) return `w kolejce: ${a.emailed.queued}`;
  if (a.withdrawnAt) return `przerwano (wycofany): ${a.emailed.queued}`;
  return <span class="badge warn">wysyłka niedokończona: {a.emailed.queued}</span>;
}

function AnnouncementsTable(p: AnnouncementsPageProps) {
  if (p.announcements.length === 0) return <p>Nie opublikowano jeszcze żadnego komunikatu.</p>;
  const names = new Map(p.buildings.map((b) => [b.id, buildingLabel(b)]));
  return (
    <TableWrap label="Opublikowane komunikaty">
      <table>
        <caption>Komunikaty, od najnowszego</caption>
        <thead>
          <tr>
            <th scope="col">Komunikat</th>
            <th scope="col">Do kogo</th>
            <th scope="col">Opublikowany</th>
            <th scope="col">Widoczny do</th>
            <th scope="col">Stan</th>
            <th scope="col">E-mail</th>
            <th scope="col">Działania</th>
          </tr>
        </thead>
        <tbody>
          {p.announcements.map((a) => {
            const state = announcementState(a, p.now);
            const unfinished = a.emailed.requested && !a.emailed.completedAt && !a.withdrawnAt;
            return (
              <tr id={`komunikat-${a.id}`}>
                <td>
                  <details>
                    <summary>{a.title}</summary>
                    <AnnouncementBody body={a.body} />
                  </details>
                </td>
                <td>
                  {a.audience.kind === "all"
                    ? "wszyscy"
                    : a.audience.buildingIds.map((id) => names.get(id) ?? id).join("; ")}
                </td>
                <td>
                  {formatDateTime(new Date(a.publishedAt))}
                  <div class="muted small">{a.createdBy}</div>
                </td>
                <td>{a.visibleUntil ? formatIsoDate(a.visibleUntil) : "do wycofania"}</td>
                <td>
                  {stateBadges[state]}
                  {a.withdrawnAt && (
                    <div class="muted small">
                      {formatDateTime(new Date(a.withdrawnAt))}, {a.withdrawnBy}
                    </div>
                  )}
                </td>
                <td>{emailStatus(a)}</td>
                <td>
                  {unfinished && (
                    <form method="post" action={`${ANNOUNCEMENTS_PATH}/${a.id}/wznow`}>
                      <button type="submit">Dokończ wysyłkę e-maili</button>
                    </form>
                  )}
                  {state !== "withdrawn" && (
                    <form method="post" action={`${ANNOUNCEMENTS_PATH}/${a.id}/wycofaj`}>
                      <button
                        type="submit"
                        class="secondary"
                        aria-label={`Wycofaj komunikat: ${a.title}`}
                      >
                        Wycofaj
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}
