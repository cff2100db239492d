/** The transfer details of a resident's unit: recipient, title and the QR code for banking apps. */
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import type { ResidentUnit } from "../accounts/resident_units.ts";
import { periodNumeric } from "../shared/calendar.ts";
import { lru } from "../shared/memo.ts";
import { transferQrPayload, transferQrSvg } from "./transfer_qr.ts";

/**
 * Encoding a QR code costs ~0.7 ms; the payload of a unit changes once a month or with the
 * amount due, so the SVGs are remembered (a pure function: safe in any process).
 */
const qrSvgFor = lru(
  2000,
  (payload: string) => transferQrSvg(payload, { label: labelOf(payload) }),
);

function labelOf(payload: string): string {
  return `Kod QR przelewu: ${payload.split("|")[5]}`;
}

/** "Opłaty 11.2026 lokal 12/7": fits the 32 characters of the QR code's title. */
function transferTitle(u: ResidentUnit, period: string): string {
  const where = u.building ? `${u.building.number}/${u.unit.number}` : u.unit.number;
  return `Opłaty ${periodNumeric(period)} lokal ${where}`;
}

export function transferFor(
  coop: CooperativeProfile,
  u: ResidentUnit,
  period: string,
  amount: number,
) {
  const title = transferTitle(u, period);
  const payload = transferQrPayload({
    nip: coop.nip,
    account: u.unit.bankAccount,
    amountGrosze: amount,
    recipient: coop.shortName,
    title,
  });
  return {
    recipient: coop.name,
    title,
    qrSvg: qrSvgFor(payload),
  };
}
