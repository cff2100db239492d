import type { AccessRequest } from "../../domain/access/access_requests.ts";
import { type NameCheck, nameVerdictLabels } from "../../domain/access/name_check.ts";
import type { CheckedUnit, RequestFindings } from "../../domain/access/verification.ts";
import { formatPolishMobile } from "../../domain/shared/phone.ts";
import { revealInvisible } from "../../domain/shared/text.ts";
import { formatDateTime } from "../format.ts";

export type RequestSearch = {
  q: string;
  hits: CheckedUnit[];
  truncated: boolean;
  /** Units found that the card lists already (at the address given). */
  alreadyListed?: number;
};

export type RequestView = {
  request: AccessRequest;
  findings: RequestFindings;
  /** Units ticked before a refused approval that the card would not list by itself. */
  carried: CheckedUnit[];
  /** The units ticked before a refused approval (else: those whose names match). */
  chosen?: string[];
  search?: RequestSearch;
  error?: string;
  confirmError?: string;
  confirmed?: boolean;
  confirmReason?: string;
  reasonError?: string;
  reason?: string;
};

/** Text from a request or the register, shown with any invisible character made visible. */
const shown = (text: string) => revealInvisible(text);

const verdictClass: Record<NameCheck["verdict"], string> = {
  match: "badge ok",
  partial: "badge warn",
  mismatch: "badge bad",
  unknown: "badge warn",
};

/** "Imię i nazwisko: niezgodne" as a badge (the words carry it, not only the colour). */
export function NameBadge(props: { check: NameCheck }) {
  const { verdict, occupant } = props.check;
  return (
    <span class={verdictClass[verdict]} data-name-check={verdict}>
      imię i nazwisko: {nameVerdictLabels[verdict]}
      {verdict === "partial" && occupant ? ` (to samo nazwisko: ${shown(occupant)})` : ""}
    </span>
  );
}

export function RequestsPage(props: { pending: RequestView[]; notice?: string }) {
  return (
    <>
      <h1>Wnioski o dostęp</h1>
      {props.notice && <p class="notice ok" role="status">{props.notice}</p>}
      <p class="lead">
        Oczekujące wnioski, od najstarszego: {props.pending.length}.
      </p>
      {props.pending.length === 0 && <p>Brak wniosków do rozpatrzenia.</p>}
      {props.pending.map((v) => <RequestCard {...v} />)}
    </>
  );
}

/** One request on a page of its own: where the card's search leads without JavaScript. */
export function RequestPage(props: { request: AccessRequest; view: RequestView | null }) {
  const r = props.request;
  const decided = r.status === "approved" ? "zatwierdzony" : "odrzucony";
  return (
    <>
      <h1>Wniosek o dostęp</h1>
      <p>
        <a href="/admin/wnioski">Wszystkie oczekujące wnioski</a>
      </p>
      {props.view ? <RequestCard {...props.view} /> : (
        <p class="notice">
          Wniosek: {shown(r.firstName)} {shown(r.lastName)} — już rozpatrzony ({decided}).
        </p>
      )}
    </>
  );
}

function requestedAddress(r: AccessRequest): string {
  return shown(`${r.street} ${r.building}/${r.unit}`);
}

function AddressFinding(props: { request: AccessRequest; findings: RequestFindings }) {
  const r = props.request;
  const f = props.findings;
  const streets = f.streets.map((s) => `ul. ${s}`).join(" lub ");
  switch (f.address) {
    case "no_register":
      return (
        <p>
          <span class="badge warn">rejestr lokali jest pusty</span>{" "}
          Najpierw wczytaj lokale (Import danych).
        </p>
      );
    case "no_street":
      return (
        <p>
          <span class="badge warn">ulicy nie ma w rejestrze</span>{" "}
          Spółdzielnia nie ma budynków przy ulicy „{shown(r.street)}”. Znajdź lokal wyszukiwarką
          poniżej, np. po nazwisku.
        </p>
      );
    case "no_building":
      return (
        <p>
          <span class="badge warn">budynku nie ma w rejestrze</span>{" "}
          Ulica jest w rejestrze ({streets}), ale budynek nr {shown(r.building)}{" "}
          — nie. Znajdź lokal wyszukiwarką poniżej.
        </p>
      );
    case "no_unit":
      return (
        <p>
          <span class="badge warn">lokalu nie ma w rejestrze</span> Budynek {streets}{" "}
          {shown(r.building)} jest w rejestrze, lokal nr {shown(r.unit)}{" "}
          — nie. Znajdź lokal wyszukiwarką poniżej.
        </p>
      );
    case "found":
      return (
        <ul class="register-findings">
          {f.atAddress.map((u) => (
            <li>
              <span class="badge ok">adres w rejestrze</span> {u.label} — w rejestrze:{" "}
              {shown(u.unit.occupants.join(", ")) || "brak danych o użytkownikach"} —{" "}
              <NameBadge check={u.check} />
            </li>
          ))}
        </ul>
      );
  }
}

