import type { z } from "zod";
import type { FieldErrors } from "../views/form.tsx";

export { CONTROL_CHARS } from "../domain/shared/text.ts";

/** The first Polish message for each field that failed. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "_form");
    out[field] ??= issue.message;
  }
  return out;
}

/** Form fields as plain strings; repeated fields keep their last value unless listed in `multi`. */
export async function readForm(
  req: { parseBody(options: { all: true }): Promise<Record<string, unknown>> },
): Promise<Record<string, string | string[]>> {
  let body: Record<string, unknown>;
  try {
    body = await req.parseBody({ all: true });
  } catch {
    return {};
  }
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === "string");
  }
  return out;
}

export function single(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[value.length - 1] ?? "") : (value ?? "");
}

export function multiple(value: string | string[] | undefined): string[] {
  return Array.isArray(value) ? value : value ? [value] : [];
}
