import { Hono } from "hono";
import { z } from "zod";
import { polishDate } from "../../domain/shared/calendar.ts";
import { entryKinds } from "../../domain/balance/ledger.ts";
import {
  pickResidentUnit,
  type ResidentUnitsReader,
} from "../../domain/accounts/resident_units.ts";
import type { MoneyReader } from "../../domain/balance/resident_money.ts";
import {
  chargesView,
  paymentsView,
  statementRows,
  statementView,
} from "../../domain/balance/balance_pages.ts";
import {
  balanceChartRows,
  statementCsv,
  statementCsvFilename,
} from "../../domain/balance/statement.ts";
import { balanceChartSvg } from "../../views/charts.ts";
import type { Regions } from "../../views/regions.ts";
import type { RegionCache } from "../page_regions.ts";
import {
  type BalanceFilter,
  BalancePage,
  type BalanceRegion,
  groupStatementLines,
  StatementFragment,
} from "../../views/resident/balance.tsx";
import { ChargesPage } from "../../views/resident/charges.tsx";
import { residentMenu } from "../../views/menu.ts";
import { PaymentsPage } from "../../views/resident/payments.tsx";
import { unitLabel } from "../../views/resident/parts.tsx";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { type ResidentEnv, residentViewer } from "./guard.ts";

const PAGE_SIZE = 24;
const CHART_MONTHS = 24;

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

/** The statement's filters, from the query string; the field names are Polish like the URLs. */
const filterSchema = z.object({
  lokal: z.string().max(40).optional(),
  rok: optional(z.coerce.number().int().min(1990).max(2100)),
  okres: optional(z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/)),
  rodzaj: optional(z.enum(entryKinds as [string, ...string[]])),
  skladnik: optional(z.string().regex(/^[a-z0-9_]{1,40}$/)),
  strona: optional(z.coerce.number().int().min(1).max(100_000)),
});

type Readers = { readUnits: ResidentUnitsReader; money: MoneyReader };

const readFilter = (query: Record<string, string>) => {
  const parsed = filterSchema.safeParse(query);
  if (parsed.success) {
    const q = parsed.data;
    const filter: BalanceFilter = {
      year: q.rok,
      period: q.okres,
      kind: q.rodzaj as BalanceFilter["kind"],
      component: q.skladnik,
    };
    return { ok: true as const, lokal: q.lokal, filter, page: q.strona ?? 1 };
  }
  return { ok: false as const, lokal: typeof query.lokal === "string" ? query.lokal : undefined };
};

const statementFilter = (f: BalanceFilter) => ({
  year: f.year,
  period: f.period,
  component: f.component,
  kinds: f.kind ? [f.kind] : undefined,
});

/** What every money tab's handler needs: today, whether online payment is on, the unit asked. */
function tabContext(deps: AppDeps, readUnits: ResidentUnitsReader) {
  return {
    at: () => ({ today: polishDate(deps.clock()), online: deps.paymentGateway !== undefined }),
    /** The unit from `?lokal=`, only among the resident's own; null → 404. */
    resolve: async (account: ResidentEnv["Variables"]["account"], unitId?: string) => {
      const units = await readUnits(account);
      return { units, current: pickResidentUnit(units, unitId) };
    },
  };
}

/** The money tabs: parse, call one domain function (balance_pages.ts), render. */
export function balanceRoutes(deps: AppDeps, readers: Readers) {
  const app = new Hono<ResidentEnv>();
  app.route("/", statementRoutes(deps, readers));
  app.route("/", monthRoutes(deps, readers));
  return app;
}

/** The statement's lines, once per rows array (the domain hands out the same one while valid). */
const groupedLines = new WeakMap<object, ReturnType<typeof groupStatementLines>>();
function linesOf(rows: Parameters<typeof groupStatementLines>[0]) {
  let lines = groupedLines.get(rows);
  if (!lines) groupedLines.set(rows, lines = groupStatementLines(rows));
  return lines;
}

/**
 * The statement's regions, each keyed by everything it shows: the ledger's version (unit,
 * entries, components' labels), this year (the year choices), the unit's label (the chart's
 * title), the filter and the page.
 */
