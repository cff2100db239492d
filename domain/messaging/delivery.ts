/** Wires the KV queue to message delivery; used by main.ts and by tests that need real delivery. */
import type { Clock } from "../shared/clock.ts";
import { deliverMessage, isDeliverMessageJob, sweepMessages, type Transports } from "./messages.ts";
import type { Logger } from "../../platform/log.ts";

/** Starts consuming the queue; resolves when the KV is closed. */
export function listenForJobs(kv: Deno.Kv, transports: Transports, clock: Clock, log: Logger) {
  return kv.listenQueue(async (job: unknown) => {
    if (!isDeliverMessageJob(job)) {
      log.warn("unknown queue job dropped", { job });
      return;
    }
    const outcome = await deliverMessage(kv, transports, clock, job.messageId);
    if (outcome === "failed" || outcome === "retry_scheduled" || outcome === "uncertain") {
      log.warn("message not delivered", { messageId: job.messageId, outcome });
    }
  });
}

/**
 * The periodic safety net: messages overdue by a minute are delivered here directly, so
 * e-mail and SMS go out even where the platform drops or lacks queue items.
 */
export async function sweep(
  kv: Deno.Kv,
  transports: Transports,
  clock: Clock,
  log: Logger,
  /** How overdue a queued message must be: 0 without queues (the sweep is the only sender). */
  graceMs = 60_000,
) {
  const result = await sweepMessages(
    kv,
    clock,
    graceMs,
    (id) => deliverMessage(kv, transports, clock, id),
  );
  if (result.requeued || result.uncertain || result.deferred) log.info("message sweep", result);
}
