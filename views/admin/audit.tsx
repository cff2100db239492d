/** Staff: the audit log ("Dziennik zdarzeń"), filterable, paged and exportable to CSV. */
import {
  type Actor,
  actorKindLabels,
  type AuditEntry,
  type AuditPage,
} from "../../domain/backoffice/audit.ts";
import {
  auditActionGroups,
  auditActionLabel,
  auditActionLabels,
} from "../../domain/backoffice/audit_actions.ts";
import { importKindLabels, isImportKind } from "../../domain/backoffice/imports.ts";
import { TableWrap } from "../table_wrap.tsx";
import { Field, type FieldErrors, SelectField } from "../form.tsx";
import { formatDateTime } from "../format.ts";

export const AUDIT_PATH = "/admin/dziennik";

/**
 * The "rodzaj zdarzenia" choices, built from the list of audit actions: each family as a whole
 * ("wszystkie: …") and every action in it.
 */
export const auditActionChoices: readonly { value: string; label: string; group: string }[] =
  auditActionGroups.flatMap((g) => [
    { value: g.prefix, label: `${g.label}: wszystkie`, group: g.label },
    ...g.actions.map((a) => ({ value: a, label: auditActionLabels[a], group: g.label })),
  ]);

export const auditActorKinds: readonly Actor["kind"][] = [
  "staff",
  "resident",
  "anonymous",
  "system",
];

/** The filter as typed (query-string names), for re-filling the form and building links. */
export type AuditFilterValues = {
  od: string;
  do: string;
  rodzaj: string;
  kto: string;
  dotyczy: string;
};

export type AuditPageProps = {
  filter: AuditFilterValues;
  errors: FieldErrors;
  /** Null when the filter was invalid. */
  result: AuditPage | null;
  /** This page starts after this entry (not the first page). */
  cursor?: string;
};

export const auditFilterLabels: Record<string, string> = {
  od: "Od dnia",
  do: "Do dnia",
  rodzaj: "Rodzaj zdarzenia",
  kto: "Kto",
  dotyczy: "Dotyczy (id)",
};

/** `?od=…&do=…` with the empty values left out. */
export function auditQuery(filter: AuditFilterValues, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filter, ...extra })) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : "";
}

export function AuditLogPage(p: AuditPageProps) {
  return (
    <>
      <h1>Dziennik zdarzeń</h1>
      <p class="lead">
        Kto, co i kiedy zrobił w eBOK. Dziennik nie zawiera haseł, kodów ani tokenów sesji.
      </p>
      <AuditFilterForm {...p} />
      <p id="dziennik-stan" role="status">{auditStatus(p)}</p>
      <AuditResults {...p} />
    </>
  );
}

export function auditStatus(p: AuditPageProps): string {
  if (!p.result) return "Popraw filtr, aby zobaczyć zdarzenia.";
  if (p.result.entries.length === 0) return "Brak zdarzeń spełniających wybrane warunki.";
  return `Zdarzeń na tej stronie: ${p.result.entries.length}, od najnowszego${
    p.cursor ? " (dalsza strona)" : ""
  }.`;
}

