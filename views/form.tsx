import type { Child } from "hono/jsx";

/** Field errors by field name, in Polish. */
export type FieldErrors = Partial<Record<string, string>>;

export type FieldProps = {
  name: string;
  label: string;
  type?: "text" | "email" | "tel" | "password" | "search" | "date" | "number";
  value?: string;
  error?: string;
  hint?: Child;
  required?: boolean;
  autocomplete?: string;
  inputmode?: "text" | "numeric" | "tel" | "email";
  maxlength?: number;
  /** For type "number". */
  min?: number;
  max?: number;
  spellcheck?: boolean;
  /** false: no "(nieobowiązkowe)" beside an optional field's label (a filter, say). */
  optionalMark?: boolean;
  /** POST target that re-renders this field for inline validation (htmx). */
  validateUrl?: string;
  /** Extra htmx attributes, e.g. `hx-trigger` for live checks. */
  hxTrigger?: string;
  /** The id of a `<datalist>` of suggestions (they work without JavaScript). */
  list?: string;
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
        {p.required === false && p.optionalMark !== false && (
          <span class="muted">(nieobowiązkowe)</span>
        )}
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
        min={p.min}
        max={p.max}
        spellcheck={p.spellcheck}
        list={p.list}
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

/** The ids that tie a field's hint and error to its control (aria-describedby). */
function describedBy(name: string, hint: unknown, error: string | undefined) {
  const hintId = hint ? `${name}-hint` : undefined;
  const errorId = error ? `${name}-error` : undefined;
  return { hintId, errorId, ids: [errorId, hintId].filter(Boolean).join(" ") || undefined };
}

/** Like `Field`, for a choice from a list. */
export function SelectField(
  p: {
    name: string;
    label: string;
    options: readonly { value: string; label: string; group?: string }[];
    value?: string;
    error?: string;
    hint?: Child;
  },
) {
  const d = describedBy(p.name, p.hint, p.error);
  const groups: { group?: string; options: typeof p.options[number][] }[] = [];
  for (const o of p.options) {
    const last = groups[groups.length - 1];
    if (last && last.group === o.group) last.options.push(o);
    else groups.push({ group: o.group, options: [o] });
  }
  const option = (o: typeof p.options[number]) => (
    <option value={o.value} selected={o.value === p.value}>{o.label}</option>
  );
  return (
    <div class={p.error ? "field invalid" : "field"} id={`field-${p.name}`}>
      <label for={p.name}>{p.label}</label>
      {p.hint && <span class="hint" id={d.hintId}>{p.hint}</span>}
      <select
        id={p.name}
        name={p.name}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={d.ids}
      >
        {groups.map((g) =>
          g.group ? <optgroup label={g.group}>{g.options.map(option)}</optgroup> : g.options.map(
            option,
          )
        )}
      </select>
      {p.error && <span class="error-text" id={d.errorId}>{p.error}</span>}
    </div>
  );
}

/** Like `Field`, for a longer text. */
export function TextAreaField(
  p: {
    name: string;
    label: string;
    value?: string;
    error?: string;
    hint?: Child;
    rows?: number;
    maxlength?: number;
    required?: boolean;
  },
) {
  const d = describedBy(p.name, p.hint, p.error);
  return (
    <div class={p.error ? "field invalid" : "field"} id={`field-${p.name}`}>
      <label for={p.name}>{p.label}</label>
      {p.hint && <span class="hint" id={d.hintId}>{p.hint}</span>}
      <textarea
        id={p.name}
        name={p.name}
        rows={p.rows}
        maxlength={p.maxlength}
        required={p.required !== false}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={d.ids}
      >
        {p.value ?? ""}
      </textarea>
      {p.error && <span class="error-text" id={d.errorId}>{p.error}</span>}
    </div>
  );
}
