/** Staff: publish documents and letters (multipart), replace and withdraw them. */
import { type Context, Hono } from "hono";
import { listBuildings } from "../../domain/backoffice/register.ts";
import {
  DOCUMENT_TITLE_MAX,
  type DocumentCategory,
  isDocumentCategory,
  listDocumentsForStaff,
  openDocumentForStaff,
  publishDocument,
  type PublishResult,
  withdrawDocument,
} from "../../domain/documents/documents.ts";
import { kvFileStore } from "../../domain/files/kv_file_store.ts";
import {
  type DocumentFormValues,
  DOCUMENTS_PATH,
  DocumentsAdminPage,
  emptyDocumentForm,
} from "../../views/admin/documents.tsx";
import type { FieldErrors } from "../../views/form.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { fileRefusalMessage, fileResponse } from "../files.ts";
import { renderPage } from "../render.tsx";
import { CONTROL_CHARS } from "../validation.ts";
import { staffOnly } from "./backoffice_guard.ts";
import { parseAudience, typedAudience } from "./audience.ts";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";

/** Uploads here may carry a file of up to 20 MiB: app.tsx gives this prefix a larger body limit. */
export const DOCUMENTS_UPLOAD_PREFIX = DOCUMENTS_PATH;

const notices: Record<string, string> = {
  opublikowano: "Dokument opublikowany.",
  "nowa-wersja": "Nowa wersja opublikowana; poprzednia jest oznaczona jako zastąpiona.",
  wycofano: "Dokument wycofany: mieszkańcy już go nie widzą.",
  "juz-wycofany": "Ten dokument był już wycofany.",
};

export type Body = Record<string, string | File | (string | File)[]>;

export async function readMultipart(c: Context<StaffEnv>): Promise<Body> {
  try {
    return await c.req.parseBody({ all: true }) as Body;
  } catch {
    return {}; // an unreadable body is answered like an empty form
  }
}

export function text(v: Body[string] | undefined): string {
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof last === "string" ? last : "";
}

