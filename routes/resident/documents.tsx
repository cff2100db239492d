/** The resident's "Dokumenty": the list and the downloads, each checked against their units. */
import { Hono } from "hono";
import { listDocumentsFor, openDocumentFor } from "../../domain/documents/documents.ts";
import { setEcorrespondenceConsent } from "../../domain/documents/consent.ts";
import { kvFileStore } from "../../domain/files/kv_file_store.ts";
import { residentMenu } from "../../views/menu.ts";
import { DocumentsPage } from "../../views/resident/documents.tsx";
import type { AppDeps } from "../context.ts";
import { fileResponse } from "../files.ts";
import { renderPage } from "../render.tsx";
import { readForm, single } from "../validation.ts";
import { type ResidentEnv, residentViewer } from "./guard.ts";

export const consentNotices: Record<string, string> = {
  tak: "Zgoda zapisana: pisma będą w eBOK, w zakładce „Dokumenty”.",
  nie: "Zgoda wycofana: pisma będą przychodzić pocztą.",
};

export function documentRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const store = kvFileStore(kv, clock);
  const app = new Hono<ResidentEnv>();

  app.get("/dokumenty", async (c) => {
    const account = c.get("account");
    const search = (c.req.query("q") ?? "").slice(0, 100);
    const documents = await listDocumentsFor(kv, account, search);
    return renderPage(
      c,
      { title: "Dokumenty", menu: residentMenu, viewer: residentViewer(account) },
      <DocumentsPage documents={documents} search={search} />,
    );
  });

  // Another unit's letter, another building's document and an unknown id all answer 404.
  app.get("/dokumenty/:id", async (c) => {
    const opened = await openDocumentFor(kv, clock, store, c.get("account"), c.req.param("id"));
    if (!opened) return c.notFound();
    return fileResponse(store, opened.file, c.req.raw);
  });

  // Consent to electronic delivery, from "Moje konto".
  app.post("/konto/e-korespondencja", async (c) => {
    const choice = single((await readForm(c.req)).zgoda);
    if (choice !== "tak" && choice !== "nie") return c.redirect("/ebok/konto", 303);
    await setEcorrespondenceConsent(kv, clock, c.get("account"), choice === "tak");
    return c.redirect(`/ebok/konto?e-korespondencja=${choice}#e-korespondencja`, 303);
  });

  return app;
}
