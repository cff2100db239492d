import type { Config } from "../config.ts";
import type { Clock } from "../domain/clock.ts";
import type { CooperativeProfile } from "../domain/cooperative.ts";
import type { PasswordHasher } from "../domain/password.ts";
import type { Logger } from "../log.ts";

/** What every route needs, built once in main.ts (or a test) and passed down. */
export type AppDeps = {
  config: Config;
  kv: Deno.Kv;
  clock: Clock;
  log: Logger;
  hasher: PasswordHasher;
};

export type AppEnv = {
  Variables: {
    requestId: string;
    cooperative: CooperativeProfile;
  };
};
