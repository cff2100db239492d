import assert from "node:assert/strict";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { getDataFreshness } from "../../domain/backoffice/data_freshness.ts";
import { getDemoCooperative, seedDemoCooperative } from "../../domain/demo/demo_data.ts";
import { currentFeeRates, listFeeRates } from "../../domain/balance/fee_rates.ts";
import {
  applyImport,
  getImportJob,
  type ImportKind,
  importKinds,
  listImportHistory,
  listImportJobs,
  listRefusedLines,
  previewImport,
  resumeImports,
} from "../../domain/backoffice/imports.ts";
import { keys } from "../../domain/shared/keys.ts";
import {
  getTotals,
  type LedgerEntry,
  listEntries,
  postEntry,
  recomputeTotals,
  saveChargeComponents,
} from "../../domain/balance/ledger.ts";
import { makeNrb, makeSortCode } from "../../domain/shared/nrb.ts";
import {
  createBuilding,
  createUnit,
  findUnitsByAddress,
  getUnit,
  getUnitByExternalId,
  listUnitsOfBuilding,
} from "../../domain/backoffice/register.ts";
import { addMeter, addReading, listMeters, listReadings } from "../../domain/water/water.ts";
import { listSettlements } from "../../domain/water/water_settlements.ts";

const NOW = new Date("2026-11-25T10:00:00Z");
const actor = { kind: "staff" as const, id: "s1", label: "Anna Biurowa (biuro)" };
const sortCode = makeSortCode("9990001");
const nrb = (n: number) => makeNrb(sortCode, `4600${String(n).padStart(12, "0")}`);
const utf8 = (s: string) => new TextEncoder().encode(s);
const lines = (...rows: string[]) => utf8(rows.join("\r\n") + "\r\n");

async function setup() {
  const kv = await Deno.openKv(":memory:");
  const clock = manualClock(NOW);
  await saveChargeComponents(kv, [
    { code: "eksploatacja", label: "Eksploatacja" },
    { code: "zw_scieki", label: "Zimna woda i ścieki – zaliczka" },
    { code: "cw_podgrzanie", label: "Ciepła woda – zaliczka na podgrzanie" },
    { code: "odsetki", label: "Odsetki" },
  ]);
  const building = await createBuilding(kv, clock, {
    street: "Kazimierza Wielkiego",
    number: "12",
    postalCode: "67-200",
    city: "Głogów",
    externalId: "KW12",
  });
  const unitIds: Record<string, string> = {};
  for (const n of ["1", "2"]) {
    const created = await createUnit(kv, clock, {
      buildingId: building.id,
      number: n,
      kind: "flat",
      areaCm2: 485000,
      persons: 2,
      bankAccount: nrb(Number(n)),
      occupants: ["Jan Kowalski"],
      externalId: `KW12/${n}`,
    });
    assert.ok(created.ok);
    unitIds[`KW12/${n}`] = created.unit.id;
  }
  return { kv, clock, building, unitIds };
}

async function preview(kv: Deno.Kv, clock: () => Date, kind: ImportKind, bytes: Uint8Array) {
  const result = await previewImport(kv, clock, { kind, bytes, fileName: `${kind}.csv`, actor });
  if (!result.ok) throw new Error(result.message);
  return result.job;
}

async function importAll(
  kv: Deno.Kv,
  clock: () => Date,
  kind: ImportKind,
  bytes: Uint8Array,
  applyValidOnly = false,
) {
  const job = await preview(kv, clock, kind, bytes);
  const applied = await applyImport(kv, clock, job.id, { actor, applyValidOnly });
  return { preview: job, applied };
}

async function allEntries(kv: Deno.Kv, unitId: string): Promise<LedgerEntry[]> {
  return (await listEntries(kv, unitId)).entries;
}

/** Every key and value under the given prefixes, for "nothing changed" comparisons. */
async function snapshot(kv: Deno.Kv, prefixes: string[]): Promise<string> {
  const out: unknown[] = [];
  for (const p of prefixes) {
    for await (const e of kv.list({ prefix: [p] })) out.push([e.key, e.value]);
  }
  return JSON.stringify(out);
}

const DATA_PREFIXES = [
  "buildings",
  "units",
  "units_by_external_id",
  "units_by_address",
  "ledger",
  "ledger_by_document",
  "ledger_totals",
  "meters",
  "meters_by_id",
  "readings",
  "water_settlements",
  "fee_rates",
];

const LEDGER_HEADER = "lokal;dokument;rodzaj;data;okres;składnik;kwota;opis;stawka;ilość;jednostka";

// --- Ledger -------------------------------------------------------------------------------------

