import { chromium } from "playwright-core";
const [base, id, pw, ...paths] = Deno.args;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await ctx.newPage();
page.on("console", (m) => console.log("console:", m.text()));
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.goto(base + "/logowanie");
await page.fill("#identifier", id);
await page.fill("#password", pw);
await page.click("button[type=submit]");
await page.waitForURL("**/ebok");
for (const p of paths) {
  const [path, name, w] = p.split(",");
  if (w) await page.setViewportSize({ width: Number(w), height: 800 });
  const res = await page.goto(base + path);
  console.log(path, res?.status());
  await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: true });
}
await browser.close();
