import type { Account } from "../domain/accounts.ts";
import type { LedgerTotals } from "../domain/ledger.ts";
import { type Building, type Unit, unitAddress, unitKindLabels } from "../domain/register.ts";
import { formatIsoDate, formatMoney } from "./format.ts";

export type UnitSummary = { unit: Unit; building: Building | null; totals: LedgerTotals };

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

export function DashboardPage(
  props: { account: Account; units: UnitSummary[]; passwordChanged?: boolean },
) {
  const total = props.units.reduce((sum, u) => sum + u.totals.balance, 0);
  return (
    <>
      <h1>Dzień dobry, {props.account.firstName}!</h1>
      {props.passwordChanged && (
        <p class="notice ok" role="status">
          Hasło zostało zmienione. Odtąd loguj się nowym hasłem.
        </p>
      )}
      {props.units.length === 0 && (
        <p class="notice warn">
          Do Twojego konta nie przypisano jeszcze żadnego lokalu. Skontaktuj się z biurem
          spółdzielni.
        </p>
      )}
      {props.units.length > 1 && (
        <p class="lead">
          Razem za wszystkie lokale: <BalanceWords balance={total} />
        </p>
      )}
      <div class="cards">
        {props.units.map((u) => (
          <section class="card" aria-labelledby={`lokal-${u.unit.id}`}>
            <h2 id={`lokal-${u.unit.id}`}>
              {u.building ? unitAddress(u.building, u.unit) : u.unit.number}
            </h2>
            <p class="muted">{unitKindLabels[u.unit.kind]}</p>
            <p>
              Saldo: <BalanceWords balance={u.totals.balance} />
            </p>
            {u.totals.lastPaymentOn && u.totals.lastPaymentAmount !== undefined && (
              <p>
                Ostatnia wpłata: {formatMoney(u.totals.lastPaymentAmount)} z dnia{" "}
                {formatIsoDate(u.totals.lastPaymentOn)}
              </p>
            )}
          </section>
        ))}
      </div>
    </>
  );
}
