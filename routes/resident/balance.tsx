import { Hono } from "hono";
import { z } from "zod";
import { polishDate, polishPeriod } from "../../domain/shared/calendar.ts";
import {
  entryKinds,
  getChargeComponents,
  getTotals,
  type LedgerEntry,
} from "../../domain/balance/ledger.ts";
import { createLedgerReader } from "../../domain/balance/ledger_reader.ts";
import { listResidentUnits, pickResidentUnit } from "../../domain/accounts/resident_units.ts";
import { transferFor } from "../../domain/balance/unit_transfer.ts";
import {
  amountDue,
  arrearsOrigin,
  balanceChartRows,
  monthlySummary,
  runningStatement,
  statementCsv,
  statementCsvFilename,
} from "../../domain/balance/statement.ts";
import { balanceChartSvg } from "../../views/charts.ts";
import {
  type BalanceFilter,
  BalancePage,
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

function yearsOf(entries: LedgerEntry[], thisYear: number): number[] {
  const years = new Set(entries.map((e) => Number(e.period.slice(0, 4))));
  years.add(thisYear);
  return [...years].sort((a, b) => b - a);
}

export function balanceRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<ResidentEnv>();
  // All entries of a unit, oldest first (the running balance needs them all), remembered while
  // the unit's ledger is unchanged.
  const allEntries = createLedgerReader(kv);

  /** The unit from `?lokal=`, only among the resident's own; null → 404. */
  const resolve = async (account: ResidentEnv["Variables"]["account"], unitId?: string) => {
    const units = await listResidentUnits(kv, account);
    return { units, current: pickResidentUnit(units, unitId) };
  };

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

  app.get("/saldo", async (c) => {
    const account = c.get("account");
    const read = readFilter(c.req.query());
    const { units, current } = await resolve(account, read.lokal?.slice(0, 40));
    if (!current) return c.notFound();
    const filter = read.ok ? read.filter : {};
    const entries = await allEntries(current.unit.id);
    const rows = runningStatement(entries, {
      filter: {
        year: filter.year,
        period: filter.period,
        component: filter.component,
        kinds: filter.kind ? [filter.kind] : undefined,
      },
    }).reverse();
    const lines = groupStatementLines(rows);
    const pages = Math.max(1, Math.ceil(lines.length / PAGE_SIZE));
    const page = Math.min(read.ok ? read.page : 1, pages);
    const months = monthlySummary(entries).slice(-CHART_MONTHS);
    const totals = await getTotals(kv, current.unit.id);
    const today = polishDate(clock());
    const due = amountDue(totals, entries.filter((e) => e.period >= today.slice(0, 7)), today);
    const props = {
      units,
      current,
      totals,
      firstPostedOn: entries.length
        ? entries.reduce((a, e) => e.postedOn < a ? e.postedOn : a, entries[0].postedOn)
        : null,
      due,
      origin: arrearsOrigin(entries, { balance: totals.balance, due, today }),
      filter,
      filterError: read.ok ? undefined : "Nieprawidłowy filtr: pokazano wszystkie operacje.",
      years: yearsOf(entries, Number(today.slice(0, 4))),
      periods: [...new Set(entries.map((e) => e.period))].sort().reverse(),
      components: await getChargeComponents(kv),
      lines: lines.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
      page,
      pages,
      totalLines: lines.length,
      chartSvg: balanceChartSvg(months, {
        width: 720,
        height: 260,
        title: `Opłaty w kolejnych miesiącach i saldo na koniec miesiąca — ${unitLabel(current)}`,
        id: "wykres-salda",
        describedBy: "wykres-salda-dane",
      }),
      chartRows: balanceChartRows(months),
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
    const f = read.filter;
    const rows = runningStatement(await allEntries(current.unit.id), {
      filter: {
        year: f.year,
        period: f.period,
        component: f.component,
        kinds: f.kind ? [f.kind] : undefined,
      },
    });
    const filename = statementCsvFilename(unitLabel(current), polishDate(clock()));
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="${filename}"`);
    return c.body(statementCsv(rows, { components: await getChargeComponents(kv) }));
  });

  app.get("/naliczenia", async (c) => {
    const account = c.get("account");
    const { units, current } = await resolve(account, c.req.query("lokal")?.slice(0, 40));
    if (!current) return c.notFound();
    const entries = await allEntries(current.unit.id);
    const thisYear = Number(polishDate(clock()).slice(0, 4));
    const years = yearsOf(entries, thisYear);
    const asked = Number(c.req.query("rok"));
    const year = years.includes(asked) ? asked : years[0];
    const months = monthlySummary(entries).filter((m) => m.period.startsWith(`${year}-`));
    return renderPage(
      c,
      { title: "Opłaty miesięczne", menu: residentMenu, viewer: residentViewer(account) },
      <ChargesPage
        units={units}
        current={current}
        year={year}
        years={years}
        months={months}
        components={await getChargeComponents(kv)}
        freshness={await c.get("settings").freshness()}
      />,
    );
  });

  app.get("/wplaty", async (c) => {
    const account = c.get("account");
    const { units, current } = await resolve(account, c.req.query("lokal")?.slice(0, 40));
    if (!current) return c.notFound();
    const entries = await allEntries(current.unit.id);
    const payments = entries.filter((e) => e.kind === "payment").reverse();
    const byYear = new Map<string, { year: string; sum: number; count: number }>();
    for (const p of payments) {
      const y = p.postedOn.slice(0, 4);
      const row = byYear.get(y) ?? { year: y, sum: 0, count: 0 };
      row.sum += p.amount;
      row.count++;
      byYear.set(y, row);
    }
    const totals = await getTotals(kv, current.unit.id);
    const period = polishPeriod(clock());
    const today = polishDate(clock());
    const due = amountDue(totals, entries.filter((e) => e.period >= period), today);
    return renderPage(
      c,
      { title: "Wpłaty", menu: residentMenu, viewer: residentViewer(account) },
      <PaymentsPage
        units={units}
        current={current}
        totals={totals}
        due={due}
        origin={arrearsOrigin(entries, { balance: totals.balance, due, today })}
        payments={payments}
        byYear={[...byYear.values()]}
        transfer={{
          ...transferFor(c.get("cooperative"), current, period, due.dueNow),
          amount: due.dueNow,
        }}
        freshness={await c.get("settings").freshness()}
      />,
    );
  });

  return app;
}
