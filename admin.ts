/**
 * Operator commands: `deno task admin <command> [options]`.
 *
 *   create-staff --login LOGIN --password PASSWORD --name "NAME" [--role admin|office]
 *     Creates a staff account and prints exactly one line: totp_secret=BASE32SECRET
 *
 *   backup export FILE | backup import FILE [--overwrite]
 *     Copies the whole database to or from JSON Lines (see docs/operations.md); `-` is stdout/stdin.
 *
 *   import KIND FILE [--apply-valid-only] [--dry-run]
 *     Checks a CSV file (KIND: units, ledger, meters, readings, settlements, fee_rates; see
 *     docs/imports.md), prints the counts and the refused lines, then applies it — unless
 *     --dry-run, or lines were refused and --apply-valid-only was not given. Exit code 0 when
 *     applied (or, with --dry-run, when it would be), 1 when refused or failed, 2 on wrong usage.
 */
import { parseArgs } from "node:util";
import { basename } from "node:path";
import { backupCommand, backupUsage } from "./cli/backup.ts";
import { openConfiguredKv } from "./platform/kv.ts";
import { ConfigError, loadConfig } from "./platform/config.ts";
import { systemClock } from "./domain/shared/clock.ts";
import { keys } from "./domain/shared/keys.ts";
import { createPasswordHasher } from "./domain/accounts/password.ts";
import { createStaff, type StaffRole } from "./domain/accounts/staff.ts";
import type { Actor } from "./domain/backoffice/audit.ts";
import {
  applyImport,
  discardPreview,
  encodingLabel,
  type ImportJob,
  type ImportKind,
  importKinds,
  isImportKind,
  listRefusedLines,
  previewImport,
  resumeImports,
} from "./domain/backoffice/imports.ts";

const usage = [
  `usage: deno task admin create-staff --login LOGIN --password PASSWORD --name "NAME" [--role admin|office]`,
  `       deno task admin import ${importKinds.join("|")} FILE [--apply-valid-only] [--dry-run]`,
  backupUsage.replace(/^usage: /, "       ").replace(/\n {7}/g, "\n       "),
].join("\n");

function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}

function adminConfig() {
  try {
    return loadConfig(Deno.env.toObject());
  } catch (error) {
    if (error instanceof ConfigError) fail(`configuration: ${error.message}`);
    throw error;
  }
}

async function openKv() {
  return await openConfiguredKv(adminConfig());
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
      // The staff password rule lives in domain/accounts/password_rule.ts, as for the web.
      fail(
        result.reason === "weak_password"
          ? `password: ${result.message}`
          : result.reason === "login_taken"
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

const CLI_ACTOR: Actor = { kind: "system", label: "operator (CLI)" };

function printCounts(job: ImportJob) {
  const c = job.counts;
  console.log(
    `Plik: ${job.fileName} (${job.size} B, ${encodingLabel(job.encoding)}), SHA-256 ${job.hash}`,
  );
  for (const notice of job.notices) console.log(`Uwaga: ${notice}`);
  console.log(
    `Wierszy: ${c.total} — do dodania ${c.add}, do zmiany ${c.change}, bez zmian ${c.unchanged}, odrzucone ${c.refused}`,
  );
}

/** The kind, the file and the flags of `admin import`; the usage text on anything else. */
function parseImportArgs(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        "apply-valid-only": { type: "boolean" },
        "dry-run": { type: "boolean" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch {
    fail(usage);
  }
  const { values, positionals } = parsed;
  const [kind, path] = positionals;
  if (positionals.length !== 2 || !isImportKind(kind)) fail(usage);
  return {
    kind,
    path,
    applyValidOnly: Boolean(values["apply-valid-only"]),
    dryRun: Boolean(values["dry-run"]),
  };
}

/** Applies a previewed job, telling every tenth of the rows on stderr. */
function applyWithProgress(kv: Deno.Kv, job: ImportJob, applyValidOnly: boolean) {
  const total = job.counts.add + job.counts.change;
  let reported = 0;
  return applyImport(kv, systemClock, job.id, {
    actor: CLI_ACTOR,
    applyValidOnly,
    onProgress: (j) => {
      const tenth = total > 0 ? Math.floor((10 * j.progress.rowsDone) / total) : 10;
      if (tenth > reported && tenth < 10) {
        reported = tenth;
        console.error(`… ${j.progress.rowsDone} z ${total}`);
      }
    },
  });
}

/** Previews the file, prints what it found, then applies it (or not); returns the exit code. */
async function previewAndApply(
  kv: Deno.Kv,
  file: { kind: ImportKind; path: string; bytes: Uint8Array },
  flags: { applyValidOnly: boolean; dryRun: boolean },
): Promise<number> {
  const resumed = await resumeImports(kv, systemClock);
  for (const r of resumed.resumed) {
    console.error(
      `Wznowiono przerwany import ${r.jobId}: ${r.result.ok ? "wczytany" : r.result.reason}`,
    );
  }
  const preview = await previewImport(kv, systemClock, {
    kind: file.kind,
    bytes: file.bytes,
    fileName: basename(file.path),
    actor: CLI_ACTOR,
  });
  if (!preview.ok) {
    console.log(`Pliku nie wczytano: ${preview.message}`);
    return 1;
  }
  const job = preview.job;
  printCounts(job);
  if (job.counts.refused > 0) {
    console.log("Odrzucone wiersze:");
    for (const r of await listRefusedLines(kv, job.id)) {
      console.log(`  wiersz ${r.line}: ${r.reason}`);
    }
  }
  const errors = job.counts.refused > 0 && !flags.applyValidOnly;
  if (flags.dryRun) {
    await discardPreview(kv, job.id);
    console.log(
      errors
        ? "Próba (--dry-run): plik zawiera błędne wiersze; nic nie zapisano."
        : "Próba (--dry-run): nic nie zapisano.",
    );
    return errors ? 1 : 0;
  }
  if (errors) {
    console.log(
      "Nie wczytano: plik zawiera błędne wiersze. Popraw je albo dodaj --apply-valid-only, aby wczytać tylko poprawne.",
    );
    return 1;
  }
  const result = await applyWithProgress(kv, job, flags.applyValidOnly);
  if (!result.ok) {
    console.log(
      result.reason === "failed"
        ? `Wczytywanie przerwane: ${result.error} (uruchom ponownie, aby dokończyć)`
        : `Nie wczytano: ${result.reason}`,
    );
    return 1;
  }
  const a = result.job.applied;
  console.log(
    `Wczytano: dodano ${a.added}, zmieniono ${a.changed}, już zapisane ${a.unchanged}, odrzucone przy wczytywaniu ${a.refused}`,
  );
  for (const r of result.job.applyRefused) console.log(`  wiersz ${r.line}: ${r.reason}`);
  return 0;
}

async function importCommand(args: string[]) {
  const { kind, path, applyValidOnly, dryRun } = parseImportArgs(args);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    console.error(`Nie można odczytać pliku ${path}: ${(error as Error).message}`);
    Deno.exit(1);
  }
  const kv = await openKv();
  let code = 1;
  try {
    code = await previewAndApply(kv, { kind, path, bytes }, { applyValidOnly, dryRun });
  } finally {
    kv.close();
    Deno.exitCode = code;
  }
}

const [command, ...rest] = Deno.args;
switch (command) {
  case "create-staff":
    await createStaffCommand(rest);
    break;
  case "import":
    await importCommand(rest);
    break;
  case "backup":
    Deno.exitCode = await backupCommand(rest, openKv, undefined, {
      kvPath: adminConfig().kvPath,
    });
    break;
  default:
    fail(usage);
}
