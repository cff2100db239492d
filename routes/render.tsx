import type { Context } from "hono";
import { html } from "hono/html";
import type { Child } from "hono/jsx";
import { HtmlEscapedCallbackPhase, resolveCallback } from "hono/utils/html";
import { Layout, type Viewer } from "../views/layout.tsx";
import type { Menu, StaffMenu } from "../views/menu.ts";
import type { AppEnv } from "./context.ts";
import type { RegionCache } from "./page_regions.ts";
import type { Regions } from "../views/regions.ts";

/**
 * htmx asks for a page region with `HX-Request`; a boosted link or a history restore needs
 * the whole page. Always varies on the header, so caches keep the two apart.
 */
export function wantsFragment<E extends AppEnv>(c: Context<E>): boolean {
  c.header("Vary", "HX-Request", { append: true });
  return c.req.header("HX-Request") === "true" &&
    c.req.header("HX-Boosted") !== "true" &&
    c.req.header("HX-History-Restore-Request") !== "true";
}

export type PageOptions = {
  title: string;
  menu: Menu | StaffMenu;
  viewer?: Viewer;
  status?: 200 | 400 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;
  /** What an htmx request for a region gets instead of the whole page. */
  fragment?: () => Child;
};

type Status = NonNullable<PageOptions["status"]>;

/**
 * Sends rendered HTML: its cached regions put in as bytes (page_regions.ts) and, when the
 * browser accepts it, gzip-compressed here, so the response is built once.
 */
async function sendHtml<E extends AppEnv>(c: Context<E>, content: Child, status: Status) {
  const text = typeof content === "object" && content !== null
    ? await resolveCallback(
      content as unknown as string,
      HtmlEscapedCallbackPhase.Stringify,
      false,
      {},
    )
    : String(content);
  const regions = c.get("regions");
  const gzip = c.get("gzip") === true;
  const { body, gzipped } = regions ? regions.assemble(text, gzip) : { body: text, gzipped: false };
  c.header("Content-Type", "text/html; charset=UTF-8");
  if (gzipped) c.header("Content-Encoding", "gzip");
  return c.body(body as string, status);
}

/** The shell's regions: the Layout names each by all of its inputs. */
function layoutRegions(cache: RegionCache | undefined): Regions | undefined {
  return cache && ((name, render) => cache.region(`layout|${name}`, render));
}

/** Renders the page in the shell, or only its fragment for htmx. */
export function renderPage<E extends AppEnv>(c: Context<E>, options: PageOptions, body: Child) {
  const status = options.status ?? 200;
  if (options.fragment && wantsFragment(c)) return sendHtml(c, <>{options.fragment()}</>, status);
  c.header("Vary", "HX-Request", { append: true });
  const page = (
    <Layout
      title={options.title}
      cooperative={c.get("cooperative")}
      menu={options.menu}
      path={c.req.path}
      viewer={options.viewer}
      regions={layoutRegions(c.get("regions"))}
    >
      {body}
    </Layout>
  );
  return sendHtml(c, html`<!doctype html>${page}`, status);
}
