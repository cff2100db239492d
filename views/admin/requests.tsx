import type { AccessRequest } from "../../domain/access/access_requests.ts";
import { type Building, type Unit, unitAddress } from "../../domain/backoffice/register.ts";
import { formatPolishMobile } from "../../domain/shared/phone.ts";
import { formatDateTime } from "../format.ts";

export type UnitChoice = { unit: Unit; building: Building; matched: boolean };

export type RequestView = {
  request: AccessRequest;
  choices: UnitChoice[];
  error?: string;
  reasonError?: string;
  reason?: string;
};

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

export function RequestCard(v: RequestView) {
  const r = v.request;
  const matched = v.choices.filter((c) => c.matched);
  return (
    <section class="card request" id={`wniosek-${r.id}`} aria-labelledby={`wniosek-${r.id}-title`}>
      <h2 id={`wniosek-${r.id}-title`}>
        {r.firstName} {r.lastName}
      </h2>
      <dl class="facts">
        <dt>Złożony</dt>
        <dd>{formatDateTime(new Date(r.createdAt))}</dd>
        <dt>Adres podany we wniosku</dt>
        <dd>
          ul. {r.street} {r.building}/{r.unit}
        </dd>
        <dt>E-mail</dt>
        <dd>{r.email}</dd>
        <dt>Telefon</dt>
        <dd>{formatPolishMobile(r.phone)}</dd>
        <dt>Rejestr spółdzielni</dt>
        <dd>
          {matched.length === 0
            ? <span class="badge warn">brak lokalu o tym adresie w rejestrze</span>
            : matched.map((c) => (
              <div>
                <span class="badge ok">zgodny adres</span> {unitAddress(c.building, c.unit)} —{" "}
                {c.unit.occupants.join(", ") || "brak danych o użytkownikach"}
              </div>
            ))}
        </dd>
      </dl>
      {v.error && <p class="notice bad" role="alert" id={`wniosek-${r.id}-error`}>{v.error}</p>}
      <form method="post" action={`/admin/wnioski/${r.id}/zatwierdz`}>
        <input type="hidden" name="units_chosen" value="1" />
        <fieldset aria-describedby={v.error ? `wniosek-${r.id}-error` : undefined}>
          <legend>Lokale, do których wnioskodawca otrzyma dostęp</legend>
          {v.choices.map((c) => (
            <div class="checkbox">
              <input
                type="checkbox"
                name="unit_id"
                value={c.unit.id}
                id={`u-${r.id}-${c.unit.id}`}
                checked={c.matched}
              />
              <label for={`u-${r.id}-${c.unit.id}`}>
                {unitAddress(c.building, c.unit)}{" "}
                {c.unit.occupants.length > 0 && (
                  <span class="muted">— {c.unit.occupants.join(", ")}</span>
                )}
              </label>
            </div>
          ))}
          {v.choices.length === 0 && <p class="muted">W rejestrze nie ma lokali przy tej ulicy.</p>}
        </fieldset>
        <div class="actions">
          <button type="submit">Zatwierdź i wyślij dane do logowania</button>
        </div>
      </form>
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
    </section>
  );
}
