/** Staff: the audit log ("Dziennik zdarzeń"), filterable, paged and exportable to CSV. */
import {
  type Actor,
  actorKindLabels,
  type AuditEntry,
  type AuditPage,
} from "../../domain/backoffice/audit.ts";
import { TableWrap } from "../table_wrap.tsx";
import type { FieldErrors } from "../form.tsx";
import { formatDateTime } from "../format.ts";

export const AUDIT_PATH = "/admin/dziennik";

/** The "rodzaj zdarzenia" choices: action prefixes. */
export const auditActionGroups: readonly { prefix: string; label: string }[] = [
  { prefix: "login.", label: "logowanie mieszkańców" },
  { prefix: "staff_login.", label: "logowanie pracowników" },
  { prefix: "request.", label: "wnioski o dostęp" },
  { prefix: "account.", label: "konta mieszkańców" },
  { prefix: "password.", label: "hasła" },
  { prefix: "sessions.", label: "sesje" },
  { prefix: "reading.", label: "odczyty wodomierzy" },
  { prefix: "import.", label: "import danych" },
  { prefix: "announcement.", label: "komunikaty" },
  { prefix: "message.", label: "wiadomości" },
  { prefix: "audit.", label: "eksport dziennika" },
];

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
  const invalid = (name: string) => e[name] ? "true" : undefined;
  const describedBy = (name: string) => e[name] ? `${name}-error` : undefined;
  const known = auditActionGroups.some((g) => g.prefix === f.rodzaj);
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
        <div class={e.od ? "field invalid" : "field"}>
          <label for="od">Od dnia</label>
          <input
            type="date"
            id="od"
            name="od"
            value={f.od}
            aria-invalid={invalid("od")}
            aria-describedby={describedBy("od")}
          />
          {e.od && <span class="error-text" id="od-error">{e.od}</span>}
        </div>
        <div class={e.do ? "field invalid" : "field"}>
          <label for="do">Do dnia</label>
          <input
            type="date"
            id="do"
            name="do"
            value={f.do}
            aria-invalid={invalid("do")}
            aria-describedby={describedBy("do")}
          />
          {e.do && <span class="error-text" id="do-error">{e.do}</span>}
        </div>
        <div class={e.rodzaj ? "field invalid" : "field"}>
          <label for="rodzaj">Rodzaj zdarzenia</label>
          <select
            id="rodzaj"
            name="rodzaj"
            aria-invalid={invalid("rodzaj")}
            aria-describedby={describedBy("rodzaj")}
          >
            <option value="">wszystkie</option>
            {auditActionGroups.map((g) => (
              <option value={g.prefix} selected={f.rodzaj === g.prefix}>{g.label}</option>
            ))}
            {f.rodzaj && !known && !e.rodzaj && (
              <option value={f.rodzaj} selected>{f.rodzaj}</option>
            )}
          </select>
          {e.rodzaj && <span class="error-text" id="rodzaj-error">{e.rodzaj}</span>}
        </div>
        <div class={e.kto ? "field invalid" : "field"}>
          <label for="kto">Kto</label>
          <select
            id="kto"
            name="kto"
            aria-invalid={invalid("kto")}
            aria-describedby={describedBy("kto")}
          >
            <option value="">wszyscy</option>
            {auditActorKinds.map((k) => (
              <option value={k} selected={f.kto === k}>{actorKindLabels[k]}</option>
            ))}
          </select>
          {e.kto && <span class="error-text" id="kto-error">{e.kto}</span>}
        </div>
        <div class={e.dotyczy ? "field invalid" : "field"}>
          <label for="dotyczy">Dotyczy (id konta, wniosku…)</label>
          <input
            type="text"
            id="dotyczy"
            name="dotyczy"
            value={f.dotyczy}
            maxlength={26}
            autocomplete="off"
            spellcheck={false}
            aria-invalid={invalid("dotyczy")}
            aria-describedby={describedBy("dotyczy")}
          />
          {e.dotyczy && <span class="error-text" id="dotyczy-error">{e.dotyczy}</span>}
        </div>
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

function targetCell(e: AuditEntry) {
  if (!e.target) return "—";
  if (e.target.kind === "account") {
    return <a href={`/admin/konta/${e.target.id}`}>konto {e.target.id}</a>;
  }
  const kinds = { request: "wniosek", staff: "pracownik", message: "wiadomość" } as const;
  return `${kinds[e.target.kind as keyof typeof kinds] ?? e.target.kind} ${e.target.id}`;
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
                <code>{e.action}</code>
                {e.details && (
                  <span class="muted">
                    {" "}
                    {Object.entries(e.details).map(([k, v]) => `${k}: ${v}`).join(", ")}
                  </span>
                )}
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
