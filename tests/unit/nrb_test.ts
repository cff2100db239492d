import assert from "node:assert/strict";
import {
  formatNrb,
  isValidNrb,
  isValidSortCode,
  makeNrb,
  makeSortCode,
  normalizeNrb,
} from "../../domain/shared/nrb.ts";

// The Polish example of the SWIFT IBAN Registry: PL61 1090 1014 0000 0712 1981 2874.
const PUBLISHED = "61109010140000071219812874";

Deno.test("isValidNrb accepts the published IBAN registry example in any usual spelling", () => {
  assert.equal(isValidNrb(PUBLISHED), true);
  assert.equal(isValidNrb("61 1090 1014 0000 0712 1981 2874"), true);
  assert.equal(isValidNrb("PL61109010140000071219812874"), true);
  assert.equal(isValidNrb("pl 61 1090 1014 0000 0712 1981 2874"), true);
  assert.equal(isValidNrb("61\u00a01090\u00a01014\u00a00000\u00a00712\u00a01981\u00a02874"), true);
});

Deno.test("isValidNrb rejects a changed digit, swapped digits, wrong length and letters", () => {
  assert.equal(isValidNrb("61109010140000071219812875"), false); // last digit changed
  assert.equal(isValidNrb("62109010140000071219812874"), false); // check digits changed
  assert.equal(isValidNrb("61109010140000071219818274"), false); // two digits swapped
  assert.equal(isValidNrb("6110901014000007121981287"), false); // 25 digits
  assert.equal(isValidNrb("611090101400000712198128740"), false); // 27 digits
  assert.equal(isValidNrb("61109010140000071219812A74"), false);
  assert.equal(isValidNrb("DE61109010140000071219812874"), false);
  assert.equal(isValidNrb(""), false);
  assert.equal(isValidNrb("00000000000000000000000000"), false);
});

Deno.test("normalizeNrb strips spaces and PL; formatNrb groups 2 + 6 × 4", () => {
  assert.equal(normalizeNrb(" PL61 1090 1014 0000 0712 1981 2874 "), PUBLISHED);
  assert.equal(formatNrb("12345678901234567890123456"), "12 3456 7890 1234 5678 9012 3456");
  assert.equal(formatNrb("PL61109010140000071219812874"), "61 1090 1014 0000 0712 1981 2874");
  assert.equal(formatNrb("123"), "123");
});

Deno.test("makeNrb computes the check digits; sort codes carry their own check digit", () => {
  assert.equal(makeNrb("10901014", "0000071219812874"), PUBLISHED);
  assert.equal(isValidSortCode("10901014"), true);
  assert.equal(isValidSortCode("10901015"), false);
  assert.equal(makeSortCode("1090101"), "10901014");
  for (let i = 0; i < 200; i++) {
    const account = String(i * 7919).padStart(16, "0");
    const nrb = makeNrb(makeSortCode("9990001"), account);
    assert.equal(nrb.length, 26);
    assert.equal(isValidNrb(nrb), true, nrb);
  }
  // Check digits below 10 are zero-padded.
  const small = Array.from(
    { length: 500 },
    (_, i) => makeNrb("99900015", String(i).padStart(16, "0")),
  )
    .find((n) => n.startsWith("0"));
  assert.ok(small && isValidNrb(small));
  assert.throws(() => makeNrb("1090101", "0000071219812874"), RangeError);
  assert.throws(() => makeNrb("10901014", "000007121981287"), RangeError);
});
