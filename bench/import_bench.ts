/**
 * The import yardstick (DESIGN.md): 100 000 balance entries into a file-backed Deno KV in under a
 * minute, and idempotent.
 *
 *   deno run --allow-all bench/import_bench.ts [ENTRIES] [UNITS]
 *
 * Makes a temp dir with a file KV, loads UNITS units (default 1 000) through the units import,
 * generates a ledger CSV of ENTRIES rows (default 100 000: per unit an opening balance, then
 * monthly charges by component and a payment), previews and applies it, then previews and
 * applies the same file again (every row must be "unchanged" and no entry added). Prints the
 * time of each step, the peak RSS of each step (Deno.memoryUsage().rss sampled every 20 ms)
 * and of the process (VmHWM), and checks the totals of a sample of units against a recount.
 */
import { manualClock } from "../domain/shared/clock.ts";
import { applyImport, type ImportJob, previewImport } from "../domain/backoffice/imports.ts";
import { keys } from "../domain/shared/keys.ts";
import {
  type LedgerTotals,
  recomputeTotals,
  saveChargeComponents,
} from "../domain/balance/ledger.ts";
import { makeNrb, makeSortCode } from "../domain/shared/nrb.ts";
import { getUnitIdsByExternalIds } from "../domain/backoffice/register.ts";

const ENTRIES = Number(Deno.args[0] ?? 100_000);
const UNITS = Number(Deno.args[1] ?? 1_000);
const actor = { kind: "system" as const, label: "bench" };
const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
const components = [
  "eksploatacja",
  "fundusz_remontowy",
  "co_zaliczka",
  "cw_podgrzanie",
  "zw_scieki",
  "odpady",
  "domofon",
  "antena",
];

function vmHwmMiB(): number | null {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}

/** Runs `fn`, sampling the RSS; returns its result, seconds, RSS before and peak, in MiB. */
async function measure<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; s: number; before: number; peak: number }> {
  const before = Deno.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, Deno.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, Deno.memoryUsage().rss);
    return {
      value,
      s: (performance.now() - started) / 1000,
      before: Math.round(before / 2 ** 20),
      peak: Math.round(peak / 2 ** 20),
    };
  } finally {
    clearInterval(timer);
  }
}

function unitCode(i: number) {
  return `B${String(Math.floor(i / 100)).padStart(3, "0")}/${(i % 100) + 1}`;
}

function unitsCsv(): string {
  const sortCode = makeSortCode("9990001");
  const lines = [
    "lokal;budynek;ulica;nr budynku;kod pocztowy;miejscowość;numer;rodzaj;powierzchnia;osoby;rachunek;użytkownicy",
  ];
  for (let i = 0; i < UNITS; i++) {
    const b = Math.floor(i / 100);
    lines.push(
      [
        unitCode(i),
        `B${String(b).padStart(3, "0")}`,
        "Testowa",
        String(b + 1),
        "67-200",
        "Głogów",
        String((i % 100) + 1),
        "mieszkanie",
        `${40 + (i % 30)},${String(i % 100).padStart(2, "0")}`,
        String(1 + (i % 4)),
        makeNrb(sortCode, `7700${String(i + 1).padStart(12, "0")}`),
        `Mieszkaniec ${i + 1}`,
      ].join(";"),
    );
  }
  return lines.join("\r\n") + "\r\n";
}

function ledgerCsv(): string {
  const lines = ["lokal;dokument;rodzaj;data;okres;składnik;kwota;opis"];
  const perUnit = Math.ceil(ENTRIES / UNITS);
  let written = 0;
  for (let u = 0; u < UNITS && written < ENTRIES; u++) {
    const code = unitCode(u);
    lines.push(`${code};BO/${code};bilans otwarcia;01.01.2018;01.2018;;0,00;Bilans otwarcia`);
    written++;
    for (let k = 1; k < perUnit && written < ENTRIES; k++) {
      const month = Math.floor((k - 1) / (components.length + 1));
      const slot = (k - 1) % (components.length + 1);
      const y = 2018 + Math.floor(month / 12);
      const m = String((month % 12) + 1).padStart(2, "0");
      if (slot < components.length) {
        const amount = 1000 + ((u * 7 + k * 13) % 20000);
        lines.push(
          `${code};NAL/${y}-${m}/${components[slot]};naliczenie;01.${m}.${y};${m}.${y};${
            components[slot]
          };${Math.floor(amount / 100)},${String(amount % 100).padStart(2, "0")};Naliczenie ${
            components[slot]
          } za ${m}.${y}`,
        );
      } else {
        lines.push(
          `${code};WB/${y}-${m}/1;wpłata;12.${m}.${y};${m}.${y};;500,00;Wpłata – przelew, tytuł: opłaty za ${m}.${y}`,
        );
      }
      written++;
    }
  }
  return lines.join("\r\n") + "\r\n";
}

