import type { Child } from "hono/jsx";

/** Field errors by field name, in Polish. */
export type FieldErrors = Partial<Record<string, string>>;

export type FieldProps = {
  name: string;
  label: string;
  type?: "text" | "email" | "tel" | "password" | "search";
  value?: string;
  error?: string;
  hint?: Child;
  required?: boolean;
  autocomplete?: string;
  inputmode?: "text" | "numeric" | "tel" | "email";
  maxlength?: number;
  /** POST target that re-renders this field for inline validation (htmx). */
  validateUrl?: string;
  /** Extra htmx attributes, e.g. `hx-trigger` for live checks. */
  hxTrigger?: string;
  autofocus?: boolean;
  /**
   * For a password field only: a server-issued stand-in (never a password) to fill it with,
   * e.g. the password change ticket, so the field need not be typed again.
   */
  keepValue?: string;
};

/**
 * One labelled input with its hint and error. The error is tied to the input with
 * aria-describedby (as CONTRACT.md requires) and the input carries aria-invalid.
 */
export function Field(p: FieldProps) {
  const hintId = p.hint ? `${p.name}-hint` : undefined;
  const errorId = p.error ? `${p.name}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  return (
    <div class={p.error ? "field invalid" : "field"} id={`field-${p.name}`}>
      <label for={p.name}>
        {p.label}
        {p.required === false && <span class="muted">(nieobowiązkowe)</span>}
      </label>
      {p.hint && <span class="hint" id={hintId}>{p.hint}</span>}
      <input
        id={p.name}
        name={p.name}
        type={p.type ?? "text"}
        value={p.type === "password" ? p.keepValue : p.value}
        required={p.required !== false}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        maxlength={p.maxlength}
        autofocus={p.autofocus}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={describedBy}
        hx-post={p.validateUrl}
        hx-trigger={p.validateUrl ? (p.hxTrigger ?? "change") : undefined}
        hx-target={p.validateUrl ? `#field-${p.name}` : undefined}
        hx-swap={p.validateUrl ? "outerHTML" : undefined}
        hx-sync={p.validateUrl ? "this:replace" : undefined}
      />
      {p.error && <span class="error-text" id={errorId}>{p.error}</span>}
    </div>
  );
}

/** A summary at the top of a form that failed, linking to each field. */
export function ErrorSummary(props: { errors: FieldErrors; labels: Record<string, string> }) {
  const entries = Object.entries(props.errors).filter(([, v]) => v);
  if (!entries.length) return null;
  return (
    <div class="notice bad" role="alert">
      <h2 class="error-summary-title">Popraw zaznaczone pola</h2>
      <ul>
        {entries.map(([name, message]) => (
          <li>
            <a href={`#${name}`}>{props.labels[name] ?? name}</a>: {message}
          </li>
        ))}
      </ul>
    </div>
  );
}
