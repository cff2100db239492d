import assert from "node:assert/strict";
import jsQRModule from "jsqr";
import {
  isValidNip,
  normalizeNip,
  qrAmountField,
  sanitizeQrText,
  transferQrMatrix,
  transferQrPayload,
} from "../../domain/balance/transfer_qr.ts";
import { qrSvg } from "../../views/qr.ts";

/** The QR image as the pages draw it: the domain encodes, the view draws. */
const transferQrSvg = (payload: string, options?: Parameters<typeof qrSvg>[1]) =>
  qrSvg(transferQrMatrix(payload), options);

// jsqr is CommonJS: its default export arrives as `module.exports`, the function is `.default`.
const jsQR = jsQRModule.default;

// The Polish example of the SWIFT IBAN Registry, and the demo cooperative's NIP.
const NRB = "61109010140000071219812874";
const NIP = "6930012348";

const base = {
  nip: NIP,
  account: NRB,
  amountGrosze: 12345,
  recipient: "SM Nadodrze",
  title: "Lokal 12 listopad 2026",
};

Deno.test("transferQrPayload: nine fields in the recommended order", () => {
  const payload = transferQrPayload(base);
  assert.equal(payload, `${NIP}|PL|${NRB}|012345|SM Nadodrze|Lokal 12 listopad 2026|||`);
  const fields = payload.split("|");
  assert.equal(fields.length, 9);
  assert.match(fields[0], /^\d{10}$/);
  assert.equal(fields[1], "PL");
  assert.match(fields[2], /^\d{26}$/);
  assert.match(fields[3], /^\d{6}$/);
  assert.deepEqual(fields.slice(6), ["", "", ""]);
});

Deno.test("transferQrPayload: an empty NIP leaves the first field empty", () => {
  assert.equal(
    transferQrPayload({ ...base, nip: "" }),
    `|PL|${NRB}|012345|SM Nadodrze|Lokal 12 listopad 2026|||`,
  );
  assert.equal(transferQrPayload({ ...base, nip: undefined }).split("|")[0], "");
});

Deno.test("transferQrPayload: NIP and NRB are normalized and validated", () => {
  const spelled = transferQrPayload({
    ...base,
    nip: "PL 693-001-23-48",
    account: "PL61 1090 1014 0000 0712 1981 2874",
  });
  assert.equal(spelled, transferQrPayload(base));
  assert.equal(normalizeNip("693-001-23-48"), NIP);
  assert.equal(isValidNip(NIP), true);
  assert.equal(isValidNip("6930012347"), false); // check digit changed
  assert.equal(isValidNip("693001234"), false);
  assert.equal(isValidNip("abcdefghij"), false);
  assert.equal(isValidNip("1000000000"), false); // weighted sum 6: the check digit must be 6
  assert.equal(isValidNip("1000000006"), true);
  // A weighted sum ≡ 10 (mod 11) has no check digit: such numbers are never issued.
  assert.equal(isValidNip("0005000000"), false);
  assert.throws(() => transferQrPayload({ ...base, nip: "6930012347" }), RangeError);
  assert.throws(
    () => transferQrPayload({ ...base, account: "61109010140000071219812875" }),
    RangeError,
  );
  assert.throws(() => transferQrPayload({ ...base, account: "" }), RangeError);
});

Deno.test("qrAmountField: six zero-padded digits, or 000000 when it cannot be given", () => {
  assert.equal(qrAmountField(1), "000001");
  assert.equal(qrAmountField(12345), "012345");
  assert.equal(qrAmountField(999_999), "999999");
  // Nothing owed, or more than 9 999,99 zł: the resident types the amount in the app.
  assert.equal(qrAmountField(0), "000000");
  assert.equal(qrAmountField(-4500), "000000");
  assert.equal(qrAmountField(1_000_000), "000000");
  assert.throws(() => qrAmountField(12.5), RangeError);
  assert.throws(() => qrAmountField(Number.NaN), RangeError);
  assert.equal(transferQrPayload({ ...base, amountGrosze: 2_500_000 }).split("|")[3], "000000");
});