Deno.test("ledger: valid, invalid and duplicate rows; applying keeps the totals exact", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const file = lines(
      LEDGER_HEADER,
      "KW12/1;BO/2026;bilans otwarcia;01.01.2026;01.2026;;150,00;;;;",
      "KW12/1;NAL/2026-11/eksploatacja;naliczenie;01.11.2026;11.2026;eksploatacja;120,28;Eksploatacja za 11.2026;2,48;48,50;m²",
      "KW12/1;WB/1;wpłata;12.11.2026;11.2026;;1 234,56;;;;",
      "KW12/2;KOR/1;korekta;20.11.2026;10.2026;eksploatacja;-12,5;;;;",
      "KW12/2;NO/1;odsetki;20.11.2026;;odsetki;0,37;;;;",
      "KW12/1;WB/1;wpłata;13.11.2026;11.2026;;99,00;;;;", // duplicate document
      "KW12/9;X/1;wpłata;12.11.2026;;;10,00;;;;", // unknown unit
      "KW12/1;X/2;naliczenie;01.11.2026;;;10,00;;;;", // charge without component
      "KW12/1;X/3;naliczenie;31.11.2026;;eksploatacja;10,00;;;;", // no such day
      "KW12/1;X/4;wpłata;12.11.2026;;;12.50;;;;", // decimal point
      "KW12/1;X/5;naliczenie;01.11.2026;;nieznany;10,00;;;;", // unknown component
      "KW12/1;X/6;naliczenie;01.11.2026;;eksploatacja;-10,00;;;;", // negative charge
      "KW12/1;X/7;naliczenie;01.11.2026;;eksploatacja;10,00;;2,48;;", // half a basis
      "KW12/1;X/8;naliczenie;01.11.2026;;eksploatacja;10,00;;2,48;48,50;m²", // ≠ rate × qty
      "KW12/1;X/9;przelew;01.11.2026;;;10,00;;;;", // unknown kind
    );
    const job = await preview(kv, clock, "ledger", file);
    assert.deepEqual(job.counts, { total: 15, add: 5, change: 0, unchanged: 0, refused: 10 });
    const refused = await listRefusedLines(kv, job.id);
    const reason = (line: number) => refused.find((r) => r.line === line)?.reason ?? "";
    assert.match(
      reason(7),
      /powtórzony wiersz: dokument WB\/1 lokalu KW12\/1 jest już w wierszu 4/,
    );
    assert.match(reason(8), /nieznany lokal „KW12\/9”/);
    assert.match(reason(9), /składnik: naliczenie wymaga składnika/);
    assert.match(reason(10), /data: „31.11.2026”: nie ma takiego dnia/);
    assert.match(reason(11), /kwota: .*przecinka/);
    assert.match(reason(12), /nieznany składnik opłat „nieznany”/);
    assert.match(reason(13), /nie może być ujemna/);
    assert.match(reason(14), /stawkę, ilość i jednostkę podaje się razem/);
    assert.match(reason(15), /różni się od stawki × ilości = 120,28 zł/);
    assert.match(reason(16), /rodzaj: „przelew” — oczekiwano/);
    assert.deepEqual(refused.map((r) => r.line), [7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);

    // Errors remain: refused unless staff choose the valid rows.
    const refusedApply = await applyImport(kv, clock, job.id, { actor, applyValidOnly: false });
    assert.equal(refusedApply.ok, false);
    assert.equal(!refusedApply.ok && refusedApply.reason, "has_errors");
    assert.equal((await getTotals(kv, unitIds["KW12/1"])).entryCount, 0, "nothing applied");

    const applied = await applyImport(kv, clock, job.id, { actor, applyValidOnly: true });
    assert.ok(applied.ok);
    assert.deepEqual(applied.job.applied, { added: 5, changed: 0, unchanged: 0, refused: 0 });
    const t1 = await getTotals(kv, unitIds["KW12/1"]);
    assert.equal(t1.balance, 15000 + 12028 - 123456);
    assert.equal(t1.entryCount, 3);
    const t2 = await getTotals(kv, unitIds["KW12/2"]);
    assert.equal(t2.balance, -1250 + 37);
    for (const id of Object.values(unitIds)) assert.ok((await recomputeTotals(kv, id)).equal);
    const charge = (await allEntries(kv, unitIds["KW12/1"])).find((e) => e.kind === "charge")!;
    assert.deepEqual(charge.basis, { rate: 248, quantityMilli: 48500, unitLabel: "m²" });
    const interest = (await allEntries(kv, unitIds["KW12/2"])).find((e) => e.kind === "interest")!;
    assert.equal(interest.period, "2026-11", "an empty period is the posting month");
    assert.equal(interest.description, "Odsetki za 11.2026", "an empty description is made");

    // History, audit, and the "data as of" date residents see.
    const [history] = await listImportHistory(kv);
    assert.equal(history.result, "applied_valid_only");
    assert.equal(history.who.label, actor.label);
    assert.equal(history.fileName, "ledger.csv");
    assert.equal(history.hash, job.hash);
    assert.deepEqual(history.counts, job.counts);
    assert.equal(history.at, NOW.toISOString());
    const freshness = await getDataFreshness(kv);
    assert.equal(freshness?.asOf, NOW.toISOString());
    assert.match(freshness!.source, /ledger\.csv/);
    const audit = (await listAudit(kv)).find((e) => e.action === "import.applied");
    assert.equal(audit?.details?.jobId, job.id);
    assert.equal(audit?.details?.added, 5);
    assert.equal((await getImportJob(kv, job.id))?.status, "applied");
    assert.equal(
      (await Array.fromAsync(kv.list({ prefix: keys.importJobRowsAll(job.id) }))).length,
      0,
      "the applied rows are dropped; the refused lines stay",
    );
    assert.equal((await listRefusedLines(kv, job.id)).length, 10);
  } finally {
    kv.close();
  }
});

Deno.test("ledger: the same file again changes nothing; a changed document is refused", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const file = lines(
      LEDGER_HEADER,
      "KW12/1;NAL/1;naliczenie;01.11.2026;11.2026;eksploatacja;120,28;;;;",
      "KW12/1;WB/1;wpłata;12.11.2026;11.2026;;100,00;;;;",
      "KW12/2;WB/2;wpłata;12.11.2026;11.2026;;50,00;;;;",
    );
    const first = await importAll(kv, clock, "ledger", file);
    assert.ok(first.applied.ok);
    const before = await snapshot(kv, DATA_PREFIXES);

    clock.advance(3_600_000);
    const again = await importAll(kv, clock, "ledger", file);
    assert.deepEqual(again.preview.counts, {
      total: 3,
      add: 0,
      change: 0,
      unchanged: 3,
      refused: 0,
    });
    assert.ok(again.preview.notices.some((n) => /Ten sam plik/.test(n)));
    assert.ok(again.applied.ok);
    assert.deepEqual(again.applied.job.applied, { added: 0, changed: 0, unchanged: 0, refused: 0 });
    assert.equal(await snapshot(kv, DATA_PREFIXES), before, "nothing changed");
    assert.equal((await listImportHistory(kv)).length, 2);

    const changed = await preview(
      kv,
      clock,
      "ledger",
      lines(
        LEDGER_HEADER,
        "KW12/1;WB/1;wpłata;12.11.2026;11.2026;;101,00;;;;",
        "KW12/1;WB/3;wpłata;13.11.2026;11.2026;;5,00;;;;",
      ),
    );
    assert.equal(changed.counts.refused, 1);
    assert.equal(changed.counts.add, 1);
    assert.match(
      changed.refused[0].reason,
      /zmiana zaksięgowanego dokumentu WB\/1 \(kwota 100,00 ≠ 101,00 zł\).*korektą/,
    );
    assert.equal((await getTotals(kv, unitIds["KW12/1"])).paid, 10000);
  } finally {
    kv.close();
  }
});

