import type { Config } from "../platform/config.ts";
import type { Clock } from "../domain/shared/clock.ts";
import type { CooperativeProfile } from "../domain/backoffice/cooperative.ts";
import type { Context } from "hono";
import type { Announcement } from "../domain/backoffice/announcements.ts";
import type { SiteSettings, SiteSettingsReader } from "../domain/backoffice/site_settings.ts";
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

/** The settings of this request, read from KV with it (domain/backoffice/site_settings.ts). */
export type RequestSettings = {
  freshness(): Promise<DataFreshness | null>;
  /** Every announcement, newest first (the dashboard filters them per resident). */
  announcements(): Promise<Announcement[]>;
};

export type AppEnv = {
  Variables: {
    requestId: string;
    /** Set by the app's middleware, on resident pages by their guard (applySettings). */
    cooperative: CooperativeProfile;
    settings: RequestSettings;
    /** The app's reader, for the resident guard to fold the settings into its own getMany. */
    siteSettings: SiteSettingsReader;
    /** Rendered page regions of this app (page_regions.ts); unset in bare sub-app tests. */
    regions?: RegionCache;
    /** The client accepts gzip (set by `responseHeaders` before any handler runs). */
    gzip?: boolean;
  };
};

/** Makes the settings read in this request available to handlers, synchronously. */
export function applySettings<E extends AppEnv>(c: Context<E>, s: SiteSettings) {
  c.set("cooperative", s.cooperative);
  c.set("settings", {
    freshness: () => Promise.resolve(s.freshness),
    announcements: s.announcements,
  });
}
