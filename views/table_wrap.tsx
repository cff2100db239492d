import type { Child } from "hono/jsx";

/**
 * A wide table's horizontal scroller. It can take keyboard focus (so it can be scrolled without
 * a mouse) and is a named region, as WCAG's "scrollable region focusable" asks.
 */
export function TableWrap(props: { label: string; children?: Child }) {
  return (
    <div class="table-wrap" tabindex={0} role="region" aria-label={props.label}>
      {props.children}
    </div>
  );
}
