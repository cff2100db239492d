import { Hono } from "hono";
import { polishDate } from "../../domain/shared/calendar.ts";
import { submitReadings } from "../../domain/water/reading_submissions.ts";
import {
  pickResidentUnit,
  type ResidentUnit,
  type ResidentUnitsReader,
} from "../../domain/accounts/resident_units.ts";
import { CHART_MONTHS, createWaterReader, type WaterView } from "../../domain/water/water_page.ts";
import type { Regions } from "../../views/regions.ts";
import type { RegionCache } from "../page_regions.ts";
import { consumptionChartSvg } from "../../views/charts.ts";
import { query } from "../../views/resident/balance.tsx";
import { residentMenu } from "../../views/menu.ts";
import { unitLabel } from "../../views/resident/parts.tsx";
import {
  type ReadingFormEntry,
  ReadingFormPage,
  WaterPage,
  type WaterRegion,
} from "../../views/resident/water.tsx";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { type ResidentEnv, residentViewer } from "./guard.ts";
import { readForm, single } from "../validation.ts";

/** "123,456" / "123.456" / "123" m³ as on the meter → litres; null when it is not a number. */
export function parseM3(input: string): number | null {
  const m = input.replace(/\s+/g, "").match(/^(\d{1,8})(?:[.,](\d{1,3}))?$/);
  if (!m) return null;
  return Number(m[1]) * 1000 + Number((m[2] ?? "").padEnd(3, "0"));
}

type Resolve = (
  account: ResidentEnv["Variables"]["account"],
  unitId?: string,
) => Promise<{ units: ResidentUnit[]; current: ResidentUnit | null }>;

/**
 * The water page's regions, each keyed by everything it shows: the unit's water version (meters,
 * readings, settlements, submissions, the settings read with them), the day (legalisation
 * days, the reading window), the comparison (the building's average, the persons) and the unit's
 * label (the chart's title).
 */
function waterRegions(
  cache: RegionCache | undefined,
  view: WaterView,
  today: string,
  label: string,
): Regions<WaterRegion> | undefined {
  if (!cache) return undefined;
  const keys: Record<WaterRegion, string> = {
    meters: `woda-liczniki|${view.version}|${today}`,
    usage: `woda-zuzycie|${view.version}|${today.slice(0, 7)}|${
      JSON.stringify(view.comparison ?? null)
    }|${label}`,
    settlements: `woda-rozliczenia|${view.version}`,
  };
  return cache.named(keys);
}

/** The water page and the reading form: parse, call one domain function, render. */
export function waterRoutes(deps: AppDeps, { readUnits }: { readUnits: ResidentUnitsReader }) {
  const { kv, clock } = deps;
  const app = new Hono<ResidentEnv>();
  const water = createWaterReader(kv);
  const resolve: Resolve = async (account, unitId) => {
    const units = await readUnits(account);
    return { units, current: pickResidentUnit(units, unitId?.slice(0, 40)) };
  };

  // Three KV operations whatever the length of the history: the session with its account,
  // the units with their buildings, the unit's water summary with the settings it needs.
  app.get("/woda", async (c) => {
    const account = c.get("account");
    const { units, current } = await resolve(account, c.req.query("lokal"));
    if (!current) return c.notFound();
    const today = polishDate(clock());
    const view = await water.waterView(current, today);
    return renderPage(
      c,
      { title: "Woda", menu: residentMenu, viewer: residentViewer(account) },
      <WaterPage
        {...view}
        units={units}
        current={current}
        chartSvg={() =>
          consumptionChartSvg(view.chartRows, {
            width: 720,
            height: 260,
            title: `Zużycie zimnej i ciepłej wody w ostatnich ${CHART_MONTHS} miesiącach — ${
              unitLabel(current)
            }`,
            id: "wykres-wody",
            describedBy: "zuzycie-dane",
          })}
        regions={waterRegions(c.get("regions"), view, today, unitLabel(current))}
        freshness={await c.get("settings").freshness()}
        notice={c.req.query("odczyt") !== undefined
          ? "Dziękujemy. Odczyt został przekazany do biura; potwierdzenie wysłaliśmy e-mailem."
          : undefined}
      />,
    );
  });
  app.route("/", readingRoutes(deps, water, resolve));
  return app;
}

