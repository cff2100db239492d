import { type Context, Hono } from "hono";
import { parseSquareMetres } from "../../domain/shared/csv.ts";
import { isValidNrb } from "../../domain/shared/nrb.ts";
import type { FieldErrors } from "../../views/form.tsx";
import { CONTROL_CHARS, readForm, single } from "../validation.ts";
import { type Account, getAccount } from "../../domain/accounts/accounts.ts";
import { keys } from "../../domain/shared/keys.ts";
import { getTotals } from "../../domain/balance/ledger.ts";
import {
  getBuilding,
  getUnit,
  type Unit,
  unitAddress,
  updateUnit,
} from "../../domain/backoffice/register.ts";
import { searchRegister } from "../../domain/backoffice/register_search.ts";
import { listMeters } from "../../domain/water/water.ts";
import { RegisterPage, RegisterResults, UnitPage } from "../../views/admin/register.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";

/**
 * The register: search (as-you-type with htmx, a plain GET form without) and unit pages.
 * Long because it registers every handler of the area inline after its path (Hono's way: the
 * path's parameter types are inferred); each handler is short: parse, call one domain function, render.
 */
export function registerRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<StaffEnv>();

  app.get("/", async (c) => {
    const q = (c.req.query("q") ?? "").trim().slice(0, 100);
    const result = await searchRegister(kv, q);
    return renderPage(
      c,
      {
        title: "Rejestr i konta",
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        fragment: () => <RegisterResults q={q} result={result} now={clock()} />,
      },
      <RegisterPage q={q} result={result} now={clock()} />,
    );
  });

  const unitPage = async (
    c: Context<StaffEnv>,
    unit: Unit,
    extra: { status?: 200 | 422; errors?: FieldErrors; values?: Record<string, string> } = {},
  ) => {
    const building = await getBuilding(kv, unit.buildingId);
    const accounts: Account[] = [];
    for await (const e of kv.list<string>({ prefix: keys.accountsByUnitAll(unit.id) })) {
      const a = await getAccount(kv, e.value);
      if (a) accounts.push(a);
    }
    return renderPage(
      c,
      {
        title: "Lokal",
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        status: extra.status ?? 200,
      },
      <UnitPage
        unit={unit}
        building={building}
        label={building ? unitAddress(building, unit) : unit.number}
        accounts={accounts}
        totals={await getTotals(kv, unit.id)}
        meters={(await listMeters(kv, unit.id)).filter((m) => !m.removedOn).length}
        now={clock()}
        notice={c.req.query("wynik") === "zapisano" ? "Dane lokalu zapisane." : undefined}
        errors={extra.errors}
        values={extra.values}
      />,
    );
  };

  app.get("/lokale/:id", async (c) => {
    const unit = await getUnit(kv, c.req.param("id"));
    if (!unit) return c.notFound();
    return unitPage(c, unit);
  });

  app.post("/lokale/:id", async (c) => {
    const unit = await getUnit(kv, c.req.param("id"));
    if (!unit) return c.notFound();
    const form = await readForm(c.req);
    const values = Object.fromEntries(
      ["number", "area", "persons", "occupants", "bankAccount"].map((
        k,
      ) => [k, single(form[k]).trim().slice(0, 300)]),
    );
    const errors: FieldErrors = {};
    if (!/^[0-9A-Za-z][0-9A-Za-z/-]{0,7}$/.test(values.number)) {
      errors.number = "Numer lokalu: do 8 znaków, np. 7 albo G2.";
    }
    const area = parseSquareMetres(values.area);
    if (!area.ok) errors.area = "Powierzchnia w m², np. 48,50.";
    const persons = /^\d{1,3}$/.test(values.persons) ? Number(values.persons) : null;
    if (persons === null) errors.persons = "Liczba osób: liczba całkowita.";
    const occupants = values.occupants.split(",").map((s) => s.trim()).filter(Boolean);
    if (CONTROL_CHARS.test(values.occupants) || /[<>]/.test(values.occupants)) {
      errors.occupants = "Niedozwolone znaki.";
    }
    if (!isValidNrb(values.bankAccount)) {
      errors.bankAccount = "Numer konta: 26 cyfr z poprawną sumą kontrolną.";
    }
    if (Object.keys(errors).length) return unitPage(c, unit, { status: 422, errors, values });
    const result = await updateUnit(kv, unit.id, {
      number: values.number,
      areaCm2: area.ok ? area.value : unit.areaCm2,
      persons: persons!,
      occupants,
      bankAccount: values.bankAccount,
    }, { actor: staffActor(c.get("staff")), clock });
    if (!result.ok) {
      return unitPage(c, unit, {
        status: 422,
        errors: {
          number:
            "Nie udało się zapisać: taki lokal już istnieje w tym budynku albo dane się zmieniły.",
        },
        values,
      });
    }
    return c.redirect(`/admin/rejestr/lokale/${unit.id}?wynik=zapisano`, 303);
  });

  return app;
}
