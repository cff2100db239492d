/**
 * Reads a unit's whole ledger for the statement pages, remembering it per process. The totals
 * record is written in the same atomic operation as every entry, so its versionstamp names the
 * set of entries: while it is unchanged, the remembered list is exact. The caller passes the
 * totals entry it read (in its own getMany); a list read after it can only be newer than that
 * stamp, so at worst the next request lists again.
 */
import { keys } from "../shared/keys.ts";
import { type LedgerEntry, type LedgerTotals, listEntries } from "./ledger.ts";

export function createLedgerReader(kv: Deno.Kv, maxUnits = 100) {
  const cache = new Map<string, { stamp: string; entries: LedgerEntry[] }>();
  return async function allEntries(
    unitId: string,
    totals?: Deno.KvEntryMaybe<LedgerTotals>,
  ): Promise<LedgerEntry[]> {
    const stamp = (totals ?? await kv.get(keys.ledgerTotals(unitId))).versionstamp ?? "empty";
    const hit = cache.get(unitId);
    if (hit && hit.stamp === stamp) {
      cache.delete(unitId);
      cache.set(unitId, hit);
      return hit.entries;
    }
    const entries = (await listEntries(kv, unitId)).entries;
    cache.set(unitId, { stamp, entries });
    if (cache.size > maxUnits) cache.delete(cache.keys().next().value!);
    return entries;
  };
}
