import assert from "node:assert/strict";
import {
  countPhysicalLines,
  csvRecords,
  CsvSyntaxError,
  decodeCsvBytes,
  foldHeader,
  formatDecimal,
  parseCount,
  parseCsv,
  parseCubicMetres,
  parseDate,
  parseDecimal,
  parseMoney,
  parsePeriod,
  parseSquareMetres,
  sha256Hex,
} from "../../domain/shared/csv.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Windows-1250 bytes of a string made of ASCII and Polish letters. */
function cp1250(s: string): Uint8Array {
  const map: Record<string, number> = {
    "ą": 0xb9,
    "ć": 0xe6,
    "ę": 0xea,
    "ł": 0xb3,
    "ń": 0xf1,
    "ó": 0xf3,
    "ś": 0x9c,
    "ź": 0x9f,
    "ż": 0xbf,
    "Ą": 0xa5,
    "Ć": 0xc6,
    "Ę": 0xca,
    "Ł": 0xa3,
    "Ń": 0xd1,
    "Ó": 0xd3,
    "Ś": 0x8c,
    "Ź": 0x8f,
    "Ż": 0xaf,
  };
  return new Uint8Array([...s].map((ch) => map[ch] ?? ch.charCodeAt(0)));
}

Deno.test("csv: records with quotes, escaped quotes, separators and line breaks in quotes", () => {
  const text = 'a;b;c\r\n1;"x;y";"He said ""hi"""\r\n2;"two\nlines";z\n\n;;\n3;;\n';
  const r = parseCsv(text);
  assert.ok(r.ok);
  assert.deepEqual(r.header, ["a", "b", "c"]);
  assert.deepEqual(r.records, [
    { line: 2, cells: ["1", "x;y", 'He said "hi"'] },
    { line: 3, cells: ["2", "two\nlines", "z"] },
    { line: 7, cells: ["3", "", ""] },
  ]);
});

Deno.test("csv: LF, CRLF and no final newline; an Excel sep=; line; empty file", () => {
  for (const text of ["h1;h2\n1;2\n", "h1;h2\r\n1;2\r\n", "h1;h2\n1;2", "sep=;\nh1;h2\n1;2"]) {
    const r = parseCsv(text);
    assert.ok(r.ok, text);
    assert.deepEqual(r.header, ["h1", "h2"]);
    assert.deepEqual(r.records.map((x) => x.cells), [["1", "2"]]);
  }
  const empty = parseCsv("\n\n");
  assert.equal(empty.ok, false);
});

Deno.test("csv: an unclosed quote names its line; commas or tabs instead of ; are explained", () => {
  const r = parseCsv('a;b\n1;"open\n2;3\n');
  assert.ok(!r.ok);
  assert.equal(r.line, 2);
  assert.match(r.message, /Wiersz 2: cudzysłów otwarty/);
  const commas = parseCsv('lokal,dokument,kwota\nKW12/7,PK/1,"12,50"\n');
  assert.ok(!commas.ok);
  assert.match(commas.message, /średnikiem \(;\), a w pliku są przecinki/);
  const tabs = parseCsv("lokal\tdokument\n");
  assert.ok(!tabs.ok);
  assert.match(tabs.message, /tabulatory/);
});

Deno.test("csv: headers compare without case, diacritics or punctuation", () => {
  assert.equal(foldHeader("Data montażu"), "data_montazu");
  assert.equal(foldHeader(" DATA_MONTAZU "), "data_montazu");
  assert.equal(foldHeader("Składnik"), "skladnik");
  assert.equal(foldHeader("Użytkownicy"), "uzytkownicy");
  assert.equal(foldHeader("Łączna kwota (zł)"), "laczna_kwota_zl");
});

Deno.test("numbers: money in grosze by string arithmetic", () => {
  const cases: [string, number][] = [
    ["1 234,56", 123456],
    ["1234,56", 123456],
    ["1\u00a0234,56", 123456],
    ["1\u202f234,56", 123456],
    ["1.234,56", 123456],
    ["-12,5", -1250],
    ["−12,50", -1250],
    ["+7", 700],
    ["0,01", 1],
    ["0,1", 10],
    ["12,50 zł", 1250],
    ["100", 10000],
    ["1 000 000,00", 100000000],
    ["0,30", 30],
    ["-0,00", 0],
    ["12,500", 1250],
  ];
  for (const [text, grosze] of cases) {
    const r = parseMoney(text);
    assert.ok(r.ok, text);
    assert.equal(r.value, grosze, text);
  }
  // 0,1 + 0,2 is exactly 30 grosze here (no floating point).
  const a = parseMoney("0,1");
  const b = parseMoney("0,2");
  assert.ok(a.ok && b.ok);
  assert.equal(a.value + b.value, 30);
});

Deno.test("numbers: malformed or ambiguous values are refused with a reason", () => {
  const refused: [string, RegExp][] = [
    ["", /brak wartości/],
    ["12.50", /przecinka jako separatora dziesiętnego/],
    ["1.234", /przecinka/],
    ["12,345", /najwyżej 2 cyfry po przecinku/],
    ["1,2,3", /to nie liczba/],
    ["12 34,00", /to nie liczba/],
    ["abc", /to nie liczba/],
    ["1e5", /to nie liczba/],
    ["12,", /to nie liczba/],
    ["9999999999999999", /za duża/],
  ];
  for (const [text, message] of refused) {
    const r = parseMoney(text);
    assert.ok(!r.ok, text);
    assert.match(r.message, message, text);
  }
  const negative = parseMoney("-5", { allowNegative: false });
  assert.ok(!negative.ok);
  assert.match(negative.message, /nie może być ujemna/);
});