function texts(v: Body[string] | undefined): string[] {
  return (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .filter((x): x is string => typeof x === "string");
}

function fileOf(v: Body[string] | undefined): File | null {
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  // A form submitted without a chosen file sends an empty part with no name.
  return last instanceof File && !(last.size === 0 && last.name === "") ? last : null;
}

export function titleError(title: string): string | undefined {
  if (title.length < 3) return "Podaj tytuł (co najmniej 3 znaki).";
  if (title.length > DOCUMENT_TITLE_MAX) {
    return `Tytuł może mieć najwyżej ${DOCUMENT_TITLE_MAX} znaków.`;
  }
  if (CONTROL_CHARS.test(title) || /[\r\n]/.test(title)) return "Tytuł zawiera niedozwolone znaki.";
}

/** The Polish message for a refused publication, and the field it belongs to. */
function refusal(result: Exclude<PublishResult, { ok: true }>): { field: string; message: string } {
  switch (result.reason) {
    case "unknown_unit":
      return { field: "unit_code", message: "Nie ma lokalu o takim kodzie. Sprawdź kod lokalu." };
    case "unknown_building":
      return {
        field: "audience",
        message: "Wybrany budynek nie istnieje w rejestrze. Odśwież stronę.",
      };
    case "not_found":
    case "not_current":
      return {
        field: "file",
        message: "Ten dokument został w międzyczasie wycofany albo zastąpiony. Odśwież stronę.",
      };
    default:
      return { field: "file", message: fileRefusalMessage(result) };
  }
}

/** The documents list with the publish form (as typed after a refusal). */
async function documentsPage(
  kv: Deno.Kv,
  c: Context<StaffEnv>,
  options: {
    status?: 200 | 422;
    form?: DocumentFormValues;
    errors?: FieldErrors;
    error?: string;
  } = {},
) {
  const search = (c.req.query("q") ?? "").slice(0, 100);
  const [rows, buildings] = await Promise.all([
    listDocumentsForStaff(kv, search),
    listBuildings(kv),
  ]);
  return renderPage(
    c,
    {
      title: "Dokumenty",
      menu: staffMenu,
      viewer: staffViewer(c.get("staff")),
      status: options.status,
    },
    <DocumentsAdminPage
      rows={rows}
      buildings={buildings}
      form={options.form ?? emptyDocumentForm}
      errors={options.errors ?? {}}
      error={options.error}
      notice={options.status ? undefined : notices[c.req.query("wynik") ?? ""]}
      search={search}
    />,
  );
}

/** The publish form: the values as typed, and either the publication or the field errors. */
function readPublishForm(body: Body) {
  const unitCode = text(body.unit_code).trim().slice(0, 40);
  const buildingIds = texts(body.building_id);
  // A form without the "Do kogo" radios (older pages, scripts): ticked buildings mean buildings.
  const audienceRaw = text(body.audience) || (buildingIds.length > 0 ? "buildings" : "all");
  const typed: DocumentFormValues = {
    title: text(body.title).trim().replace(/\s+/g, " ").slice(0, DOCUMENT_TITLE_MAX * 2),
    category: text(body.category).slice(0, 40),
    unitCode,
    ...typedAudience(audienceRaw, buildingIds),
  };
  const file = fileOf(body.file);
  const errors: FieldErrors = {};
  const tErr = titleError(typed.title);
  if (tErr) errors.title = tErr;
  if (!file) errors.file = "Wybierz plik (PDF, JPG albo PNG).";
  if (typed.category !== "" && !isDocumentCategory(typed.category)) {
    errors.category = "Wybierz rodzaj z listy.";
  }
  // A letter goes to one unit: the audience choice does not apply, ticked buildings are a mistake.
  const audience = unitCode === "" ? parseAudience(audienceRaw, typed.buildingIds) : null;
  if (unitCode !== "" && typed.buildingIds.length > 0) {
    errors.unit_code = "Podaj kod lokalu albo zaznacz budynki — nie jedno i drugie.";
  }
  if (audience && !audience.ok) errors.audience = audience.error;
  if (Object.keys(errors).length > 0 || !file) return { ok: false as const, typed, errors };
  const category: DocumentCategory = isDocumentCategory(typed.category)
    ? typed.category
    : typed.unitCode !== ""
    ? "pisma"
    : "komunikaty";
  return {
    ok: true as const,
    typed,
    input: {
      title: typed.title,
      category,
      unitCode: unitCode || undefined,
      buildingIds: audience?.ok && audience.audience.kind === "buildings"
        ? audience.audience.buildingIds
        : [],
      file: { name: file.name, body: file },
    },
  };
}

/** Mounted at /admin/dokumenty. */
export function documentRoutes(deps: AppDeps) {
  const { kv, clock, config } = deps;
  const store = kvFileStore(kv, clock);
  const app = new Hono<StaffEnv>();
  app.use(staffOnly(deps));
  const page = (c: Context<StaffEnv>, options?: Parameters<typeof documentsPage>[2]) =>
    documentsPage(kv, c, options);
  const publishBy = (c: Context<StaffEnv>) => ({
    staff: staffActor(c.get("staff")),
    ctx: { coop: c.get("cooperative"), baseUrl: config.baseUrl },
  });

  app.get("/", (c) => page(c));

  app.post("/", async (c) => {
    const form = readPublishForm(await readMultipart(c));
    if (!form.ok) return page(c, { status: 422, form: form.typed, errors: form.errors });
    const result = await publishDocument(kv, clock, store, form.input, publishBy(c));
    if (!result.ok) {
      const r = refusal(result);
      return page(c, { status: 422, form: form.typed, errors: { [r.field]: r.message } });
    }
    return c.redirect(`${DOCUMENTS_PATH}?wynik=opublikowano`, 303);
  });

  app.get("/:id/plik", async (c) => {
    const found = await openDocumentForStaff(kv, store, c.req.param("id").slice(0, 40));
    if (!found) return c.notFound();
    return fileResponse(store, found.file, c.req.raw);
  });

  app.post("/:id/zastap", async (c) => {
    const body = await readMultipart(c);
    const title = text(body.title).trim().replace(/\s+/g, " ");
    const file = fileOf(body.file);
    const tErr = titleError(title);
    if (tErr || !file) {
      return page(c, { status: 422, error: `Nowa wersja: ${tErr ?? "wybierz plik."}` });
    }
    const result = await publishDocument(kv, clock, store, {
      title,
      category: "komunikaty", // ignored: a new version keeps the old one's category below
      file: { name: file.name, body: file },
    }, { ...publishBy(c), replaces: c.req.param("id").slice(0, 40) });
    if (!result.ok) {
      if (result.reason === "not_found") return c.notFound();
      return page(c, { status: 422, error: `Nowa wersja: ${refusal(result).message}` });
    }
    return c.redirect(`${DOCUMENTS_PATH}?wynik=nowa-wersja`, 303);
  });

  app.post("/:id/wycofaj", async (c) => {
    const result = await withdrawDocument(
      kv,
      clock,
      store,
      c.req.param("id").slice(0, 40),
      staffActor(c.get("staff")),
    );
    if (!result.ok && result.reason === "not_found") return c.notFound();
    return c.redirect(`${DOCUMENTS_PATH}?wynik=${result.ok ? "wycofano" : "juz-wycofany"}`, 303);
  });

  return app;
}
