/** /admin/zgloszenia: the office's queue of residents' matters and each matter's page. */
import { type Context, Hono } from "hono";
import { listStaff } from "../../domain/accounts/staff.ts";
import type { FileStore } from "../../domain/files/file_store.ts";
import { kvFileStore } from "../../domain/files/kv_file_store.ts";
import {
  acceptOccupantsChange,
  addMatterNote,
  addStaffReply,
  assignMatter,
  changeMatterStatus,
  getMatter,
  getMatterAttachment,
  listMatterEntries,
  listMatterNotes,
  listMatterQueue,
  MATTER_CATEGORIES,
  MATTER_STATUSES,
  type MatterCategory,
  type MatterChangeResult,
  type MatterQueueFilter,
  type MatterStatus,
  matterStatusLabels,
  type StaffWho,
} from "../../domain/matters/matters.ts";
import {
  MatterQueuePage,
  type StaffMatterForms,
  StaffMatterPage,
} from "../../views/admin/matters.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { fileResponse } from "../files.ts";
import { renderPage } from "../render.tsx";
import { readForm, single } from "../validation.ts";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";

const MAX_FIELD_CHARS = 20_000;

const notices: Record<string, string> = {
  odpowiedz: "Odpowiedź wysłana. Mieszkaniec dostanie e-mail, że na nią czeka.",
  stan: "Stan zmieniony.",
  notatka: "Notatka dodana.",
  przydziel: "Zmieniono osobę prowadzącą sprawę.",
  "zmiana-przyjeta":
    "Zmiana przyjęta: liczba osób w rejestrze lokali zmieniona, sprawa zakończona.",
};

/** /admin/zgloszenia: the queue, then each matter's page and its forms. */
export function matterAdminRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<StaffEnv>();

  app.get("/", async (c) => {
    const { filter, shown } = queueFilter(c);
    const queue = await listMatterQueue(kv, clock, filter);
    return renderPage(
      c,
      { title: "Zgłoszenia", menu: staffMenu, viewer: staffViewer(c.get("staff")) },
      <MatterQueuePage queue={queue} filter={shown} now={clock()} />,
    );
  });
  app.route("/", staffMatterRoutes(deps, kvFileStore(kv, clock)));
  return app;
}

/** The queue's filter from the query string, and the values the filter form shows. */
function queueFilter(c: Context<StaffEnv>) {
  const status = c.req.query("stan") ?? "otwarte";
  const category = c.req.query("rodzaj") ?? "";
  const age = c.req.query("wiek") ?? "";
  const building = (c.req.query("budynek") ?? "").slice(0, 40);
  const filter: MatterQueueFilter = {};
  if (status === "otwarte" || (MATTER_STATUSES as readonly string[]).includes(status)) {
    filter.status = status as MatterStatus | "otwarte";
  }
  if ((MATTER_CATEGORIES as readonly string[]).includes(category)) {
    filter.category = category as MatterCategory;
  }
  if (/^\d{1,4}$/.test(age)) filter.olderThanDays = Number(age);
  if (building) filter.buildingId = building;
  return { filter, shown: { status: filter.status ?? "", category, age, building } };
}

const who = (c: Context<StaffEnv>): StaffWho => {
  const staff = c.get("staff");
  return { id: staff.id, name: staff.name, actor: staffActor(staff) };
};

/** One matter's page for the office, with the forms as typed and their errors. */
async function staffMatterPage(
  deps: AppDeps,
  files: FileStore,
  c: Context<StaffEnv>,
  forms: StaffMatterForms = {},
  status: 200 | 409 | 422 = 200,
) {
  const { kv, clock } = deps;
  const matter = await getMatter(kv, c.req.param("id") ?? "");
  if (!matter) return c.notFound();
  const [entries, notes, stored, staff] = await Promise.all([
    listMatterEntries(kv, matter.id),
    listMatterNotes(kv, matter.id),
    files.listByOwner({ kind: "matter", id: matter.id }),
    listStaff(kv),
  ]);
  return renderPage(
    c,
    {
      title: `Zgłoszenie ${matter.number}`,
      menu: staffMenu,
      viewer: staffViewer(c.get("staff")),
      status,
    },
    <StaffMatterPage
      matter={matter}
      entries={entries}
      notes={notes}
      files={stored.filter((f) => matter.attachmentIds.includes(f.id))}
      staffOptions={staff.filter((s) => s.active).map((s) => ({ id: s.id, name: s.name }))}
      forms={forms}
      notice={notices[c.req.query("wynik") ?? ""]}
      now={clock()}
    />,
  );
}

