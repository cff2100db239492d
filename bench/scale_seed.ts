/**
 * The data of the scale bench (`bench/scale_bench.ts`): a cooperative of N units (10 000 by
 * default), seeded into an empty file-backed KV before the server starts:
 *
 * - the register through the **CSV import engine** (`previewImport` + `applyImport` of a
 *   generated `units` file: the buildings are created from the file's addresses, 50 units a
 *   building, each unit with its own NRB and one or two occupants with Polish names);
 * - a year of balance entries per unit through the **domain** (`postEntries`, the same drafts as
 *   bench/seed.ts: an opening balance, then twelve months of eight charges by component and a
 *   payment, 109 entries a unit), eight units at a time — faster here than the ledger import,
 *   whose preview holds every row in memory (measured: ≈ 35 s against ≈ 50 s for 10 000 units);
 * - resident accounts for three units (the first, the middle, the last) and a staff account
 *   (`createStaff`) whose TOTP secret the bench uses to log in.
 *
 * Occupants' surnames come from a list of common ones; one rare surname, `Przybyłowicz`, is given
 * to the residents' units and to one unit in a thousand, so that searching it finds a few units
 * and has to read the whole register (the search stops early only after 50 hits).
 */
import { createAccount } from "../domain/accounts/accounts.ts";
import { type Clock, systemClock } from "../domain/shared/clock.ts";
import { demoChargeComponents } from "../domain/demo/demo_data.ts";
import { applyImport, previewImport } from "../domain/backoffice/imports.ts";
import { postEntries, saveChargeComponents } from "../domain/balance/ledger.ts";
import { makeNrb, makeSortCode } from "../domain/shared/nrb.ts";
import { createPasswordHasher } from "../domain/accounts/password.ts";
import { getUnitIdsByExternalIds } from "../domain/backoffice/register.ts";
import { createStaff } from "../domain/accounts/staff.ts";
import { BENCH_PASSWORD, longHistoryDrafts } from "./seed.ts";

export const UNITS_PER_BUILDING = 50;
export const RARE_SURNAME = "Przybyłowicz";
/** One unit in 20 has a Kowalski (men; women are Kowalska): a search for it stops at 50 hits. */
export const COMMON_SURNAME = "Kowalski";
const LEDGER_CONCURRENCY = 8;

const STREETS = [
  "Kazimierza Wielkiego",
  "Słowiańska",
  "Opolska",
  "Kościuszki",
  "Piastowska",
  "Sikorskiego",
  "Wita Stwosza",
  "Żeromskiego",
  "Obrońców Pokoju",
  "Jedności Robotniczej",
];
const FIRST = [
  ["Jan", "Anna"],
  ["Piotr", "Maria"],
  ["Krzysztof", "Katarzyna"],
  ["Andrzej", "Małgorzata"],
  ["Tomasz", "Agnieszka"],
  ["Paweł", "Barbara"],
  ["Michał", "Ewa"],
  ["Marcin", "Krystyna"],
  ["Łukasz", "Elżbieta"],
  ["Grzegorz", "Zofia"],
];
/** [masculine, feminine]. */
const SURNAMES = [
  ["Nowak", "Nowak"],
  ["Kowalski", "Kowalska"],
  ["Wiśniewski", "Wiśniewska"],
  ["Wójcik", "Wójcik"],
  ["Kowalczyk", "Kowalczyk"],
  ["Kamiński", "Kamińska"],
  ["Lewandowski", "Lewandowska"],
  ["Zieliński", "Zielińska"],
  ["Szymański", "Szymańska"],
  ["Woźniak", "Woźniak"],
  ["Dąbrowski", "Dąbrowska"],
  ["Kozłowski", "Kozłowska"],
  ["Jankowski", "Jankowska"],
  ["Mazur", "Mazur"],
  ["Kwiatkowski", "Kwiatkowska"],
  ["Krawczyk", "Krawczyk"],
  ["Piotrowski", "Piotrowska"],
  ["Grabowski", "Grabowska"],
  ["Nowakowski", "Nowakowska"],
  ["Pawłowski", "Pawłowska"],
];

export type ScaleResident = {
  label: string;
  identifier: string;
  password: string;
  unitId: string;
  unitCode: string;
};

export type ScaleData = {
  units: number;
  buildings: number;
  entries: number;
  /** The units whose occupants include RARE_SURNAME. */
  rareSurnameUnits: number;
  residents: ScaleResident[];
  staff: { login: string; password: string; totpSecret: string };
  kvBytes: number;
  ms: { units: number; ledger: number; accounts: number; total: number };
};

function unitCode(i: number): string {
  return `S${String(Math.floor(i / UNITS_PER_BUILDING) + 1).padStart(3, "0")}/${
    (i % UNITS_PER_BUILDING) + 1
  }`;
}

function residentIndexes(units: number): number[] {
  return [...new Set([0, Math.floor(units / 2), units - 1])];
}

function occupants(i: number, rare: boolean): string {
  const first = FIRST[i % FIRST.length];
  const surname = rare ? [RARE_SURNAME, RARE_SURNAME] : SURNAMES[(i * 7 + 3) % SURNAMES.length];
  // Two occupants in three units; the second one a woman of the same family.
  return i % 3 === 2
    ? `${first[0]} ${surname[0]}`
    : `${first[0]} ${surname[0]}, ${FIRST[(i + 3) % FIRST.length][1]} ${surname[1]}`;
}

