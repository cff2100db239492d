import { type Context, Hono } from "hono";
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
  const { kv, clock } = deps;
  const files = kvFileStore(kv, clock);
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

  const newPage = async (
    c: Context<ResidentEnv>,
    values: NewMatterValues,
    errors: FieldErrors = {},
    status: 200 | 422 | 429 = 200,
    formError?: string,
  ) => {
    const account = c.get("account");
    const places = await matterPlaces(kv, account);
    return renderPage(
      c,
      { title: "Nowe zgłoszenie", menu: residentMenu, viewer: residentViewer(account), status },
      <NewMatterPage
        places={places}
        values={values}
        errors={errors}
        formError={formError}
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
    const account = c.get("account");
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
    const values = {
      category: text("category"),
      place: text("place"),
      description: text("description"),
      persons: text("persons"),
      from: text("from"),
    };
    const result = await createMatter(kv, clock, files, {
      account,
      category: values.category,
      place: values.place,
      description: values.description,
      persons: values.persons,
      from: values.from,
      attachments: attachments.map((f) => ({ name: f.name, body: f })),
    });
    if (result.ok) return c.redirect(`/ebok/zgloszenia/${result.matter.id}`, 303);
    switch (result.reason) {
      case "invalid":
        return newPage(c, values, result.errors, 422);
      case "file_refused":
        return newPage(
          c,
          values,
          { attachment: `${result.fileName}: ${fileRefusalMessage(result.refusal)}` },
          422,
        );
      case "rate_limited":
        return newPage(
          c,
          values,
          {},
          429,
          "Wysłano dziś już wiele zgłoszeń. Spróbuj jutro albo zadzwoń do biura.",
        );
      case "conflict":
        return newPage(c, values, {}, 422, "Nie udało się zapisać zgłoszenia. Spróbuj ponownie.");
    }
  });

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
    const account = c.get("account");
    const form = await readForm(c.req);
    const reply = single(form.reply).slice(0, MAX_FIELD_CHARS);
    const result = await addResidentReply(kv, clock, {
      account,
      matterId: c.req.param("id"),
      text: reply,
    });
    if (result.ok) return c.redirect(`/ebok/zgloszenia/${result.matter.id}?wyslano=1`, 303);
    switch (result.reason) {
      case "not_found":
        return c.notFound();
      case "invalid":
        return matterPage(c, { reply, replyError: result.message, status: 422 });
      case "closed":
        return matterPage(c, {
          reply,
          replyError: "Ta sprawa jest już zamknięta.",
          status: 422,
        });
      case "rate_limited":
        return matterPage(c, {
          reply,
          replyError:
            "Wysłano już bardzo wiele odpowiedzi. Spróbuj za godzinę albo zadzwoń do biura.",
          status: 429,
        });
      default:
        return matterPage(c, {
          reply,
          replyError: "Nie udało się wysłać odpowiedzi. Spróbuj ponownie.",
          status: 422,
        });
    }
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
