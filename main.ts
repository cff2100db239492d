/** Composition root: config → KV → adapters → app → Deno.serve. */
import { createDevOutbox } from "./adapters/dev_outbox.ts";
import { createResendMailer } from "./adapters/resend_mailer.ts";
import { createTwilioSms } from "./adapters/twilio_sms.ts";
import { createApp } from "./routes/app.tsx";
import { ConfigError, loadConfig } from "./platform/config.ts";
import { listenForJobs, sweep } from "./domain/messaging/delivery.ts";
import { resumeUnfinishedAnnouncementEmails } from "./domain/backoffice/announcements.ts";
import { clockStartingOn, systemClock } from "./domain/shared/clock.ts";
import { getCooperativeProfile } from "./domain/backoffice/cooperative.ts";
import { purgeRejectedRequests } from "./domain/backoffice/gdpr.ts";
import { purgeClosedMatters } from "./domain/matters/matter_privacy.ts";
import { resumeImports } from "./domain/backoffice/imports.ts";
import { seedDemoIfEmpty } from "./domain/demo/demo.ts";
import { defaultRetry, type Transports } from "./domain/messaging/messages.ts";
import { createPasswordHasher } from "./domain/accounts/password.ts";
import { openConfiguredKv, withoutQueues, writeProbe } from "./platform/kv.ts";
import { createLogger } from "./platform/log.ts";
import { configuredPaymentGateway } from "./adapters/przelewy24.ts";
import { paymentSweep } from "./domain/payments/confirmation.ts";
import { kvFileStore, sweepFiles } from "./domain/files/kv_file_store.ts";
import {
  sendPaymentBookedNotices,
  sendPaymentReminders,
} from "./domain/messaging/payment_notices.ts";

let config;
try {
  config = loadConfig(Deno.env.toObject());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`eBOK cannot start: ${error.message}`);
  Deno.exit(1);
}

const log = createLogger();
// EBOK_TODAY (development and tests only; refused in production) moves the clock to that day.
const clock = config.today ? clockStartingOn(config.today) : systemClock;
let opened: Deno.Kv;
try {
  opened = await openConfiguredKv(config);
} catch (error) {
  console.error(
    `eBOK cannot start: the KV store ${config.kvPath ?? "(platform default)"} cannot be opened: ${
      error instanceof Error ? error.message : String(error)
    }`,
  );
  Deno.exit(1);
}
// A KV that opens but cannot be written (a read-only folder or file, a full disk) would answer
// every registration with an error: stop here with one line instead.
const unwritable = await writeProbe(opened);
if (unwritable) {
  console.error(
    `eBOK cannot start: the KV store ${
      config.kvPath ?? "(platform default)"
    } cannot be written: ${unwritable}`,
  );
  Deno.exit(1);
}
const kv = config.queues ? opened : withoutQueues(opened);
const hasher = createPasswordHasher();

const outbox = createDevOutbox(kv, clock);
const transports: Transports = {
  mailer: config.resend ? createResendMailer(config.resend) : outbox,
  sms: config.twilio ? createTwilioSms(config.twilio) : outbox,
  ...defaultRetry,
};
if (config.queues) listenForJobs(kv, transports, clock, log);
// An import interrupted by a crash or a restart continues where it stopped.
const resume = () =>
  resumeImports(kv, clock).catch((error) =>
    log.error("import resume failed", { error: String(error) })
  );
resume();
Deno.cron("eBOK message sweep", "* * * * *", async () => {
  await sweep(kv, transports, clock, log, config.queues ? 60_000 : 0);
  await resume();
});
Deno.cron("eBOK announcement e-mails", "*/10 * * * *", async () => {
  const queued = await resumeUnfinishedAnnouncementEmails(kv, clock, {
    coop: await getCooperativeProfile(kv, config.cooperativeName),
    baseUrl: config.baseUrl,
  });
  if (queued) log.info("announcement e-mails resumed", { queued });
});
Deno.cron("eBOK rejected-request purge", "15 3 * * *", async () => {
  const purged = await purgeRejectedRequests(kv, clock, config.rejectedRequestRetentionDays);
  if (purged.requests) log.info("rejected requests purged", purged);
});

Deno.cron("eBOK closed-matter purge", "30 3 * * *", async () => {
  const purged = await purgeClosedMatters(kv, clock, kvFileStore(kv, clock));
  if (purged.matters) log.info("closed matters purged", purged);
});

// Notices about paying (domain/messaging/payment_notices.ts), for residents who want them:
// "wpłata zaksięgowana" after an import, and the reminder before the due date (at most once a
// month per unit; the daily run at 8:00 UTC catches up a missed day).
const noticeCtx = async () => ({
  coop: await getCooperativeProfile(kv, config.cooperativeName),
  baseUrl: config.baseUrl,
});
Deno.cron("eBOK payment booked notices", "*/5 * * * *", async () => {
  const sent = await sendPaymentBookedNotices(kv, clock, await noticeCtx());
  if (sent.emails) log.info("payment notices queued", sent);
});
Deno.cron("eBOK payment reminders", "0 8 * * *", async () => {
  const run = await sendPaymentReminders(kv, clock, await noticeCtx());
  if (run.emails) log.info("payment reminders queued", run);
});

// Online payment (docs/payments.md): notifications left unverified by a crash are verified and
// confirmed exactly once; payments never paid expire. No gateway: no online payment.
const paymentGateway = configuredPaymentGateway(config);
if (paymentGateway) {
  Deno.cron("eBOK payment sweep", "* * * * *", async () => {
    const swept = await paymentSweep(kv, clock, paymentGateway, log);
    if (swept.confirmed || swept.orphans || swept.expired) log.info("payment sweep", swept);
  });
}

// Uploads interrupted by a crash leave chunks without a final record: removed after an hour.
Deno.cron("eBOK file sweep", "*/15 * * * *", async () => {
  const swept = await sweepFiles(kv, clock);
  if (swept.abandonedUploads || swept.finishedRemovals) log.info("file sweep", swept);
});

const demo = config.demo ? await seedDemoIfEmpty(kv, clock, hasher) : undefined;

const app = createApp({ config, kv, clock, log, hasher, paymentGateway });
Deno.serve({
  hostname: config.hostname,
  port: config.port,
  onListen: ({ hostname, port }) => {
    const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
    console.log(`eBOK (${config.env}) listening on http://${shown}:${port}/`);
    if (config.today) console.log(`clock moved: today is ${config.today} (EBOK_TODAY)`);
    if (config.env === "development" && !config.hostnameFromEnv) {
      console.log(
        "development: listening on 127.0.0.1 only (this computer); EBOK_HOSTNAME=0.0.0.0 opens it to the network",
      );
    } else if (config.env === "development") {
      console.log(`development: listening on ${hostname} as EBOK_HOSTNAME says`);
    }
    if (!config.resend || !config.twilio) {
      console.log(`development outbox: http://localhost:${port}/dev/outbox`);
    }
    if (demo) {
      console.log(
        `demo_resident identifier=${demo.resident.identifier} password=${demo.resident.password}`,
      );
      console.log(
        `demo_staff login=${demo.staff.login} password=${demo.staff.password} totp_secret=${demo.staff.totpSecret}`,
      );
    }
  },
}, app.fetch);
