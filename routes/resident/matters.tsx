import { type Context, Hono } from "hono";
import type { FileStore } from "../../domain/files/file_store.ts";
import { kvFileStore } from "../../domain/files/kv_file_store.ts";
import {
  addResidentReply,
  createMatter,
  getMatterAttachmentForResident,
  getMatterForResident,
  listMatterEntries,
  listMattersForResident,
  MATTER_CATEGORIES,
  matterPlaces,
} from "../../domain/matters/matters.ts";
import { residentMenu } from "../../views/menu.ts";
import type { FieldErrors } from "../../views/form.tsx";
import {
  MatterListPage,
  MatterPage,
  NewMatterPage,
  type NewMatterValues,
} from "../../views/resident/matters.tsx";
import type { AppDeps } from "../context.ts";
import { fileRefusalMessage, fileResponse } from "../files.ts";
import { renderPage } from "../render.tsx";
import { readForm, single } from "../validation.ts";
import { type ResidentEnv, residentViewer } from "./guard.ts";

/** The path of the upload form: app.tsx gives it a body limit for three files. */
export const MATTER_UPLOAD_PATH = "/ebok/zgloszenia/nowe";

/** Longest field value kept from the form (the domain checks the real limits). */
const MAX_FIELD_CHARS = 20_000;

/** /ebok/zgloszenia: the resident's matters (mounted under /ebok, behind requireResident). */
export function matterRoutes(deps: AppDeps) {
  const { kv } = deps;
  const files = kvFileStore(kv, deps.clock);
  const app = new Hono<ResidentEnv>();

  app.get("/", async (c) => {
    const account = c.get("account");
    const matters = await listMattersForResident(kv, account);
    return renderPage(
      c,
      { title: "Zgłoszenia", menu: residentMenu, viewer: residentViewer(account) },
      <MatterListPage matters={matters} />,
    );
  });
  // "/nowe" before "/:id": Hono matches in the order routes are added.
  app.route("/", newMatterRoutes(deps, files));
  app.route("/", matterThreadRoutes(deps, files));
  return app;
}

/** What the new-matter form re-renders with after a refused submission. */
interface NewMatterFailure {
  errors: FieldErrors;
  status: 422 | 429;
  formError?: string;
}

/** Reads the multipart new-matter form: the typed values and the chosen files. */
async function readNewMatterForm(
  c: Context<ResidentEnv>,
): Promise<{ values: NewMatterValues; attachments: File[] }> {
  let body: Record<string, string | File | (string | File)[]>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    body = {};
  }
  const text = (name: string) => {
    const v = body[name];
    const s = Array.isArray(v) ? v.find((x) => typeof x === "string") : v;
    return typeof s === "string" ? s.slice(0, MAX_FIELD_CHARS) : "";
  };
  const raw = body.attachment;
  // A file input left empty still sends a part with no name and no bytes.
  const attachments = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .filter((f): f is File => f instanceof File && (f.size > 0 || f.name !== ""));
  return {
    values: {
      category: text("category"),
      place: text("place"),
      description: text("description"),
      persons: text("persons"),
      from: text("from"),
    },
    attachments,
  };
}

/** The form's errors for a refused createMatter. */
function newMatterFailure(
  result: Exclude<Awaited<ReturnType<typeof createMatter>>, { ok: true }>,
): NewMatterFailure {
  switch (result.reason) {
    case "invalid":
      return { errors: result.errors, status: 422 };
    case "file_refused":
      return {
        errors: { attachment: `${result.fileName}: ${fileRefusalMessage(result.refusal)}` },
        status: 422,
      };
    case "rate_limited":
      return {
        errors: {},
        status: 429,
        formError: "Wysłano dziś już wiele zgłoszeń. Spróbuj jutro albo zadzwoń do biura.",
      };
    case "conflict":
      return {
        errors: {},
        status: 422,
        formError: "Nie udało się zapisać zgłoszenia. Spróbuj ponownie.",
      };
  }
}

