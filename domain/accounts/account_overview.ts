/**
 * What the office sees of one resident account on its support page: the units with their
 * buildings, the login lockout, the open sessions, the messages sent and the events logged.
 */
import type { Account } from "./accounts.ts";
import { getLockout } from "./credentials.ts";
import { listOwnerSessions } from "./sessions.ts";
import { type AuditEntry, listAudit } from "../backoffice/audit.ts";
import { type Building, getBuilding, getUnits, type Unit } from "../backoffice/register.ts";
import { listMessagesByRef, type Message } from "../messaging/messages.ts";
import type { Clock } from "../shared/clock.ts";

export type AccountOverview = {
  units: { unit: Unit; building: Building | null }[];
  lockedUntil: Date | null;
  sessions: number;
  messages: Message[];
  audit: AuditEntry[];
};

export async function getAccountOverview(
  kv: Deno.Kv,
  clock: Clock,
  account: Account,
): Promise<AccountOverview> {
  const units = await Promise.all(
    (await getUnits(kv, account.unitIds)).map(async (unit) => ({
      unit,
      building: await getBuilding(kv, unit.buildingId),
    })),
  );
  const messages = [
    ...(account.requestId ? await listMessagesByRef(kv, `request:${account.requestId}`) : []),
    ...await listMessagesByRef(kv, `account:${account.id}`),
  ];
  // The account's events, its own and those of the access request it came from.
  const audit = (await listAudit(kv, 500)).filter((e) =>
    e.target?.id === account.id || e.actor.id === account.id ||
    (account.requestId && e.target?.id === account.requestId)
  );
  return {
    units,
    lockedUntil: await getLockout(kv, clock, account.identifier),
    sessions: (await listOwnerSessions(kv, clock, "resident", account.id)).length,
    messages,
    audit,
  };
}
