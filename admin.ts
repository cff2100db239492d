/**
 * Operator commands: `deno task admin <command> [options]`.
 *
 *   create-staff --login LOGIN --password PASSWORD --name "NAME" [--role admin|office]
 *     Creates a staff account and prints exactly one line: totp_secret=BASE32SECRET
 */
import { parseArgs } from "node:util";
import { dirname } from "node:path";
import { ConfigError, loadConfig } from "./config.ts";
import { systemClock } from "./domain/clock.ts";
import { keys } from "./domain/keys.ts";
import { createPasswordHasher } from "./domain/password.ts";
import { checkPasswordRule } from "./domain/password_rule.ts";
import { createStaff, type StaffRole } from "./domain/staff.ts";

const usage =
  `usage: deno task admin create-staff --login LOGIN --password PASSWORD --name "NAME" [--role admin|office]`;

function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}

async function openKv() {
  let config;
  try {
    config = loadConfig(Deno.env.toObject());
  } catch (error) {
    if (error instanceof ConfigError) fail(`configuration: ${error.message}`);
    throw error;
  }
  if (config.kvPath && config.kvPath !== ":memory:") {
    await Deno.mkdir(dirname(config.kvPath), { recursive: true });
  }
  return await Deno.openKv(config.kvPath);
}

async function createStaffCommand(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      login: { type: "string" },
      password: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
    },
    strict: true,
  });
  if (!values.login || !values.password || !values.name) fail(usage);
  if (values.role && values.role !== "admin" && values.role !== "office") fail(usage);
  const problems = checkPasswordRule(values.password);
  if (problems.length) fail(`password: ${problems.join("; ")}`);

  const kv = await openKv();
  const hasher = createPasswordHasher();
  try {
    // The first staff member manages the others.
    let role = values.role as StaffRole | undefined;
    if (!role) {
      const any = await Array.fromAsync(kv.list({ prefix: keys.staffAll() }, { limit: 1 }));
      role = any.length === 0 ? "admin" : "office";
    }
    const result = await createStaff(kv, systemClock, hasher, {
      login: values.login,
      password: values.password,
      name: values.name,
      role,
    });
    if (!result.ok) {
      fail(
        result.reason === "login_taken"
          ? `login ${values.login} is already taken`
          : "login: 3–32 characters: lower-case letters, digits, '.', '_' or '-'",
      );
    }
    console.log(`totp_secret=${result.totpSecret}`);
  } finally {
    hasher.close();
    kv.close();
  }
}

const [command, ...rest] = Deno.args;
switch (command) {
  case "create-staff":
    await createStaffCommand(rest);
    break;
  default:
    fail(usage);
}