/** The typed values, each parsed to litres; an entry whose value is no number carries why. */
function readEntries(form: Record<string, string | string[]>, base: ReadingFormEntry[]) {
  const parsed: { meterId: string; litres: number }[] = [];
  const entries = base.map((e): ReadingFormEntry => {
    const value = single(form[`m_${e.meter.id}`]).trim().slice(0, 20);
    if (!value) return { ...e, value };
    const litres = parseM3(value);
    if (litres === null) return { ...e, value, error: "Wpisz stan licznika w m³, np. 123,456." };
    parsed.push({ meterId: e.meter.id, litres });
    return { ...e, value };
  });
  return { entries, parsed };
}

/** What the form says about a refused submission: on the entries, or for the whole form. */
function refusal(
  result: Exclude<Awaited<ReturnType<typeof submitReadings>>, { ok: true }>,
  entries: ReadingFormEntry[],
): { needsConfirmation?: boolean; formError?: string } {
  if (result.reason === "outside_window") {
    return { formError: "Okres podawania odczytów właśnie się skończył." };
  }
  if (result.reason === "conflict") {
    return { formError: "Nie udało się zapisać odczytu. Spróbuj ponownie." };
  }
  for (const check of result.checks) {
    const e = entries.find((x) => x.meter.id === check.meterId);
    if (!e) continue;
    if (check.check.kind === "error") e.error = check.check.message;
    if (check.check.kind === "warning") e.warning = check.check.message;
  }
  return { needsConfirmation: result.reason === "needs_confirmation" };
}

/** GET and POST /woda/odczyt: the resident's meter readings, without JavaScript. */
function readingRoutes(
  deps: AppDeps,
  water: ReturnType<typeof createWaterReader>,
  resolve: Resolve,
) {
  const { kv, clock, config } = deps;
  const app = new Hono<ResidentEnv>();

  app.get("/woda/odczyt", async (c) => {
    const account = c.get("account");
    const { current } = await resolve(account, c.req.query("lokal"));
    if (!current) return c.notFound();
    const form = await water.readingForm(current.unit.id, polishDate(clock()));
    return renderPage(
      c,
      { title: "Podaj odczyt", menu: residentMenu, viewer: residentViewer(account) },
      <ReadingFormPage
        current={current}
        entries={form.meters}
        window={form.window}
        needsConfirmation={false}
      />,
    );
  });

  app.post("/woda/odczyt", async (c) => {
    const account = c.get("account");
    const { current } = await resolve(account, c.req.query("lokal"));
    if (!current) return c.notFound();
    const form = await readForm(c.req);
    const shown = await water.readingForm(current.unit.id, polishDate(clock()));
    const { entries, parsed } = readEntries(form, shown.meters);
    const page = (opts: { needsConfirmation?: boolean; formError?: string } = {}) =>
      renderPage(
        c,
        {
          title: "Podaj odczyt",
          menu: residentMenu,
          viewer: residentViewer(account),
          status: 422,
        },
        <ReadingFormPage
          current={current}
          entries={entries}
          window={shown.window}
          needsConfirmation={opts.needsConfirmation ?? false}
          formError={opts.formError}
        />,
      );
    if (entries.some((e) => e.error)) return page();
    if (parsed.length === 0) {
      return page({ formError: "Wpisz stan co najmniej jednego wodomierza." });
    }
    const result = await submitReadings(kv, clock, {
      accountId: account.id,
      unitId: current.unit.id,
      entries: parsed,
      confirmed: single(form.potwierdzam) === "1",
      email: account.email,
      firstName: account.firstName,
      identifier: account.identifier,
      unitLabel: unitLabel(current),
      ctx: { coop: c.get("cooperative"), baseUrl: config.baseUrl },
    });
    if (result.ok) {
      return c.redirect(`/ebok/woda${query({ lokal: current.unit.id, odczyt: "wyslany" })}`, 303);
    }
    return page(refusal(result, entries));
  });
  return app;
}
