/**
 * The cooperative's settings shown on most pages: its profile (the page shell), the data
 * freshness ("stan na …") and the announcements (the resident's dashboard). Issue 17: they are
 * read from KV in every request's getMany — on resident pages in the same getMany as the
 * session and its account — so a change counts at once in every process:
 * - the profile and the freshness are single records, used as read (no cache);
 * - the announcements are a list: each process remembers it under the versionstamp of
 *   `keys.announcementsStamp()`, which every op that writes an announcement re-sets
 *   (announcements.ts), and lists them again only when that versionstamp moved.
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
export const SITE_SETTINGS_KEYS: readonly Deno.KvKey[] = [
  keys.settings("cooperative"),
  keys.settings("data_as_of"),
  keys.announcementsStamp(),
];

export type SiteSettingsReader = ReturnType<typeof createSiteSettingsReader>;

/** One per process (per app): it remembers the announcements list, see the module comment. */
export function createSiteSettingsReader(kv: Deno.Kv, fallbackName: string) {
  // Invalidated by a new versionstamp of keys.announcementsStamp() (data written before the
  // stamp existed: "none" until the first announcement write creates it).
  let remembered: { stamp: string; list: Promise<Announcement[]> } | undefined;

  function announcementsUnder(stamp: string): Promise<Announcement[]> {
    if (remembered?.stamp === stamp) return remembered.list;
    const list = listAnnouncements(kv);
    const entry = { stamp, list };
    remembered = entry;
    // A failed read is not kept.
    list.catch(() => remembered === entry && (remembered = undefined));
    return list;
  }

  /** The settings from the entries of SITE_SETTINGS_KEYS, read in the caller's getMany. */
  function settingsOf(entries: readonly Deno.KvEntryMaybe<unknown>[]): SiteSettings {
    const [profile, freshness, stamp] = entries;
    const seen = stamp.versionstamp ?? "none";
    return {
      cooperative: profileOf(profile as Deno.KvEntryMaybe<CooperativeProfile>, fallbackName),
      freshness: (freshness.value as DataFreshness | null) ?? null,
      announcements: () => announcementsUnder(seen),
    };
  }

  /** The settings in one getMany of their own (pages without a resident's session). */
  async function read(): Promise<SiteSettings> {
    return settingsOf(await kv.getMany([...SITE_SETTINGS_KEYS]));
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
