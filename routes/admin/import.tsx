/**
 * Staff's data import (`/admin/import`): upload a CSV → its preview → apply. Mounted inside the
 * staff area (`requireStaff` already applied); large bodies must be allowed for its path prefix.
 */
import { type Context, Hono } from "hono";
import {
  applyImport,
  getImportJob,
  isImportKind,
  listImportHistory,
  listImportJobs,
  listRefusedLines,
  previewImport,
} from "../../domain/backoffice/imports.ts";
import {
  IMPORT_PATH,
  ImportFormPage,
  ImportJobPage,
  REFUSED_SHOWN,
  type UploadErrors,
} from "../../views/admin/import.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";

/** The path prefix whose requests may carry large bodies (a CSV of up to 20 MB). */
export const IMPORT_UPLOAD_PREFIX = IMPORT_PATH;

const notices: Record<string, string> = {
  wczytano: "Plik wczytano.",
  "juz-wczytany": "Ten plik był już wczytany — nic się nie zmieniło.",
};

/** Long because it registers every handler of the area inline after its path (Hono's way: the
 * path's parameter types are inferred); each handler is short: parse, call one domain function, render. */
export function importRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<StaffEnv>();

  const formPage = async (
    c: Context<StaffEnv>,
    status: 200 | 422 = 200,
    state: { kind?: string; errors?: UploadErrors } = {},
  ) =>
    renderPage(
      c,
      { title: "Import danych", menu: staffMenu, viewer: staffViewer(c.get("staff")), status },
      <ImportFormPage
        kind={state.kind}
        errors={state.errors}
        history={await listImportHistory(kv, 50)}
        pending={[
          ...await listImportJobs(kv, "previewed", 50),
          ...await listImportJobs(kv, "applying", 50),
          ...await listImportJobs(kv, "failed", 50),
        ]}
      />,
    );

  const jobPage = async (
    c: Context<StaffEnv>,
    jobId: string,
    status: 200 | 404 | 409 | 422 = 200,
    error?: string,
  ) => {
    const job = await getImportJob(kv, jobId);
    if (!job) return c.notFound();
    return renderPage(
      c,
      {
        title: `Import: ${job.fileName}`,
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        status,
      },
      <ImportJobPage
        job={job}
        refused={await listRefusedLines(kv, job.id, REFUSED_SHOWN)}
        notice={notices[c.req.query("wynik") ?? ""]}
        error={error}
      />,
    );
  };

  app.get("/", (c) => formPage(c));

  app.post("/", async (c) => {
    let body: Record<string, unknown> = {};
    try {
      body = await c.req.parseBody();
    } catch {
      // An unreadable body is answered like an empty form.
    }
    const kind = typeof body.kind === "string" ? body.kind : "";
    const file = body.file;
    const errors: UploadErrors = {};
    if (!isImportKind(kind)) errors.kind = "Wybierz rodzaj danych z listy.";
    if (!(file instanceof File) || (file.size === 0 && file.name === "")) {
      errors.file = "Wybierz plik CSV do wczytania.";
    } else if (file.size === 0) {
      errors.file = "Wybrany plik jest pusty.";
    }
    if (errors.kind || errors.file || !(file instanceof File) || !isImportKind(kind)) {
      return formPage(c, 422, { kind, errors });
    }
    const actor = staffActor(c.get("staff"));
    const result = await previewImport(kv, clock, {
      kind,
      bytes: new Uint8Array(await file.arrayBuffer()),
      fileName: file.name,
      actor,
    });
    if (!result.ok) return formPage(c, 422, { kind, errors: { file: result.message } });
    return c.redirect(`${IMPORT_PATH}/${result.job.id}`, 303);
  });

  app.get("/:id", (c) => jobPage(c, c.req.param("id")));

  app.get("/:id/odrzucone.csv", async (c) => {
    const job = await getImportJob(kv, c.req.param("id"));
    if (!job) return c.notFound();
    const lines = await listRefusedLines(kv, job.id);
    const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
    const csv = "\ufeffwiersz;powód\r\n" +
      lines.map((l) => `${l.line};${quote(l.reason)}\r\n`).join("");
    const name = `odrzucone-${
      job.fileName.replace(/\.csv$/i, "").replace(/[^\p{L}\p{N}._-]+/gu, "_")
    }.csv`;
    return c.body(csv, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="odrzucone.csv"; filename*=UTF-8''${
        encodeURIComponent(name)
      }`,
    });
  });

  app.post("/:id/wczytaj", async (c) => {
    const jobId = c.req.param("id");
    let body: Record<string, unknown> = {};
    try {
      body = await c.req.parseBody();
    } catch {
      // no options
    }
    const result = await applyImport(kv, clock, jobId, {
      actor: staffActor(c.get("staff")),
      applyValidOnly: body.apply_valid_only === "1",
    });
    if (result.ok) {
      return c.redirect(
        `${IMPORT_PATH}/${jobId}?wynik=${result.alreadyApplied ? "juz-wczytany" : "wczytano"}`,
        303,
      );
    }
    switch (result.reason) {
      case "not_found":
        return c.notFound();
      case "has_errors":
        return jobPage(
          c,
          jobId,
          422,
          "Plik zawiera błędne wiersze: popraw go albo wybierz „Wczytaj tylko poprawne wiersze”.",
        );
      case "in_progress":
        return jobPage(
          c,
          jobId,
          409,
          "Ten plik jest właśnie wczytywany. Odśwież stronę za chwilę.",
        );
      case "expired":
        return jobPage(c, jobId, 409, "Podgląd wygasł: sprawdź plik ponownie.");
      case "failed":
        return c.redirect(`${IMPORT_PATH}/${jobId}`, 303);
    }
  });

  return app;
}
