import { Hono } from "hono";
import { addMonths, daysBetween, polishDate, polishPeriod } from "../../domain/shared/calendar.ts";
import {
  getReadingWindow,
  listUnitSubmissions,
  nextReadingWindow,
  submitReadings,
} from "../../domain/water/reading_submissions.ts";
import { listResidentUnits, pickResidentUnit } from "../../domain/accounts/resident_units.ts";
import { getUnitWater, type Reading } from "../../domain/water/water.ts";
import {
  consumptionChartRows,
  monthlyConsumption,
  sameMonthLastYear,
} from "../../domain/water/water_chart.ts";
import { consumptionChartSvg } from "../../views/charts.ts";
import { listSettlements } from "../../domain/water/water_settlements.ts";
import {
  buildingUsePerPerson,
  isBuildingAverageEnabled,
  unitUsePerPerson,
} from "../../domain/water/water_comparison.ts";
import { ttl } from "../../domain/shared/memo.ts";
import { query } from "../../views/resident/balance.tsx";
import { residentMenu } from "../../views/menu.ts";
import { unitLabel } from "../../views/resident/parts.tsx";
import { type ReadingFormEntry, ReadingFormPage, WaterPage } from "../../views/resident/water.tsx";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { type ResidentEnv, residentViewer } from "./guard.ts";
import { readForm, single } from "../validation.ts";

const CHART_MONTHS = 12;

function lastReading(readings: readonly Reading[]): Reading | null {
  return readings.reduce<Reading | null>(
    (
      last,
      r,
    ) => (!last || r.readOn > last.readOn || (r.readOn === last.readOn && r.id > last.id)
      ? r
      : last),
    null,
  );
}

/** "123,456" / "123.456" / "123" m³ as on the meter → litres; null when it is not a number. */
export function parseM3(input: string): number | null {
  const m = input.replace(/\s+/g, "").match(/^(\d{1,8})(?:[.,](\d{1,3}))?$/);
  if (!m) return null;
  return Number(m[1]) * 1000 + Number((m[2] ?? "").padEnd(3, "0"));
}

