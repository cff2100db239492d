/**
 * The main menus. The announcement promises at most eight items in the resident's menu (and the
 * public one shares its place on the page); the `Menu` type makes a ninth a compile error. The
 * office's menu is for staff at a desk all day: `StaffMenu` allows twelve, so the next stage's
 * back-office pages (documents, matters, payments) get their own items.
 */
export type MenuItem = {
  href: string;
  label: string;
  /** Other pages the item stands for (its tabs), e.g. the money pages under "Moje saldo". */
  also?: readonly string[];
};

type Upto<N extends number, T, Acc extends readonly T[] = readonly []> = Acc["length"] extends N
  ? Acc
  : Acc | Upto<N, T, readonly [...Acc, T]>;

/** A menu of zero to eight items. */
export type Menu = Upto<8, MenuItem>;

/** The office's menu: zero to twelve items. */
export type StaffMenu = Upto<12, MenuItem>;

export const publicMenu = [
  { href: "/", label: "Strona główna" },
  { href: "/logowanie", label: "Logowanie" },
  { href: "/rejestracja", label: "Rejestracja" },
  { href: "/pomoc", label: "Pomoc" },
] as const satisfies Menu;

/** The tabs of "Moje saldo": three pages, one menu item; their URLs stay as they were. */
export const moneyTabs = [
  { href: "/ebok/saldo", label: "Saldo" },
  { href: "/ebok/naliczenia", label: "Opłaty" },
  { href: "/ebok/wplaty", label: "Wpłaty" },
] as const satisfies readonly MenuItem[];

/**
 * The resident's menu. Room is kept for the next stage's items, in this order: Strona główna,
 * Moje saldo, Woda, Dokumenty, Zgłoszenia, Komunikaty, Moje konto, Pomoc (eight).
 */
export const residentMenu = [
  { href: "/ebok", label: "Strona główna" },
  { href: "/ebok/saldo", label: "Moje saldo", also: ["/ebok/naliczenia", "/ebok/wplaty"] },
  { href: "/ebok/woda", label: "Woda" },
  { href: "/ebok/dokumenty", label: "Dokumenty" },
  { href: "/ebok/zgloszenia", label: "Zgłoszenia" },
  { href: "/ebok/konto", label: "Moje konto" },
  { href: "/pomoc", label: "Pomoc" },
] as const satisfies Menu;

export const staffMenu = [
  { href: "/admin/wnioski", label: "Wnioski o dostęp" },
  { href: "/admin/rejestr", label: "Rejestr i konta" },
  { href: "/admin/odczyty", label: "Odczyty wodomierzy" },
  { href: "/admin/zgloszenia", label: "Zgłoszenia" },
  { href: "/admin/import", label: "Import danych" },
  { href: "/admin/komunikaty", label: "Komunikaty" },
  { href: "/admin/dokumenty", label: "Dokumenty" },
  { href: "/admin/platnosci", label: "Płatności" },
  { href: "/admin/wiadomosci", label: "Wiadomości" },
  { href: "/admin/dziennik", label: "Dziennik zdarzeń" },
  { href: "/admin/ustawienia", label: "Ustawienia" },
] as const satisfies StaffMenu;

/**
 * The item for `path`: exact match (its own page or one it stands for), else the longest item
 * that is a parent path.
 */
export function currentMenuItem(menu: Menu | StaffMenu, path: string): MenuItem | undefined {
  let best: MenuItem | undefined;
  for (const item of menu) {
    const parent = item.href === "/" ? false : path.startsWith(item.href + "/");
    if (item.href === path || item.also?.includes(path)) return item;
    if (parent && (!best || item.href.length > best.href.length)) best = item;
  }
  return best;
}
