import type { MiddlewareHandler } from "hono";
import type { AppDeps } from "../context.ts";
import { requireStaff, type StaffEnv } from "./guard.ts";

/**
 * For back-office sub-apps that may be mounted either inside the admin app (whose guard has
 * already signed the staff member in) or on their own: checks the staff session only when no
 * guard before it did, so a page costs one session check either way.
 */
export function staffOnly(deps: AppDeps): MiddlewareHandler<StaffEnv> {
  const guard = requireStaff(deps);
  return async (c, next) => {
    if (c.get("staff") && c.get("staffSession")) return await next();
    return await guard(c, next);
  };
}