export function unitsCsv(units: number, rare: (i: number) => boolean): string {
  const sortCode = makeSortCode("9990003");
  const lines = [
    "lokal;budynek;ulica;nr budynku;kod pocztowy;miejscowość;numer;rodzaj;powierzchnia;osoby;rachunek;użytkownicy",
  ];
  for (let i = 0; i < units; i++) {
    const b = Math.floor(i / UNITS_PER_BUILDING);
    lines.push([
      unitCode(i),
      `S${String(b + 1).padStart(3, "0")}`,
      STREETS[b % STREETS.length],
      String(Math.floor(b / STREETS.length) + 1),
      "67-200",
      "Głogów",
      String((i % UNITS_PER_BUILDING) + 1),
      "mieszkanie",
      // The 48,60 m² and 2 persons the charges of longHistoryDrafts are computed for.
      "48,60",
      "2",
      makeNrb(sortCode, `8800${String(i + 1).padStart(12, "0")}`),
      occupants(i, rare(i)),
    ].join(";"));
  }
  return lines.join("\r\n") + "\r\n";
}

/** Seeds an empty KV at `kvPath` with `units` units; the KV is closed again before this returns. */
export async function seedScaleData(
  kvPath: string,
  units: number,
  clock: Clock = systemClock,
): Promise<ScaleData> {
  const started = performance.now();
  const actor = { kind: "system" as const, label: "bench" };
  const hasher = createPasswordHasher();
  const kv = await Deno.openKv(kvPath);
  try {
    if ((await kv.list({ prefix: [] }, { limit: 1 }).next()).done === false) {
      throw new Error(`the KV at ${kvPath} is not empty`);
    }
    await saveChargeComponents(kv, demoChargeComponents);

    // --- the register, through the units import ---
    const residentAt = residentIndexes(units);
    const rare = (i: number) => residentAt.includes(i) || i % 1000 === 500;
    const preview = await previewImport(kv, clock, {
      kind: "units",
      bytes: new TextEncoder().encode(unitsCsv(units, rare)),
      fileName: "lokale-bench.csv",
      actor,
    });
    if (!preview.ok) throw new Error(`units import refused: ${preview.message}`);
    const c = preview.job.counts;
    if (c.refused || c.add !== units) {
      throw new Error(`units import preview: ${JSON.stringify(c)}, expected ${units} to add`);
    }
    const applied = await applyImport(kv, clock, preview.job.id, {
      actor,
      applyValidOnly: false,
    });
    if (!applied.ok) throw new Error(`units import not applied: ${applied.reason}`);
    const codes = Array.from({ length: units }, (_, i) => unitCode(i));
    const idsByCode = await getUnitIdsByExternalIds(kv, codes);
    if (idsByCode.size !== units) {
      throw new Error(`units import: ${idsByCode.size} of ${units} units found afterwards`);
    }
    const unitsDone = performance.now();

    // --- a year of entries per unit, through postEntries ---
    const drafts = longHistoryDrafts(clock, 1);
    const ids = codes.map((code) => idsByCode.get(code)!);
    let next = 0;
    let entries = 0;
    await Promise.all(
      Array.from({ length: LEDGER_CONCURRENCY }, async () => {
        while (next < ids.length) {
          const id = ids[next++];
          const posted = await postEntries(kv, clock, id, drafts);
          if (!posted.ok) throw new Error(`posting the ledger of ${id} failed: ${posted.reason}`);
          entries += posted.totals.entryCount;
        }
      }),
    );
    const ledgerDone = performance.now();

    // --- resident accounts and a staff account ---
    const passwordHash = await hasher.hash(BENCH_PASSWORD);
    const residents: ScaleResident[] = [];
    for (const [n, i] of residentAt.entries()) {
      const account = await createAccount(kv, clock, {
        firstName: FIRST[i % FIRST.length][1],
        lastName: RARE_SURNAME,
        email: `bench.scale.${n + 1}@example.com`,
        phone: `+4860000${String(n + 1).padStart(4, "0")}`,
        unitIds: [ids[i]],
        passwordHash,
        passwordChangedAt: clock().toISOString(),
      });
      if (!account) throw new Error(`bench account ${n + 1} not created`);
      residents.push({
        label: `resident of ${unitCode(i)}`,
        identifier: account.identifier,
        password: BENCH_PASSWORD,
        unitId: ids[i],
        unitCode: unitCode(i),
      });
    }
    const staff = await createStaff(kv, clock, hasher, {
      login: "bench.biuro",
      password: BENCH_PASSWORD,
      name: "Biuro Benchmark",
      role: "office",
    });
    if (!staff.ok) throw new Error(`bench staff not created: ${staff.reason}`);
    const accountsDone = performance.now();

    let rareSurnameUnits = 0;
    for (let i = 0; i < units; i++) if (rare(i)) rareSurnameUnits++;
    kv.close();
    const kvBytes = await Deno.stat(kvPath).then((s) => s.size, () => 0);
    return {
      units,
      buildings: Math.ceil(units / UNITS_PER_BUILDING),
      entries,
      rareSurnameUnits,
      residents,
      staff: { login: "bench.biuro", password: BENCH_PASSWORD, totpSecret: staff.totpSecret },
      kvBytes,
      ms: {
        units: Math.round(unitsDone - started),
        ledger: Math.round(ledgerDone - unitsDone),
        accounts: Math.round(accountsDone - ledgerDone),
        total: Math.round(performance.now() - started),
      },
    };
  } finally {
    try {
      kv.close();
    } catch { /* closed above */ }
    hasher.close();
  }
}
