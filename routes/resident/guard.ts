import type { Context, MiddlewareHandler } from "hono";
import type { Account } from "../../domain/accounts/accounts.ts";
import {
  createSessionReader,
  deleteSession,
  type Session,
} from "../../domain/accounts/sessions.ts";
import { keys } from "../../domain/shared/keys.ts";
import type { Viewer } from "../../views/layout.tsx";
import { type AppDeps, type AppEnv, applySettings } from "../context.ts";
import { deleteSessionCookie, readSessionCookie } from "../cookies.ts";

export type ResidentEnv = {
  Variables: AppEnv["Variables"] & { account: Account; session: Session };
};

/** One session reader per app (per KV): it remembers which account each session belongs to. */
const readers = new WeakMap<Deno.Kv, ReturnType<typeof createSessionReader<Account>>>();

function sessionReader(deps: AppDeps) {
  let reader = readers.get(deps.kv);
  if (!reader) {
    reader = createSessionReader<Account>(deps.kv, deps.clock, "resident", keys.accounts);
    readers.set(deps.kv, reader);
  }
  return reader;
}

/**
 * The signed-in resident, or null; a blocked account's session is ended on sight. The session
 * and its account are read from KV on every request (in one getMany once the session is known),
 * with the entries of `extra` keys in the same getMany.
 */
export async function currentResident<E extends AppEnv>(
  deps: AppDeps,
  c: Context<E>,
  extra: readonly Deno.KvKey[] = [],
): Promise<
  { account: Account; session: Session; extra: Deno.KvEntryMaybe<unknown>[] } | null
> {
  const token = readSessionCookie(c, deps.config, "resident");
  if (!token) return null;
  const found = await sessionReader(deps)(token, extra);
  if (!found) return null;
  const { session, owner: account } = found;
  if (!account || account.status !== "active") {
    await deleteSession(deps.kv, session);
    deleteSessionCookie(c, deps.config, "resident");
    return null;
  }
  return { account, session, extra: found.extra };
}

/**
 * Opens eBOK pages only to a signed-in resident who has set their own password; a session
 * opened with a start password leads only to /zmiana-hasla. The cooperative's settings come
 * in the same getMany as the session and its account (the app's middleware leaves them to this
 * guard on /ebok paths, see routes/app.tsx).
 */
export function requireResident(deps: AppDeps): MiddlewareHandler<ResidentEnv> {
  return async (c, next) => {
    const settings = c.get("siteSettings");
    const found = await currentResident(deps, c, settings.keys);
    if (!found) return c.redirect("/logowanie", 303);
    if (found.session.restricted) return c.redirect("/zmiana-hasla", 303);
    applySettings(c, await settings.settingsOf(found.extra));
    c.set("account", found.account);
    c.set("session", found.session);
    await next();
  };
}

export function residentViewer(account: Account): Viewer {
  return { name: `${account.firstName} ${account.lastName}`, logoutAction: "/wyloguj" };
}
