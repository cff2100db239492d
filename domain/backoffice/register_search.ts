/**
 * The office's search over the register: units by address or occupant, accounts by name,
 * identifier, e-mail or phone. A scan in KV order: the register of a cooperative is thousands of
 * units, not millions, and staff search rarely.
 */
import type { Account } from "../accounts/accounts.ts";
import { keys } from "../shared/keys.ts";
import { foldText } from "../shared/text.ts";
import { buildingKey, unitKey } from "./addresses.ts";
import {
  type Building,
  compareUnits,
  listBuildings,
  type Unit,
  unitAddress,
  unitKindLabels,
} from "./register.ts";

export type UnitHit = { unit: Unit; building: Building | null; label: string };
export type RegisterSearchResult = { units: UnitHit[]; accounts: Account[]; truncated: boolean };

/** Lower case, no diacritics, only letters and digits: "Słowiańska 27/4" ≈ "slowianska 27 4". */
export function foldForSearch(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/[łŁ]/g, "l").toLowerCase()
    .replace(/[^a-z0-9@+.]+/g, " ").trim();
}

function matches(haystack: string, tokens: string[]): boolean {
  return tokens.every((t) => haystack.includes(t));
}

export async function searchRegister(
  kv: Deno.Kv,
  query: string,
  limit = 50,
): Promise<RegisterSearchResult> {
  const tokens = foldForSearch(query).split(" ").filter(Boolean);
  if (tokens.length === 0) return { units: [], accounts: [], truncated: false };
  const buildings = new Map((await listBuildings(kv)).map((b) => [b.id, b]));
  const units: UnitHit[] = [];
  let truncated = false;
  for await (const e of kv.list<Unit>({ prefix: keys.unitsAll() })) {
    const building = buildings.get(e.value.buildingId) ?? null;
    const label = building ? unitAddress(building, e.value) : e.value.number;
    const hay = foldForSearch(`${label} ${e.value.occupants.join(" ")} ${building?.city ?? ""}`);
    if (!matches(hay, tokens)) continue;
    if (units.length >= limit) {
      truncated = true;
      break;
    }
    units.push({ unit: e.value, building, label });
  }
  const accounts: Account[] = [];
  const phoneDigits = query.replace(/\D/g, "");
  for await (const e of kv.list<Account>({ prefix: keys.accountsAll() })) {
    const a = e.value;
    const hay = foldForSearch(`${a.firstName} ${a.lastName} ${a.identifier} ${a.email} ${a.phone}`);
    const byPhone = phoneDigits.length >= 6 && a.phone.replace(/\D/g, "").endsWith(phoneDigits);
    if (!byPhone && !matches(hay, tokens)) continue;
    if (accounts.length >= limit) {
      truncated = true;
      break;
    }
    accounts.push(a);
  }
  units.sort((a, b) =>
    a.label.localeCompare(b.label, "pl", { numeric: true }) || compareUnits(a.unit, b.unit)
  );
  return { units, accounts, truncated };
}

/** Words of a query that say nothing about which unit: the kind of street, "m.", "lok.", "nr". */
const NOISE = new Set([
  "ul",
  "ulica",
  "al",
  "aleja",
  "os",
  "osiedle",
  "pl",
  "plac",
  "m",
  "mieszkanie",
  "lok",
  "lokal",
  "nr",
]);

/**
 * Units as the office looks for them from a request: by address as people write it ("Kaz.
 * Wielkiego 12/5", "wielkiego 12 m. 5"), by an occupant's name ("Dąbrowski", "wojcik halina") or
 * by the accounting code ("KW12/7"). A word must begin a word of the unit's address, occupants or
 * code ("Kaz" finds "Kazimierza"); a number must be the building's or the unit's number exactly
 * (so "5" does not find flat 15). Every word of the query must be found.
 */
export async function searchUnits(
  kv: Deno.Kv,
  query: string,
  limit = 20,
): Promise<{ hits: UnitHit[]; truncated: boolean }> {
  const tokens = foldText(query).split(/[\s,;/]+/).map((t) => t.replace(/\.+$/, ""))
    .filter((t) => t !== "" && !NOISE.has(t));
  if (tokens.length === 0) return { hits: [], truncated: false };
  const buildings = new Map((await listBuildings(kv)).map((b) => [b.id, b]));
  const hits: UnitHit[] = [];
  let truncated = false;
  for await (const e of kv.list<Unit>({ prefix: keys.unitsAll() })) {
    const unit = e.value;
    const building = buildings.get(unit.buildingId) ?? null;
    const words = foldText(
      [
        building?.street ?? "",
        building?.city ?? "",
        unit.number,
        unitKindLabels[unit.kind],
        unit.externalId ?? "",
        ...unit.occupants,
      ].join(" "),
    ).split(/[\s,;/.\-]+/).filter(Boolean);
    const numbers = [unitKey(unit.number), building ? buildingKey(building.number) : ""];
    const found = tokens.every((t) =>
      /^\d/.test(t)
        ? numbers.includes(unitKey(t)) || numbers.includes(buildingKey(t))
        : words.some((w) => w.startsWith(t))
    );
    if (!found) continue;
    if (hits.length >= limit) {
      truncated = true;
      break;
    }
    hits.push({ unit, building, label: building ? unitAddress(building, unit) : unit.number });
  }
  hits.sort((a, b) =>
    a.label.localeCompare(b.label, "pl", { numeric: true }) || compareUnits(a.unit, b.unit)
  );
  return { hits, truncated };
}
