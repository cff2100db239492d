import { z } from "zod";
import type { Przelewy24Config } from "../adapters/przelewy24.ts";

/** Everything eBOK reads from the environment, read once at start and validated. */
export type Config = {
  env: "development" | "production";
  port: number;
  /**
   * The address to listen on: 127.0.0.1 behind a reverse proxy on the same host. Development
   * listens on 127.0.0.1 unless EBOK_HOSTNAME says otherwise (its outbox shows start passwords).
   */
  hostname: string;
  /** Who set the address: main.ts says so at start. */
  hostnameFromEnv: boolean;
  /** A bearer token that shows /health's counters to a remote monitor (loopback always sees them). */
  healthToken: string | undefined;
  /** Undefined: `Deno.openKv()` picks the platform's default (Deno Deploy). */
  kvPath: string | undefined;
  baseUrl: string;
  demo: boolean;
  /** The name shown until the cooperative's profile is stored in KV. */
  cooperativeName: string;
  /** Trust `X-Forwarded-For` from the reverse proxy in front of us. */
  trustProxy: boolean;
  /** Use Deno KV queues to send messages at once; without them the per-minute sweep sends. */
  queues: boolean;
  /** How long a start password sent by SMS stays valid. */
  startPasswordTtlMs: number;
  /** Rejected access requests (personal data) are deleted after this many days. */
  rejectedRequestRetentionDays: number;
  /**
   * Development and tests only (`EBOK_TODAY`): the calendar day the server's clock starts on,
   * "YYYY-MM-DD", so a test chooses its own "today" (and the demo data built for it).
   */
  today: string | undefined;
  resend: { apiKey: string; from: string; baseUrl: string | undefined } | undefined;
  twilio:
    | { accountSid: string; authToken: string; from: string; apiBase: string | undefined }
    | undefined;
  /**
   * Online payments through Przelewy24; undefined: none configured (development then uses its
   * own fake gateway at /dev/platnosci, production takes no online payments).
   */
  przelewy24: Przelewy24Config | undefined;
};

export class ConfigError extends Error {}

const flag = z.enum(["0", "1"], { error: "must be 0 or 1" }).transform((v) => v === "1");
const origin = z.url({ error: "must be an absolute http(s) URL" }).refine(
  (v) => /^https?:\/\//.test(v),
  "must start with http:// or https://",
).transform((v) => v.replace(/\/+$/, ""));
const nonEmpty = z.string().trim().min(1, "must not be empty");

