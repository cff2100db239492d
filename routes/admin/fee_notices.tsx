/**
 * Staff: fee-change notices (/admin/zawiadomienia: prepare a run, preview each unit's notice as
 * HTML and PDF, send) and letters that must go by post (/admin/papier: per batch, print in one PDF).
 */
import { type Context, Hono } from "hono";
import { getChargeComponents } from "../../domain/balance/ledger.ts";
import {
  feeNoticeOf,
  feeNoticeRunOverview,
  JUSTIFICATION_MAX,
  JUSTIFICATION_MIN,
  listFeeNoticeRuns,
  looksExternal,
  noticeFileName,
  prepareFeeNoticeRun,
  sendFeeNoticeRun,
} from "../../domain/documents/fee_notices.ts";
import { renderFeeNoticePdf } from "../../domain/documents/notice_pdf.ts";
import { DEFAULT_PAYMENT_DAY } from "../../domain/documents/notice_period.ts";
import {
  getPaperSettings,
  listLetterBatches,
  PAPER_AFTER_DAYS_MAX,
  paperList,
  printPaperLetters,
  savePaperSettings,
} from "../../domain/documents/paper.ts";
import { kvFileStore } from "../../domain/files/kv_file_store.ts";
import { polishDate } from "../../domain/shared/calendar.ts";
import { parsePeriod } from "../../domain/shared/csv.ts";
import {
  count,
  FEE_NOTICES_PATH,
  FeeNoticePreview,
  FeeNoticeRunPage,
  FeeNoticesPage,
  PAPER_PATH,
  PaperBatchesPage,
  PaperListPage,
  type RunFormValues,
} from "../../views/admin/fee_notices.tsx";
import type { FieldErrors } from "../../views/form.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { contentDisposition } from "../files.ts";
import { renderPage } from "../render.tsx";
import { CONTROL_CHARS, multiple, readForm, single } from "../validation.ts";
import { staffOnly } from "./backoffice_guard.ts";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";

