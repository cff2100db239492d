/** Every import kind, by name. */
import { feeRatesImport } from "./fee_rates.ts";
import { ledgerImport } from "./ledger.ts";
import { metersImport } from "./meters.ts";
import { readingsImport } from "./readings.ts";
import { settlementsImport } from "./settlements.ts";
import type { ImportKind, ImportKindDef } from "./types.ts";
import { unitsImport } from "./units.ts";

// deno-lint-ignore no-explicit-any
export const importKindDefs: Record<ImportKind, ImportKindDef<any, any>> = {
  units: unitsImport,
  ledger: ledgerImport,
  meters: metersImport,
  readings: readingsImport,
  settlements: settlementsImport,
  fee_rates: feeRatesImport,
};
