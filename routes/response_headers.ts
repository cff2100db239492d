/**
 * Every response's headers, set before the Response is built (issue 17): changing headers of a
 * finished Response makes Hono build it again around its body, so the security headers, the
 * `no-store` default and `Vary` go into the context first and the handler's response is created
 * with them. Compression happens only when the client accepts gzip, and builds one new Response.
 */
import { gzipSync } from "node:zlib";
import { Hono, type MiddlewareHandler } from "hono";
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from "hono/utils/compress";
import type { Config } from "../platform/config.ts";
import type { AppEnv } from "./context.ts";
import { securityHeaders } from "./security.ts";
import { COMPRESS_FROM_BYTES, GZIP_LEVEL } from "./page_regions.ts";

/** What `securityHeaders` takes besides the config (the payment gateway's origin for CSP). */
type SecurityOptions = NonNullable<Parameters<typeof securityHeaders>[1]>;

/** The headers `securityHeaders` sets, captured once from a response it handled. */
async function securityHeaderList(
  config: Config,
  options: SecurityOptions,
): Promise<[string, string][]> {
  const probe = new Hono();
  probe.use(securityHeaders(config, options));
  probe.get("/", (c) => c.body(null));
  const res = await probe.request("/");
  return [...res.headers.entries()].filter(([k]) => k !== "content-type");
}

/** `gzip` in Accept-Encoding with a non-zero weight. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(",").some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (name.trim() !== "gzip" && name.trim() !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * The security headers, `Cache-Control: no-store` (dynamic pages hold personal data; a route
 * that may be cached sets its own) and `Vary: Accept-Encoding`, set before the handler runs;
 * a Response a handler built by itself (not through the context) gets whichever it lacks, on its
 * own headers. Then gzip, when accepted and worth it.
 */
export function responseHeaders(
  config: Config,
  options: SecurityOptions = {},
): MiddlewareHandler<AppEnv> {
  let list: Promise<[string, string][]> | undefined;
  return async (c, next) => {
    const headers = await (list ??= securityHeaderList(config, options));
    for (const [k, v] of headers) c.header(k, v);
    c.header("Cache-Control", "no-store");
    c.header("Vary", "Accept-Encoding");
    const gzip = acceptsGzip(c.req.header("Accept-Encoding"));
    c.set("gzip", gzip);
    await next();
    const res = c.res;
    for (const [k, v] of headers) if (!res.headers.has(k)) res.headers.set(k, v);
    if (!res.headers.has("Cache-Control")) res.headers.set("Cache-Control", "no-store");
    if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(res.headers.get("Vary") ?? "")) {
      res.headers.append("Vary", "Accept-Encoding");
    }
    // Pages (renderPage) come compressed already; this is for the rest.
    if (!gzip || !worthCompressing(c.req.method, res)) return;
    // The whole body, compressed in one call of the runtime's zlib (node:zlib, native): a
    // CompressionStream costs ten times as much per page, and a byte body takes the server's
    // fast path where a stream does not. Only text types get here, pages of a few dozen KiB.
    const raw = new Uint8Array(await res.arrayBuffer());
    const out = new Headers(res.headers);
    out.delete("Content-Length");
    let body: Uint8Array = raw;
    if (raw.length >= COMPRESS_FROM_BYTES) {
      body = gzipSync(raw, { level: GZIP_LEVEL });
      out.set("Content-Encoding", "gzip");
      const etag = out.get("ETag");
      if (etag && !etag.startsWith("W/")) out.set("ETag", `W/${etag}`);
    }
    // Unset first: Hono's setter would otherwise copy the old headers (Content-Length) back.
    (c as { res: Response | undefined }).res = undefined;
    c.res = new Response(body as Uint8Array<ArrayBuffer>, {
      status: res.status,
      statusText: res.statusText,
      headers: out,
    });
  };
}

function worthCompressing(method: string, res: Response): boolean {
  // Not `res.body`: reading that getter turns a byte body into a stream, and the server then
  // sends the response on its slow path (about 250 µs more per page, seen in a profile).
  if (method === "HEAD" || [204, 206, 304].includes(res.status)) return false;
  if (res.headers.has("Content-Encoding") || res.headers.has("Transfer-Encoding")) return false;
  const length = res.headers.get("Content-Length");
  if (length !== null && Number(length) < COMPRESS_FROM_BYTES) return false;
  if (/(^|,)\s*no-transform\s*(,|$)/i.test(res.headers.get("Cache-Control") ?? "")) return false;
  return COMPRESSIBLE_CONTENT_TYPE_REGEX.test(res.headers.get("Content-Type") ?? "");
}