Deno.test("ledger: a large file is applied in chunks within KV limits; every document once", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const rows = [LEDGER_HEADER];
    for (let i = 0; i < 3000; i++) {
      const unit = i % 2 === 0 ? "KW12/1" : "KW12/2";
      rows.push(
        `${unit};DOC/${i};naliczenie;01.11.2026;11.2026;eksploatacja;1,${
          String(i % 100).padStart(2, "0")
        };Opis długi z polskimi znakami: zażółć gęślą jaźń ${i};;;`,
      );
    }
    const { preview: job, applied } = await importAll(kv, clock, "ledger", lines(...rows));
    assert.ok(job.chunks > 5, `stored in ${job.chunks} chunks`);
    assert.ok(applied.ok);
    assert.equal(applied.job.progress.chunksDone, job.chunks);
    assert.equal(applied.job.applied.added, 3000);
    for (const id of Object.values(unitIds)) {
      const entries = await allEntries(kv, id);
      assert.equal(entries.length, 1500);
      assert.equal(new Set(entries.map((e) => e.documentNo)).size, 1500);
      assert.ok((await recomputeTotals(kv, id)).equal);
    }
  } finally {
    kv.close();
  }
});

Deno.test("apply: a failure mid-way leaves the job resumable; resuming posts the rest once", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const rows = [LEDGER_HEADER];
    for (let i = 0; i < 2000; i++) {
      rows.push(`KW12/${1 + (i % 2)};D/${i};wpłata;12.11.2026;11.2026;;1,00;;;;`);
    }
    const job = await preview(kv, clock, "ledger", lines(...rows));
    assert.ok(job.chunks >= 3);
    let chunks = 0;
    const failed = await applyImport(kv, clock, job.id, {
      actor,
      applyValidOnly: false,
      onProgress: () => {
        if (++chunks === 2) throw new Error("power cut");
      },
    });
    assert.equal(failed.ok, false);
    assert.equal(!failed.ok && failed.reason, "failed");
    const stopped = (await getImportJob(kv, job.id))!;
    assert.equal(stopped.status, "failed");
    assert.equal(stopped.progress.chunksDone, 2);
    assert.match(stopped.error!, /power cut/);
    assert.equal((await listImportHistory(kv))[0].result, "failed");
    assert.ok(stopped.progress.rowsDone > 0 && stopped.progress.rowsDone < 2000);

    const resumed = await applyImport(kv, clock, job.id, { actor, applyValidOnly: false });
    assert.ok(resumed.ok);
    assert.equal(resumed.job.applied.added, 2000);
    for (const id of Object.values(unitIds)) {
      const entries = await allEntries(kv, id);
      assert.equal(entries.length, 1000);
      assert.equal(new Set(entries.map((e) => e.documentNo)).size, 1000);
      assert.ok((await recomputeTotals(kv, id)).equal);
    }
    // Applying an applied job does nothing.
    const again = await applyImport(kv, clock, job.id, { actor, applyValidOnly: false });
    assert.ok(again.ok && again.alreadyApplied);
  } finally {
    kv.close();
  }
});

Deno.test("apply: a job left applying is resumed only after its lease ran out", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const job = await preview(
      kv,
      clock,
      "ledger",
      lines(LEDGER_HEADER, "KW12/1;D/1;wpłata;12.11.2026;11.2026;;1,00;;;;"),
    );
    // A process that died mid-way: the job says applying, with a lease until 30 s from now.
    const entry = await kv.get(keys.importJobs(job.id));
    await kv.atomic()
      .set(keys.importJobs(job.id), {
        ...job,
        status: "applying",
        appliedBy: actor,
        applyStartedAt: NOW.toISOString(),
        lease: { token: "dead", until: new Date(NOW.getTime() + 30_000).toISOString() },
      })
      .delete(keys.importJobsByStatus("previewed", job.id))
      .set(keys.importJobsByStatus("applying", job.id), job.id)
      .check(entry)
      .commit();
    const busy = await applyImport(kv, clock, job.id, { actor, applyValidOnly: false });
    assert.equal(!busy.ok && busy.reason, "in_progress");
    assert.deepEqual((await resumeImports(kv, clock)).resumed, []);

    clock.advance(31_000);
    const report = await resumeImports(kv, clock);
    assert.equal(report.resumed.length, 1);
    assert.ok(report.resumed[0].result.ok);
    assert.equal((await getTotals(kv, unitIds["KW12/1"])).paid, 100);
    assert.equal((await listImportHistory(kv))[0].who.label, actor.label);
    assert.deepEqual(await listImportJobs(kv, "applying"), []);
  } finally {
    kv.close();
  }
});

Deno.test("previews nobody applied expire after a week", async () => {
  const { kv, clock } = await setup();
  try {
    const job = await preview(
      kv,
      clock,
      "ledger",
      lines(LEDGER_HEADER, "KW12/1;D/1;wpłata;12.11.2026;11.2026;;1,00;;;;"),
    );
    assert.equal((await resumeImports(kv, clock)).expired, 0);
    clock.advance(8 * 24 * 3_600_000);
    assert.equal((await resumeImports(kv, clock)).expired, 1);
    assert.equal((await getImportJob(kv, job.id))?.status, "expired");
    const late = await applyImport(kv, clock, job.id, { actor, applyValidOnly: false });
    assert.equal(!late.ok && late.reason, "expired");
  } finally {
    kv.close();
  }
});

