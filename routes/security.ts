import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { Config } from "../platform/config.ts";
import type { AppEnv } from "./context.ts";

/** Headers every response carries: a CSP with no inline code, HSTS in production. */
export function securityHeaders(
  config: Config,
  options: {
    /** Other sites a form's answer may redirect to: the payment gateway's payment pages. */
    formActionOrigins?: readonly string[];
  } = {},
): MiddlewareHandler<AppEnv> {
  const own = new URL(config.baseUrl).origin;
  const formTargets = (options.formActionOrigins ?? []).filter((o) => o !== own);
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      // The pay form answers with a redirect to the payment gateway, and Chromium applies
      // form-action to the redirect too: without the gateway's origin the payment never starts.
      formAction: ["'self'", ...new Set(formTargets)],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    strictTransportSecurity: config.env === "production"
      ? "max-age=31536000; includeSubDomains"
      : false,
    referrerPolicy: "same-origin",
    xFrameOptions: "DENY",
    crossOriginResourcePolicy: "same-origin",
    crossOriginOpenerPolicy: "same-origin",
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
  });
}

/**
 * Paths that take state-changing requests from other sites or in other formats, checked by
 * their own means instead (a signature, a token). Exact paths, no prefixes, each with a reason.
 */
export const CSRF_EXEMPT_PATHS: readonly string[] = [
  // The payment gateway's notification: a server-to-server JSON POST, trusted only through its
  // signature and the gateway's verify call (routes/public/payment_notification.ts).
  "/platnosci/przelewy24",
];

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

/**
 * Cross-site request forgery, whatever the content type (hono/csrf lets any type but forms and
 * text through: a cross-site JSON POST passed it). On every unsafe method outside the exempt
 * paths:
 * - `Origin`, where sent, must be this site (the public origin or the one the request came to);
 * - `Sec-Fetch-Site`, where sent, must be `same-origin` (or `none`: the user's own action, such as
 *   resending a form on reload — never another site's doing);
 * - a `Referer` from another site is refused;
 * - the body, if any, must be a form (`application/x-www-form-urlencoded` or
 *   `multipart/form-data`): every page posts forms, so JSON, text or XML here is not ours.
 * A request with none of those headers is not from a browser page: session cookies are
 * `SameSite=Lax` besides, so such a request carries no victim's session. The JSON API (/api)
 * is mounted before this and checks its bearer tokens instead.
 */
export function csrfProtection(
  config: Config,
  options: { exemptPaths?: readonly string[] } = {},
): MiddlewareHandler<AppEnv> {
  const exempt = new Set(options.exemptPaths ?? CSRF_EXEMPT_PATHS);
  const isExempt = (path: string) => exempt.has(path);
  const ours = (origin: string, c: Context) =>
    origin === config.baseUrl || origin === new URL(c.req.url).origin;
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || isExempt(c.req.path)) return await next();
    const origin = c.req.header("origin");
    const site = c.req.header("sec-fetch-site");
    if (
      (origin !== undefined && !ours(origin, c)) ||
      (site !== undefined && site !== "same-origin" && site !== "none") ||
      foreignReferer(c, config)
    ) {
      throw new HTTPException(403, { message: "cross-site request" });
    }
    if (!isFormBody(c)) throw new HTTPException(415, { message: "not a form body" });
    return await next();
  };
}

/** A form's content type, or no body at all (a POST without fields from a script). */
function isFormBody(c: Context): boolean {
  const type = c.req.header("content-type");
  if (type === undefined) {
    const length = c.req.header("content-length");
    return c.req.raw.body === null || length === "0";
  }
  return FORM_TYPES.has(type.split(";")[0].trim().toLowerCase());
}

function foreignReferer(c: Context, config: Config): boolean {
  const referer = c.req.header("referer");
  if (!referer) return false;
  try {
    const origin = new URL(referer).origin;
    return origin !== config.baseUrl && origin !== new URL(c.req.url).origin;
  } catch {
    return true;
  }
}

/** A path segment of ours: route words, ULIDs, file names. Nothing else reaches a handler. */
const PATH_SEGMENT = /^[A-Za-z0-9._~-]{1,64}$/;

/** Whether a (decoded) path segment may reach a route. */
export function isPlainPathSegment(segment: string): boolean {
  return PATH_SEGMENT.test(segment);
}

/**
 * Ids in URLs are validated before any route uses them: a path whose segments are not plain
 * words (a CR/LF, a space, a quote, non-ASCII, an encoded slash, 65+ characters) answers 404
 * before routing. Every `:id` route is covered at once, and no such id can reach a KV key, a
 * log line or a `Location` header (`/admin/konta/%0d%0aX/blokuj` answered 500 from a redirect).
 */
export function validPathSegments(
  onInvalid: (c: Context<AppEnv>) => Response | Promise<Response>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const raw = new URL(c.req.url).pathname;
    for (const part of raw.split("/")) {
      if (part === "") continue;
      let segment: string;
      try {
        segment = decodeURIComponent(part);
      } catch {
        return await onInvalid(c);
      }
      if (!isPlainPathSegment(segment)) return await onInvalid(c);
    }
    return await next();
  };
}

/** Form posts are small; the few routes that take files set their own larger limit. */
export function requestSizeLimit(
  onTooLarge: (c: Context<AppEnv>) => Response | Promise<Response>,
  largeBodyPrefixes: string[] = [],
  /**
   * Forms that carry files, each path (and the paths below it) with its own limit (see
   * uploadBodyLimit in files.ts).
   */
  uploads: { path: string; maxSize: number }[] = [],
): MiddlewareHandler<AppEnv> {
  const small = bodyLimit({ maxSize: 64 * 1024, onError: onTooLarge });
  const large = bodyLimit({ maxSize: 20 * 1024 * 1024, onError: onTooLarge });
  const perUpload = uploads.map((u) => ({
    path: u.path,
    limit: bodyLimit({ maxSize: u.maxSize, onError: onTooLarge }),
  }));
  return (c, next) => {
    const upload = perUpload.find((u) =>
      c.req.path === u.path || c.req.path.startsWith(`${u.path}/`)
    );
    if (upload) return upload.limit(c, next);
    return largeBodyPrefixes.some((p) => c.req.path.startsWith(p))
      ? large(c, next)
      : small(c, next);
  };
}

/** Dynamic pages hold personal data: nothing is stored by browsers or proxies unless a route says so. */
export const noStoreByDefault: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
};
