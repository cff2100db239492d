import { Hono } from "hono";
import { HelpPage } from "../../views/public/help.tsx";
import { HomePage } from "../../views/public/home.tsx";
import { publicMenu, residentMenu } from "../../views/menu.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { renderPage } from "../render.tsx";
import { currentResident, residentViewer } from "../resident/guard.ts";

export function publicRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get("/", (c) => renderPage(c, { title: "Strona główna", menu: publicMenu }, <HomePage />));
  // The manual is public; a signed-in resident reads it inside the eBOK menu.
  app.get("/pomoc", async (c) => {
    const found = await currentResident(deps, c);
    const inside = found && !found.session.restricted;
    return renderPage(
      c,
      {
        title: "Pomoc",
        menu: inside ? residentMenu : publicMenu,
        viewer: inside ? residentViewer(found.account) : undefined,
      },
      <HelpPage />,
    );
  });
  return app;
}
