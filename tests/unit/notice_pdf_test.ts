import assert from "node:assert/strict";
import { PDFDocument } from "pdf-lib";
import { defaultProfile } from "../../domain/backoffice/cooperative.ts";
import type { FeeRate } from "../../domain/balance/fee_rates.ts";
import { basisAmount, type BasisUnit } from "../../domain/balance/ledger.ts";
import type { FeeNotice } from "../../domain/documents/fee_notices.ts";
import { basisText, changeText, renderFeeNoticePdf } from "../../domain/documents/notice_pdf.ts";

function rate(component: string, grosze: number, quantityMilli: number, unitLabel: BasisUnit) {
  return {
    unitId: "u1",
    period: "2027-04",
    component,
    rate: grosze,
    quantityMilli,
    unitLabel,
    amount: basisAmount({ rate: grosze, quantityMilli }),
  } satisfies FeeRate;
}

function notice(justification: string): FeeNotice {
  const old = rate("eksploatacja", 260, 54300, "m²");
  const now = rate("eksploatacja", 273, 54300, "m²");
  return {
    unitId: "u1",
    unitCode: "KW12/7",
    address: "ul. Kazimierza Wielkiego 12/7, 67-200 Głogów",
    occupants: ["Zofia Łącka"],
    period: "2027-04",
    effectiveDate: "1 kwietnia 2027 r.",
    paymentDay: 10,
    justification,
    lines: [{
      component: "eksploatacja",
      label: "Eksploatacja",
      external: false,
      old,
      new: now,
      changed: true,
    }],
    oldTotal: old.amount,
    newTotal: now.amount,
  };
}

Deno.test("rate × base as residents read it, in integer grosze", () => {
  assert.equal(basisText(rate("e", 273, 54300, "m²")), "54,30 m² × 2,73 zł/m²");
  assert.equal(basisText(rate("s", 3400, 3000, "os.")), "3 os. × 34,00 zł/os.");
  assert.equal(basisText(rate("w", 1620, 6500, "m³")), "6,5 m³ × 16,20 zł/m³");
  assert.equal(basisText(rate("d", 500, 1000, "lokal")), "1 lokal × 5,00 zł");
  assert.equal(rate("e", 273, 54300, "m²").amount, 14824); // 148,239 → 148,24 zł
  assert.equal(changeText(3126), "+31,26 zł");
  assert.equal(changeText(-500), "−5,00 zł");
});

Deno.test("a notice is one A4 page; a long justification continues on a second", async () => {
  const coop = defaultProfile("Spółdzielnia Mieszkaniowa „Źródło”");
  const short = await renderFeeNoticePdf(
    notice("Wzrosły koszty → nowe stawki. Zażółć gęślą jaźń."),
    coop,
    "2026-11-25",
  );
  assert.equal(new TextDecoder().decode(short.slice(0, 5)), "%PDF-");
  const doc = await PDFDocument.load(short);
  assert.equal(doc.getPageCount(), 1);
  assert.ok(short.length < 80_000, `subset fonts keep it small: ${short.length} bytes`);
  const long = await renderFeeNoticePdf(
    notice("Długie uzasadnienie. ".repeat(150)),
    coop,
    "2026-11-25",
  );
  assert.equal((await PDFDocument.load(long)).getPageCount(), 2);
});
