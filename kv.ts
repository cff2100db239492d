import { dirname } from "node:path";
import type { Config } from "./config.ts";

/**
 * Opens the configured Deno KV: a local file (its folder created), `:memory:`, a remote KV
 * URL (`https://…/connect`), or — with no path, as on Deno Deploy — the platform's own.
 */
export async function openConfiguredKv(config: Pick<Config, "kvPath">): Promise<Deno.Kv> {
  const path = config.kvPath;
  if (path && path !== ":memory:" && !/^https?:\/\//.test(path)) {
    await Deno.mkdir(dirname(path), { recursive: true });
  }
  return await Deno.openKv(path);
}
