import type { Child } from "hono/jsx";

/**
 * A part of a page that depends only on its data, by name: the route may serve it rendered once
 * per version of that data (routes/page_regions.ts) under a key it builds for each name. Views
 * call it around such parts; without it (`inline`) they render as they are.
 */
export type Regions<Name extends string = string> = (name: Name, render: () => Child) => Child;

export const inline: Regions = (_name, render) => render();
