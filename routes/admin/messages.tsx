/** Outgoing e-mails and SMS with their delivery state; staff send a failed one again. */
import { Hono } from "hono";
import { listMessages, resendMessage } from "../../domain/messaging/messages.ts";
import { MessagesPage } from "../../views/admin/messages.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";

const notices: Record<string, string> = {
  ponowiono: "Wiadomość wróciła do kolejki wysyłki.",
};

export function messageRoutes(deps: AppDeps) {
  const { kv, clock } = deps;
  const app = new Hono<StaffEnv>();

  app.get("/", async (c) => {
    const messages = (await listMessages(kv, { limit: 1000 })).reverse().slice(0, 200);
    return renderPage(
      c,
      { title: "Wiadomości", menu: staffMenu, viewer: staffViewer(c.get("staff")) },
      <MessagesPage
        messages={messages}
        notice={notices[c.req.query("wynik") ?? ""]}
        now={clock()}
      />,
    );
  });

  app.post("/:id/ponow", async (c) => {
    const id = c.req.param("id");
    const result = await resendMessage(kv, clock, id, staffActor(c.get("staff")));
    if (!result.ok) return c.redirect("/admin/wiadomosci", 303);
    return c.redirect("/admin/wiadomosci?wynik=ponowiono", 303);
  });
  return app;
}