function pdfResponse(bytes: Uint8Array, name: string, disposition: "inline" | "attachment") {
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": contentDisposition(name, disposition),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/** Letters per send request: a PDF takes about 0.3 s, so one request stays well under a minute. */
const SEND_CHUNK = 50;

const runNotices: Record<string, string> = {
  przygotowano: "Zawiadomienia przygotowane. Sprawdź podgląd i wyślij.",
};

const shell = (c: Context<StaffEnv>, title: string, status?: 200 | 404 | 422) => ({
  title,
  menu: staffMenu,
  viewer: staffViewer(c.get("staff")),
  status,
});

/** The list of runs with the form for a new one (as typed after a refusal). */
async function runListPage(
  kv: Deno.Kv,
  c: Context<StaffEnv>,
  options: { status?: 200 | 422; form?: RunFormValues; errors?: FieldErrors } = {},
) {
  const [runs, components] = await Promise.all([listFeeNoticeRuns(kv), getChargeComponents(kv)]);
  const form = options.form ?? {
    period: "",
    external: components.filter(looksExternal).map((c) => c.code),
    paymentDay: String(DEFAULT_PAYMENT_DAY),
    justification: "",
  };
  return renderPage(
    c,
    shell(c, "Zawiadomienia o zmianie opłat", options.status),
    <FeeNoticesPage
      runs={runs}
      components={components}
      form={form}
      errors={options.errors ?? {}}
      notice={options.status ? undefined : runNotices[c.req.query("wynik") ?? ""]}
    />,
  );
}

/** The new-run form: the values as typed, and either the parsed input or the field errors. */
function readRunForm(body: Awaited<ReturnType<typeof readForm>>) {
  const typed: RunFormValues = {
    period: single(body.period).trim().slice(0, 20),
    external: multiple(body.external).map((s) => s.slice(0, 40)).slice(0, 100),
    paymentDay: single(body.payment_day).trim().slice(0, 4),
    justification: single(body.justification).replace(/\r\n?/g, "\n").trim()
      .slice(0, JUSTIFICATION_MAX * 2),
  };
  const errors: FieldErrors = {};
  const period = parsePeriod(typed.period);
  if (!period.ok) errors.period = `Podaj miesiąc zmiany: ${period.message}.`;
  const day = Number(typed.paymentDay);
  if (!/^\d{1,2}$/.test(typed.paymentDay) || day < 1 || day > 28) {
    errors.payment_day = "Podaj dzień miesiąca od 1 do 28.";
  }
  const j = typed.justification;
  if (j.length < JUSTIFICATION_MIN) {
    errors.justification = `Napisz uzasadnienie (co najmniej ${JUSTIFICATION_MIN} znaków).`;
  } else if (j.length > JUSTIFICATION_MAX) {
    errors.justification = `Uzasadnienie może mieć najwyżej ${JUSTIFICATION_MAX} znaków.`;
  } else if (CONTROL_CHARS.test(j.replace(/\n/g, " "))) {
    errors.justification = "Uzasadnienie zawiera niedozwolone znaki.";
  }
  if (Object.keys(errors).length > 0 || !period.ok) return { ok: false as const, typed, errors };
  return {
    ok: true as const,
    typed,
    input: {
      period: period.value,
      externalComponents: typed.external,
      justification: j,
      paymentDay: day,
    },
  };
}

/** The notice above a run's page: after sending, how many went and how many are left. */
function runNotice(c: Context<StaffEnv>): string | undefined {
  const sent = Number(c.req.query("wyslano") ?? 0) || 0;
  const left = Number(c.req.query("zostalo") ?? 0) || 0;
  return c.req.query("wynik") === "wyslano"
    ? `Wysłano: ${count(sent, "zawiadomienie", "zawiadomienia", "zawiadomień")}.` +
      (left > 0 ? ` Zostało do wysłania: ${left}. Kliknij „Wyślij zawiadomienia” jeszcze raz.` : "")
    : runNotices[c.req.query("wynik") ?? ""];
}

/** One run's page: its units, the preview links and the send button. */
async function runPage(
  kv: Deno.Kv,
  clock: AppDeps["clock"],
  c: Context<StaffEnv>,
  options: { status?: 200 | 422; error?: string } = {},
) {
  const overview = await feeNoticeRunOverview(kv, clock, c.req.param("id")!.slice(0, 40));
  if (!overview) return c.notFound();
  const notice = options.status ? undefined : runNotice(c);
  return renderPage(
    c,
    shell(c, "Zawiadomienia o zmianie opłat", options.status),
    <FeeNoticeRunPage overview={overview} notice={notice} error={options.error} />,
  );
}

/** Mounted at /admin/zawiadomienia. */
export function feeNoticeRoutes(deps: AppDeps) {
  const { kv, clock, config } = deps;
  const store = kvFileStore(kv, clock);
  const app = new Hono<StaffEnv>();
  app.use(staffOnly(deps));

  app.get("/", (c) => runListPage(kv, c));

  app.post("/", async (c) => {
    const form = readRunForm(await readForm(c.req));
    if (!form.ok) {
      return runListPage(kv, c, { status: 422, form: form.typed, errors: form.errors });
    }
    const result = await prepareFeeNoticeRun(kv, clock, form.input, staffActor(c.get("staff")));
    if (!result.ok) {
      const message = result.reason === "no_changes"
        ? "Żaden lokal nie ma nowych stawek od tego miesiąca. Najpierw zaimportuj stawki opłat " +
          "(Import danych → Stawki opłat) z tym miesiącem w kolumnie „od miesiąca”."
        : "Zaznaczony składnik nie jest na liście składników opłat. Odśwież stronę.";
      const field = result.reason === "no_changes" ? "period" : "external";
      return runListPage(kv, c, { status: 422, form: form.typed, errors: { [field]: message } });
    }
    return c.redirect(`${FEE_NOTICES_PATH}/${result.run.id}?wynik=przygotowano`, 303);
  });

  app.get("/:id", (c) => runPage(kv, clock, c));

  app.post("/:id/wyslij", async (c) => {
    const result = await sendFeeNoticeRun(kv, clock, store, c.req.param("id").slice(0, 40), {
      staff: staffActor(c.get("staff")),
      ctx: { coop: c.get("cooperative"), baseUrl: config.baseUrl },
      limit: SEND_CHUNK,
    });
    if (!result.ok) {
      if (result.reason === "not_found") return c.notFound();
      const error = result.reason === "too_late"
        ? result.message
        : "Żaden lokal nie ma już zmiany opłat w tym miesiącu — stawki zmieniono po przygotowaniu.";
      return runPage(kv, clock, c, { status: 422, error });
    }
    return c.redirect(
      `${FEE_NOTICES_PATH}/${c.req.param("id")}?wynik=wyslano&wyslano=${result.sent}` +
        (result.remaining > 0 ? `&zostalo=${result.remaining}` : ""),
      303,
    );
  });

  app.get("/:id/lokal/:unitId", async (c) => {
    const found = await feeNoticeOf(kv, c.req.param("id").slice(0, 40), c.req.param("unitId"));
    if (!found) return c.notFound();
    return renderPage(
      c,
      shell(c, `Zawiadomienie — lokal ${found.notice.unitCode}`),
      <FeeNoticePreview run={found.run} notice={found.notice} />,
    );
  });

  app.get("/:id/lokal/:unitId/pdf", async (c) => {
    const found = await feeNoticeOf(kv, c.req.param("id").slice(0, 40), c.req.param("unitId"));
    if (!found) return c.notFound();
    const pdf = await renderFeeNoticePdf(found.notice, c.get("cooperative"), polishDate(clock()));
    return pdfResponse(pdf, noticeFileName(found.run, found.notice), "inline");
  });

  return app;
}

/** Mounted at /admin/papier. */
export function paperRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const store = kvFileStore(kv, clock);
  const app = new Hono<StaffEnv>();
  app.use(staffOnly(deps));

  const batchesPage = async (
    c: Context<StaffEnv>,
    options: { status?: 200 | 422; error?: string } = {},
  ) => {
    const [batches, settings] = await Promise.all([listLetterBatches(kv), getPaperSettings(kv)]);
    return renderPage(
      c,
      {
        title: "Pisma do wysłania pocztą",
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        status: options.status,
      },
      <PaperBatchesPage
        batches={batches}
        afterDays={settings.afterDays}
        error={options.error}
        notice={c.req.query("wynik") === "zapisano" ? "Zapisano." : undefined}
      />,
    );
  };

  app.get("/", (c) => batchesPage(c));

  app.post("/ustawienia", async (c) => {
    const raw = single((await readForm(c.req)).after_days).trim();
    const days = Number(raw);
    if (!/^\d{1,2}$/.test(raw) || days < 1 || days > PAPER_AFTER_DAYS_MAX) {
      return batchesPage(c, {
        status: 422,
        error: `Podaj liczbę dni od 1 do ${PAPER_AFTER_DAYS_MAX}.`,
      });
    }
    await savePaperSettings(kv, clock, { afterDays: days }, staffActor(c.get("staff")));
    return c.redirect(`${PAPER_PATH}?wynik=zapisano`, 303);
  });

  const listPage = async (
    c: Context<StaffEnv>,
    options: { status?: 200 | 422; error?: string } = {},
  ) => {
    const list = await paperList(kv, clock, c.req.param("batchId")!.slice(0, 100));
    if (!list) return c.notFound();
    return renderPage(
      c,
      {
        title: "Pisma do wysłania pocztą",
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        status: options.status,
      },
      <PaperListPage list={list} today={polishDate(clock())} error={options.error} />,
    );
  };

  app.get("/:batchId", (c) => listPage(c));

  app.post("/:batchId/drukuj", async (c) => {
    const batchId = c.req.param("batchId").slice(0, 100);
    const result = await printPaperLetters(kv, clock, store, batchId, staffActor(c.get("staff")));
    if (!result.ok) {
      if (result.reason === "not_found") return c.notFound();
      return listPage(c, { status: 422, error: "W tej wysyłce nie ma pism do wysłania pocztą." });
    }
    return pdfResponse(result.pdf, `pisma-poczta-${polishDate(clock())}.pdf`, "attachment");
  });

  return app;
}
