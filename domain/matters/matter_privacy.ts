/**
 * Matters and the GDPR (RODO): what a resident's data export holds of their matters (art. 15),
 * and how long closed matters are kept (art. 5(1)(e)).
 *
 *   ["settings", "matter_retention"]  { days }: closed matters older than this are deleted
 *
 * The export holds the matters the account opened: the matter, its thread (replies and status
 * changes, as the resident sees them) and its attachments' names, types and sizes. The office's
 * internal notes and the staff member assigned are the office's working data, never shown to
 * residents, and stay out.
 */
import { type Actor, addAudit, addAuditBy, type AuditBy } from "../backoffice/audit.ts";
import type { FileStore } from "../files/file_store.ts";
import type { Clock } from "../shared/clock.ts";
import { keys } from "../shared/keys.ts";
import {
  getMatter,
  isOpenStatus,
  listMatterEntries,
  type Matter,
  type MatterEntry,
} from "./matters.ts";

const DAY_MS = 24 * 60 * 60_000;

/** Two years after closing, when the office has set nothing else. */
export const DEFAULT_MATTER_RETENTION_DAYS = 730;
export const MIN_MATTER_RETENTION_DAYS = 30;
export const MAX_MATTER_RETENTION_DAYS = 3650;

/** A thread larger than this is deleted in batches before the matter's own operation. */
const MAX_MUTATIONS = 900;

export type ExportedMatter =
  & Omit<Matter, "assignedTo" | "attachmentIds">
  & {
    thread: MatterEntry[];
    attachments: { id: string; name: string; type: string; size: number; createdAt: string }[];
  };

/** The matters the account opened, oldest first, without the office's internal data. */
export async function exportMattersOfAccount(
  kv: Deno.Kv,
  files: FileStore,
  accountId: string,
): Promise<ExportedMatter[]> {
  const out: ExportedMatter[] = [];
  for await (const e of kv.list<string>({ prefix: keys.mattersByAccountAll(accountId) })) {
    const matter = await getMatter(kv, e.value);
    if (!matter || matter.accountId !== accountId) continue;
    const [thread, stored] = await Promise.all([
      listMatterEntries(kv, matter.id),
      files.listByOwner({ kind: "matter", id: matter.id }),
    ]);
    const { assignedTo: _assigned, attachmentIds, ...rest } = matter;
    out.push({
      ...rest,
      thread,
      attachments: stored.filter((f) => attachmentIds.includes(f.id)).map((f) => ({
        id: f.id,
        name: f.name,
        type: f.type,
        size: f.size,
        createdAt: f.createdAt,
      })),
    });
  }
  return out;
}

export async function getMatterRetentionDays(kv: Deno.Kv): Promise<number> {
  const stored = (await kv.get<{ days: number }>(keys.settings("matter_retention"))).value;
  return stored?.days ?? DEFAULT_MATTER_RETENTION_DAYS;
}

export type SaveRetentionResult = { ok: true } | { ok: false; message: string };

/** Stores the retention period with its audit entry, in one operation. */
export async function saveMatterRetentionDays(
  kv: Deno.Kv,
  input: string,
  by: AuditBy,
): Promise<SaveRetentionResult> {
  const days = Number(input.trim());
  if (
    !/^\d{1,5}$/.test(input.trim()) || days < MIN_MATTER_RETENTION_DAYS ||
    days > MAX_MATTER_RETENTION_DAYS
  ) {
    return {
      ok: false,
      message:
        `Podaj liczbę dni od ${MIN_MATTER_RETENTION_DAYS} do ${MAX_MATTER_RETENTION_DAYS} (np. 730 to dwa lata).`,
    };
  }
  const op = kv.atomic().set(keys.settings("matter_retention"), { days });
  addAuditBy(op, by, { action: "matter.retention_changed", details: { days } });
  await op.commit();
  return { ok: true };
}

export type MatterPurgeResult = { matters: number; attachments: number; retentionDays: number };

const system: Actor = { kind: "system", label: "retencja danych (RODO)" };

/**
 * Deletes matters closed (zakończone or odrzucone) more than the retention period ago: the
 * matter, its index keys, its thread, its internal notes and its attachments (through the file
 * store, whose sweep deletes the chunks), with an audit entry naming the number only, in one
 * operation that checks the matter has not changed. Meant to run daily; safe to run twice.
 */
export async function purgeClosedMatters(
  kv: Deno.Kv,
  clock: Clock,
  files: FileStore,
): Promise<MatterPurgeResult> {
  const retentionDays = await getMatterRetentionDays(kv);
  const cutoff = clock().getTime() - retentionDays * DAY_MS;
  const due: string[] = [];
  for await (const e of kv.list<Matter>({ prefix: keys.mattersAll() })) {
    const m = e.value;
    if (!isOpenStatus(m.status) && Date.parse(m.closedAt ?? m.updatedAt) <= cutoff) due.push(m.id);
  }
  let matters = 0;
  let attachments = 0;
  for (const id of due) {
    const removed = await purgeMatter(kv, clock, files, id, retentionDays);
    if (removed !== null) {
      matters++;
      attachments += removed;
    }
  }
  // The purged attachments' chunks go now rather than at the next file sweep.
  if (attachments > 0) await files.sweep();
  return { matters, attachments, retentionDays };
}

/** One matter's deletion; the number of attachments removed, or null when it did not commit. */
async function purgeMatter(
  kv: Deno.Kv,
  clock: Clock,
  files: FileStore,
  id: string,
  retentionDays: number,
): Promise<number | null> {
  const entry = await kv.get<Matter>(keys.matters(id));
  const matter = entry.value;
  if (!matter || isOpenStatus(matter.status)) return null;
  const threadKeys: Deno.KvKey[] = [];
  for (const prefix of [keys.matterEntriesAll(id), keys.matterNotesAll(id)]) {
    for await (const e of kv.list({ prefix })) threadKeys.push(e.key);
  }
  // A very long thread goes first, in batches; the matter's operation then takes the rest.
  while (threadKeys.length > MAX_MUTATIONS) {
    const op = kv.atomic();
    for (const key of threadKeys.splice(0, MAX_MUTATIONS)) op.delete(key);
    await op.commit();
  }
  const stored = (await files.listByOwner({ kind: "matter", id }))
    .filter((f) => f.owner.kind === "matter" && f.owner.id === id);
  const op = kv.atomic().check(entry)
    .delete(keys.matters(id))
    .delete(keys.mattersByAccount(matter.accountId, id));
  if (matter.unitId) op.delete(keys.mattersByUnit(matter.unitId, id));
  for (const key of threadKeys) op.delete(key);
  for (const file of stored) files.removeWithin(op, file);
  addAudit(op, clock, {
    actor: system,
    action: "matter.purged",
    target: { kind: "account", id: matter.accountId },
    details: {
      matterId: id,
      number: matter.number,
      closedAt: matter.closedAt ?? matter.updatedAt,
      attachments: stored.length,
      retentionDays,
    },
  });
  return (await op.commit()).ok ? stored.length : null;
}
