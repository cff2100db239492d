/**
 * A QR code drawn as an SVG image from its modules (the domain encodes the payload:
 * domain/balance/transfer_qr.ts, `transferQrMatrix`). One `<path>` of dark modules on a white
 * square with a quiet zone of 4 modules, `role="img"` and the caller's `aria-label`; no inline
 * styles (the CSP forbids them). Without `size` it takes the size CSS gives it (the `class`,
 * default "transfer-qr").
 */
import { escapeXml } from "../domain/shared/xml.ts";

/** The quiet zone around the code, in modules (ISO/IEC 18004 asks for 4). */
const QUIET_ZONE = 4;

/** The path of dark modules, remembered per matrix (the domain hands out the same one). */
const paths = new WeakMap<readonly (readonly boolean[])[], string>();

function darkModulesPath(modules: readonly (readonly boolean[])[]): string {
  const known = paths.get(modules);
  if (known !== undefined) return known;
  let d = "";
  modules.forEach((row, y) => {
    for (let x = 0; x < row.length;) {
      if (!row[x]) {
        x++;
        continue;
      }
      let end = x;
      while (end < row.length && row[end]) end++;
      const run = end - x;
      d += `M${x + QUIET_ZONE} ${y + QUIET_ZONE}h${run}v1h-${run}z`;
      x = end;
    }
  });
  paths.set(modules, d);
  return d;
}

export function qrSvg(
  modules: readonly (readonly boolean[])[],
  options: { label?: string; size?: number; className?: string } = {},
): string {
  const n = modules.length + 2 * QUIET_ZONE;
  const label = options.label ?? "Kod QR z danymi przelewu";
  const size = options.size !== undefined && Number.isSafeInteger(options.size) && options.size > 0
    ? ` width="${options.size}" height="${options.size}"`
    : "";
  const className = escapeXml(options.className ?? "transfer-qr");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n} ${n}"${size} class="${className}" ` +
    `role="img" aria-label="${escapeXml(label)}" shape-rendering="crispEdges">` +
    `<rect width="${n}" height="${n}" fill="#fff"/><path fill="#000" d="${
      darkModulesPath(modules)
    }"/></svg>`;
}