function statementRegions(
  cache: RegionCache | undefined,
  k: {
    version: string;
    year: string;
    label: string;
    filter: BalanceFilter;
    filterError: boolean;
    page: number;
  },
): Regions<BalanceRegion> | undefined {
  if (!cache) return undefined;
  const filter = JSON.stringify(k.filter);
  const keys: Record<BalanceRegion, string> = {
    filter: `saldo-filtr|${k.version}|${k.year}|${filter}|${k.filterError}`,
    statement: `saldo-wyciag|${k.version}|${filter}|${k.page}`,
    chart: `saldo-wykres|${k.version}|${k.year}|${k.label}`,
  };
  return cache.named(keys);
}

/** /saldo and /saldo.csv: the statement with its filters. */
function statementRoutes(deps: AppDeps, { readUnits, money }: Readers) {
  const app = new Hono<ResidentEnv>();
  const { at, resolve } = tabContext(deps, readUnits);

  app.get("/saldo", async (c) => {
    const account = c.get("account");
    const read = readFilter(c.req.query());
    const { units, current } = await resolve(account, read.lokal?.slice(0, 40));
    if (!current) return c.notFound();
    const filter = read.ok ? read.filter : {};
    const view = await statementView(money, current.unit.id, {
      ...at(),
      filter: statementFilter(filter),
      chartMonths: CHART_MONTHS,
    });
    const lines = linesOf(view.rows);
    const pages = Math.max(1, Math.ceil(lines.length / PAGE_SIZE));
    const page = Math.min(read.ok ? read.page : 1, pages);
    const props = {
      ...view,
      units,
      current,
      filter,
      filterError: read.ok ? undefined : "Nieprawidłowy filtr: pokazano wszystkie operacje.",
      lines: lines.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
      page,
      pages,
      totalLines: lines.length,
      chart: () => ({
        svg: balanceChartSvg(view.months, {
          width: 720,
          height: 260,
          title: `Opłaty w kolejnych miesiącach i saldo na koniec miesiąca — ${unitLabel(current)}`,
          id: "wykres-salda",
          describedBy: "wykres-salda-dane",
        }),
        rows: balanceChartRows(view.months),
      }),
      regions: statementRegions(c.get("regions"), {
        version: view.version,
        year: at().today.slice(0, 4),
        label: unitLabel(current),
        filter,
        filterError: !read.ok,
        page,
      }),
      freshness: await c.get("settings").freshness(),
    };
    return renderPage(
      c,
      {
        title: "Moje saldo",
        menu: residentMenu,
        viewer: residentViewer(account),
        status: read.ok ? 200 : 422,
        fragment: () => <StatementFragment {...props} />,
      },
      <BalancePage {...props} />,
    );
  });

  app.get("/saldo.csv", async (c) => {
    const account = c.get("account");
    const read = readFilter(c.req.query());
    if (!read.ok) return c.text("Nieprawidłowy filtr zestawienia.", 422);
    const { current } = await resolve(account, read.lokal);
    if (!current) return c.notFound();
    const { rows, components } = await statementRows(money, current.unit.id, {
      ...at(),
      filter: statementFilter(read.filter),
    });
    const filename = statementCsvFilename(unitLabel(current), at().today);
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="${filename}"`);
    return c.body(statementCsv(rows, { components }));
  });

  return app;
}

/** /naliczenia and /wplaty: the months' charges, the payments and how to pay. */
function monthRoutes(deps: AppDeps, { readUnits, money }: Readers) {
  const app = new Hono<ResidentEnv>();
  const { at, resolve } = tabContext(deps, readUnits);

  app.get("/naliczenia", async (c) => {
    const account = c.get("account");
    const { units, current } = await resolve(account, c.req.query("lokal")?.slice(0, 40));
    if (!current) return c.notFound();
    const asked = Number(c.req.query("rok"));
    const view = await chargesView(money, current.unit.id, {
      ...at(),
      year: Number.isSafeInteger(asked) ? asked : undefined,
    });
    return renderPage(
      c,
      { title: "Opłaty miesięczne", menu: residentMenu, viewer: residentViewer(account) },
      <ChargesPage
        {...view}
        units={units}
        current={current}
        freshness={await c.get("settings").freshness()}
      />,
    );
  });

  app.get("/wplaty", async (c) => {
    const account = c.get("account");
    const { units, current } = await resolve(account, c.req.query("lokal")?.slice(0, 40));
    if (!current) return c.notFound();
    const view = await paymentsView(money, current, { ...at(), coop: c.get("cooperative") });
    return renderPage(
      c,
      { title: "Wpłaty", menu: residentMenu, viewer: residentViewer(account) },
      <PaymentsPage
        {...view}
        units={units}
        current={current}
        freshness={await c.get("settings").freshness()}
      />,
    );
  });

  return app;
}
