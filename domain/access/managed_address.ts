/**
 * Before a registration is sent: does the cooperative manage the street and building typed?
 *
 * What it may say, and why no more: the register's streets are offered on the form anyway, and
 * which buildings the cooperative manages is written on every one of them — so the answer is
 * "street managed or not" and "building managed or not" (with the numbers on that street). It
 * never looks at flats or at who lives anywhere: no answer depends on whether a flat exists or
 * who holds it, so the form cannot be used to find out either. The office's name check comes
 * later, on the request's card.
 */
import { matchAddress } from "../backoffice/register.ts";

export type AddressCheck =
  /** Nothing to check against (an empty register) or nothing typed yet: say nothing. */
  | { status: "not_checked"; managed: true }
  /** The register has no building on a street like the one typed. */
  | { status: "unknown_street"; managed: false }
  /** The street is the cooperative's; no building number typed yet. */
  | { status: "street"; managed: true; streets: string[]; numbers: string[] }
  /** The street is the cooperative's, the building number is not among its buildings. */
  | { status: "unknown_building"; managed: false; streets: string[]; numbers: string[] }
  /** The building is the cooperative's (as the register names it). */
  | { status: "managed"; managed: true; street: string; number: string };

/** At most this many building numbers are listed for a street. */
const MAX_NUMBERS = 20;

export async function checkManagedAddress(
  kv: Deno.Kv,
  street: string,
  building: string,
): Promise<AddressCheck> {
  if (street.trim().length < 2) return { status: "not_checked", managed: true };
  const m = await matchAddress(kv, { street, building });
  if (m.emptyRegister) return { status: "not_checked", managed: true };
  if (m.streets.length === 0) return { status: "unknown_street", managed: false };
  const numbers = [...new Set(m.streetBuildings.map((b) => b.number))].slice(0, MAX_NUMBERS);
  if (building.trim() === "") {
    return { status: "street", managed: true, streets: m.streets, numbers };
  }
  const found = m.buildings[0];
  if (!found) return { status: "unknown_building", managed: false, streets: m.streets, numbers };
  return { status: "managed", managed: true, street: found.street, number: found.number };
}
