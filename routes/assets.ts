import { Hono } from "hono";
import { assets } from "../views/assets.ts";
import type { AppEnv } from "./context.ts";

/** Versioned static assets: the URL changes with the content, so they are cached for a year. */
export function assetRoutes() {
  const app = new Hono<AppEnv>();
  for (const asset of Object.values(assets)) {
    app.get(asset.path, (c) => {
      c.header("Cache-Control", "public, max-age=31536000, immutable");
      c.header("ETag", asset.etag);
      if (c.req.header("If-None-Match") === asset.etag) return c.body(null, 304);
      c.header("Content-Type", asset.contentType);
      return c.body(asset.body);
    });
  }
  return app;
}
