import type { Config } from "../platform/config.ts";
import type { Clock } from "../domain/shared/clock.ts";
import type { CooperativeProfile } from "../domain/backoffice/cooperative.ts";
import type { Announcement } from "../domain/backoffice/announcements.ts";
import type { DataFreshness } from "../domain/backoffice/data_freshness.ts";
import type { PasswordHasher } from "../domain/accounts/password.ts";
import type { Logger } from "../platform/log.ts";
import type { PaymentGateway } from "../adapters/payment_gateway.ts";
import type { RegionCache } from "./page_regions.ts";

/** What every route needs, built once in main.ts (or a test) and passed down. */
export type AppDeps = {
  config: Config;
  kv: Deno.Kv;
  clock: Clock;
  log: Logger;
  hasher: PasswordHasher;
  /** Online payment (docs/payments.md); undefined: the cooperative takes none. */
  paymentGateway?: PaymentGateway;
};

/** Settings read on most pages, cached for a few seconds in this process. */
export type CachedSettings = {
  cooperative(): Promise<CooperativeProfile>;
  freshness(): Promise<DataFreshness | null>;
  /** Every announcement, newest first (the dashboard filters them per resident). */
  announcements(): Promise<Announcement[]>;
  /** After a change in this process: forget at once (other processes follow within the TTL). */
  clear(): void;
};

export type AppEnv = {
  Variables: {
    requestId: string;
    cooperative: CooperativeProfile;
    settings: CachedSettings;
    /** Rendered page regions of this app (page_regions.ts); unset in bare sub-app tests. */
    regions?: RegionCache;
    /** The client accepts gzip (set by `responseHeaders` before any handler runs). */
    gzip?: boolean;
  };
};
