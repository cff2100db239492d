import assert from "node:assert/strict";
import { runAdmin } from "../helpers.ts";
import { listImportHistory } from "../../domain/backoffice/imports.ts";
import { getUnitByExternalId } from "../../domain/backoffice/register.ts";

const admin = runAdmin;

Deno.test("deno task admin import: dry run, refused (exit 1), valid rows only, again unchanged", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kvPath = `${dir}/ebok.kv`;
    const file = `${dir}/lokale.csv`;
    await Deno.writeTextFile(
      file,
      [
        "lokal;budynek;ulica;nr budynku;kod pocztowy;miejscowość;numer;rodzaj;powierzchnia;osoby;rachunek",
        "KO8/1;KO8;Kościuszki;8;67-200;Głogów;1;mieszkanie;47,20;2;52 9990 0012 4600 0000 0000 0101",
        "KO8/2;KO8;Kościuszki;8;67-200;Głogów;2;mieszkanie;47,2O;2;25 9990 0012 4600 0000 0000 0102",
      ].join("\n"),
    );

    const dry = await admin(kvPath, "import", "units", file, "--dry-run", "--apply-valid-only");
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Wierszy: 2 — do dodania 1, do zmiany 0, bez zmian 0, odrzucone 1/);
    assert.match(dry.stdout, /wiersz 3: powierzchnia: „47,2O” to nie liczba/);
    assert.match(dry.stdout, /nic nie zapisano/);

    const refused = await admin(kvPath, "import", "units", file);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /Nie wczytano: plik zawiera błędne wiersze/);

    const valid = await admin(kvPath, "import", "units", file, "--apply-valid-only");
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /Wczytano: dodano 1, zmieniono 0/);

    const again = await admin(kvPath, "import", "units", file, "--apply-valid-only");
    assert.equal(again.code, 0);
    assert.match(again.stdout, /bez zmian 1, odrzucone 1/);
    assert.match(again.stdout, /Wczytano: dodano 0, zmieniono 0/);

    const usage = await admin(kvPath, "import", "lokale", file);
    assert.equal(usage.code, 2);
    assert.match(
      usage.stderr,
      /import units\|ledger\|meters\|readings\|settlements\|fee_rates FILE/,
    );
    const missing = await admin(kvPath, "import", "units", `${dir}/brak.csv`);
    assert.equal(missing.code, 1);

    const kv = await Deno.openKv(kvPath);
    try {
      assert.ok(await getUnitByExternalId(kv, "KO8/1"));
      assert.equal(await getUnitByExternalId(kv, "KO8/2"), null);
      const history = await listImportHistory(kv);
      assert.equal(history.length, 2);
      assert.equal(history[0].who.label, "operator (CLI)");
      assert.equal(history[0].result, "applied_valid_only");
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
