import type { Context, MiddlewareHandler } from "hono";
import { type Account, getAccount } from "../../domain/accounts/accounts.ts";
import { deleteSession, type Session, validateSession } from "../../domain/accounts/sessions.ts";
import type { Viewer } from "../../views/layout.tsx";
import type { AppDeps, AppEnv } from "../context.ts";
import { deleteSessionCookie, readSessionCookie } from "../cookies.ts";

export type ResidentEnv = {
  Variables: AppEnv["Variables"] & { account: Account; session: Session };
};

/** The signed-in resident, or null; a blocked account's session is ended on sight. */
export async function currentResident<E extends AppEnv>(
  deps: AppDeps,
  c: Context<E>,
): Promise<{ account: Account; session: Session } | null> {
  const token = readSessionCookie(c, deps.config, "resident");
  if (!token) return null;
  const session = await validateSession(deps.kv, deps.clock, "resident", token);
  if (!session) return null;
  const account = await getAccount(deps.kv, session.ownerId);
  if (!account || account.status !== "active") {
    await deleteSession(deps.kv, session);
    deleteSessionCookie(c, deps.config, "resident");
    return null;
  }
  return { account, session };
}

/**
 * Opens eBOK pages only to a signed-in resident who has set their own password; a session
 * opened with a start password leads only to /zmiana-hasla.
 */
export function requireResident(deps: AppDeps): MiddlewareHandler<ResidentEnv> {
  return async (c, next) => {
    const found = await currentResident(deps, c);
    if (!found) return c.redirect("/logowanie", 303);
    if (found.session.restricted) return c.redirect("/zmiana-hasla", 303);
    c.set("account", found.account);
    c.set("session", found.session);
    await next();
  };
}

export function residentViewer(account: Account): Viewer {
  return { name: `${account.firstName} ${account.lastName}`, logoutAction: "/wyloguj" };
}
