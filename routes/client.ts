import type { Context } from "hono";
import { getConnInfo } from "hono/deno";

/**
 * The client's address for rate limits and the audit log. `X-Forwarded-For` is believed only
 * when the operator says a reverse proxy stands in front (EBOK_TRUST_PROXY=1): then its last
 * entry is the address the proxy saw.
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(
      Boolean,
    );
    if (forwarded?.length) return forwarded[forwarded.length - 1];
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
