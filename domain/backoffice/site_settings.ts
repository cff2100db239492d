/**
 * The cooperative's settings shown on most pages: its profile (the page shell), the data
 * freshness ("stan na …") and the announcements (the resident's dashboard). Issue 17: every
 * request reads one record, `keys.siteSettingsStamp()` — on resident pages in the same getMany
 * as the session and its account — and each process keeps the three under that record's
 * versionstamp. Every op that writes the profile, the freshness or an announcement re-sets the
 * stamp in the same atomic operation (cooperative.ts, data_freshness.ts, imports.ts,
 * announcements.ts), so a change counts at once in every process, for one key per request
 * instead of three.
 */
import type { Announcement } from "./announcements.ts";
import { listAnnouncements } from "./announcements.ts";
import { type CooperativeProfile, defaultProfile, profileOf } from "./cooperative.ts";
import type { DataFreshness } from "./data_freshness.ts";
import { keys } from "../shared/keys.ts";

/** One request's settings. */
export type SiteSettings = {
  cooperative: CooperativeProfile;
  freshness: DataFreshness | null;
  /** Every announcement, newest first (the dashboard filters them per resident). */
  announcements(): Promise<Announcement[]>;
};

/** The keys to add to a request's getMany; `settingsOf` takes their entries, in this order. */
export const SITE_SETTINGS_KEYS: readonly Deno.KvKey[] = [keys.siteSettingsStamp()];

export type SiteSettingsReader = ReturnType<typeof createSiteSettingsReader>;

/** One per process (per app): it remembers the settings, see the module comment. */
export function createSiteSettingsReader(kv: Deno.Kv, fallbackName: string) {
  // Invalidated by a new versionstamp of keys.siteSettingsStamp() (data written before the
  // stamp existed: "none" until the first write of any of the three creates it).
  let remembered: { stamp: string; settings: Promise<SiteSettings> } | undefined;

  async function load(): Promise<SiteSettings> {
    const [profile, freshness] = await kv.getMany<[CooperativeProfile, DataFreshness]>([
      keys.settings("cooperative"),
      keys.settings("data_as_of"),
    ]);
    let list: Promise<Announcement[]> | undefined;
    return {
      cooperative: profileOf(profile, fallbackName),
      freshness: freshness.value ?? null,
      // Listed on first use (only the dashboard shows them), then kept with the rest.
      announcements: () => {
        if (!list) {
          const listed = listAnnouncements(kv);
          // A failed read is not kept.
          listed.catch(() => list === listed && (list = undefined));
          list = listed;
        }
        return list;
      },
    };
  }

  /** The settings under the stamp's entry, read in the caller's getMany. */
  function settingsOf(entries: readonly Deno.KvEntryMaybe<unknown>[]): Promise<SiteSettings> {
    const stamp = entries[0].versionstamp ?? "none";
    if (remembered?.stamp === stamp) return remembered.settings;
    const entry = { stamp, settings: load() };
    remembered = entry;
    // A failed read is not kept.
    entry.settings.catch(() => remembered === entry && (remembered = undefined));
    return entry.settings;
  }

  /** The settings after a getMany of their own (pages without a resident's session). */
  async function read(): Promise<SiteSettings> {
    return await settingsOf(await kv.getMany([...SITE_SETTINGS_KEYS]));
  }

  /** The defaults, for an error page while the storage fails. */
  function defaults(): SiteSettings {
    return {
      cooperative: defaultProfile(fallbackName),
      freshness: null,
      announcements: () => Promise.resolve([]),
    };
  }

  return { keys: SITE_SETTINGS_KEYS, settingsOf, read, defaults };
}
