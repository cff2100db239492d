/** The cooperative's own details: shown in the page shell, e-mails, the RODO notice and QR codes. */
import { addAuditBy, type AuditBy } from "./audit.ts";
import { keys } from "../shared/keys.ts";

export type CooperativeProfile = {
  name: string;
  /** At most 20 characters: the recipient name in the transfer QR code. */
  shortName: string;
  address: string;
  email: string;
  phone: string;
  /** 10 digits or empty. */
  nip: string;
  officeHours: string;
  /** The number residents call about a failure (water, heating, a lift), shown on every page. */
  emergencyPhone: string;
};

export function defaultProfile(name: string): CooperativeProfile {
  return {
    name,
    shortName: name.slice(0, 20),
    address: "",
    email: "",
    phone: "",
    nip: "",
    officeHours: "",
    emergencyPhone: "",
  };
}

export async function getCooperativeProfile(
  kv: Deno.Kv,
  fallbackName: string,
): Promise<CooperativeProfile> {
  return profileOf(await kv.get<CooperativeProfile>(keys.settings("cooperative")), fallbackName);
}

/** The profile as stored in `entry` (read in a caller's getMany), with defaults filled in. */
export function profileOf(
  entry: Deno.KvEntryMaybe<CooperativeProfile>,
  fallbackName: string,
): CooperativeProfile {
  // A profile stored before a field existed gets the field's default.
  return { ...defaultProfile(fallbackName), ...entry.value };
}

/** Stores the profile with its audit entry, in one operation. */
export async function saveCooperativeProfile(
  kv: Deno.Kv,
  profile: CooperativeProfile,
  by?: AuditBy,
): Promise<void> {
  const op = kv.atomic()
    .set(keys.settings("cooperative"), profile)
    .set(keys.siteSettingsStamp(), "cooperative");
  addAuditBy(op, by, { action: "settings.cooperative_changed" });
  await op.commit();
}
