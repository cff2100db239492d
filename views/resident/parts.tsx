/** Pieces shared by the resident's balance views. */
import { raw } from "hono/html";
import type { TransferQr } from "../../domain/balance/unit_transfer.ts";
import { qrSvg } from "../qr.ts";
import type { DataFreshness } from "../../domain/backoffice/data_freshness.ts";
import { formatNrb } from "../../domain/shared/nrb.ts";
import {
  type Building,
  type Unit,
  unitAddress,
  unitKindLabels,
} from "../../domain/backoffice/register.ts";
import { formatDateTime, formatMoney } from "../format.ts";

export type UnitRef = { unit: Unit; building: Building | null };

export function unitLabel(u: UnitRef): string {
  return u.building
    ? unitAddress(u.building, u.unit)
    : `${unitKindLabels[u.unit.kind]} ${u.unit.number}`;
}

/** "Nadpłata 123,45 zł" / "Do zapłaty 123,45 zł" / "Rozliczone": the balance in plain words. */
export function BalanceWords(props: { balance: number }) {
  if (props.balance > 0) {
    return <strong class="balance due">Do zapłaty {formatMoney(props.balance)}</strong>;
  }
  if (props.balance < 0) {
    return <strong class="balance credit">Nadpłata {formatMoney(-props.balance)}</strong>;
  }
  return <strong class="balance settled">Rozliczone</strong>;
}

/** Links to the same page for each of the resident's units (only when there is a choice). */
export function UnitSwitcher(
  props: { units: UnitRef[]; currentId: string; hrefFor: (unitId: string) => string },
) {
  if (props.units.length < 2) return null;
  return (
    <nav class="unit-switcher" aria-label="Wybór lokalu">
      <ul>
        {props.units.map((u) => (
          <li>
            <a
              href={props.hrefFor(u.unit.id)}
              aria-current={u.unit.id === props.currentId ? "true" : undefined}
            >
              {unitLabel(u)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function DataAsOf(props: { freshness: DataFreshness | null }) {
  return (
    <p class="data-as-of muted">
      {props.freshness
        ? (
          <>
            Dane z systemu księgowego według stanu na{" "}
            {formatDateTime(new Date(props.freshness.asOf))}.
          </>
        )
        : <>Dane z systemu księgowego nie zostały jeszcze wczytane.</>}
    </p>
  );
}

/** The unit's bank account, selectable and copyable, and the QR code for a banking app. */
export function TransferDetails(
  props: {
    id: string;
    recipient: string;
    account: string;
    title: string;
    amount: number;
    qr: TransferQr;
  },
) {
  const accountId = `nrb-${props.id}`;
  return (
    <div class="transfer">
      <div class="transfer-data">
        <p class="muted">Numer konta do wpłat za ten lokal</p>
        <p class="nrb">
          <code class="nrb-value" id={accountId}>{formatNrb(props.account)}</code>{" "}
          <button type="button" class="secondary small" data-copy={accountId} hidden>
            Kopiuj numer
          </button>
        </p>
        <dl class="facts">
          <dt>Odbiorca</dt>
          <dd>{props.recipient}</dd>
          <dt>Tytuł</dt>
          <dd>{props.title}</dd>
          <dt>Kwota</dt>
          <dd>{props.amount > 0 ? formatMoney(props.amount) : "wpisz kwotę w aplikacji banku"}</dd>
        </dl>
      </div>
      <figure class="transfer-qr-box">
        {raw(qrSvg(props.qr.modules, { label: `Kod QR przelewu: ${props.qr.title}` }))}
        <figcaption>Zeskanuj w aplikacji banku (funkcja „Skanuj i zapłać”).</figcaption>
      </figure>
    </div>
  );
}
