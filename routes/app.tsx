import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import type { Context } from "hono";
import { createSiteSettingsReader } from "../domain/backoffice/site_settings.ts";
import { assetRoutes } from "./assets.ts";
import { healthRoutes } from "./health.ts";
import { isStorageUnavailable } from "../platform/kv.ts";
import { API_PREFIX, apiRoutes } from "./api.ts";
import { type AppDeps, type AppEnv, applySettings } from "./context.ts";
import { adminRoutes } from "./admin/index.tsx";
import { IMPORT_UPLOAD_PREFIX } from "./admin/import.tsx";
import { DOCUMENTS_UPLOAD_PREFIX } from "./admin/documents.tsx";
import { DOCUMENTS_BULK_PATH } from "./admin/documents_bulk.tsx";
import { BULK_MAX_TOTAL_BYTES } from "../domain/documents/bulk_files.ts";
import { uploadBodyLimit } from "./files.ts";
import { authRoutes } from "./resident/auth.tsx";
import { devPaymentGateway, devRoutes } from "./dev.tsx";
import { DEV_P24_PATH } from "../adapters/przelewy24.ts";
import { ebokRoutes } from "./resident/ebok.tsx";
import { MATTER_UPLOAD_PATH } from "./resident/matters.tsx";
import { MAX_ATTACHMENTS } from "../domain/matters/matters.ts";
import { registrationRoutes } from "./public/registration.tsx";
import { publicRoutes } from "./public/pages.tsx";
import { paymentNotificationRoutes } from "./public/payment_notification.ts";
import { renderPage } from "./render.tsx";
import { responseHeaders } from "./response_headers.ts";
import { createRegionCache } from "./page_regions.ts";
import { csrfProtection, requestSizeLimit, validPathSegments } from "./security.ts";
import { ErrorPage, errorTitle } from "../views/error_page.tsx";
import { publicMenu } from "../views/menu.ts";

/** eBOK pages: their guard reads the settings in its getMany with the session and account. */
function isResidentPath(path: string) {
  return path === "/ebok" || path.startsWith("/ebok/");
}

/** When none were read yet (an error before the resident guard): read them, else the defaults. */
async function ensureSettings(c: Context<AppEnv>) {
  if (c.get("cooperative") !== undefined) return;
  const reader = c.get("siteSettings");
  try {
    applySettings(c, await reader.read());
  } catch {
    // The storage is failing: the error page still needs the page shell.
    applySettings(c, reader.defaults());
  }
}

type ErrorStatus = 400 | 403 | 404 | 413 | 415 | 422 | 429 | 500 | 503;

async function errorResponse(c: Context<AppEnv>, status: ErrorStatus) {
  await ensureSettings(c);
  return renderPage(
    c,
    { title: errorTitle(status), menu: publicMenu, status },
    <ErrorPage status={status} requestId={c.get("requestId")} />,
  );
}

/** Request bodies: the default limit, a larger one for uploads, none for the import's stream. */
function uploadLimits() {
  return requestSizeLimit((c) => errorResponse(c, 413), [IMPORT_UPLOAD_PREFIX], [
    // A document carries one file of up to 20 MiB, a matter up to three, plus the framing.
    // Bulk letters: a ZIP or several files up to BULK_MAX_TOTAL_BYTES together (first match wins).
    { path: DOCUMENTS_BULK_PATH, maxSize: BULK_MAX_TOTAL_BYTES + 1024 * 1024 },
    { path: DOCUMENTS_UPLOAD_PREFIX, maxSize: uploadBodyLimit(1) },
    { path: MATTER_UPLOAD_PATH, maxSize: uploadBodyLimit(MAX_ATTACHMENTS) },
  ]);
}

/** Errors thrown by a handler: a client error's page, 503 for storage, else logged and 500. */
function errorHandler(deps: AppDeps) {
  return (err: Error, c: Context<AppEnv>) => {
    if (err instanceof HTTPException && err.status < 500) {
      const status = ([400, 403, 404, 413, 415, 422, 429] as const).find((s) => s === err.status);
      return errorResponse(c, status ?? 400);
    }
    if (isStorageUnavailable(err)) {
      // A full disk or a read-only KV: the write was rolled back, so say nothing was saved.
      deps.log.error("storage unavailable", {
        requestId: c.get("requestId"),
        method: c.req.method,
        path: c.req.path,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
      c.header("Retry-After", "60");
      return errorResponse(c, 503);
    }
    deps.log.error("request failed", {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
    return errorResponse(c, 500);
  };
}

/** The whole application, wired from its dependencies; main.ts serves it, tests call it. */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  // The cooperative's settings, read from KV for every request (issue 17): below in one
  // getMany, on eBOK pages by their guard in the getMany of the session and its account.
  const siteSettings = createSiteSettingsReader(deps.kv, deps.config.cooperativeName);
  app.use(async (c, next) => {
    c.set("siteSettings", siteSettings);
    await next();
  });

  // Headers set before any Response is built; residents on slow phones get HTML, CSS and
  // JavaScript gzip-compressed when their browser accepts it.
  app.use(responseHeaders(deps.config, {
    formActionOrigins: deps.paymentGateway ? [deps.paymentGateway.payerOrigin] : [],
  }));
  app.use(requestId());
  app.route("/", assetRoutes());
  // Before the profile lookup: a KV outage must answer 503 JSON here, not an error page.
  app.route("/", healthRoutes(deps, { token: deps.config.healthToken }));
  // The JSON API answers its own errors (JSON) and has its own body limit: before the HTML-only
  // middleware below, which it never reaches.
  app.route(API_PREFIX, apiRoutes(deps));
  const regions = createRegionCache();
  app.use(async (c, next) => {
    c.set("regions", regions);
    if (!isResidentPath(c.req.path)) applySettings(c, await siteSettings.read());
    await next();
  });
  app.use(validPathSegments((c) => errorResponse(c, 404)));
  // In development without P24_*, the app's own fake gateway. Its API stands in for another
  // site's: server-to-server JSON checked by Basic auth and signatures, so, like /api, it is
  // mounted before the form-CSRF check instead of being exempted from it. Its page is not.
  const devGateway = devPaymentGateway(deps);
  if (devGateway) app.route(DEV_P24_PATH, devGateway.api);
  app.use(csrfProtection(deps.config));
  app.use(uploadLimits());

  app.route("/", publicRoutes(deps));
  app.route("/", paymentNotificationRoutes(deps));
  app.route("/", registrationRoutes(deps));
  app.route("/", authRoutes(deps));
  app.route("/ebok", ebokRoutes(deps));
  app.route("/admin", adminRoutes(deps));
  if (deps.config.env === "development") app.route("/dev", devRoutes(deps, devGateway));

  app.notFound((c) => errorResponse(c, 404));
  app.onError(errorHandler(deps));
  return app;
}