function AuditFilterForm(p: AuditPageProps) {
  const f = p.filter;
  const e = p.errors;
  return (
    <form
      method="get"
      action={AUDIT_PATH}
      class="filters no-print"
      id="dziennik-filtry"
      hx-get={AUDIT_PATH}
      hx-target="#dziennik-wyniki"
      hx-select="#dziennik-wyniki"
      hx-swap="outerHTML"
      hx-push-url="true"
      hx-trigger="change, submit"
    >
      <div class="filter-row">
        <Field
          name="od"
          label="Od dnia"
          type="date"
          value={f.od}
          error={e.od}
          required={false}
          optionalMark={false}
        />
        <Field
          name="do"
          label="Do dnia"
          type="date"
          value={f.do}
          error={e.do}
          required={false}
          optionalMark={false}
        />
        <SelectField
          name="rodzaj"
          label="Rodzaj zdarzenia"
          value={f.rodzaj}
          error={e.rodzaj}
          options={[{ value: "", label: "wszystkie" }, ...auditActionChoices]}
        />
        <SelectField
          name="kto"
          label="Kto"
          value={f.kto}
          error={e.kto}
          options={[
            { value: "", label: "wszyscy" },
            ...auditActorKinds.map((k) => ({ value: k, label: actorKindLabels[k] })),
          ]}
        />
        <Field
          name="dotyczy"
          label="Dotyczy (id konta, wniosku…)"
          value={f.dotyczy}
          error={e.dotyczy}
          maxlength={26}
          autocomplete="off"
          spellcheck={false}
          required={false}
          optionalMark={false}
        />
        <div class="actions">
          <button type="submit">Pokaż</button>
          <a class="button secondary" href={AUDIT_PATH}>Wyczyść filtry</a>
        </div>
      </div>
    </form>
  );
}

/** What htmx gets when the filters change: the results, and the status out of band. */
export function AuditFragment(p: AuditPageProps) {
  return (
    <>
      <AuditResults {...p} />
      <p id="dziennik-stan" role="status" hx-swap-oob="true">{auditStatus(p)}</p>
    </>
  );
}

/** The table with its paging and export link: the region the filter form swaps. */
export function AuditResults(p: AuditPageProps) {
  const r = p.result;
  return (
    <section id="dziennik-wyniki" aria-label="Zdarzenia">
      {!r && (
        <p class="notice bad" role="alert">
          Nieprawidłowy filtr: {Object.values(p.errors).filter(Boolean).join(" ")}
        </p>
      )}
      {r && (
        <>
          <div class="actions no-print">
            <a
              class="button secondary"
              href={`${AUDIT_PATH}/dziennik.csv${auditQuery(p.filter)}`}
              hx-boost="false"
              download
            >
              Pobierz CSV (Excel) — wszystkie zdarzenia z filtrem
            </a>
          </div>
          {r.entries.length > 0 && <AuditEntriesTable entries={r.entries} />}
          {r.scanLimited && (
            <p class="notice warn">
              Przejrzano dużą część dziennika bez kompletu wyników. Zawęź daty albo przejdź dalej.
            </p>
          )}
          {(p.cursor || r.nextCursor) && (
            <nav class="pager" aria-label="Strony dziennika">
              {p.cursor && <a href={`${AUDIT_PATH}${auditQuery(p.filter)}`}>Najnowsze zdarzenia</a>}
              {r.nextCursor && (
                <a href={`${AUDIT_PATH}${auditQuery(p.filter, { po: r.nextCursor })}`} rel="next">
                  Starsze zdarzenia →
                </a>
              )}
            </nav>
          )}
        </>
      )}
    </section>
  );
}

const targetWords = { request: "wniosek", staff: "pracownik", message: "wiadomość" } as const;

function targetCell(e: AuditEntry) {
  if (!e.target) return "—";
  if (e.target.kind === "account") {
    return <a href={`/admin/konta/${e.target.id}`}>konto mieszkańca</a>;
  }
  return (
    <>
      {targetWords[e.target.kind as keyof typeof targetWords] ?? e.target.kind}{" "}
      <span class="muted small">{e.target.id}</span>
    </>
  );
}

/** Details staff read, by their stored name: a Polish word and, for ids, a link. */
const detailWords: Record<string, string> = {
  accountId: "konto",
  identifier: "Identyfikator",
  units: "lokale",
  unitId: "lokal",
  meters: "wodomierze",
  jobId: "import",
  kind: "rodzaj danych",
  fileName: "plik",
  rows: "wiersze",
  added: "dodane",
  changed: "zmienione",
  unchanged: "bez zmian",
  refused: "odrzucone",
  error: "błąd",
  announcementId: "komunikat",
  audience: "odbiorcy",
  buildings: "budynki",
  visibleUntil: "widoczny do",
  queued: "e-maile w kolejce",
  ended: "zakończone sesje",
  enabled: "włączone",
  login: "login",
  role: "rola",
  name: "nazwa",
  scopes: "uprawnienia",
  entries: "zdarzeń",
  from: "od",
  to: "do",
  action: "rodzaj zdarzenia",
  actorKind: "kto",
  targetId: "dotyczy",
  reason: "powód",
  email: "e-mail",
  phone: "telefon",
};