Deno.test("sanitizeQrText: separators and control characters go, Polish letters stay", () => {
  assert.equal(sanitizeQrText("Lokal|12||listopad", 32), "Lokal 12 listopad");
  assert.equal(sanitizeQrText("  Lokal\t12\r\nlistopad\u0000 ", 32), "Lokal 12 listopad");
  assert.equal(sanitizeQrText("Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ", 32), "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ");
  // Decomposed input (NFD) is composed first, so it keeps its letters and its length.
  assert.equal(sanitizeQrText("Z\u0307o\u0301\u0142w", 32), "Żółw");
  assert.equal(sanitizeQrText("SM „Nadodrze” – opłaty…", 32), 'SM "Nadodrze" - opłaty...');
  assert.equal(sanitizeQrText("Café Müller", 32), "Cafe Muller");
  assert.equal(sanitizeQrText("Opłata 🏠 za\u200b lokal", 32), "Opłata za lokal");
  assert.equal(sanitizeQrText("a\u00a0\u00a0b", 32), "a b");
});

Deno.test("transferQrPayload: name ≤ 20 and title ≤ 32 characters, cut on a boundary", () => {
  const payload = transferQrPayload({
    ...base,
    recipient: "Spółdzielnia Mieszkaniowa „Nadodrze” w Głogowie",
    title: "Opłaty za lokal 12/5 przy ul. Kazimierza Wielkiego, listopad 2026",
  });
  const fields = payload.split("|");
  assert.equal(fields[4], "Spółdzielnia Mieszka");
  assert.equal(fields[5], "Opłaty za lokal 12/5 przy ul. Ka");
  assert.equal([...fields[4]].length, 20);
  assert.equal([...fields[5]].length, 32);
  // A cut that ends in a space does not leave it behind.
  const recipientOf = (recipient: string) =>
    transferQrPayload({ ...base, recipient }).split("|")[4];
  assert.equal(recipientOf("Spółdzielnia Nadodr ze"), "Spółdzielnia Nadodr");
  assert.equal(recipientOf("SM Nadodrze Głogów Xyz"), "SM Nadodrze Głogów X");
  assert.throws(() => transferQrPayload({ ...base, recipient: " | " }), RangeError);
  assert.throws(() => transferQrPayload({ ...base, title: "\n" }), RangeError);
});

Deno.test("transferQrPayload: at most 160 characters (and bytes) with every field full", () => {
  const payload = transferQrPayload({
    nip: NIP,
    account: NRB,
    amountGrosze: 999_999,
    recipient: "Żółć".repeat(10),
    title: "Ęśąź".repeat(20),
  });
  assert.ok(payload.length <= 160, `${payload.length}`);
  assert.ok(new TextEncoder().encode(payload).length <= 160);
  assert.equal(payload.split("|").length, 9);
});

// --- Reading the QR code back ------------------------------------------------------------

type Raster = { n: number; dark: boolean[][] };

/** Rasterizes the SVG's one path of "M x y h run v1 h-run z" rectangles into modules. */
function readSvg(svg: string): Raster {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  assert.ok(viewBox, "viewBox");
  const n = Number(viewBox[1]);
  assert.equal(Number(viewBox[2]), n);
  const paths = svg.match(/<path /g) ?? [];
  assert.equal(paths.length, 1, "one path");
  const d = /<path [^>]*d="([^"]*)"/.exec(svg)?.[1] ?? "";
  const dark = Array.from({ length: n }, () => Array<boolean>(n).fill(false));
  const re = /M(\d+) (\d+)h(\d+)v1h-(\d+)z/g;
  let consumed = 0;
  for (const m of d.matchAll(re)) {
    const [x, y, run, back] = [m[1], m[2], m[3], m[4]].map(Number);
    assert.equal(run, back);
    for (let i = 0; i < run; i++) dark[y][x + i] = true;
    consumed += m[0].length;
  }
  assert.equal(consumed, d.length, "the path has only rectangles");
  return { n, dark };
}

