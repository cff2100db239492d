/**
 * "Do kogo": every resident or the residents of chosen buildings. One fieldset for every staff
 * form that publishes to residents (announcements, documents); routes/admin/audience.ts parses
 * what it sends (`audience` = "all" | "buildings", `building_id` repeated).
 */
import type { Building } from "../../domain/backoffice/register.ts";

export function buildingLabel(b: Building): string {
  return `ul. ${b.street} ${b.number}`;
}

/** The choice as typed, for re-filling the form. */
export type AudienceFormValues = { audience: "all" | "buildings"; buildingIds: string[] };

export function AudienceField(p: {
  buildings: Building[];
  value: AudienceFormValues;
  error?: string;
  /** Shown under the legend (e.g. how a letter to one unit is sent instead). */
  hint?: string;
}) {
  const describedBy = [p.error ? "audience-error" : "", p.hint ? "audience-hint" : ""]
    .filter(Boolean).join(" ") || undefined;
  return (
    <fieldset class={p.error ? "field invalid" : "field"} aria-describedby={describedBy}>
      <legend>Do kogo</legend>
      {p.hint && <span class="hint" id="audience-hint">{p.hint}</span>}
      <div class="checkbox">
        <input
          type="radio"
          name="audience"
          value="all"
          id="audience"
          checked={p.value.audience === "all"}
        />
        <label for="audience">Wszyscy mieszkańcy</label>
      </div>
      <div class="checkbox">
        <input
          type="radio"
          name="audience"
          value="buildings"
          id="audience-buildings"
          checked={p.value.audience === "buildings"}
        />
        <label for="audience-buildings">Mieszkańcy wybranych budynków:</label>
      </div>
      <div class="building-choices">
        {p.buildings.map((b) => (
          <div class="checkbox">
            <input
              type="checkbox"
              name="building_id"
              value={b.id}
              id={`building-${b.id}`}
              checked={p.value.buildingIds.includes(b.id)}
            />
            <label for={`building-${b.id}`}>{buildingLabel(b)}</label>
          </div>
        ))}
        {p.buildings.length === 0 && <p class="muted">W rejestrze nie ma budynków.</p>}
      </div>
      {p.error && <span class="error-text" id="audience-error">{p.error}</span>}
    </fieldset>
  );
}
