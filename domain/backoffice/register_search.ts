/**
 * The office's search over the register: units by address or occupant, accounts by name,
 * identifier, e-mail or phone. A scan in KV order: the register of a cooperative is thousands of
 * units, not millions, and staff search rarely.
 */
import type { Account } from "../accounts/accounts.ts";
import { keys } from "../shared/keys.ts";
import { type Building, compareUnits, listBuildings, type Unit, unitAddress } from "./register.ts";

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