async function countEntries(kv: Deno.Kv): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: ["ledger"] })) n++;
  return n;
}

const dir = await Deno.makeTempDir({ prefix: "ebok-import-bench-" });
const kv = await Deno.openKv(`${dir}/ebok.kv`);
try {
  await saveChargeComponents(kv, components.map((code) => ({ code, label: code })));
  const units = await measure(async () => {
    const p = await previewImport(kv, clock, {
      kind: "units",
      bytes: new TextEncoder().encode(unitsCsv()),
      fileName: "lokale.csv",
      actor,
    });
    if (!p.ok) throw new Error(p.message);
    const a = await applyImport(kv, clock, p.job.id, { actor, applyValidOnly: false });
    if (!a.ok) throw new Error(`units not applied: ${a.reason}`);
    return a.job;
  });

  const csv = new TextEncoder().encode(ledgerCsv());
  console.log(
    `eBOK import bench: ${ENTRIES} balance entries over ${UNITS} units, file KV in ${dir}`,
  );
  console.log(`units: ${units.value.applied.added} added in ${units.s.toFixed(1)} s`);
  console.log(`ledger CSV: ${(csv.length / 2 ** 20).toFixed(1)} MiB`);

  const rows: string[] = [];
  let firstJob: ImportJob | null = null;
  for (const round of [1, 2]) {
    clock.advance(60_000);
    const preview = await measure(async () => {
      const p = await previewImport(kv, clock, {
        kind: "ledger",
        bytes: csv,
        fileName: "zapisy.csv",
        actor,
      });
      if (!p.ok) throw new Error(p.message);
      return p.job;
    });
    const apply = await measure(async () => {
      const a = await applyImport(kv, clock, preview.value.id, { actor, applyValidOnly: false });
      if (!a.ok) throw new Error(`not applied: ${a.reason}`);
      return a.job;
    });
    if (round === 1) firstJob = apply.value;
    const c = preview.value.counts;
    rows.push(
      `| ${
        round === 1 ? "first import" : "same file again"
      } | ${c.add} / ${c.unchanged} / ${c.refused} | ${
        preview.s.toFixed(1)
      } s | ${preview.before} → ${preview.peak} MiB | ${
        apply.s.toFixed(1)
      } s | ${apply.peak} MiB | ${
        (preview.s + apply.s).toFixed(1)
      } s | ${apply.value.applied.added} |`,
    );
  }
  const entries = await countEntries(kv);
  // The totals of every 50th unit recounted from its entries.
  const ids = [...(await getUnitIdsByExternalIds(
    kv,
    Array.from({ length: UNITS }, (_, i) => unitCode(i)),
  )).values()];
  let equal = 0;
  let checked = 0;
  for (let i = 0; i < ids.length; i += 50) {
    checked++;
    if ((await recomputeTotals(kv, ids[i])).equal) equal++;
  }
  const totals = (await kv.get<LedgerTotals>(keys.ledgerTotals(ids[0]))).value;
  console.log("");
  console.log(
    "| run | preview: add / unchanged / refused | preview | RSS before → peak | apply | peak RSS | total | entries added |",
  );
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) console.log(r);
  console.log("");
  console.log(
    `entries stored: ${entries} (expected ${ENTRIES}); chunks: ${firstJob?.chunks}; totals recounted equal: ${equal}/${checked}; first unit: ${totals?.entryCount} entries`,
  );
  console.log(`process peak RSS (VmHWM): ${vmHwmMiB() ?? "n/a"} MiB`);
  if (entries !== ENTRIES || equal !== checked) Deno.exitCode = 1;
} finally {
  kv.close();
  await Deno.remove(dir, { recursive: true });
}
