import { Hono } from "hono";
import { HelpPage } from "../views/help.tsx";
import { HomePage } from "../views/home.tsx";
import { publicMenu } from "../views/menu.ts";
import type { AppEnv } from "./context.ts";
import { renderPage } from "./render.tsx";

export function publicRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/", (c) =>
    renderPage(
      c,
      { title: "Strona główna", menu: publicMenu },
      <HomePage />,
    ));
  app.get(
    "/pomoc",
    (c) => renderPage(c, { title: "Instrukcja obsługi", menu: publicMenu }, <HelpPage />),
  );
  return app;
}
