/** The transfer details of a resident's unit: recipient, title and the QR code for banking apps. */
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import type { ResidentUnit } from "../accounts/resident_units.ts";
import { periodNumeric } from "../shared/calendar.ts";
import { lru } from "../shared/memo.ts";
import { transferQrMatrix, transferQrPayload } from "./transfer_qr.ts";

/** A transfer QR code as data: its modules (views/qr.ts draws them) and the title it carries. */
export type TransferQr = { modules: boolean[][]; title: string };

/**
 * Encoding a QR code costs ~0.7 ms; the payload of a unit changes once a month or with the
 * amount due, so the codes are remembered (a pure function: safe in any process).
 */
const qrFor = lru(
  2000,
  (payload: string): TransferQr => ({
    modules: transferQrMatrix(payload),
    title: payload.split("|")[5],
  }),
);

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
  return transferOf(
    JSON.stringify([coop.nip, coop.shortName, coop.name, u.unit.bankAccount, amount, title]),
  );
}

/**
 * The details from their inputs (a pure function of them: the key is every input), so the
 * payload's text cleaning and the QR code run once per unit, month and amount, not per view.
 */
const transferOf = lru(2000, (key: string) => {
  const [nip, shortName, name, account, amount, title] = JSON.parse(key) as [
    string | undefined,
    string,
    string,
    string,
    number,
    string,
  ];
  const payload = transferQrPayload({
    nip,
    account,
    amountGrosze: amount,
    recipient: shortName,
    title,
  });
  return { recipient: name, title, qr: qrFor(payload) };
});