function UnitOption(
  props: { requestId: string; option: CheckedUnit; checked: boolean; idPrefix?: string },
) {
  const { unit, label, check } = props.option;
  const id = `${props.idPrefix ?? "u"}-${props.requestId}-${unit.id}`;
  return (
    <div class="checkbox">
      <input type="checkbox" name="unit_id" value={unit.id} id={id} checked={props.checked} />
      <label for={id}>
        {label}{" "}
        <span class="muted">
          — {shown(unit.occupants.join(", ")) || "brak danych o użytkownikach"}
        </span>{" "}
        <NameBadge check={check} />
      </label>
    </div>
  );
}

/** The search's results inside the card: the fragment htmx swaps in. */
export function RequestSearchResults(
  props: { request: AccessRequest; search?: RequestSearch; chosen?: string[] },
) {
  const id = props.request.id;
  const s = props.search;
  return (
    <div id={`wyniki-${id}`} class="search-results" aria-live="polite">
      {s && s.q !== "" && (
        <>
          <p class="muted">
            {s.hits.length > 0
              ? `Znalezione dla „${s.q}”: ${s.hits.length}${
                s.truncated ? " (pierwsze — zawęź wyszukiwanie)" : ""
              }${s.alreadyListed ? " (i lokal z listy powyżej)" : ""}.`
              : s.alreadyListed
              ? `Dla „${s.q}” pasuje tylko lokal z listy powyżej.`
              : `Nic nie znaleziono dla „${s.q}”.`}
          </p>
          {s.hits.map((o) => (
            <UnitOption
              requestId={id}
              idPrefix="s"
              option={o}
              checked={props.chosen?.includes(o.unit.id) ?? false}
            />
          ))}
        </>
      )}
    </div>
  );
}

export function RequestCard(v: RequestView) {
  const r = v.request;
  const searchForm = `szukaj-${r.id}`;
  return (
    <section class="card request" id={`wniosek-${r.id}`} aria-labelledby={`wniosek-${r.id}-title`}>
      <h2 id={`wniosek-${r.id}-title`}>
        {shown(r.firstName)} {shown(r.lastName)}
      </h2>
      <RequestFacts request={r} findings={v.findings} />
      {v.error && <p class="notice bad" role="alert" id={`wniosek-${r.id}-error`}>{v.error}</p>}
      <form method="post" action={`/admin/wnioski/${r.id}/zatwierdz`}>
        <input type="hidden" name="units_chosen" value="1" />
        <UnitsFieldset v={v} searchForm={searchForm} />
        <ConfirmMismatch v={v} />
        <div class="actions">
          <button type="submit">Zatwierdź i wyślij dane do logowania</button>
        </div>
      </form>
      <form
        id={searchForm}
        method="get"
        action={`/admin/wnioski/${r.id}`}
        role="search"
        aria-label={`Szukaj lokalu dla wniosku: ${shown(r.firstName)} ${shown(r.lastName)}`}
        hx-get={`/admin/wnioski/${r.id}`}
        hx-target={`#wyniki-${r.id}`}
        hx-swap="outerHTML"
      >
      </form>
      <RejectForm v={v} />
    </section>
  );
}

function RequestFacts(props: { request: AccessRequest; findings: RequestFindings }) {
  const r = props.request;
  return (
    <dl class="facts">
      <dt>Złożony</dt>
      <dd>{formatDateTime(new Date(r.createdAt))}</dd>
      <dt>Adres podany we wniosku</dt>
      <dd>{requestedAddress(r)}</dd>
      <dt>E-mail</dt>
      <dd>{shown(r.email)}</dd>
      <dt>Telefon</dt>
      <dd>{formatPolishMobile(r.phone)}</dd>
      <dt>Rejestr spółdzielni</dt>
      <dd>
        <AddressFinding request={r} findings={props.findings} />
      </dd>
    </dl>
  );
}