/** Kept for those who need them, below the words: hashes, tokens, HTTP particulars. */
const technicalDetails = new Set([
  "hash",
  "tokenId",
  "method",
  "path",
  "status",
  "idempotencyKey",
  "replay",
  "apply",
  "jobStatus",
  "submissionId",
]);

const valueWords: Record<string, Record<string, string>> = {
  audience: { all: "wszyscy mieszkańcy", buildings: "wybrane budynki" },
  role: { admin: "administrator", office: "biuro" },
  actorKind: actorKindLabels,
};

function detailValue(key: string, value: string | number | boolean) {
  if (typeof value === "boolean") return value ? "tak" : "nie";
  const text = String(value);
  switch (key) {
    case "accountId":
    case "targetId":
      return <a href={`/admin/konta/${text}`}>{text}</a>;
    case "unitId":
      return <a href={`/admin/rejestr/lokale/${text}`}>{text}</a>;
    case "units":
      return text === "" ? "—" : text.split(",").map((id, i) => (
        <>
          {i > 0 && ", "}
          <a href={`/admin/rejestr/lokale/${id}`}>{id}</a>
        </>
      ));
    case "jobId":
      return <a href={`/admin/import/${text}`}>{text}</a>;
    case "announcementId":
      return <a href="/admin/komunikaty#opublikowane">{text}</a>;
    case "kind":
      return isImportKind(text) ? importKindLabels[text].toLowerCase() : text;
    case "action":
      return auditActionLabel(text);
  }
  return valueWords[key]?.[text] ?? text;
}

/** What happened, in words, with the details worth reading; codes and hashes below, smaller. */
export function AuditEvent(props: { entry: AuditEntry }) {
  const e = props.entry;
  const details = Object.entries(e.details ?? {});
  const plain = details.filter(([k]) => !technicalDetails.has(k));
  const technical = details.filter(([k]) => technicalDetails.has(k));
  return (
    <>
      <strong>{auditActionLabel(e.action)}</strong>
      {plain.length > 0 && (
        <span>
          {plain.map(([k, v], i) => (
            <>
              {i > 0 ? ", " : " — "}
              {detailWords[k] ?? k}: {detailValue(k, v)}
            </>
          ))}
        </span>
      )}
      <span class="muted small audit-code">
        {" "}
        <code>{e.action}</code>
        {technical.map(([k, v]) => ` ${k}: ${v}`).join(",")}
      </span>
    </>
  );
}

function actorCell(a: Actor) {
  const kind = <span class="muted small">{actorKindLabels[a.kind] ?? a.kind}</span>;
  if (a.kind === "resident" && a.id) {
    return (
      <>
        <a href={`/admin/konta/${a.id}`}>{a.label}</a> {kind}
      </>
    );
  }
  return <>{a.label} {kind}</>;
}

export function AuditEntriesTable(props: { entries: AuditEntry[] }) {
  return (
    <TableWrap label="Dziennik zdarzeń">
      <table>
        <caption>Dziennik zdarzeń, od najnowszego</caption>
        <thead>
          <tr>
            <th scope="col">Czas</th>
            <th scope="col">Kto</th>
            <th scope="col">Zdarzenie</th>
            <th scope="col">Dotyczy</th>
            <th scope="col">Adres</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => (
            <tr>
              <td>{formatDateTime(new Date(e.at))}</td>
              <td>{actorCell(e.actor)}</td>
              <td>
                <AuditEvent entry={e} />
              </td>
              <td>{targetCell(e)}</td>
              <td>{e.clientAddress ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