// --- Files that cannot be read --------------------------------------------------------------------

Deno.test("unreadable files are refused as a whole with one clear message; nothing is stored", async () => {
  const { kv, clock } = await setup();
  try {
    const cases: [ImportKind, Uint8Array, RegExp][] = [
      ["ledger", new Uint8Array(), /pusty/],
      ["ledger", utf8("lokal;dokument\nKW12/1;X\n"), /Brak kolumn „rodzaj”, „data”, „kwota”/],
      ["units", lines(LEDGER_HEADER, "KW12/1;X"), /Czy wybrano właściwy rodzaj danych/],
      ["ledger", utf8("lokal,dokument,rodzaj,data,kwota\n"), /średnikiem/],
      ["ledger", utf8(LEDGER_HEADER + "\n"), /nie ma wierszy z danymi/],
      ["ledger", utf8(`${LEDGER_HEADER}\nKW12/1;"X;wpłata\n`), /cudzysłów otwarty/],
      ["ledger", new Uint8Array([0xff, 0xfe, 0x6c, 0x00]), /UTF-16/],
      ["ledger", utf8("lokal;lokal;dokument\n"), /występuje w nagłówku więcej niż raz/],
    ];
    for (const [kind, bytes, message] of cases) {
      const r = await previewImport(kv, clock, { kind, bytes, fileName: "x.csv", actor });
      assert.equal(r.ok, false, String(message));
      assert.match(!r.ok ? r.message : "", message);
    }
    assert.deepEqual(await listImportJobs(kv, "previewed"), []);
  } finally {
    kv.close();
  }
});

Deno.test("encodings: a Windows-1250 file is read with a notice; headers without diacritics match", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const text = "LOKAL;Dokument;RODZAJ;Data;Kwota;Opis;Skladnik\r\n" +
      "KW12/1;WB/9;wpłata;12.11.2026;10,00;Wpłata za śmieci i żółty kosz;\r\n";
    const map: Record<string, number> = { "ł": 0xb3, "ś": 0x9c, "ż": 0xbf, "ó": 0xf3 };
    const bytes = new Uint8Array([...text].map((ch) => map[ch] ?? ch.charCodeAt(0)));
    const { preview: job, applied } = await importAll(kv, clock, "ledger", bytes);
    assert.equal(job.encoding, "windows-1250");
    assert.ok(job.notices.some((n) => /Windows-1250/.test(n)));
    assert.ok(applied.ok);
    const [entry] = await allEntries(kv, unitIds["KW12/1"]);
    assert.equal(entry.description, "Wpłata za śmieci i żółty kosz");

    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text.replace("WB/9", "WB/10"))]);
    const second = await importAll(kv, clock, "ledger", bom);
    assert.equal(second.preview.encoding, "utf-8-bom");
    assert.equal(second.preview.counts.add, 1, "the BOM does not spoil the first column's name");
  } finally {
    kv.close();
  }
});

// --- Units ----------------------------------------------------------------------------------------

const UNITS_HEADER =
  "lokal;budynek;ulica;nr budynku;kod pocztowy;miejscowość;numer;rodzaj;powierzchnia;osoby;rachunek;użytkownicy";

Deno.test("units: new, changed, unchanged, duplicate and invalid rows; new buildings", async () => {
  const { kv, clock, building, unitIds } = await setup();
  try {
    // A unit kept by hand, without a code: the import gives it one.
    const manual = await createUnit(kv, clock, {
      buildingId: building.id,
      number: "3",
      kind: "flat",
      areaCm2: 300000,
      persons: 1,
      bankAccount: nrb(3),
      occupants: ["Ewa Nowak"],
    });
    assert.ok(manual.ok);
    const file = lines(
      UNITS_HEADER,
      `KW12/1;KW12;;;;;1;mieszkanie;48,50;2;${nrb(1)};Jan Kowalski`, // unchanged
      `KW12/2;KW12;;;;;2;mieszkanie;48,50;3;${nrb(2)};Jan Kowalski, Anna Kowalska`, // change
      `KW12/3;KW12;;;;;3;mieszkanie;30,00;1;${nrb(3)};Ewa Nowak`, // adopt
      `KO8/1;KO8;ul. Kościuszki;8;67-200;Głogów;1;mieszkanie;47,20;2;${nrb(101)};Adam Nowicki`,
      `KO8/G1;KO8;;;;;G1;garaż;17,60;0;${nrb(102)};Adam Nowicki`, // building from line 5
      `KO8/1;KO8;;;;;1;mieszkanie;47,20;2;${nrb(101)};x`, // duplicate code
      `KW12/4;KW12;Inna;12;67-200;Głogów;4;mieszkanie;40,00;1;${nrb(4)};X`, // other address
      `XX1/1;XX1;;;;;1;mieszkanie;40,00;1;${nrb(5)};X`, // unknown building, no address
      `KW12/5;KW12;;;;;5;mieszkanie;40,00;1;12 3456;X`, // bad account
      `KW12/6;KW12;;;;;6;willa;-4;jeden;${nrb(6)};X`, // bad kind, area, persons
      `KW12/7;KW12;;;;;2;mieszkanie;40,00;1;${nrb(7)};X`, // address of KW12/2
    );
    const job = await preview(kv, clock, "units", file);
    assert.deepEqual(job.counts, { total: 11, add: 2, change: 2, unchanged: 1, refused: 6 });
    const refused = await listRefusedLines(kv, job.id);
    const reason = (line: number) => refused.find((r) => r.line === line)?.reason ?? "";
    assert.match(reason(7), /powtórzony wiersz: lokal KO8\/1 jest już w wierszu 5/);
    assert.match(reason(8), /adres budynku KW12 w pliku .* różni się od zapisanego/);
    assert.match(reason(9), /nieznany budynek „XX1” — aby go dodać/);
    assert.match(reason(10), /rachunek: .*poprawny numer rachunku/);
    assert.match(reason(11), /rodzaj: „willa”.*; powierzchnia: .*; osoby: /);
    assert.match(reason(12), /jest już lokal o kodzie KW12\/2|lokal nr 2 w budynku KW12 jest już/);
    const notes = job.sample.filter((s) => s.action === "change").map((s) => s.note);
    assert.ok(notes.some((n) => /osoby: 2 → 3; użytkownicy: Jan Kowalski, Anna Kowalska/.test(n!)));
    assert.ok(notes.some((n) => /nadanie kodu KW12\/3/.test(n!)));

    const applied = await applyImport(kv, clock, job.id, { actor, applyValidOnly: true });
    assert.ok(applied.ok);
    assert.deepEqual(applied.job.applied, { added: 2, changed: 2, unchanged: 0, refused: 0 });
    assert.equal((await getUnit(kv, unitIds["KW12/2"]))?.persons, 3);
    assert.equal((await getUnitByExternalId(kv, "KW12/3"))?.id, manual.ok && manual.unit.id);
    const ko8 = await getUnitByExternalId(kv, "KO8/G1");
    assert.equal(ko8?.kind, "garage");
    assert.equal(ko8?.areaCm2, 176000);
    const units = await listUnitsOfBuilding(kv, ko8!.buildingId);
    assert.deepEqual(units.map((u) => u.externalId), ["KO8/1", "KO8/G1"]);
    assert.equal((await findUnitsByAddress(kv, "Kościuszki", "8", "1"))[0]?.externalId, "KO8/1");

    const before = await snapshot(kv, DATA_PREFIXES);
    const again = await importAll(kv, clock, "units", file, true);
    assert.equal(again.preview.counts.unchanged, 5);
    assert.equal(again.preview.counts.add + again.preview.counts.change, 0);
    assert.equal(await snapshot(kv, DATA_PREFIXES), before);
  } finally {
    kv.close();
  }
});

