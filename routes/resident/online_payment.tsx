import { type Context, Hono } from "hono";
import { listResidentUnits, pickResidentUnit } from "../../domain/accounts/resident_units.ts";
import { transferFor } from "../../domain/balance/unit_transfer.ts";
import { polishPeriod } from "../../domain/shared/calendar.ts";
import { parseMoney } from "../../domain/shared/csv.ts";
import { getPayment, paymentOffer, startOnlinePayment } from "../../domain/payments/payments.ts";
import { formatMoney } from "../../views/format.ts";
import { residentMenu } from "../../views/menu.ts";
import {
  PayAgainPage,
  PaymentReturnPage,
  PaymentUnavailablePage,
} from "../../views/resident/online_payment.tsx";
import { unitLabel } from "../../views/resident/parts.tsx";
import type { AppDeps } from "../context.ts";
import { paymentNotifyUrl } from "../public/payment_notification.ts";
import { renderPage } from "../render.tsx";
import { type ResidentEnv, residentViewer } from "./guard.ts";

type Account = ResidentEnv["Variables"]["account"];
type ResidentUnit = NonNullable<ReturnType<typeof pickResidentUnit>>;
type StartRefusal = Exclude<Awaited<ReturnType<typeof startOnlinePayment>>, { ok: true }>;

/** The pay form again (422) with what was typed, an error and, if still fitting, the offer. */
async function payAgainPage(
  kv: Deno.Kv,
  c: Context<ResidentEnv>,
  unit: ResidentUnit,
  typed: string,
  error: string,
  offer = true,
) {
  const { range } = await paymentOffer(kv, unit.unit.id);
  return renderPage(
    c,
    {
      title: "Płatność online",
      menu: residentMenu,
      viewer: residentViewer(c.get("account")),
      status: 422,
    },
    <PayAgainPage
      unitLabel={unitLabel(unit)}
      offer={offer && range ? { unitId: unit.unit.id, ...range } : undefined}
      value={typed}
      error={error}
    />,
  );
}

/** The pay form's error for a refusal the resident can act on (and whether to offer again). */
function refusalError(
  result: Exclude<StartRefusal, { reason: "not_your_unit" | "gateway_failed" }>,
): { error: string; offer: boolean } {
  switch (result.reason) {
    case "amount_out_of_range":
      return {
        error: `Podaj kwotę od ${formatMoney(result.range.min)} do ${
          formatMoney(result.range.max)
        }.`,
        offer: true,
      };
    case "nothing_to_pay":
      return { error: "Dla tego lokalu nie ma teraz nic do zapłaty.", offer: false };
    case "invalid_email":
      return {
        error:
          "Płatność online wymaga poprawnego adresu e-mail na koncie. Skontaktuj się z biurem spółdzielni albo zapłać zwykłym przelewem.",
        offer: false,
      };
  }
}

function unavailablePage(c: Context<ResidentEnv>, account: Account) {
  return renderPage(
    c,
    {
      title: "Płatność online chwilowo niedostępna",
      menu: residentMenu,
      viewer: residentViewer(account),
      status: 503,
    },
    <PaymentUnavailablePage />,
  );
}

/** Online payment for a resident (mounted under /ebok only when a gateway is configured). */
export function paymentRoutes(deps: AppDeps) {
  const { kv, clock, config } = deps;
  const app = new Hono<ResidentEnv>();
  const gateway = deps.paymentGateway;
  if (!gateway) return app;

  app.post("/platnosci", async (c) => {
    const account = c.get("account");
    const form = await c.req.parseBody();
    const unitId = typeof form.lokal === "string" ? form.lokal : "";
    const typed = typeof form.kwota === "string" ? form.kwota.trim() : "";
    const unit = unitId === ""
      ? null
      : pickResidentUnit(await listResidentUnits(kv, account), unitId);
    if (!unit) return c.notFound();

    let amount: number | undefined;
    if (typed !== "") {
      const parsed = parseMoney(typed, { allowNegative: false });
      if (!parsed.ok) return payAgainPage(kv, c, unit, typed, "Wpisz kwotę w złotych, np. 250,00.");
      amount = parsed.value;
    }
    const title = transferFor(c.get("cooperative"), unit, polishPeriod(clock()), 0).title;
    const result = await startOnlinePayment(kv, clock, gateway, {
      unitId: unit.unit.id,
      accountId: account.id,
      actor: { kind: "resident", id: account.id, label: account.identifier },
      email: account.email,
      title,
      amount,
      returnUrl: (id) => `${config.baseUrl}/ebok/platnosci/${id}`,
      notifyUrl: paymentNotifyUrl(config.baseUrl),
    });
    if (result.ok) return c.redirect(result.redirectUrl, 303);
    if (result.reason === "not_your_unit") return c.notFound();
    if (result.reason === "gateway_failed") {
      deps.log.warn("payment gateway failed", {
        paymentId: result.payment.id,
        detail: result.detail,
      });
      return unavailablePage(c, account);
    }
    const refusal = refusalError(result);
    return payAgainPage(kv, c, unit, typed, refusal.error, refusal.offer);
  });

  app.get("/platnosci/:id", async (c) => {
    const account = c.get("account");
    const payment = await getPayment(kv, c.req.param("id"));
    // Only the account's own payments, of a unit it still holds.
    if (!payment || payment.accountId !== account.id || !account.unitIds.includes(payment.unitId)) {
      return c.notFound();
    }
    return renderPage(
      c,
      { title: "Płatność online", menu: residentMenu, viewer: residentViewer(account) },
      <PaymentReturnPage payment={payment} />,
    );
  });

  return app;
}
