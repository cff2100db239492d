import type { Child } from "hono/jsx";
import type { CooperativeProfile } from "../domain/backoffice/cooperative.ts";
import { assets, htmxConfig } from "./assets.ts";
import { currentMenuItem, type Menu } from "./menu.ts";

/** Who is signed in, as the page header shows it. */
export type Viewer = { name: string; logoutAction: string; accountHref?: string } | undefined;

export type ShellProps = {
  cooperative: CooperativeProfile;
  menu: Menu;
  path: string;
  viewer?: Viewer;
};

export type LayoutProps = ShellProps & { title: string; children?: Child };

export function Layout(props: LayoutProps) {
  const current = currentMenuItem(props.menu, props.path);
  return (
    <html lang="pl">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · eBOK · ${props.cooperative.name}`}</title>
        <meta name="htmx-config" content={htmxConfig} />
        <link rel="stylesheet" href={assets.css.path} />
        <link rel="icon" href={assets.icon.path} type="image/svg+xml" />
        <script src={assets.htmx.path} defer></script>
        <script src={assets.js.path} defer></script>
      </head>
      <body hx-boost="true">
        <a class="skip-link" href="#tresc">Przejdź do treści</a>
        <header class="site-header">
          <a class="brand" href="/">
            <span class="brand-name">{props.cooperative.name}</span>
            <span class="brand-product">eBOK · elektroniczne Biuro Obsługi Klienta</span>
          </a>
          {props.viewer && (
            <div class="who">
              {props.viewer.accountHref
                ? <a class="who-name" href={props.viewer.accountHref}>{props.viewer.name}</a>
                : <span>{props.viewer.name}</span>}
              <form method="post" action={props.viewer.logoutAction}>
                <button type="submit">Wyloguj</button>
              </form>
            </div>
          )}
        </header>
        <div class="frame">
          <nav aria-label="Menu główne" class="main-menu">
            <ul>
              {props.menu.map((item) => (
                <li>
                  <a
                    href={item.href}
                    aria-current={item === current ? "page" : undefined}
                  >
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <main id="tresc" tabindex={-1}>{props.children}</main>
        </div>
        <footer class="site-footer">
          <p>
            {props.cooperative.name}
            {props.cooperative.address && <>, {props.cooperative.address}</>}
            {props.cooperative.phone && <>, tel. {props.cooperative.phone}</>}
            {props.cooperative.email && (
              <>
                , <a href={`mailto:${props.cooperative.email}`}>{props.cooperative.email}</a>
              </>
            )}
          </p>
        </footer>
      </body>
    </html>
  );
}
