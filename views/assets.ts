/**
 * Static assets, bundled into the program by text imports (no file reads at run time, so it
 * runs unchanged on Deno Deploy) and served at content-versioned URLs that can be cached forever.
 */
import htmxSource from "htmx.org/dist/htmx.min.js" with { type: "text" };
import htmxPackage from "htmx.org/package.json" with { type: "json" };
import appCss from "../static/app.css" with { type: "text" };
import appJs from "../static/app.js" with { type: "text" };
import favicon from "../static/favicon.svg" with { type: "text" };
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";

export type Asset = { path: string; body: string; contentType: string; etag: string };

function fingerprint(body: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(body))).slice(0, 12);
}

function asset(name: string, ext: string, body: string, contentType: string): Asset {
  const hash = fingerprint(body);
  return { path: `/static/${name}.${hash}.${ext}`, body, contentType, etag: `"${hash}"` };
}

export const assets = {
  htmx: {
    ...asset(`htmx-${htmxPackage.version}`, "js", htmxSource, "text/javascript; charset=utf-8"),
  },
  css: asset("app", "css", appCss, "text/css; charset=utf-8"),
  js: asset("app", "js", appJs, "text/javascript; charset=utf-8"),
  icon: asset("favicon", "svg", favicon, "image/svg+xml"),
} as const;

/** htmx settings, read by htmx from a meta tag; kept strict so the CSP needs no inline code. */
export const htmxConfig = JSON.stringify({
  historyRestoreAsHxRequest: false,
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
  // Back to a page that is not in htmx's history snapshots (signed-in pages never are) loads
  // it afresh from the server, which after a logout answers with the login page.
  refreshOnHistoryMiss: true,
  // A 422 or 429 carries the re-rendered form with its errors: swap it like a success.
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "422", swap: true },
    { code: "429", swap: true },
    { code: "[45]..", swap: false, error: true },
  ],
});
