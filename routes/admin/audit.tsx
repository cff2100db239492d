/** Staff: the audit log, filtered by a GET form (htmx swaps the table), paged, exported as CSV. */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { exportAudit, isAuditCursor, queryAudit } from "../../domain/backoffice/audit.ts";
import { isAuditActionFilter } from "../../domain/backoffice/audit_actions.ts";
import { polishDate } from "../../domain/shared/calendar.ts";
import { isIsoDate } from "../../domain/shared/calendar.ts";
import {
  auditActorKinds,
  type AuditFilterValues,
  AuditFragment,
  AuditLogPage,
} from "../../views/admin/audit.tsx";
import { staffMenu } from "../../views/menu.ts";
import { staffOnly } from "./backoffice_guard.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";
import { fieldErrors } from "../validation.ts";

const PAGE_SIZE = 50;
/** The CSV holds at most this many entries (newest first); narrow the dates for more. */
const CSV_MAX_ENTRIES = 50_000;

const day = z.string().max(10).refine(
  (s) => s === "" || isIsoDate(s),
  "Podaj datę w formacie dd.mm.rrrr.",
);

/** The filter's query string; names are Polish like the URLs. */
const filterSchema = z.object({
  od: day.default(""),
  do: day.default(""),
  rodzaj: z.string().max(60).refine(
    (s) => s === "" || isAuditActionFilter(s),
    "Nieznany rodzaj zdarzenia.",
  ).default(""),
  kto: z.enum(["", "staff", "resident", "anonymous", "system"], {
    error: "Nieznany rodzaj wykonawcy.",
  }).default(""),
  dotyczy: z.string().trim().toUpperCase().regex(
    /^([0-9A-Z]{26})?$/,
    "Podaj id konta lub wniosku (26 znaków).",
  ).default(""),
  po: z.string().refine((s) => s === "" || isAuditCursor(s), "Nieprawidłowa strona.").default(""),
}).refine((f) => !f.od || !f.do || f.od <= f.do, {
  path: ["do"],
  message: "Data „do” nie może być wcześniejsza niż „od”.",
});

type ParsedFilter =
  | { ok: true; filter: AuditFilterValues; cursor?: string }
  | { ok: false; filter: AuditFilterValues; errors: Record<string, string | undefined> };

function readFilter(query: Record<string, string>): ParsedFilter {
  const typed: AuditFilterValues = {
    od: (query.od ?? "").slice(0, 10),
    do: (query.do ?? "").slice(0, 10),
    rodzaj: (query.rodzaj ?? "").slice(0, 60),
    kto: (query.kto ?? "").slice(0, 20),
    dotyczy: (query.dotyczy ?? "").slice(0, 40),
  };
  const parsed = filterSchema.safeParse(query);
  if (!parsed.success) return { ok: false, filter: typed, errors: fieldErrors(parsed.error) };
  const { po, ...filter } = parsed.data;
  return { ok: true, filter, cursor: po || undefined };
}

function toQuery(f: AuditFilterValues) {
  return {
    from: f.od || undefined,
    to: f.do || undefined,
    actorKind: (f.kto || undefined) as (typeof auditActorKinds)[number] | undefined,
    action: f.rodzaj || undefined,
    targetId: f.dotyczy || undefined,
  };
}

/** Mounted at /admin/dziennik. */
export function auditRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<StaffEnv>();
  app.use(staffOnly(deps));

  const show = async (c: Context<StaffEnv>) => {
    const read = readFilter(c.req.query());
    const props = read.ok
      ? {
        filter: read.filter,
        errors: {},
        cursor: read.cursor,
        result: await queryAudit(kv, {
          ...toQuery(read.filter),
          limit: PAGE_SIZE,
          cursor: read.cursor,
        }),
      }
      : { filter: read.filter, errors: read.errors, result: null };
    return renderPage(
      c,
      {
        title: "Dziennik zdarzeń",
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        status: read.ok ? 200 : 422,
        fragment: () => <AuditFragment {...props} />,
      },
      <AuditLogPage {...props} />,
    );
  };

  app.get("/", show);

  app.get("/dziennik.csv", async (c) => {
    const read = readFilter(c.req.query());
    if (!read.ok) {
      return c.text(
        `Nieprawidłowy filtr dziennika: ${Object.values(read.errors).join(" ")}`,
        422,
      );
    }
    const f = read.filter;
    const csv = await exportAudit(
      kv,
      clock,
      { ...toQuery(f), limit: CSV_MAX_ENTRIES, maxScan: CSV_MAX_ENTRIES * 4 },
      staffActor(c.get("staff")),
    );
    const filename = `dziennik-zdarzen-${f.od || "poczatek"}-${f.do || polishDate(clock())}.csv`;
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="${filename}"`);
    c.header("Cache-Control", "no-store");
    return c.body(csv);
  });

  return app;
}
