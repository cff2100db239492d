/**
 * When the accounting data were last brought in from the cooperative's accounting system:
 * every balance view says "stan na …". Imports (and the demo seed) set it.
 */
import { keys } from "../shared/keys.ts";

export type DataFreshness = { asOf: string; source: string };

export async function getDataFreshness(kv: Deno.Kv): Promise<DataFreshness | null> {
  return (await kv.get<DataFreshness>(keys.settings("data_as_of"))).value;
}

export async function setDataFreshness(kv: Deno.Kv, freshness: DataFreshness) {
  await kv.set(keys.settings("data_as_of"), freshness);
}
