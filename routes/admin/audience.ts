/**
 * The "Do kogo" field of staff forms that publish to residents (views/admin/audience_field.tsx):
 * `audience` ("all" | "buildings") and the ticked `building_id`s. Whether the buildings exist is
 * the domain's check; this one only reads the choice and refuses an unclear one.
 */
import type { AudienceFormValues } from "../../views/admin/audience_field.tsx";

export type AudienceChoice = { kind: "all" } | { kind: "buildings"; buildingIds: string[] };

export type AudienceParse = { ok: true; audience: AudienceChoice } | { ok: false; error: string };

const BUILDING_ID = /^[0-9A-Z]{26}$/;
const MAX_BUILDINGS = 500;

/** The choice as typed (bounded), for re-filling the form. */
export function typedAudience(audience: string, buildingIds: string[]): AudienceFormValues {
  return {
    audience: audience === "buildings" ? "buildings" : "all",
    buildingIds: buildingIds.map((s) => s.slice(0, 40)).slice(0, MAX_BUILDINGS),
  };
}

/** Reads the choice; an unclear one (buildings without a ticked one, or the reverse) is refused. */
export function parseAudience(audience: string, buildingIds: string[]): AudienceParse {
  if (audience !== "all" && audience !== "buildings") {
    return {
      ok: false,
      error: "Wybierz, do kogo to jest: wszyscy mieszkańcy albo wybrane budynki.",
    };
  }
  const ids = [...new Set(buildingIds)];
  if (ids.length > MAX_BUILDINGS || ids.some((id) => !BUILDING_ID.test(id))) {
    return { ok: false, error: "Nieznany budynek. Odśwież stronę." };
  }
  if (audience === "buildings") {
    return ids.length > 0 ? { ok: true, audience: { kind: "buildings", buildingIds: ids } } : {
      ok: false,
      error: "Zaznacz co najmniej jeden budynek albo wybierz „Wszyscy mieszkańcy”.",
    };
  }
  // Ticked buildings with "everybody" left on: ask, rather than reach the whole cooperative.
  return ids.length === 0 ? { ok: true, audience: { kind: "all" } } : {
    ok: false,
    error:
      "Zaznaczono budynki, ale wybrano „Wszyscy mieszkańcy”. Wybierz „Mieszkańcy wybranych budynków” albo odznacz budynki.",
  };
}