Deno.test("units: a renumbered unit moves its address index", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const { applied } = await importAll(
      kv,
      clock,
      "units",
      lines(UNITS_HEADER, `KW12/2;KW12;;;;;2a;mieszkanie;48,50;2;${nrb(2)};Jan Kowalski`),
    );
    assert.ok(applied.ok && applied.job.applied.changed === 1);
    assert.deepEqual(await findUnitsByAddress(kv, "Kazimierza Wielkiego", "12", "2"), []);
    const [moved] = await findUnitsByAddress(kv, "Kazimierza Wielkiego", "12", "2a");
    assert.equal(moved.id, unitIds["KW12/2"]);
  } finally {
    kv.close();
  }
});

// --- Meters and readings --------------------------------------------------------------------------

const METERS_HEADER =
  "lokal;numer fabryczny;rodzaj;miejsce;data montażu;legalizacja do;zastępuje;stan końcowy zastępowanego;stan początkowy";

Deno.test("meters: new, legalisation changed, swap, and refused rows", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const old = await addMeter(kv, clock, {
      unitId: unitIds["KW12/1"],
      kind: "hot",
      serialNo: "CW-1",
      location: "łazienka",
      installedOn: "2021-03-01",
      legalUntil: "2026-03-01",
    });
    await addReading(kv, clock, {
      meterId: old.id,
      readOn: "2026-09-30",
      litres: 50_000,
      source: "radio",
      enteredBy: "import",
    });
    const kept = await addMeter(kv, clock, {
      unitId: unitIds["KW12/2"],
      kind: "cold",
      serialNo: "ZW-2",
      location: "łazienka",
      installedOn: "2022-01-10",
      legalUntil: "2027-01-10",
    });
    const file = lines(
      METERS_HEADER,
      "KW12/2;ZW-9;zimna;kuchnia;01.10.2026;01.10.2031;;;", // new
      "KW12/2;ZW-2;zimna;łazienka;10.01.2022;10.01.2032;;;", // re-legalised
      "KW12/1;CW-7;ciepła;łazienka;15.11.2026;15.11.2031;CW-1;51,200;0,004", // swap
      "KW12/1;ZW-2;zimna;łazienka;10.01.2022;10.01.2032;;;", // duplicate serial in file
      "KW12/1;ZW-8;zimna;łazienka;15.11.2026;15.11.2031;CW-1;60,000;0", // CW-1 swapped above
      "KW12/9;ZW-5;zimna;łazienka;01.10.2026;01.10.2031;;;", // unknown unit
      "KW12/2;ZW-6;zimna;łazienka;01.10.2026;01.09.2026;;;", // legalisation before installation
      "KW12/2;ZW-4;ciepła;łazienka;01.10.2026;01.10.2031;CW-1;;", // swap without states
    );
    const job = await preview(kv, clock, "meters", file);
    assert.deepEqual(job.counts, { total: 8, add: 2, change: 1, unchanged: 0, refused: 5 });
    const refused = await listRefusedLines(kv, job.id);
    const reason = (line: number) => refused.find((r) => r.line === line)?.reason ?? "";
    assert.match(reason(5), /powtórzony wiersz: wodomierz ZW-2/);
    assert.match(reason(6), /wodomierz CW-1 jest już wymieniany w wierszu 4/);
    assert.match(reason(7), /nieznany lokal/);
    assert.match(reason(8), /legalizacja do: koniec legalizacji musi być po dacie montażu/);
    assert.match(reason(9), /stan końcowy zastępowanego: przy wymianie podaj/);

    const applied = await applyImport(kv, clock, job.id, { actor, applyValidOnly: true });
    assert.ok(applied.ok);
    assert.deepEqual(applied.job.applied, { added: 2, changed: 1, unchanged: 0, refused: 0 });
    const meters1 = await listMeters(kv, unitIds["KW12/1"]);
    const swapped = meters1.find((m) => m.id === old.id)!;
    const fresh = meters1.find((m) => m.serialNo === "CW-7")!;
    assert.equal(swapped.removedOn, "2026-11-15");
    assert.equal(swapped.replacedBy, fresh.id);
    assert.equal(fresh.replaces, old.id);
    assert.deepEqual((await listReadings(kv, fresh.id)).map((r) => r.litres), [4]);
    assert.deepEqual((await listReadings(kv, old.id)).map((r) => r.litres), [50_000, 51_200]);
    const meters2 = await listMeters(kv, unitIds["KW12/2"]);
    assert.equal(meters2.find((m) => m.id === kept.id)?.legalUntil, "2032-01-10");
    assert.ok(meters2.some((m) => m.serialNo === "ZW-9" && m.location === "kuchnia"));

    const moved = await preview(
      kv,
      clock,
      "meters",
      lines(METERS_HEADER, "KW12/1;ZW-9;zimna;kuchnia;01.10.2026;01.10.2031;;;"),
    );
    assert.match(moved.refused[0].reason, /zapisany w innym lokalu/);

    const before = await snapshot(kv, DATA_PREFIXES);
    const again = await importAll(kv, clock, "meters", file, true);
    assert.equal(again.preview.counts.unchanged, 3);
    assert.equal(await snapshot(kv, DATA_PREFIXES), before);
  } finally {
    kv.close();
  }
});

