import { Hono } from "hono";
import { assets } from "../views/assets.ts";
import { manualImageList } from "../views/public/manual_images.ts";
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
  for (const image of manualImageList) {
    app.get(image.path, (c) => {
      c.header("Cache-Control", "public, max-age=31536000, immutable");
      c.header("ETag", image.etag);
      if (c.req.header("If-None-Match") === image.etag) return c.body(null, 304);
      c.header("Content-Type", image.contentType);
      return c.body(image.body);
    });
  }
  return app;
}
