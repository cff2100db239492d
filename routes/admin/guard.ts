import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Actor } from "../../domain/backoffice/audit.ts";
import { deleteSession, type Session, validateSession } from "../../domain/accounts/sessions.ts";
import { getStaff, type Staff, type StaffRole } from "../../domain/accounts/staff.ts";
import type { Viewer } from "../../views/layout.tsx";
import type { AppDeps, AppEnv } from "../context.ts";
import { deleteSessionCookie, readSessionCookie } from "../cookies.ts";

export type StaffEnv = {
  Variables: AppEnv["Variables"] & { staff: Staff; staffSession: Session };
};

/** Opens /admin pages to signed-in, active staff; `roles` narrows it further. */
export function requireStaff(deps: AppDeps, roles?: StaffRole[]): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    const token = readSessionCookie(c, deps.config, "staff");
    const session = token ? await validateSession(deps.kv, deps.clock, "staff", token) : null;
    const staff = session ? await getStaff(deps.kv, session.ownerId) : null;
    if (!session || !staff || !staff.active) {
      if (session) await deleteSession(deps.kv, session);
      if (token) deleteSessionCookie(c, deps.config, "staff");
      return c.redirect("/admin/logowanie", 303);
    }
    if (roles && !roles.includes(staff.role)) {
      throw new HTTPException(403, { message: "role" });
    }
    c.set("staff", staff);
    c.set("staffSession", session);
    await next();
  };
}

export function staffActor(staff: Staff): Actor {
  return { kind: "staff", id: staff.id, label: `${staff.name} (${staff.login})` };
}

export function staffViewer(staff: Staff): Viewer {
  return {
    name: `${staff.name} · biuro`,
    logoutAction: "/admin/wyloguj",
    accountHref: "/admin/haslo",
  };
}
