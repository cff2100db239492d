/**
 * When the accounting data were last brought in from the cooperative's accounting system:
 * every balance view says "stan na …". Imports (and the demo seed) set it.
 */
import { keys } from "../shared/keys.ts";

export type DataFreshness = { asOf: string; source: string };

export async function getDataFreshness(kv: Deno.Kv): Promise<DataFreshness | null> {
  return (await kv.get<DataFreshness>(keys.settings("data_as_of"))).value;
}

/** With the site settings' stamp, so every process shows the new date at once. */
export async function setDataFreshness(kv: Deno.Kv, freshness: DataFreshness) {
  await kv.atomic()
    .set(keys.settings("data_as_of"), freshness)
    .set(keys.siteSettingsStamp(), "data_as_of")
    .commit();
}