function decode(raster: Raster, scale = 4) {
  const w = raster.n * scale;
  const rgba = new Uint8ClampedArray(w * w * 4);
  for (let py = 0; py < w; py++) {
    for (let px = 0; px < w; px++) {
      const v = raster.dark[Math.floor(py / scale)][Math.floor(px / scale)] ? 0 : 255;
      const i = (py * w + px) * 4;
      rgba[i] = rgba[i + 1] = rgba[i + 2] = v;
      rgba[i + 3] = 255;
    }
  }
  return jsQR(rgba, w, w, { inversionAttempts: "dontInvert" });
}

/** The error-correction level and mask read from the format bits beside the top-left finder. */
function formatInfo(modules: boolean[][]): { level: string; mask: number } {
  const bit = (y: number, x: number) => (modules[y][x] ? 1 : 0);
  let bits = 0;
  const put = (i: number, v: number) => (bits |= v << i);
  for (let i = 0; i <= 5; i++) put(i, bit(i, 8));
  put(6, bit(7, 8));
  put(7, bit(8, 8));
  put(8, bit(8, 7));
  for (let i = 9; i < 15; i++) put(i, bit(8, 14 - i));
  bits ^= 0x5412;
  // The 15 bits are a BCH(15,5) codeword: check it, so a misread cannot pass unnoticed.
  const data = bits >> 10;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >> 9) * 0x537);
  assert.equal((data << 10) | rem, bits, "format bits are a valid BCH codeword");
  const level = ["M", "L", "H", "Q"][data >> 3];
  return { level, mask: data & 7 };
}

Deno.test("transferQrSvg: the code decodes back to the payload, byte mode, level L", () => {
  const payloads = [
    transferQrPayload(base),
    transferQrPayload({
      ...base,
      nip: "",
      recipient: "Spółdzielnia „Źródło”",
      title: "Zażółć gęślą jaźń – lokal 7, XI",
    }),
    transferQrPayload({
      nip: NIP,
      account: NRB,
      amountGrosze: 999_999,
      recipient: "Żółć".repeat(10),
      title: "Ęśąź".repeat(20),
    }),
  ];
  for (const payload of payloads) {
    const svg = transferQrSvg(payload, { label: "Kod QR do przelewu" });
    const raster = readSvg(svg);
    const result = decode(raster);
    assert.ok(result, `decoded: ${payload}`);
    assert.equal(result.data, payload);
    assert.deepEqual(result.binaryData, Array.from(new TextEncoder().encode(payload)));
    assert.ok(result.chunks.every((c: { type: string }) => c.type === "byte"), "byte mode");
    assert.ok(result.version >= 1 && result.version <= 10);
    const modules = transferQrMatrix(payload);
    assert.equal(formatInfo(modules).level, "L");
    // The path draws exactly the matrix, offset by the quiet zone.
    assert.equal(raster.n, modules.length + 8);
    modules.forEach((row, y) =>
      row.forEach((dark, x) => assert.equal(raster.dark[y + 4][x + 4], dark))
    );
  }
});

Deno.test("transferQrSvg: accessible, compact, no inline styles, quiet zone of 4", () => {
  const svg = transferQrSvg(transferQrPayload(base), {
    label: 'Kod QR: przelew "SM" <12> & co',
    size: 200,
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /);
  assert.match(svg, / role="img"/);
  assert.match(svg, / aria-label="Kod QR: przelew &quot;SM&quot; &lt;12&gt; &amp; co"/);
  assert.match(svg, / shape-rendering="crispEdges"/);
  assert.match(svg, / width="200" height="200"/);
  assert.match(svg, / class="transfer-qr"/);
  assert.doesNotMatch(svg, /style=/);
  assert.doesNotMatch(svg, /<script|<style/);
  assert.match(svg, /<\/svg>$/);
  const { n, dark } = readSvg(svg);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < 4; q++) {
      assert.equal(dark[q][i] || dark[n - 1 - q][i] || dark[i][q] || dark[i][n - 1 - q], false);
    }
  }
  // Without a size the image takes the size its CSS class gives it; a default label is Polish.
  const plain = transferQrSvg(transferQrPayload(base));
  assert.doesNotMatch(plain, /<svg[^>]* width=/);
  assert.match(plain, / aria-label="Kod QR z danymi przelewu"/);
});