/** /nowe: the form for a new matter and its submission. */
function newMatterRoutes(deps: AppDeps, files: FileStore) {
  const { kv, clock } = deps;
  const app = new Hono<ResidentEnv>();

  const newPage = async (
    c: Context<ResidentEnv>,
    values: NewMatterValues,
    failure: Partial<NewMatterFailure> = {},
  ) => {
    const account = c.get("account");
    const places = await matterPlaces(kv, account);
    return renderPage(
      c,
      {
        title: "Nowe zgłoszenie",
        menu: residentMenu,
        viewer: residentViewer(account),
        status: failure.status ?? 200,
      },
      <NewMatterPage
        places={places}
        values={values}
        errors={failure.errors ?? {}}
        formError={failure.formError}
        emergencyPhone={c.get("cooperative").emergencyPhone}
      />,
    );
  };

  app.get("/nowe", (c) =>
    newPage(c, {
      category: (MATTER_CATEGORIES as readonly string[]).includes(c.req.query("rodzaj") ?? "")
        ? c.req.query("rodzaj")!
        : "",
      place: "",
      description: "",
      persons: "",
      from: "",
    }));

  app.post("/nowe", async (c) => {
    const { values, attachments } = await readNewMatterForm(c);
    const result = await createMatter(kv, clock, files, {
      account: c.get("account"),
      ...values,
      attachments: attachments.map((f) => ({ name: f.name, body: f })),
    });
    if (result.ok) return c.redirect(`/ebok/zgloszenia/${result.matter.id}`, 303);
    return newPage(c, values, newMatterFailure(result));
  });

  return app;
}

/** The reply form's message and status for a refused addResidentReply. */
function replyFailure(reason: string, message?: string): { error: string; status: 422 | 429 } {
  switch (reason) {
    case "invalid":
      return { error: message ?? "", status: 422 };
    case "closed":
      return { error: "Ta sprawa jest już zamknięta.", status: 422 };
    case "rate_limited":
      return {
        error: "Wysłano już bardzo wiele odpowiedzi. Spróbuj za godzinę albo zadzwoń do biura.",
        status: 429,
      };
    default:
      return { error: "Nie udało się wysłać odpowiedzi. Spróbuj ponownie.", status: 422 };
  }
}

/** /:id: one matter, the resident's reply and its attachments. */
function matterThreadRoutes(deps: AppDeps, files: FileStore) {
  const { kv, clock } = deps;
  const app = new Hono<ResidentEnv>();

  const matterPage = async (
    c: Context<ResidentEnv>,
    opts: {
      reply?: string;
      replyError?: string;
      status?: 200 | 422 | 429;
      notice?: string;
    } = {},
  ) => {
    const account = c.get("account");
    const matter = await getMatterForResident(kv, account, c.req.param("id") ?? "");
    if (!matter) return c.notFound();
    const [entries, stored] = await Promise.all([
      listMatterEntries(kv, matter.id),
      files.listByOwner({ kind: "matter", id: matter.id }),
    ]);
    return renderPage(
      c,
      {
        title: `Zgłoszenie ${matter.number}`,
        menu: residentMenu,
        viewer: residentViewer(account),
        status: opts.status,
      },
      <MatterPage
        matter={matter}
        entries={entries}
        files={stored.filter((f) => matter.attachmentIds.includes(f.id))}
        reply={opts.reply}
        replyError={opts.replyError}
        notice={opts.notice}
      />,
    );
  };

  app.get("/:id", (c) =>
    matterPage(c, {
      notice: c.req.query("wyslano") === "1" ? "Odpowiedź została wysłana." : undefined,
    }));

  app.post("/:id", async (c) => {
    const form = await readForm(c.req);
    const reply = single(form.reply).slice(0, MAX_FIELD_CHARS);
    const result = await addResidentReply(kv, clock, {
      account: c.get("account"),
      matterId: c.req.param("id"),
      text: reply,
    });
    if (result.ok) return c.redirect(`/ebok/zgloszenia/${result.matter.id}?wyslano=1`, 303);
    if (result.reason === "not_found") return c.notFound();
    const failure = replyFailure(result.reason, "message" in result ? result.message : undefined);
    return matterPage(c, { reply, replyError: failure.error, status: failure.status });
  });

  app.get("/:id/zalaczniki/:fileId", async (c) => {
    const file = await getMatterAttachmentForResident(
      kv,
      files,
      c.get("account"),
      c.req.param("id"),
      c.req.param("fileId"),
    );
    if (!file) return c.notFound();
    return fileResponse(files, file, c.req.raw);
  });

  return app;
}
