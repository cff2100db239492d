import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Config } from "../platform/config.ts";
import type { SessionKind } from "../domain/accounts/sessions.ts";

/**
 * Session cookies: `__Host-` prefixed, Secure in production (plain http on localhost in
 * development cannot carry either); always HttpOnly, SameSite=Lax, Path=/.
 */
const names: Record<SessionKind, string> = { resident: "ebok_session", staff: "ebok_staff" };

function secure(config: Config) {
  return config.env === "production";
}

export function readSessionCookie(c: Context, config: Config, kind: SessionKind) {
  return secure(config) ? getCookie(c, names[kind], "host") : getCookie(c, names[kind]);
}

export function setSessionCookie(c: Context, config: Config, kind: SessionKind, token: string) {
  setCookie(c, names[kind], token, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: secure(config),
    ...(secure(config) ? { prefix: "host" as const } : {}),
  });
}

export function deleteSessionCookie(c: Context, config: Config, kind: SessionKind) {
  deleteCookie(c, names[kind], {
    path: "/",
    secure: secure(config),
    ...(secure(config) ? { prefix: "host" as const } : {}),
  });
}