const READINGS_HEADER = "numer fabryczny;data;stan;źródło;lokal";

Deno.test("readings: in order, lower, same day, future, unknown meter, duplicates", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const meter = await addMeter(kv, clock, {
      unitId: unitIds["KW12/1"],
      kind: "cold",
      serialNo: "ZW-1",
      location: "łazienka",
      installedOn: "2026-01-01",
      legalUntil: "2031-01-01",
    });
    await addReading(kv, clock, {
      meterId: meter.id,
      readOn: "2026-09-30",
      litres: 20_000,
      source: "radio",
      enteredBy: "import",
    });
    const file = lines(
      READINGS_HEADER,
      "ZW-1;31.10.2026;21,500;radiowy;KW12/1",
      "ZW-1;30.09.2026;20,000;;", // the stored one: unchanged
      "ZW-1;24.11.2026;21,400;;", // lower than line 5 (earlier in time)
      "ZW-1;20.11.2026;22,000;inkasent;", // between: fine
      "ZW-1;31.10.2026;21,600;;", // second reading of a day in the file
      "ZW-1;30.09.2026;19,000;;", // the day of line 3 again
      "ZW-1;30.12.2026;30,000;;", // future
      "ZW-1;31.12.2025;1,000;;", // before installation
      "ZW-404;31.10.2026;1,000;;", // unknown meter
      "ZW-1;15.11.2026;21,700;;KW12/2", // meter of another unit
      "ZW-1;16.11.2026;abc;;", // not a number
    );
    const job = await preview(kv, clock, "readings", file);
    assert.deepEqual(job.counts, { total: 11, add: 2, change: 0, unchanged: 1, refused: 8 });
    const refused = await listRefusedLines(kv, job.id);
    const reason = (line: number) => refused.find((r) => r.line === line)?.reason ?? "";
    assert.match(reason(4), /niższy od poprzedniego odczytu 22,000 m³ z 20.11.2026/);
    assert.match(
      reason(6),
      /powtórzony wiersz: odczyt wodomierza ZW-1 z 31.10.2026 jest już w wierszu 2/,
    );
    assert.match(
      reason(7),
      /powtórzony wiersz: odczyt wodomierza ZW-1 z 30.09.2026 jest już w wierszu 3/,
    );
    assert.match(reason(8), /z przyszłości/);
    assert.match(reason(9), /sprzed montażu/);
    assert.match(reason(10), /nieznany wodomierz nr ZW-404/);
    assert.match(reason(11), /nie należy do lokalu KW12\/2/);
    assert.match(reason(12), /stan: „abc” to nie liczba/);

    const applied = await applyImport(kv, clock, job.id, { actor, applyValidOnly: true });
    assert.ok(applied.ok);
    const stored = await listReadings(kv, meter.id);
    assert.deepEqual(
      stored.map((r) => [r.readOn, r.litres, r.source]),
      [["2026-09-30", 20_000, "radio"], ["2026-10-31", 21_500, "radio"], [
        "2026-11-20",
        22_000,
        "visit",
      ]],
    );
    const otherValue = await preview(
      kv,
      clock,
      "readings",
      lines(READINGS_HEADER, "ZW-1;30.09.2026;19,000;;"),
    );
    assert.match(
      otherValue.refused[0].reason,
      /tego dnia zapisano już inny odczyt tego wodomierza \(20,000 m³\)/,
    );
    const again = await importAll(kv, clock, "readings", file, true);
    assert.equal(again.preview.counts.unchanged, 3);
    assert.equal((await listReadings(kv, meter.id)).length, 3);
  } finally {
    kv.close();
  }
});

// --- Settlements and fee rates ----------------------------------------------------------------------

const SETTLEMENTS_HEADER =
  "lokal;od;do;zimna woda;ciepła woda;cena woda i ścieki;cena podgrzania;zaliczki woda i ścieki;zaliczki podgrzanie;wynik;zaksięguj";

