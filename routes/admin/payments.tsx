import { type Context, Hono } from "hono";
import {
  getPaymentSettings,
  listPayments,
  type PaymentSettings,
  type PaymentState,
  paymentStates,
  savePaymentSettings,
} from "../../domain/payments/payments.ts";
import { listOrphanPayments } from "../../domain/payments/confirmation.ts";
import { exportPayments } from "../../domain/payments/export.ts";
import { listUnmatchedPayments } from "../../domain/payments/in_transit.ts";
import { polishDate } from "../../domain/shared/calendar.ts";
import { parseMoney } from "../../domain/shared/csv.ts";
import type { FieldErrors } from "../../views/form.tsx";
import { staffMenu } from "../../views/menu.ts";
import {
  PaymentsAdminPage,
  type PaymentsAdminProps,
  type PaymentSettingsField,
} from "../../views/admin/payments.tsx";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { readForm, single } from "../validation.ts";
import { requireStaff, staffActor, type StaffEnv, staffViewer } from "./guard.ts";

/** `?stan=…` → one of the states, or undefined (all) for anything else. */
function stateFilter(raw: string | undefined): PaymentState | undefined {
  return paymentStates.find((s) => s === raw);
}

/** Which form field carries each setting (for the domain's errors). */
const settingFields: Record<keyof PaymentSettings, PaymentSettingsField> = {
  minAmount: "kwota_min",
  overpaymentLimit: "limit_nadplaty",
  unmatchedAfterDays: "dni_niezaksiegowane",
  pendingExpiryMinutes: "minuty_wygasania",
};

/** The settings form as typed → settings, or the fields that are not numbers at all. */
function parseSettings(
  values: Record<PaymentSettingsField, string>,
): { ok: true; settings: PaymentSettings } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const money = (name: PaymentSettingsField) => {
    const parsed = parseMoney(values[name], { allowNegative: false });
    if (parsed.ok) return parsed.value;
    errors[name] = "Wpisz kwotę w złotych, np. 10,00.";
    return 0;
  };
  const whole = (name: PaymentSettingsField) => {
    const text = values[name].replace(/[\s\u00a0]/g, "");
    if (/^\d{1,7}$/.test(text)) return Number(text);
    errors[name] = "Wpisz liczbę całkowitą.";
    return 0;
  };
  const settings = {
    minAmount: money("kwota_min"),
    overpaymentLimit: money("limit_nadplaty"),
    unmatchedAfterDays: whole("dni_niezaksiegowane"),
    pendingExpiryMinutes: whole("minuty_wygasania"),
  };
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, settings };
}

/** Online payments for the office: by state, orphans, those not booked in time, settings. */
export function paymentAdminRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<StaffEnv>();

  const show = async (
    c: Context<StaffEnv>,
    extra: Pick<PaymentsAdminProps, "settingsForm" | "notice"> & { status?: 200 | 422 } = {},
  ) => {
    const state = stateFilter(c.req.query("stan"));
    const settings = await getPaymentSettings(kv);
    const [{ payments }, orphans, unmatched] = await Promise.all([
      listPayments(kv, { state, limit: 200 }),
      listOrphanPayments(kv),
      listUnmatchedPayments(kv, clock, settings.unmatchedAfterDays),
    ]);
    const staff = c.get("staff");
    return renderPage(
      c,
      {
        title: "Płatności online",
        menu: staffMenu,
        viewer: staffViewer(staff),
        status: extra.status ?? 200,
      },
      <PaymentsAdminPage
        state={state}
        payments={payments}
        unmatched={unmatched}
        orphans={orphans}
        settings={settings}
        canEditSettings={staff.role === "admin"}
        settingsForm={extra.settingsForm}
        notice={extra.notice}
      />,
    );
  };

  app.get("/", (c) => show(c, c.req.query("zapisano") ? { notice: "Ustawienia zapisane." } : {}));

  // Administrators only, as the cooperative's other settings.
  app.post("/ustawienia", requireStaff(deps, ["admin"]), async (c) => {
    const form = await readForm(c.req);
    const values = Object.fromEntries(
      Object.values(settingFields).map((name) => [name, single(form[name]).trim()]),
    ) as Record<PaymentSettingsField, string>;
    const parsed = parseSettings(values);
    let errors: FieldErrors;
    if (parsed.ok) {
      const saved = await savePaymentSettings(
        kv,
        clock,
        staffActor(c.get("staff")),
        parsed.settings,
      );
      if (saved.ok) return c.redirect("/admin/platnosci?zapisano=1#ustawienia", 303);
      errors = Object.fromEntries(
        Object.entries(saved.errors).map((
          [k, m],
        ) => [settingFields[k as keyof PaymentSettings], m]),
      );
    } else errors = parsed.errors;
    return show(c, { status: 422, settingsForm: { values, errors } });
  });

  // The list with the page's filter, for a spreadsheet; the export is audited.
  app.get("/platnosci.csv", async (c) => {
    const state = stateFilter(c.req.query("stan"));
    const csv = await exportPayments(kv, clock, { state }, staffActor(c.get("staff")));
    const day = polishDate(clock());
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header(
      "Content-Disposition",
      `attachment; filename="platnosci-online-${state ?? "wszystkie"}-${day}.csv"`,
    );
    c.header("Cache-Control", "no-store");
    return c.body(csv);
  });
  return app;
}
