/** /admin/platnosci: online payments by state, those not booked in time, orphans, settings (pure). */
import type { OrphanPayment } from "../../domain/payments/confirmation.ts";
import type { InTransitPayment } from "../../domain/payments/in_transit.ts";
import {
  type OnlinePayment,
  type PaymentSettings,
  type PaymentState,
  paymentStateLabels,
  paymentStates,
} from "../../domain/payments/payments.ts";
import { ErrorSummary, Field, type FieldErrors } from "../form.tsx";
import { formatMoney } from "../format.ts";
import { amountInput } from "../resident/online_payment.tsx";

/** The settings form's fields, by the names it posts. */
export const paymentSettingsLabels = {
  kwota_min: "Najmniejsza płatność online (zł)",
  limit_nadplaty: "O ile więcej niż kwota do zapłaty można zapłacić (zł)",
  dni_niezaksiegowane: "Po ilu dniach pokazać płatność, której księgowość nie zaksięgowała",
  minuty_wygasania: "Po ilu minutach bez potwierdzenia płatność wygasa",
} as const;

export type PaymentSettingsField = keyof typeof paymentSettingsLabels;

/** The form's values as typed, from the stored settings. */
export function settingsValues(s: PaymentSettings): Record<PaymentSettingsField, string> {
  return {
    kwota_min: amountInput(s.minAmount),
    limit_nadplaty: amountInput(s.overpaymentLimit),
    dni_niezaksiegowane: String(s.unmatchedAfterDays),
    minuty_wygasania: String(s.pendingExpiryMinutes),
  };
}

export type PaymentsAdminProps = {
  state?: PaymentState;
  payments: readonly OnlinePayment[];
  unmatched: readonly InTransitPayment[];
  orphans: readonly OrphanPayment[];
  settings: PaymentSettings;
  /** Administrators may change the settings; others see them. */
  canEditSettings: boolean;
  settingsForm?: { values: Record<string, string>; errors: FieldErrors };
  notice?: string;
};

export function PaymentsAdminPage(p: PaymentsAdminProps) {
  const { state, settings } = p;
  return (
    <>
      <h1>Płatności online</h1>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      <form method="get" action="/admin/platnosci">
        <label for="stan">Stan</label>{" "}
        <select id="stan" name="stan">
          <option value="">wszystkie</option>
          {paymentStates.map((s) => (
            <option value={s} selected={s === state}>{paymentStateLabels[s]}</option>
          ))}
        </select>{" "}
        <button type="submit">Pokaż</button>
      </form>
      <p>
        <a href={`/admin/platnosci/platnosci.csv${state ? `?stan=${state}` : ""}`} download>
          Pobierz CSV{state ? ` (${paymentStateLabels[state]})` : ""}
        </a>
      </p>
      <h2>Niezaksięgowane po {settings.unmatchedAfterDays} dniach</h2>
      {p.unmatched.length === 0 ? <p>Brak.</p> : (
        <ul>
          {p.unmatched.map((u) => (
            <li>
              {formatMoney(u.amount)} — {u.title} (nr transakcji {u.orderId}, potwierdzona{" "}
              {u.confirmedAt.slice(0, 10)})
            </li>
          ))}
        </ul>
      )}
      <h2>Wpłaty bez płatności w eBOK</h2>
      {p.orphans.length === 0 ? <p>Brak.</p> : (
        <ul>
          {p.orphans.map((o) => (
            <li>
              {formatMoney(o.amount)} — nr transakcji {o.orderId}, sesja {o.sessionId}
            </li>
          ))}
        </ul>
      )}
      <h2>Płatności</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Rozpoczęta</th>
              <th>Tytuł</th>
              <th>Kwota</th>
              <th>Stan</th>
              <th>Zaksięgowana</th>
            </tr>
          </thead>
          <tbody>
            {p.payments.map((x) => (
              <tr>
                <td>{x.createdAt.slice(0, 16).replace("T", " ")}</td>
                <td>{x.title}</td>
                <td>{formatMoney(x.amount)}</td>
                <td>{paymentStateLabels[x.state]}</td>
                <td>{x.booked ? x.booked.documentNo : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2 id="ustawienia">Ustawienia płatności online</h2>
      {p.canEditSettings
        ? <SettingsForm settings={settings} form={p.settingsForm} />
        : <SettingsFacts settings={settings} />}
    </>
  );
}

function SettingsFacts(props: { settings: PaymentSettings }) {
  const s = props.settings;
  return (
    <>
      <dl class="facts">
        <dt>{paymentSettingsLabels.kwota_min}</dt>
        <dd>{formatMoney(s.minAmount)}</dd>
        <dt>{paymentSettingsLabels.limit_nadplaty}</dt>
        <dd>{formatMoney(s.overpaymentLimit)}</dd>
        <dt>{paymentSettingsLabels.dni_niezaksiegowane}</dt>
        <dd>{s.unmatchedAfterDays}</dd>
        <dt>{paymentSettingsLabels.minuty_wygasania}</dt>
        <dd>{s.pendingExpiryMinutes}</dd>
      </dl>
      <p class="muted">Zmienia je administrator.</p>
    </>
  );
}

function SettingsForm(
  props: {
    settings: PaymentSettings;
    form?: { values: Record<string, string>; errors: FieldErrors };
  },
) {
  const values = props.form?.values ?? settingsValues(props.settings);
  const errors = props.form?.errors ?? {};
  const field = (name: PaymentSettingsField, inputmode: "numeric" | "text", hint: string) => (
    <Field
      name={name}
      label={paymentSettingsLabels[name]}
      value={values[name]}
      error={errors[name]}
      hint={hint}
      inputmode={inputmode}
      maxlength={12}
    />
  );
  return (
    <form method="post" action="/admin/platnosci/ustawienia">
      <ErrorSummary errors={errors} labels={paymentSettingsLabels} />
      {field("kwota_min", "text", "Od 0,01 zł do 100 000,00 zł.")}
      {field("limit_nadplaty", "text", "0,00 zł: nie więcej niż kwota do zapłaty.")}
      {field("dni_niezaksiegowane", "numeric", "Od 1 do 90 dni.")}
      {field("minuty_wygasania", "numeric", "Od 15 minut do 14 dni (20 160 minut).")}
      <button type="submit">Zapisz ustawienia</button>
    </form>
  );
}