Deno.test("settlements: figures checked, overlaps refused, booked on the ledger when asked", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const file = lines(
      SETTLEMENTS_HEADER,
      "KW12/1;01.01.2026;30.06.2026;14,200;6,300;17,27;25,10;480,00;210,00;-177,83;tak",
      "KW12/2;01.01.2026;30.06.2026;10,000;0;17,27;;200,00;;;nie",
      "KW12/1;01.03.2026;31.08.2026;1,000;0;17,27;;10,00;;;", // overlaps line 2
      "KW12/2;01.07.2026;31.12.2026;10,000;0;17,27;;200,00;;-26,70;", // wrong result
      "KW12/2;01.07.2026;30.06.2026;10,000;0;17,27;;200,00;;;", // ends before it starts
      "KW12/2;01.07.2026;30.11.2026;10,000;0;17,27;;200,00;50,00;;", // heating advances, no price
    );
    const job = await preview(kv, clock, "settlements", file);
    assert.deepEqual(job.counts, { total: 6, add: 2, change: 0, unchanged: 0, refused: 4 });
    const refused = await listRefusedLines(kv, job.id);
    const reason = (line: number) => refused.find((r) => r.line === line)?.reason ?? "";
    assert.match(reason(4), /nachodzi na rozliczenie z wiersza 2/);
    assert.match(reason(5), /wynik w pliku -26,70 zł różni się od wyliczonego -27,30 zł/);
    assert.match(reason(6), /koniec okresu przed początkiem/);
    assert.match(reason(7), /zaliczki na podgrzanie bez ceny podgrzania/);

    const applied = await applyImport(kv, clock, job.id, { actor, applyValidOnly: true });
    assert.ok(applied.ok);
    const [s1] = await listSettlements(kv, unitIds["KW12/1"]);
    assert.equal(s1.difference, -17783);
    assert.equal(s1.cold.litres, 20500);
    assert.equal(s1.hot?.actualCost, 15813);
    assert.equal(s1.postedToLedger?.documentNo, "ROZL-WODA/2026-06-30");
    const totals = await getTotals(kv, unitIds["KW12/1"]);
    assert.equal(totals.balance, -17783, "the overpayment is credited");
    assert.ok((await recomputeTotals(kv, unitIds["KW12/1"])).equal);
    const [s2] = await listSettlements(kv, unitIds["KW12/2"]);
    assert.equal(s2.hot, null);
    assert.equal(s2.postedToLedger, null);

    const overlap = await preview(
      kv,
      clock,
      "settlements",
      lines(SETTLEMENTS_HEADER, "KW12/2;01.06.2026;31.07.2026;1,000;0;17,27;;10,00;;;"),
    );
    assert.match(
      overlap.refused[0].reason,
      /nachodzi na zapisane rozliczenie 01.01.2026–30.06.2026/,
    );
    const differs = await preview(
      kv,
      clock,
      "settlements",
      lines(SETTLEMENTS_HEADER, "KW12/2;01.01.2026;30.06.2026;10,001;0;17,27;;200,00;;;"),
    );
    assert.match(differs.refused[0].reason, /jest już zapisane z innymi danymi/);
    // Booking later: the same figures with "tak".
    const book = await importAll(
      kv,
      clock,
      "settlements",
      lines(SETTLEMENTS_HEADER, "KW12/2;01.01.2026;30.06.2026;10,000;0;17,27;;200,00;;;tak"),
    );
    assert.equal(book.preview.counts.change, 1);
    assert.ok(book.applied.ok && book.applied.job.applied.changed === 1);
    assert.ok((await listSettlements(kv, unitIds["KW12/2"]))[0].postedToLedger);

    const before = await snapshot(kv, DATA_PREFIXES);
    const again = await importAll(kv, clock, "settlements", file, true);
    assert.equal(again.preview.counts.unchanged, 2);
    assert.equal(await snapshot(kv, DATA_PREFIXES), before);
  } finally {
    kv.close();
  }
});

const FEES_HEADER = "lokal;od miesiąca;składnik;stawka;ilość;jednostka;kwota";

Deno.test("fee rates: added, changed, unchanged; amounts checked; unknown component refused", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const file = lines(
      FEES_HEADER,
      "KW12/1;01.2027;eksploatacja;2,73;48,50;m²;132,41",
      "KW12/1;2027-01;zw_scieki;17,27;5,6;m³;",
      "KW12/1;01.2027;eksploatacja;2,80;48,50;m²;", // duplicate
      "KW12/1;01.2027;antena;12,50;;lokal;", // unknown component
      "KW12/2;01.2027;eksploatacja;2,73;48,50;m²;132,40", // wrong amount
      "KW12/2;13.2027;eksploatacja;2,73;48,50;m²;", // no such month
    );
    const job = await preview(kv, clock, "fee_rates", file);
    assert.deepEqual(job.counts, { total: 6, add: 2, change: 0, unchanged: 0, refused: 4 });
    const refused = await listRefusedLines(kv, job.id);
    assert.match(refused[1].reason, /nieznany składnik opłat „antena”/);
    assert.match(
      refused[2].reason,
      /kwota 132,40 zł różni się od stawki × ilości: 2,73 zł × 48,5 = 132,41 zł/,
    );
    assert.ok((await applyImport(kv, clock, job.id, { actor, applyValidOnly: true })).ok);
    const rates = await listFeeRates(kv, unitIds["KW12/1"]);
    assert.deepEqual(rates.map((r) => [r.component, r.amount]), [
      ["eksploatacja", 13241],
      ["zw_scieki", 9671],
    ]);

    const change = await importAll(
      kv,
      clock,
      "fee_rates",
      lines(FEES_HEADER, "KW12/1;01.2027;eksploatacja;2,80;48,50;m²;"),
    );
    assert.equal(change.preview.counts.change, 1);
    assert.match(change.preview.sample[0].note!, /2,73 zł\/m² × 48,5 = 132,41 zł → 2,80 zł\/m²/);
    const current = await currentFeeRates(kv, unitIds["KW12/1"], "2027-03");
    assert.equal(current.find((r) => r.component === "eksploatacja")?.rate, 280);
    assert.deepEqual(await currentFeeRates(kv, unitIds["KW12/1"], "2026-12"), []);
  } finally {
    kv.close();
  }
});