const schema = z.object({
  EBOK_ENV: z.enum(["development", "production"], {
    error: "must be development or production",
  }).default("development"),
  PORT: z.coerce.number({ error: "must be a number" }).int("must be an integer")
    .min(1, "must be between 1 and 65535").max(65535, "must be between 1 and 65535")
    .default(8000),
  EBOK_KV_PATH: nonEmpty.optional(),
  EBOK_HOSTNAME: nonEmpty.max(253, "must be a host name or address").optional(),
  EBOK_HEALTH_TOKEN: z.string().trim().min(16, "must be at least 16 characters").max(200)
    .regex(/^\S+$/, "must not contain spaces").optional(),
  EBOK_BASE_URL: origin.optional(),
  EBOK_DEMO: flag.optional(),
  EBOK_COOP_NAME: nonEmpty.max(120, "must be at most 120 characters").optional(),
  EBOK_TRUST_PROXY: flag.optional(),
  EBOK_QUEUES: flag.optional(),
  EBOK_START_PASSWORD_DAYS: z.coerce.number({ error: "must be a number of days" })
    .int("must be a whole number of days").min(1, "must be between 1 and 30")
    .max(30, "must be between 1 and 30").optional(),
  EBOK_REJECTED_REQUEST_RETENTION_DAYS: z.coerce.number({ error: "must be a number of days" })
    .int("must be a whole number of days").min(1, "must be between 1 and 3650")
    .max(3650, "must be between 1 and 3650").optional(),
  EBOK_TODAY: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, {
    error: "must be a date YYYY-MM-DD",
  }).refine(
    (v) => {
      const d = new Date(`${v}T12:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
    },
    "must be a real date",
  )
    .optional(),
  RESEND_API_KEY: nonEmpty.optional(),
  EBOK_MAIL_FROM: nonEmpty.optional(),
  RESEND_BASE_URL: origin.optional(),
  TWILIO_ACCOUNT_SID: nonEmpty.optional(),
  TWILIO_AUTH_TOKEN: nonEmpty.optional(),
  TWILIO_FROM: nonEmpty.optional(),
  TWILIO_API_BASE: origin.optional(),
  P24_MERCHANT_ID: z.coerce.number({ error: "must be a number" }).int("must be a whole number")
    .min(1, "must be a positive number").max(2_147_483_647, "is too large").optional(),
  P24_POS_ID: z.coerce.number({ error: "must be a number" }).int("must be a whole number")
    .min(1, "must be a positive number").max(2_147_483_647, "is too large").optional(),
  P24_CRC: nonEmpty.max(100, "must be at most 100 characters").optional(),
  P24_API_KEY: nonEmpty.max(200, "must be at most 200 characters").optional(),
  P24_BASE_URL: origin.optional(),
});

/** Online payment is configured with all of these or none. */
const P24_VARIABLES = [
  "P24_MERCHANT_ID",
  "P24_POS_ID",
  "P24_CRC",
  "P24_API_KEY",
  "P24_BASE_URL",
] as const;

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws ConfigError with one line naming the variable. */
export function loadConfig(env: Env): Config {
  // An empty variable means "unset", as most shells and service managers intend it.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const e = parseEnv(present);
  const production = e.EBOK_ENV === "production";
  const p24Given = checkCombinations(e, production);

  return {
    env: e.EBOK_ENV,
    port: e.PORT,
    hostname: e.EBOK_HOSTNAME ?? (production ? "0.0.0.0" : "127.0.0.1"),
    hostnameFromEnv: e.EBOK_HOSTNAME !== undefined,
    healthToken: e.EBOK_HEALTH_TOKEN,
    kvPath: e.EBOK_KV_PATH ?? (production ? undefined : "./data/ebok.kv"),
    baseUrl: e.EBOK_BASE_URL ?? `http://localhost:${e.PORT}`,
    demo: e.EBOK_DEMO ?? !production,
    cooperativeName: e.EBOK_COOP_NAME ?? "Spółdzielnia Mieszkaniowa",
    trustProxy: e.EBOK_TRUST_PROXY ?? false,
    queues: e.EBOK_QUEUES ?? true,
    startPasswordTtlMs: (e.EBOK_START_PASSWORD_DAYS ?? 7) * 24 * 60 * 60_000,
    rejectedRequestRetentionDays: e.EBOK_REJECTED_REQUEST_RETENTION_DAYS ?? 90,
    today: e.EBOK_TODAY,
    resend: e.RESEND_API_KEY
      ? { apiKey: e.RESEND_API_KEY, from: e.EBOK_MAIL_FROM!, baseUrl: e.RESEND_BASE_URL }
      : undefined,
    twilio: e.TWILIO_ACCOUNT_SID
      ? {
        accountSid: e.TWILIO_ACCOUNT_SID,
        authToken: e.TWILIO_AUTH_TOKEN!,
        from: e.TWILIO_FROM!,
        apiBase: e.TWILIO_API_BASE,
      }
      : undefined,
    przelewy24: p24Given
      ? {
        merchantId: e.P24_MERCHANT_ID!,
        posId: e.P24_POS_ID!,
        crc: e.P24_CRC!,
        apiKey: e.P24_API_KEY!,
        baseUrl: e.P24_BASE_URL!,
      }
      : undefined,
  };
}

type ParsedEnv = z.infer<typeof schema>;

/** The variables checked one by one against the schema. */
function parseEnv(present: Env): ParsedEnv {
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    throw new ConfigError(`${name} ${issue.message} (got ${JSON.stringify(present[name])})`);
  }
  return parsed.data;
}

/**
 * The rules between variables: production needs real e-mail, SMS and an https base URL; a
 * provider's variables come together. Returns the first P24_* variable given, if any.
 */
function checkCombinations(e: ParsedEnv, production: boolean): string | undefined {
  const requireAll = (names: (keyof typeof e)[], why: string) => {
    const missing = names.find((n) => e[n] === undefined);
    if (missing) throw new ConfigError(`${missing} is required ${why}`);
  };

  if (production && e.EBOK_TODAY !== undefined) {
    // A moved clock would date real payments and sessions wrongly: tests only.
    throw new ConfigError("EBOK_TODAY is for development and tests only; unset it in production");
  }
  if (production) {
    requireAll(
      [
        "RESEND_API_KEY",
        "EBOK_MAIL_FROM",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_FROM",
      ],
      "in production (e-mail goes through Resend, SMS through Twilio)",
    );
    requireAll(["EBOK_BASE_URL"], "in production (links in e-mails and the CSRF origin check)");
    if (!e.EBOK_BASE_URL!.startsWith("https://")) {
      throw new ConfigError("EBOK_BASE_URL must be https:// in production");
    }
  }
  if (e.RESEND_API_KEY) requireAll(["EBOK_MAIL_FROM"], "when RESEND_API_KEY is set");
  if (e.TWILIO_ACCOUNT_SID) {
    requireAll(["TWILIO_AUTH_TOKEN", "TWILIO_FROM"], "when TWILIO_ACCOUNT_SID is set");
  }
  // Payments are optional for a cooperative: without P24_* production simply offers no online
  // payment. Half a configuration, though, is a mistake worth refusing the start for.
  const p24Given = P24_VARIABLES.find((n) => e[n] !== undefined);
  if (p24Given) requireAll([...P24_VARIABLES], `when ${p24Given} is set (all five or none)`);
  if (p24Given && production && !e.P24_BASE_URL!.startsWith("https://")) {
    throw new ConfigError("P24_BASE_URL must be https:// in production");
  }

  return p24Given;
}
