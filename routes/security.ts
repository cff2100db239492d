import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";
import type { Config } from "../platform/config.ts";
import type { AppEnv } from "./context.ts";

/** Headers every response carries: a CSP with no inline code, HSTS in production. */
export function securityHeaders(config: Config): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
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
 * hono/csrf on every unsafe method. A browser always sends `Origin` or `Sec-Fetch-Site` with a
 * form POST, and those must say "this site" (the public origin or the one the request came to).
 * A request with neither, and no foreign `Referer`, is not from a browser page: session cookies
 * are `SameSite=Lax` besides, so such a request carries no session of a victim.
 */
export function csrfProtection(config: Config): MiddlewareHandler<AppEnv> {
  const guard = csrf({
    origin: (origin, c) => origin === config.baseUrl || origin === new URL(c.req.url).origin,
  });
  return async (c, next) => {
    const fromBrowser = c.req.header("origin") !== undefined ||
      c.req.header("sec-fetch-site") !== undefined ||
      foreignReferer(c, config);
    if (!fromBrowser) return await next();
    return await guard(c, next);
  };
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

/** Form posts are small; the few routes that take files set their own larger limit. */
export function requestSizeLimit(
  onTooLarge: (c: Context<AppEnv>) => Response | Promise<Response>,
  largeBodyPrefixes: string[] = [],
): MiddlewareHandler<AppEnv> {
  const small = bodyLimit({ maxSize: 64 * 1024, onError: onTooLarge });
  const large = bodyLimit({ maxSize: 20 * 1024 * 1024, onError: onTooLarge });
  return (c, next) =>
    largeBodyPrefixes.some((p) => c.req.path.startsWith(p)) ? large(c, next) : small(c, next);
}

/** Dynamic pages hold personal data: nothing is stored by browsers or proxies unless a route says so. */
export const noStoreByDefault: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
};
