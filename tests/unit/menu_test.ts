import assert from "node:assert/strict";
import {
  currentMenuItem,
  type Menu,
  moneyTabs,
  publicMenu,
  residentMenu,
  staffMenu,
} from "../../views/menu.ts";

const item = (n: number) => ({ href: `/m${n}`, label: `Pozycja ${n}` });

Deno.test("a menu holds at most eight items: the type refuses a ninth", () => {
  const eight = [item(1), item(2), item(3), item(4), item(5), item(6), item(7), item(8)] as const;
  const ok: Menu = eight;
  assert.equal(ok.length, 8);
  // @ts-expect-error — nine items do not fit the Menu type.
  const nine: Menu = [...eight, item(9)] as const;
  assert.equal(nine.length, 9);
});

Deno.test("the resident's and the public menu have at most eight items, the office's twelve; links unique", () => {
  for (const menu of [publicMenu, residentMenu]) assert.ok(menu.length <= 8);
  assert.ok(staffMenu.length <= 12);
  for (const menu of [publicMenu, residentMenu, staffMenu]) {
    assert.equal(new Set(menu.map((i) => i.href)).size, menu.length);
  }
});

Deno.test("the current item: exact match, else the deepest parent; the home link only on /", () => {
  const menu = [
    { href: "/", label: "Start" },
    { href: "/ebok", label: "Strona główna" },
    { href: "/ebok/saldo", label: "Saldo", also: ["/ebok/wplaty"] },
  ] as const satisfies Menu;
  assert.equal(currentMenuItem(menu, "/")?.label, "Start");
  assert.equal(currentMenuItem(menu, "/ebok")?.label, "Strona główna");
  assert.equal(currentMenuItem(menu, "/ebok/saldo")?.label, "Saldo");
  assert.equal(currentMenuItem(menu, "/ebok/saldo/2026")?.label, "Saldo");
  assert.equal(currentMenuItem(menu, "/ebok/wplaty")?.label, "Saldo");
  assert.equal(currentMenuItem(menu, "/ebok/woda")?.label, "Strona główna");
  assert.equal(currentMenuItem(menu, "/inne"), undefined);
});

Deno.test("the resident's menu: plain words, the money pages as one item with tabs", () => {
  const labels = residentMenu.map((i) => i.label);
  assert.deepEqual(labels, [
    "Strona główna",
    "Moje saldo",
    "Woda",
    "Dokumenty",
    "Zgłoszenia",
    "Moje konto",
    "Pomoc",
  ]);
  for (const word of ["Pulpit", "Naliczenia"]) assert.ok(!labels.includes(word as never), word);
  // Room for Komunikaty (the announcements archive) within eight.
  assert.ok(residentMenu.length + 1 <= 8);
  for (const tab of moneyTabs) {
    assert.equal(currentMenuItem(residentMenu, tab.href)?.label, "Moje saldo", tab.href);
  }
});
