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
import type { AmountDue, ArrearsOrigin } from "../../domain/balance/statement.ts";
import { moneyTabs } from "../menu.ts";
import {
  formatDateTime,
  formatIsoDate,
  formatMoney,
  formatPeriods,
  joinWithAnd,
} from "../format.ts";

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

/** "opłaty za październik, listopad 2026 i odsetki za zwłokę": what the arrears are made of. */
export function arrearsWords(origin: ArrearsOrigin): string {
  const parts: string[] = [];
  if (origin.periods.length) parts.push(`opłaty za ${formatPeriods(origin.periods)}`);
  if (origin.interest) parts.push("odsetki za zwłokę");
  if (origin.earlier) parts.push("zaległość z wcześniejszych okresów");
  return joinWithAnd(parts);
}

/**
 * What to pay and by when, in one sentence: "Zapłać 771,34 zł do 15.12.2026.", with the overdue
 * part and its months named; an overpayment or nothing due said in words.
 */
export function DueSentence(props: { due: AmountDue; origin?: ArrearsOrigin }) {
  const d = props.due;
  if (d.dueNow === 0) {
    return d.overpayment > 0
      ? (
        <p class="due-line">
          Nadpłata — <strong>nic nie musisz płacić</strong>. Zostanie zaliczona na kolejne opłaty.
        </p>
      )
      : (
        <p class="due-line">
          <strong>Nic nie musisz teraz płacić.</strong>
        </p>
      );
  }
  const what = props.origin ? arrearsWords(props.origin) : "";
  if (d.arrears >= d.dueNow) {
    return (
      <p class="due-line">
        Zapłać <strong class="amount">{formatMoney(d.dueNow)}</strong>{" "}
        <strong>jak najszybciej</strong>{" "}
        — termin zapłaty minął{what && <>. To zaległość: {what}</>}.
      </p>
    );
  }
  return (
    <p class="due-line">
      Zapłać <strong class="amount">{formatMoney(d.dueNow)}</strong> do{" "}
      <strong class="due-date">{formatIsoDate(d.dueBy)}</strong>.
      {d.arrears > 0 && (
        <>
          {" "}W tym zaległość <strong>{formatMoney(d.arrears)}</strong>
          {what && <>: {what}</>} — jej termin już minął, zapłać ją jak najszybciej.
        </>
      )}
    </p>
  );
}

/**
 * The tabs of "Moje saldo" (one menu item, three pages at their own URLs), for the unit shown.
 */
export function MoneyTabs(props: { path: string; unitId: string }) {
  return (
    <nav class="tabs" aria-label="Moje saldo">
      <ul>
        {moneyTabs.map((t) => (
          <li>
            <a
              href={`${t.href}?lokal=${encodeURIComponent(props.unitId)}`}
              aria-current={t.href === props.path ? "page" : undefined}
            >
              {t.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
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