/** Success → 303 back to the page with a notice; an expected refusal → the page with 422. */
function answerChange(
  deps: AppDeps,
  files: FileStore,
  c: Context<StaffEnv>,
  result: MatterChangeResult,
  done: string,
  formsFor: (message: string) => StaffMatterForms,
) {
  const matterPage = (forms: StaffMatterForms, status: 409 | 422) =>
    staffMatterPage(deps, files, c, forms, status);
  if (result.ok) return c.redirect(`/admin/zgloszenia/${result.matter.id}?wynik=${done}`, 303);
  switch (result.reason) {
    case "not_found":
      return c.notFound();
    case "invalid":
      return matterPage(formsFor(result.message), 422);
    case "not_allowed":
      return matterPage(
        {
          ...formsFor(""),
          statusError: `Ze stanu „${matterStatusLabels[result.from]}” nie można przejść do „${
            matterStatusLabels[result.to]
          }”.`,
        },
        409,
      );
    case "closed":
      return matterPage(formsFor("Ta sprawa jest zamknięta."), 409);
    case "conflict":
    case "rate_limited":
      return matterPage(formsFor("Ktoś właśnie zmienił tę sprawę. Spróbuj ponownie."), 409);
  }
}

/** /:id and its forms (mounted under /admin/zgloszenia). */
function staffMatterRoutes(deps: AppDeps, files: FileStore) {
  const { kv, clock, config } = deps;
  const app = new Hono<StaffEnv>();
  const matterPage = staffMatterPage.bind(null, deps, files);
  const answer = answerChange.bind(null, deps, files);

  app.get("/:id", (c) => matterPage(c));

  app.post("/:id/odpowiedz", async (c) => {
    const reply = single((await readForm(c.req)).reply).slice(0, MAX_FIELD_CHARS);
    const result = await addStaffReply(kv, clock, {
      staff: who(c),
      matterId: c.req.param("id"),
      text: reply,
      ctx: { coop: c.get("cooperative"), baseUrl: config.baseUrl },
    });
    return answer(c, result, "odpowiedz", (m) => ({ reply, replyError: m }));
  });

  app.post("/:id/stan", async (c) => {
    const form = await readForm(c.req);
    const reason = single(form.reason).slice(0, MAX_FIELD_CHARS);
    const result = await changeMatterStatus(kv, clock, {
      staff: who(c),
      matterId: c.req.param("id"),
      status: single(form.status),
      reason,
    });
    return answer(c, result, "stan", (m) => ({ reason, statusError: m || undefined }));
  });

  app.post("/:id/notatka", async (c) => {
    const note = single((await readForm(c.req)).note).slice(0, MAX_FIELD_CHARS);
    const result = await addMatterNote(kv, clock, {
      staff: who(c),
      matterId: c.req.param("id"),
      text: note,
    });
    return answer(c, result, "notatka", (m) => ({ note, noteError: m }));
  });

  app.post("/:id/przyjmij-zmiane", async (c) => {
    const result = await acceptOccupantsChange(kv, clock, {
      staff: who(c),
      matterId: c.req.param("id"),
    });
    return answer(c, result, "zmiana-przyjeta", (m) => ({ statusError: m }));
  });

  app.post("/:id/przydziel", async (c) => {
    const staffId = single((await readForm(c.req)).staffId);
    const assignee = staffId
      ? (await listStaff(kv)).find((s) => s.id === staffId && s.active) ?? null
      : null;
    if (staffId && !assignee) {
      return matterPage(c, { statusError: "Wybierz pracownika z listy." }, 422);
    }
    const result = await assignMatter(kv, clock, {
      staff: who(c),
      matterId: c.req.param("id"),
      assignee: assignee ? { id: assignee.id, name: assignee.name } : null,
    });
    return answer(c, result, "przydziel", (m) => ({ statusError: m }));
  });

  app.get("/:id/zalaczniki/:fileId", async (c) => {
    const matter = await getMatter(kv, c.req.param("id"));
    const file = matter ? await getMatterAttachment(files, matter, c.req.param("fileId")) : null;
    if (!file) return c.notFound();
    return fileResponse(files, file, c.req.raw);
  });

  return app;
}