/** The units to grant: the suggestions, the units carried over and the register search. */
function UnitsFieldset(props: { v: RequestView; searchForm: string }) {
  const v = props.v;
  const r = v.request;
  const f = v.findings;
  const suggested = [...f.atAddress, ...f.sameName];
  // Nothing is ticked for the staff member unless the register names the applicant at the
  // address given; other units the register gives the same name are offered, not ticked.
  const atAddress = new Set(f.atAddress.map((o) => o.unit.id));
  const isChecked = (o: CheckedUnit) =>
    v.chosen
      ? v.chosen.includes(o.unit.id)
      : atAddress.has(o.unit.id) && o.check.verdict === "match";
  return (
    <fieldset aria-describedby={v.error ? `wniosek-${r.id}-error` : undefined}>
      <legend>Lokale, do których wnioskodawca otrzyma dostęp</legend>
      {suggested.length === 0 && v.carried.length === 0 && (
        <p class="muted">Nic do zaproponowania — znajdź lokal w rejestrze.</p>
      )}
      {f.sameName.length > 0 && (
        <p class="muted">
          Poniżej adresu: inne lokale tego budynku, w których rejestr wymienia tę osobę.
        </p>
      )}
      {[...suggested, ...v.carried].map((o) => (
        <UnitOption requestId={r.id} option={o} checked={isChecked(o)} />
      ))}
      <div class="field search-field">
        <label for={`q-${r.id}`}>Znajdź lokal w rejestrze</label>
        <span class="hint" id={`q-${r.id}-hint`}>
          adres (np. Kaz. Wielkiego 12/5), nazwisko albo kod lokalu
        </span>
        <input
          type="search"
          id={`q-${r.id}`}
          name="q"
          form={props.searchForm}
          value={v.search?.q ?? ""}
          maxlength={100}
          autocomplete="off"
          aria-describedby={`q-${r.id}-hint`}
        />
        <button type="submit" form={props.searchForm} class="secondary">Szukaj</button>
      </div>
      <RequestSearchResults request={r} search={v.search} chosen={v.chosen} />
    </fieldset>
  );
}

/** The confirmation and reason needed to grant a unit whose name does not match. */
function ConfirmMismatch(props: { v: RequestView }) {
  const v = props.v;
  const f = v.findings;
  // The confirmation is open wherever it will be needed: no full match at the address given.
  const confirmOpen = v.confirmError !== undefined || v.confirmed === true ||
    !f.atAddress.some((o) => o.check.verdict === "match");
  const confirmId = `potwierdz-${v.request.id}`;
  return (
    <details class="confirm-mismatch" open={confirmOpen}>
      <summary>Imię i nazwisko nie zgadza się z rejestrem?</summary>
      <fieldset
        class={v.confirmError ? "field invalid" : undefined}
        aria-describedby={v.confirmError ? `${confirmId}-error` : `${confirmId}-info`}
      >
        <legend>Gdy imię i nazwisko nie zgadza się z rejestrem</legend>
        <p class="hint" id={`${confirmId}-info`}>
          Lokal, przy którym imię i nazwisko nie jest „zgodne”, można przyznać tylko po
          potwierdzeniu i z uzasadnieniem. Oba trafią do dziennika zdarzeń.
        </p>
        {v.confirmError && (
          <p class="error-text" id={`${confirmId}-error`} role="alert">{v.confirmError}</p>
        )}
        <div class="checkbox">
          <input
            type="checkbox"
            name="confirm_mismatch"
            value="on"
            id={confirmId}
            checked={v.confirmed}
            aria-invalid={v.confirmError ? "true" : undefined}
            aria-describedby={v.confirmError ? `${confirmId}-error` : undefined}
          />
          <label for={confirmId}>
            Potwierdzam: prawo wnioskodawcy do lokalu zostało sprawdzone inaczej
          </label>
        </div>
        <div class="field">
          <label for={`${confirmId}-reason`}>
            Uzasadnienie (np. „umowa najmu okazana w biurze”)
          </label>
          <textarea
            id={`${confirmId}-reason`}
            name="confirm_reason"
            maxlength={500}
            aria-invalid={v.confirmError ? "true" : undefined}
            aria-describedby={v.confirmError ? `${confirmId}-error` : undefined}
          >
            {v.confirmReason ?? ""}
          </textarea>
        </div>
      </fieldset>
    </details>
  );
}

function RejectForm(props: { v: RequestView }) {
  const v = props.v;
  const r = v.request;
  return (
    <form method="post" action={`/admin/wnioski/${r.id}/odrzuc`}>
      <div class={v.reasonError ? "field invalid" : "field"}>
        <label for={`reason-${r.id}`}>Powód odrzucenia (otrzyma go wnioskodawca)</label>
        <textarea
          id={`reason-${r.id}`}
          name="reason"
          maxlength={1000}
          required
          aria-invalid={v.reasonError ? "true" : undefined}
          aria-describedby={v.reasonError ? `reason-${r.id}-error` : undefined}
        >
          {v.reason ?? ""}
        </textarea>
        {v.reasonError && (
          <span class="error-text" id={`reason-${r.id}-error`}>{v.reasonError}</span>
        )}
      </div>
      <div class="actions">
        <button type="submit" class="secondary">Odrzuć wniosek</button>
      </div>
    </form>
  );
}
