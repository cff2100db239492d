import type { Child } from "hono/jsx";
import type { CooperativeProfile } from "../domain/backoffice/cooperative.ts";
import { assets, htmxConfig } from "./assets.ts";
import { currentMenuItem, type Menu, type MenuItem, type StaffMenu } from "./menu.ts";
import { inline, type Regions } from "./regions.ts";

/** Who is signed in, as the page header shows it. */
export type Viewer = { name: string; logoutAction: string; accountHref?: string } | undefined;

export type ShellProps = {
  cooperative: CooperativeProfile;
  menu: Menu | StaffMenu;
  path: string;
  viewer?: Viewer;
};

export type LayoutProps = ShellProps & {
  title: string;
  children?: Child;
  /**
   * The shell's parts that are the same on every page with the same inputs (the head, the
   * brand, the menu, the footer), each named by all of its inputs (see views/regions.ts).
   */
  regions?: Regions;
};

/** A phone number that does not break across lines: spaces become non-breaking. */
function phoneText(phone: string): string {
  return phone.replace(/ /g, "\u00a0");
}

/** "+48 76 833 41 20" → "tel:+48768334120" (digits and a leading plus only). */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, "")}`;
}

/**
 * The main menu: a list beside the content on a wide screen; on a phone it folds into a
 * `<details>` disclosure ("Menu: <current page>"), which opens without JavaScript. The
 * stylesheet shows the list and hides the summary on wide screens.
 */
function MainMenu(props: { menu: Menu | StaffMenu; current: MenuItem | undefined; path: string }) {
  // "page" for the page itself; "true" for the item a page belongs to (a tab, a subpage).
  const currentness = (item: MenuItem) =>
    item !== props.current ? undefined : item.href === props.path ? "page" : "true";
  const list = (
    <ul>
      {props.menu.map((item) => (
        <li>
          <a href={item.href} aria-current={currentness(item)}>
            {item.label}
          </a>
        </li>
      ))}
    </ul>
  );
  return (
    <nav aria-label="Menu główne" class="main-menu">
      {props.menu.length === 0 ? list : (
        <details class="menu-fold">
          <summary>
            <span class="menu-icon" aria-hidden="true">☰</span>
            <span>
              Menu{props.current && <span class="menu-current">: {props.current.label}</span>}
            </span>
          </summary>
          {list}
        </details>
      )}
    </nav>
  );
}

export function Layout(props: LayoutProps) {
  const current = currentMenuItem(props.menu, props.path);
  const coop = props.cooperative;
  const region = props.regions ?? inline;
  return (
    <html lang="pl">
      {region(`head|${JSON.stringify([props.title, coop.name])}`, () => (
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · eBOK · ${coop.name}`}</title>
          <meta name="htmx-config" content={htmxConfig} />
          <link rel="stylesheet" href={assets.css.path} />
          <link rel="icon" href={assets.icon.path} type="image/svg+xml" />
          <script src={assets.htmx.path} defer></script>
          <script src={assets.js.path} defer></script>
        </head>
      ))}
      <body hx-boost="true">
        <a class="skip-link" href="#tresc">Przejdź do treści</a>
        <header class="site-header">
          {region(
            `brand|${JSON.stringify([coop.name, coop.shortName])}`,
            () => (
              <a class="brand" href="/">
                <span class="brand-name">{coop.name}</span>
                <span class="brand-product">eBOK · elektroniczne Biuro Obsługi Klienta</span>
                <span class="brand-short">{coop.shortName} · eBOK</span>
              </a>
            ),
          )}
          {props.viewer && (
            <div class="who">
              {props.viewer.accountHref
                ? <a class="who-name" href={props.viewer.accountHref}>{props.viewer.name}</a>
                : <span class="who-name">{props.viewer.name}</span>}
              <form method="post" action={props.viewer.logoutAction}>
                <button type="submit">Wyloguj</button>
              </form>
            </div>
          )}
        </header>
        {
          /* Signed-in pages never go into htmx's history snapshots (the browser's storage): the
        marker is inside the body, which htmx swaps on every boosted page change. */
        }
        <div class="frame" hx-history={props.viewer ? "false" : undefined}>
          {region(
            `menu|${props.path}|${props.menu.map((i) => `${i.href} ${i.label}`).join("|")}`,
            () => <MainMenu menu={props.menu} current={current} path={props.path} />,
          )}
          <main id="tresc" tabindex={-1}>{props.children}</main>
        </div>
        {region(`footer|${JSON.stringify(coop)}`, () => <Footer coop={coop} />)}
      </body>
    </html>
  );
}

/** The cooperative's name, address and how to reach the office (and the emergency number). */
function Footer({ coop }: { coop: CooperativeProfile }) {
  return (
    <footer class="site-footer">
      <p>
        <strong>{coop.name}</strong>
        {coop.address && <>, {coop.address}</>}
      </p>
      {(coop.phone || coop.email || coop.officeHours) && (
        <p>
          Biuro spółdzielni
          {coop.phone && (
            <>
              : tel. <a href={telHref(coop.phone)}>{phoneText(coop.phone)}</a>
            </>
          )}
          {coop.email && (
            <>
              , e-mail <a href={`mailto:${coop.email}`}>{coop.email}</a>
            </>
          )}
          {coop.officeHours && <>. Godziny pracy: {coop.officeHours}</>}.
        </p>
      )}
      {coop.emergencyPhone && (
        <p class="emergency">
          W razie awarii (woda, ogrzewanie, winda) dzwoń: tel.{" "}
          <a href={telHref(coop.emergencyPhone)}>{phoneText(coop.emergencyPhone)}</a>
        </p>
      )}
    </footer>
  );
}
