/** Staff: many letters at once (a ZIP or several files with a CSV): check, then publish. */
import { type Context, Hono } from "hono";
import { prepareBulkLetters, publishBulkLetters } from "../../domain/documents/bulk.ts";
import { isDocumentCategory } from "../../domain/documents/documents.ts";
import { kvFileStore } from "../../domain/files/kv_file_store.ts";
import {
  type BulkFormValues,
  type BulkPageProps,
  DOCUMENTS_BULK_PATH,
  DocumentsBulkPage,
  emptyBulkForm,
} from "../../views/admin/documents_bulk.tsx";
import type { FieldErrors } from "../../views/form.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { staffOnly } from "./backoffice_guard.ts";
import { type Body, readMultipart, text, titleError } from "./documents.tsx";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";

export { DOCUMENTS_BULK_PATH };

function filesOf(v: Body[string] | undefined): File[] {
  return (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .filter((x): x is File => x instanceof File && !(x.size === 0 && x.name === ""));
}

function notice(c: Context<StaffEnv>): string | undefined {
  const n = Number(c.req.query("opublikowano"));
  const already = Number(c.req.query("wczesniej") ?? "0");
  if (!Number.isSafeInteger(n) || c.req.query("opublikowano") === undefined) return undefined;
  return `Opublikowano pism: ${n}.${
    already > 0 ? ` Już wcześniej opublikowane, pominięte: ${already}.` : ""
  } Mieszkańcy tych lokali dostali e-mail, że w eBOK jest nowy dokument.`;
}

/** Mounted at /admin/dokumenty/zbiorczo. */
export function documentBulkRoutes(deps: AppDeps) {
  const { kv, clock, config } = deps;
  const store = kvFileStore(kv, clock);
  const app = new Hono<StaffEnv>();
  app.use(staffOnly(deps));

  const page = (c: Context<StaffEnv>, props: BulkPageProps, status?: 200 | 422) =>
    renderPage(
      c,
      {
        title: "Wysyłka zbiorcza pism",
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        status,
      },
      <DocumentsBulkPage {...props} />,
    );

  app.get("/", (c) => page(c, { form: emptyBulkForm, errors: {}, notice: notice(c) }));

  app.post("/", async (c) => {
    const body = await readMultipart(c);
    const form: BulkFormValues = {
      title: text(body.title).trim().replace(/\s+/g, " ").slice(0, 400),
      category: text(body.category).slice(0, 40),
    };
    const files = filesOf(body.files);
    const csv = filesOf(body.csv).at(-1);
    const errors: FieldErrors = {};
    const tErr = titleError(form.title);
    if (tErr) errors.title = tErr;
    if (!isDocumentCategory(form.category)) errors.category = "Wybierz rodzaj z listy.";
    if (files.length === 0) errors.files = "Wybierz archiwum ZIP albo pliki pism.";
    if (!csv) errors.csv = "Wybierz plik CSV, który przypisuje pliki do lokali.";
    if (Object.keys(errors).length > 0 || !csv || !isDocumentCategory(form.category)) {
      return page(c, { form, errors }, 422);
    }
    const result = await prepareBulkLetters(kv, clock, store, {
      files: await Promise.all(
        files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
      ),
      csv: new Uint8Array(await csv.arrayBuffer()),
      defaults: { title: form.title, category: form.category },
      staff: staffActor(c.get("staff")),
    });
    if (!result.ok) {
      const field = result.message.startsWith("Plik CSV") ? "csv" : "files";
      return page(c, { form, errors: { [field]: result.message } }, 422);
    }
    return page(
      c,
      { form, errors: {}, lines: result.lines, preview: result.preview },
      result.preview ? 200 : 422,
    );
  });

  app.post("/publikuj", async (c) => {
    const body = await c.req.parseBody().catch(() => ({} as Record<string, unknown>));
    const previewId = typeof body.preview_id === "string" ? body.preview_id.slice(0, 40) : "";
    const result = await publishBulkLetters(kv, clock, store, previewId, {
      staff: staffActor(c.get("staff")),
      ctx: { coop: c.get("cooperative"), baseUrl: config.baseUrl },
    });
    if (!result.ok) {
      return page(c, {
        form: emptyBulkForm,
        errors: {
          files:
            "Tego podglądu już nie ma: pisma z niego zostały opublikowane albo minęła godzina. Prześlij pliki jeszcze raz — już opublikowane pisma nie zostaną zdublowane.",
        },
      }, 422);
    }
    return c.redirect(
      `${DOCUMENTS_BULK_PATH}?opublikowano=${result.published}&wczesniej=${result.alreadyPublished}&partia=${result.batchId}`,
      303,
    );
  });

  return app;
}