// --- The example files ------------------------------------------------------------------------------

Deno.test("docs/examples: every example imports cleanly into a fresh demo database, and again changes nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  const clock = manualClock(NOW);
  try {
    await seedDemoCooperative(kv, clock);
    const demo = (await getDemoCooperative(kv))!;
    const order: ImportKind[] = [
      "units",
      "meters",
      "readings",
      "ledger",
      "settlements",
      "fee_rates",
    ];
    assert.deepEqual([...order].sort(), [...importKinds].sort(), "an example of every kind");
    for (const kind of order) {
      const bytes = await Deno.readFile(
        new URL(`../../docs/examples/${kind}.csv`, import.meta.url),
      );
      const { preview: job, applied } = await importAll(kv, clock, kind, bytes);
      assert.equal(job.counts.refused, 0, `${kind}: ${JSON.stringify(job.refused)}`);
      assert.ok(job.counts.add + job.counts.change > 0, `${kind} adds something`);
      assert.ok(applied.ok, kind);
      assert.equal(applied.job.applied.refused, 0, kind);
    }
    const before = await snapshot(kv, DATA_PREFIXES);
    for (const kind of order) {
      const bytes = await Deno.readFile(
        new URL(`../../docs/examples/${kind}.csv`, import.meta.url),
      );
      const { preview: job } = await importAll(kv, clock, kind, bytes);
      assert.equal(job.counts.unchanged, job.counts.total, `${kind}: all unchanged`);
    }
    assert.equal(await snapshot(kv, DATA_PREFIXES), before);
    for (const u of demo.units) assert.ok((await recomputeTotals(kv, u.id)).equal, u.externalId);
    assert.equal((await listImportHistory(kv)).length, 12);
  } finally {
    kv.close();
  }
});

Deno.test("demo data: buildings and units carry accounting codes", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const demo = await seedDemoCooperative(kv, manualClock(NOW));
    assert.equal((await getUnitByExternalId(kv, "KW12/7"))?.id, demo.demoResident.flatUnitId);
    assert.equal((await getUnitByExternalId(kv, "KW12/G2"))?.id, demo.demoResident.garageUnitId);
    assert.ok(demo.units.every((u) => /^(KW12|OP5A|SL27)\/G?\d+$/.test(u.externalId)));
  } finally {
    kv.close();
  }
});

Deno.test("ledger apply: a document posted meanwhile with other content is refused at apply", async () => {
  const { kv, clock, unitIds } = await setup();
  try {
    const job = await preview(
      kv,
      clock,
      "ledger",
      lines(LEDGER_HEADER, "KW12/1;WB/1;wpłata;12.11.2026;11.2026;;100,00;;;;"),
    );
    const posted = await postEntry(kv, clock, {
      unitId: unitIds["KW12/1"],
      kind: "payment",
      postedOn: "2026-11-12",
      period: "2026-11",
      amount: 9000,
      documentNo: "WB/1",
      description: "inne",
    });
    assert.ok(posted.ok);
    const applied = await applyImport(kv, clock, job.id, { actor, applyValidOnly: false });
    assert.ok(applied.ok);
    assert.equal(applied.job.applied.added, 0);
    assert.equal(applied.job.applied.refused, 1);
    assert.match(applied.job.applyRefused[0].reason, /zmiana zaksięgowanego dokumentu WB\/1/);
    assert.equal((await getTotals(kv, unitIds["KW12/1"])).paid, 9000);
  } finally {
    kv.close();
  }
});

Deno.test("docs/imports.md documents every column of every kind", async () => {
  const { importKindDefs } = await import("../../domain/backoffice/import_kinds/index.ts");
  const doc = await Deno.readTextFile(new URL("../../docs/imports.md", import.meta.url));
  for (const kind of importKinds) {
    const at = doc.indexOf(`— \`${kind}\``);
    assert.ok(at > 0, `a section for ${kind}`);
    const section = doc.slice(at, doc.indexOf("\n### ", at + 1));
    for (const c of importKindDefs[kind].columns) {
      assert.ok(section.includes(`| \`${c.header}\``), `${kind}: column ${c.header}`);
    }
  }
});

Deno.test("strict CSV: a stray quote on two adjacent lines of a 100-line ledger file is refused with its line numbers", async () => {
  const { kv, clock } = await setup();
  try {
    const rows = Array.from(
      { length: 100 },
      (_, i) => `KW12/1;Q/${i + 1};wpłata;12.11.2026;11.2026;;10,00;Wpłata ${i + 1};;;`,
    );
    // The clean file: 101 physical lines, the header and 100 rows, and the preview says so.
    const clean = await preview(kv, clock, "ledger", lines(LEDGER_HEADER, ...rows));
    assert.equal(clean.counts.add, 100);
    assert.ok(
      clean.notices.some((n) => /101 wierszy pliku.*nagłówek.*100 wierszy danych/.test(n)),
      clean.notices.join(" | "),
    );

    // A quote typed at the start of the description of Q/10 and Q/11 (file lines 11 and 12).
    const broken = [...rows];
    broken[9] = broken[9].replace(";Wpłata 10;", ';"Wpłata 10;');
    broken[10] = broken[10].replace(";Wpłata 11;", ';"Wpłata 11;');
    const result = await previewImport(kv, clock, {
      kind: "ledger",
      bytes: lines(LEDGER_HEADER, ...broken),
      fileName: "ksiegowania.csv",
      actor,
    });
    assert.equal(result.ok, false, "never 99 rows with Q/11 swallowed by Q/10");
    assert.match(!result.ok ? result.message : "", /wiersz(e|ach)? 11.12/);
    assert.match(!result.ok ? result.message : "", /cudzysłów/);
  } finally {
    kv.close();
  }
});
