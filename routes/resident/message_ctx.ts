import type { Context } from "hono";
import type { MessageCtx } from "../../domain/accounts/credentials.ts";
import type { AppDeps, AppEnv } from "../context.ts";

/** What the domain needs to write an e-mail or SMS: the cooperative's profile and the site. */
export function messageCtx<E extends AppEnv>(deps: AppDeps, c: Context<E>): MessageCtx {
  return { coop: c.get("cooperative"), baseUrl: deps.config.baseUrl };
}
