/** Shared data for the fee-notice tests (integration and browser). */
import assert from "node:assert/strict";
import { createAccount } from "../domain/accounts/accounts.ts";
import { createBuilding, createUnit, type Unit } from "../domain/backoffice/register.ts";
import { type FeeRate, saveFeeRates } from "../domain/balance/fee_rates.ts";
import { basisAmount, type BasisUnit, saveChargeComponents } from "../domain/balance/ledger.ts";
import { setEcorrespondenceConsent } from "../domain/documents/consent.ts";
import type { Clock } from "../domain/shared/clock.ts";
import { makeNrb, makeSortCode } from "../domain/shared/nrb.ts";

export const JUSTIFICATION = "Wzrosły ceny energii i usług konserwacji dźwigów; zarząd uchwalił " +
  "nowe stawki (uchwała nr 12/2026). Żółta ściana zostanie odnowiona.";

/**
 * Data for fee-change notices: three flats of KW12 (KW12/7 with a resident who agreed to
 * electronic delivery, KW12/8 with one who did not, KW12/9 with no account), three charge
 * components (water marked as an external cost by the tests), rates from January 2026, new
 * rates from April 2027 for all three and from February 2027 for KW12/7 and KW12/8.
 */
export async function seedFeeNoticeData(t: { kv: Deno.Kv; clock: Clock }) {
  const b = await createBuilding(t.kv, t.clock, {
    street: "Kazimierza Wielkiego",
    number: "12",
    postalCode: "67-200",
    city: "Głogów",
    externalId: "KW12",
  });
  const unit = async (number: string, code: string, sort: string, areaCm2: number) => {
    const r = await createUnit(t.kv, t.clock, {
      buildingId: b.id,
      number,
      kind: "flat",
      areaCm2,
      persons: 2,
      bankAccount: makeNrb(makeSortCode("9990001"), sort),
      occupants: ["Zofia Łącka"],
      externalId: code,
    });
    assert.ok(r.ok);
    return r.unit;
  };
  const u7 = await unit("7", "KW12/7", "4600000000000007", 543000);
  const u8 = await unit("8", "KW12/8", "4600000000000008", 480000);
  const u9 = await unit("9", "KW12/9", "4600000000000009", 610000);
  const account = async (firstName: string, email: string, unitId: string) => {
    const a = await createAccount(t.kv, t.clock, {
      firstName,
      lastName: "Testowa",
      email,
      phone: "+48600123456",
      unitIds: [unitId],
      passwordHash: "x",
    });
    assert.ok(a);
    return a;
  };
  const zofia = await account("Zofia", "zofia@example.pl", u7.id);
  await account("Marek", "marek@example.pl", u8.id); // no consent; KW12/9 has no account at all
  await setEcorrespondenceConsent(t.kv, t.clock, zofia, true);
  await saveChargeComponents(t.kv, [
    { code: "eksploatacja", label: "Eksploatacja" },
    { code: "fundusz_remontowy", label: "Fundusz remontowy" },
    { code: "woda", label: "Woda i ścieki" },
  ]);
  const rate = (
    u: Unit,
    period: string,
    component: string,
    grosze: number,
    quantityMilli: number,
    unitLabel: BasisUnit,
  ): FeeRate => ({
    unitId: u.id,
    period,
    component,
    rate: grosze,
    quantityMilli,
    unitLabel,
    amount: basisAmount({ rate: grosze, quantityMilli }),
  });
  const rates: FeeRate[] = [];
  for (const u of [u7, u8, u9]) {
    const m2 = u.areaCm2 / 10; // cm² → thousandths of m²
    rates.push(
      rate(u, "2026-01", "eksploatacja", 260, m2, "m²"),
      rate(u, "2026-01", "fundusz_remontowy", 150, m2, "m²"),
      rate(u, "2026-01", "woda", 1450, 6000, "m³"),
      // From April 2027: the cooperative's own charge and the water (an external cost) go up.
      rate(u, "2027-04", "eksploatacja", 273, m2, "m²"),
      rate(u, "2027-04", "woda", 1620, 6000, "m³"),
    );
  }
  // From February 2027 only for two units: too late for a three-month notice on 25 November.
  rates.push(rate(u7, "2027-02", "eksploatacja", 270, 54300, "m²"));
  rates.push(rate(u8, "2027-02", "eksploatacja", 270, 48000, "m²"));
  await saveFeeRates(t.kv, rates);
  return { u7, u8, u9, zofia };
}