export function waterRoutes(deps: AppDeps) {
  const { kv, clock, config } = deps;
  const app = new Hono<ResidentEnv>();

  // The building's average changes with monthly readings: an hour-old figure is fine.
  const buildingAverages = new Map<
    string,
    ReturnType<typeof ttl<Awaited<ReturnType<typeof buildingUsePerPerson>>>>
  >();
  const buildingAverage = (buildingId: string, range: { from: string; to: string }) => {
    const key = `${buildingId}|${range.from}|${range.to}`;
    let cached = buildingAverages.get(key);
    if (!cached) {
      if (buildingAverages.size > 500) buildingAverages.clear();
      cached = ttl(60 * 60_000, Date.now, () => buildingUsePerPerson(kv, buildingId, range));
      buildingAverages.set(key, cached);
    }
    return cached();
  };

  const resolve = async (account: ResidentEnv["Variables"]["account"], unitId?: string) => {
    const units = await listResidentUnits(kv, account);
    return { units, current: pickResidentUnit(units, unitId?.slice(0, 40)) };
  };

  app.get("/woda", async (c) => {
    const account = c.get("account");
    const { units, current } = await resolve(account, c.req.query("lokal"));
    if (!current) return c.notFound();
    const today = polishDate(clock());
    const { meters, readingsByMeter } = await getUnitWater(kv, current.unit.id);
    const active = meters.filter((m) => !m.removedOn);
    const to = polishPeriod(clock());
    const history = monthlyConsumption(meters, readingsByMeter, { from: addMonths(to, -23), to });
    // The months not read yet (the current one) would show as zero use: leave them out.
    while (history.length && history[history.length - 1].days === 0) history.pop();
    const shown = history.slice(-CHART_MONTHS);
    const chartRows = consumptionChartRows(shown);
    const rows = chartRows.map((r) => {
      const before = sameMonthLastYear(history, r.period);
      return { ...r, lastYear: before ? { cold: before.cold, hot: before.hot } : null };
    });
    const submitted = c.req.query("odczyt") !== undefined;
    let comparison: { own: number | null; building: number | null; persons: number } | undefined;
    if (current.unit.kind === "flat" && meters.length && (await isBuildingAverageEnabled(kv))) {
      const range = { from: addMonths(to, -12), to: addMonths(to, -1) };
      const [own, building] = await Promise.all([
        unitUsePerPerson(kv, current.unit.id, current.unit.persons, range),
        buildingAverage(current.unit.buildingId, range),
      ]);
      comparison = {
        own: own.litresPerPersonMonth,
        building: building.litresPerPersonMonth,
        persons: current.unit.persons,
      };
    }
    return renderPage(
      c,
      { title: "Woda", menu: residentMenu, viewer: residentViewer(account) },
      <WaterPage
        units={units}
        current={current}
        meters={active.map((meter) => ({
          meter,
          last: lastReading(readingsByMeter[meter.id] ?? []),
          legalDaysLeft: daysBetween(today, meter.legalUntil),
        }))}
        chartSvg={consumptionChartSvg(chartRows, {
          width: 720,
          height: 260,
          title: `Zużycie zimnej i ciepłej wody w ostatnich ${CHART_MONTHS} miesiącach — ${
            unitLabel(current)
          }`,
          id: "wykres-wody",
          describedBy: "zuzycie-dane",
        })}
        rows={rows}
        comparison={comparison}
        settlements={await listSettlements(kv, current.unit.id)}
        submissions={await listUnitSubmissions(kv, current.unit.id)}
        window={nextReadingWindow(today, await getReadingWindow(kv))}
        freshness={await c.get("settings").freshness()}
        notice={submitted
          ? "Dziękujemy. Odczyt został przekazany do biura; potwierdzenie wysłaliśmy e-mailem."
          : undefined}
      />,
    );
  });

  const formEntries = async (unitId: string) => {
    const { meters, readingsByMeter } = await getUnitWater(kv, unitId);
    return meters.filter((m) => !m.removedOn).map((meter) => ({
      meter,
      last: lastReading(readingsByMeter[meter.id] ?? []),
    }));
  };

  app.get("/woda/odczyt", async (c) => {
    const account = c.get("account");
    const { current } = await resolve(account, c.req.query("lokal"));
    if (!current) return c.notFound();
    const window = nextReadingWindow(polishDate(clock()), await getReadingWindow(kv));
    return renderPage(
      c,
      { title: "Podaj odczyt", menu: residentMenu, viewer: residentViewer(account) },
      <ReadingFormPage
        current={current}
        entries={await formEntries(current.unit.id)}
        window={window}
        needsConfirmation={false}
      />,
    );
  });

  app.post("/woda/odczyt", async (c) => {
    const account = c.get("account");
    const { current } = await resolve(account, c.req.query("lokal"));
    if (!current) return c.notFound();
    const form = await readForm(c.req);
    const base = await formEntries(current.unit.id);
    const window = nextReadingWindow(polishDate(clock()), await getReadingWindow(kv));
    const entries: ReadingFormEntry[] = base.map((e) => {
      const value = single(form[`m_${e.meter.id}`]).trim().slice(0, 20);
      return { ...e, value };
    });
    const page = (status: 422, opts: { needsConfirmation?: boolean; formError?: string } = {}) =>
      renderPage(
        c,
        { title: "Podaj odczyt", menu: residentMenu, viewer: residentViewer(account), status },
        <ReadingFormPage
          current={current}
          entries={entries}
          window={window}
          needsConfirmation={opts.needsConfirmation ?? false}
          formError={opts.formError}
        />,
      );

    const parsed: { meterId: string; litres: number }[] = [];
    for (const e of entries) {
      if (!e.value) continue;
      const litres = parseM3(e.value);
      if (litres === null) {
        e.error = "Wpisz stan licznika w m³, np. 123,456.";
      } else parsed.push({ meterId: e.meter.id, litres });
    }
    if (entries.some((e) => e.error)) return page(422);
    if (parsed.length === 0) {
      return page(422, { formError: "Wpisz stan co najmniej jednego wodomierza." });
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
    if (result.reason === "outside_window") {
      return page(422, { formError: "Okres podawania odczytów właśnie się skończył." });
    }
    if (result.reason === "conflict") {
      return page(422, { formError: "Nie udało się zapisać odczytu. Spróbuj ponownie." });
    }
    for (const check of result.checks) {
      const e = entries.find((x) => x.meter.id === check.meterId);
      if (!e) continue;
      if (check.check.kind === "error") e.error = check.check.message;
      if (check.check.kind === "warning") e.warning = check.check.message;
    }
    return page(422, { needsConfirmation: result.reason === "needs_confirmation" });
  });

  return app;
}