Deno.test("numbers: m³ → litres, m² → cm², counts", () => {
  const litres = parseCubicMetres("12,345");
  assert.ok(litres.ok && litres.value === 12345);
  const m3 = parseCubicMetres("1 234,5 m³");
  assert.ok(m3.ok && m3.value === 1234500);
  assert.ok(!parseCubicMetres("-1").ok);
  assert.ok(!parseCubicMetres("1,2345").ok);
  const area = parseSquareMetres("48,50");
  assert.ok(area.ok && area.value === 485000);
  const area2 = parseSquareMetres("54,3 m²");
  assert.ok(area2.ok && area2.value === 543000);
  const persons = parseCount("3");
  assert.ok(persons.ok && persons.value === 3);
  assert.ok(!parseCount("2,5").ok);
  const q = parseDecimal("2,8", 3);
  assert.ok(q.ok && q.value === 2800);
  assert.equal(formatDecimal(123456, 2), "1 234,56");
  assert.equal(formatDecimal(-5, 2), "-0,05");
  assert.equal(formatDecimal(12345, 3), "12,345");
});

Deno.test("dates and months: Polish and ISO forms, impossible days refused", () => {
  const ok: [string, string][] = [
    ["25.11.2026", "2026-11-25"],
    ["5.1.2026", "2026-01-05"],
    ["2026-11-25", "2026-11-25"],
    ["25.11.2026 00:00", "2026-11-25"],
    ["29.02.2028", "2028-02-29"],
  ];
  for (const [text, iso] of ok) {
    const r = parseDate(text);
    assert.ok(r.ok, text);
    assert.equal(r.value, iso);
  }
  for (const text of ["31.11.2026", "29.02.2026", "2026/11/25", "25-11-2026", "jutro", ""]) {
    assert.ok(!parseDate(text).ok, text);
  }
  const months: [string, string][] = [["2026-11", "2026-11"], ["11.2026", "2026-11"], [
    "1/2027",
    "2027-01",
  ]];
  for (const [text, period] of months) {
    const r = parsePeriod(text);
    assert.ok(r.ok && r.value === period, text);
  }
  assert.ok(!parsePeriod("13.2026").ok);
});

Deno.test("encodings: UTF-8, UTF-8 with BOM, Windows-1250 decoded with a notice, others refused", () => {
  const text = "lokal;opis\nKW12/7;Zażółć gęślą jaźń ŁÓDŹ\n";
  const plain = decodeCsvBytes(utf8(text));
  assert.ok(plain.ok);
  assert.equal(plain.encoding, "utf-8");
  assert.equal(plain.text, text);
  assert.equal(plain.notice, undefined);

  const bom = decodeCsvBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]));
  assert.ok(bom.ok);
  assert.equal(bom.encoding, "utf-8-bom");
  assert.equal(bom.text, text, "the BOM is not part of the text (nor of the first header)");

  const legacy = decodeCsvBytes(cp1250(text));
  assert.ok(legacy.ok);
  assert.equal(legacy.encoding, "windows-1250");
  assert.equal(legacy.text, text);
  assert.match(legacy.notice!, /Windows-1250/);

  // ISO-8859-2: ą = 0xB1, ś = 0xB6 (± and ¶ in Windows-1250).
  const latin2 = decodeCsvBytes(new Uint8Array([...utf8("a;b\n"), 0xb1, 0xb6, 0x0a]));
  assert.ok(!latin2.ok);
  assert.match(latin2.message, /ani w UTF-8, ani w Windows-1250/);
  assert.match(latin2.message, /CSV UTF-8/);

  const utf16 = decodeCsvBytes(new Uint8Array([0xff, 0xfe, 0x61, 0x00]));
  assert.ok(!utf16.ok);
  assert.match(utf16.message, /UTF-16/);

  const binary = decodeCsvBytes(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]));
  assert.ok(!binary.ok);
  assert.match(binary.message, /nie jest plik tekstowy/);

  const empty = decodeCsvBytes(new Uint8Array());
  assert.ok(!empty.ok);
  assert.match(empty.message, /pusty/);
});

Deno.test("sha256Hex: the file's hash", async () => {
  assert.equal(
    await sha256Hex(utf8("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("strict CSV: text after a closing quote, and a quoted field over a line end where values never span lines", () => {
  const after = parseCsv('a;b\n1;"x"y;2\n');
  assert.ok(!after.ok);
  assert.equal(after.line, 2);
  assert.match(
    after.message,
    /W wierszu 2 pliku: po cudzysłowie zamykającym pole stoi jeszcze tekst/,
  );
  // Spaces after a closing quote are harmless.
  const spaced = parseCsv('a;b\n1;"x" ;2\n');
  assert.ok(spaced.ok);
  assert.deepEqual(spaced.records[0].cells, ["1", "x", "2"]);

  const text = 'a;b\n1;"stray\n2;";x\n3;4\n';
  assert.deepEqual([...csvRecords(text)].length, 3, "multi-line allowed by default");
  assert.throws(
    () => [...csvRecords(text, { multiline: false })],
    (e: unknown) =>
      e instanceof CsvSyntaxError && e.line === 2 && /W wierszach 2–3 pliku/.test(e.message),
  );
  assert.equal(countPhysicalLines("a\nb\r\nc"), 3);
  assert.equal(countPhysicalLines("a\nb\n"), 2);
  assert.equal(countPhysicalLines(""), 0);
});
