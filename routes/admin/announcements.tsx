/** Staff: publish announcements to residents (all, or chosen buildings), optionally by e-mail. */
import { type Context, Hono } from "hono";
import { z } from "zod";
import {
  ANNOUNCEMENT_BODY_MAX,
  ANNOUNCEMENT_TITLE_MAX,
  createAnnouncement,
  listAnnouncements,
  resumeAnnouncementEmails,
  withdrawAnnouncement,
} from "../../domain/backoffice/announcements.ts";
import { polishDate } from "../../domain/shared/calendar.ts";
import { isIsoDate } from "../../domain/shared/calendar.ts";
import { listBuildings } from "../../domain/backoffice/register.ts";
import {
  type AnnouncementFormValues,
  ANNOUNCEMENTS_PATH,
  AnnouncementsPage,
  emptyAnnouncementForm,
} from "../../views/admin/announcements.tsx";
import type { FieldErrors } from "../../views/form.tsx";
import { staffMenu } from "../../views/menu.ts";
import { staffOnly } from "./backoffice_guard.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { parseAudience, typedAudience } from "./audience.ts";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";
import { CONTROL_CHARS, fieldErrors, multiple, readForm, single } from "../validation.ts";

/**
 * The form's schema without "Do kogo" (parsed by audience.ts, shared with documents); `today`
 * ("YYYY-MM-DD" in Poland) is the earliest "visible until".
 */
export function announcementSchema(today: string) {
  return z.object({
    title: z.string({ error: "Podaj tytuł." })
      .transform((s) => s.trim().replace(/\s+/g, " "))
      .pipe(
        z.string()
          .min(3, "Podaj tytuł (co najmniej 3 znaki).")
          .max(ANNOUNCEMENT_TITLE_MAX, `Tytuł może mieć najwyżej ${ANNOUNCEMENT_TITLE_MAX} znaków.`)
          .refine((s) => !CONTROL_CHARS.test(s), "Tytuł zawiera niedozwolone znaki."),
      ),
    body: z.string({ error: "Wpisz treść komunikatu." })
      .transform((s) => s.replace(/\r\n?/g, "\n").trim())
      .pipe(
        z.string()
          .min(1, "Wpisz treść komunikatu.")
          .max(
            ANNOUNCEMENT_BODY_MAX,
            `Treść może mieć najwyżej ${ANNOUNCEMENT_BODY_MAX} znaków — skróć ją.`,
          )
          .refine((s) => !CONTROL_CHARS.test(s), "Treść zawiera niedozwolone znaki."),
      ),
    visible_until: z.string().refine(
      (s) => s === "" || isIsoDate(s),
      "Podaj datę, np. 31.12.2026.",
    ).refine(
      (s) => s === "" || !isIsoDate(s) || s >= today,
      "Data nie może być wcześniejsza niż dzisiejsza.",
    ),
    email: z.enum(["on"]).optional(),
  });
}

const notices: Record<string, string> = {
  opublikowano: "Komunikat opublikowany.",
  wycofano: "Komunikat wycofany: mieszkańcy już go nie widzą.",
  "juz-wycofany": "Ten komunikat był już wycofany.",
  wznowiono: "Wysyłka e-maili dokończona.",
};

function noticeFrom(query: Record<string, string>): string | undefined {
  const base = notices[query.wynik ?? ""];
  if (!base) return undefined;
  const emails = /^\d{1,7}$/.test(query.emaile ?? "") ? Number(query.emaile) : undefined;
  return emails === undefined ? base : `${base} E-maile w kolejce do wysłania: ${emails}.`;
}

/**
 * Mounted at /admin/komunikaty.
 * Long because it registers every handler of the area inline after its path (Hono's way: the
 * path's parameter types are inferred); each handler is short: parse, call one domain function, render.
 */
export function announcementRoutes(deps: AppDeps) {
  const { kv, clock, config } = deps;
  const app = new Hono<StaffEnv>();
  app.use(staffOnly(deps));

  const page = async (
    c: Context<StaffEnv>,
    options: {
      status?: 200 | 422;
      form?: AnnouncementFormValues;
      errors?: FieldErrors;
    } = {},
  ) => {
    const [announcements, buildings] = await Promise.all([
      listAnnouncements(kv),
      listBuildings(kv),
    ]);
    return renderPage(
      c,
      {
        title: "Komunikaty",
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        status: options.status,
      },
      <AnnouncementsPage
        announcements={announcements}
        buildings={buildings}
        form={options.form ?? emptyAnnouncementForm}
        errors={options.errors ?? {}}
        notice={options.status ? undefined : noticeFrom(c.req.query())}
        today={polishDate(clock())}
        now={clock()}
      />,
    );
  };

  app.get("/", (c) => page(c));

  app.post("/", async (c) => {
    const form = await readForm(c.req);
    const audienceRaw = single(form.audience);
    const typed: AnnouncementFormValues = {
      title: single(form.title).slice(0, ANNOUNCEMENT_TITLE_MAX * 2),
      body: single(form.body).slice(0, ANNOUNCEMENT_BODY_MAX * 2),
      ...typedAudience(audienceRaw, multiple(form.building_id)),
      visibleUntil: single(form.visible_until).trim().slice(0, 10),
      email: single(form.email) === "on",
    };
    const parsed = announcementSchema(polishDate(clock())).safeParse({
      title: single(form.title),
      body: single(form.body),
      visible_until: typed.visibleUntil,
      email: single(form.email) || undefined,
    });
    const audience = parseAudience(audienceRaw, typed.buildingIds);
    if (!parsed.success || !audience.ok) {
      const errors = parsed.success ? {} : fieldErrors(parsed.error);
      if (!audience.ok) errors.audience = audience.error;
      return page(c, { status: 422, form: typed, errors });
    }
    const v = parsed.data;
    const result = await createAnnouncement(kv, clock, {
      title: v.title,
      body: v.body,
      audience: audience.audience,
      visibleUntil: v.visible_until || undefined,
    }, {
      staff: staffActor(c.get("staff")),
      email: v.email === "on",
      ctx: { coop: c.get("cooperative"), baseUrl: config.baseUrl },
    });
    if (!result.ok) {
      return page(c, {
        status: 422,
        form: typed,
        errors: { audience: "Wybrany budynek nie istnieje w rejestrze. Odśwież stronę." },
      });
    }
    const emails = result.announcement.emailed.requested
      ? `&emaile=${result.announcement.emailed.queued}`
      : "";
    return c.redirect(`${ANNOUNCEMENTS_PATH}?wynik=opublikowano${emails}`, 303);
  });

  app.post("/:id/wycofaj", async (c) => {
    const result = await withdrawAnnouncement(
      kv,
      clock,
      c.req.param("id").slice(0, 40),
      staffActor(c.get("staff")),
    );
    if (!result.ok && result.reason === "not_found") return c.notFound();
    return c.redirect(
      `${ANNOUNCEMENTS_PATH}?wynik=${result.ok ? "wycofano" : "juz-wycofany"}`,
      303,
    );
  });

  // Finishes an e-mail fan-out that stopped midway (a crash, a deploy): nobody gets it twice.
  app.post("/:id/wznow", async (c) => {
    const id = c.req.param("id").slice(0, 40);
    const result = await resumeAnnouncementEmails(kv, clock, id, {
      coop: c.get("cooperative"),
      baseUrl: config.baseUrl,
    }, { resumedBy: staffActor(c.get("staff")) });
    if (!result.announcement) return c.notFound();
    return c.redirect(`${ANNOUNCEMENTS_PATH}?wynik=wznowiono&emaile=${result.queued}`, 303);
  });

  return app;
}
