/** Administrators' page of API tokens (`/admin/ustawienia/api`): the list, a new one, revoking. */
import {
  type ApiScope,
  apiScopeLabels,
  apiScopes,
  type ApiToken,
} from "../../domain/backoffice/api_tokens.ts";
import { formatDateTime } from "../format.ts";
import { ErrorSummary, Field, type FieldErrors } from "../form.tsx";
import { TableWrap } from "../table_wrap.tsx";

export const API_TOKENS_PATH = "/admin/ustawienia/api";

export type NewApiTokenShown = { name: string; secret: string; scopes: ApiScope[] };

export type ApiTokensPageProps = {
  tokens: ApiToken[];
  notice?: string;
  created?: NewApiTokenShown;
  errors?: FieldErrors;
  values?: { name?: string; scopes?: string[] };
};

function ScopeList(p: { scopes: readonly ApiScope[] }) {
  return (
    <ul>
      {p.scopes.map((s) => (
        <li>
          {apiScopeLabels[s]} <code>{s}</code>
        </li>
      ))}
    </ul>
  );
}

/** The new token, shown once: the administrator copies it now or never. */
function NewTokenShown({ created }: { created: NewApiTokenShown }) {
  return (
    <section class="notice warn" aria-labelledby="nowy-token-tytul" role="status">
      <h2 id="nowy-token-tytul">Token dla „{created.name}” utworzony</h2>
      <p id="nowy-token-opis">
        Skopiuj go teraz i wpisz w konfiguracji integracji. <strong>Pokazujemy go tylko raz</strong>
        {" "}
        — eBOK przechowuje wyłącznie jego skrót i nie odtworzy go. Jeśli zginie, unieważnij go i
        utwórz nowy.
      </p>
      <div class="field">
        <label for="nowy-token">Token</label>
        <input
          id="nowy-token"
          type="text"
          readonly
          value={created.secret}
          autocomplete="off"
          spellcheck={false}
          aria-describedby="nowy-token-opis"
          class="nrb-value"
        />
      </div>
      <p>Uprawnienia:</p>
      <ScopeList scopes={created.scopes} />
    </section>
  );
}

/** Every token with its scopes, dates and state; an active one can be revoked. */
function TokensTable({ tokens }: { tokens: ApiToken[] }) {
  if (tokens.length === 0) return <p>Nie ma jeszcze żadnego tokenu.</p>;
  return (
    <TableWrap label="Tokeny API">
      <table>
        <caption class="visually-hidden">Tokeny API integracji</caption>
        <thead>
          <tr>
            <th scope="col">Integracja</th>
            <th scope="col">Uprawnienia</th>
            <th scope="col">Utworzony</th>
            <th scope="col">Ostatnio użyty</th>
            <th scope="col">Stan</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr>
              <th scope="row">
                {t.name}
                <div class="muted small">
                  <code>{t.hint}</code>
                </div>
              </th>
              <td>
                <ScopeList scopes={t.scopes} />
              </td>
              <td>
                {formatDateTime(new Date(t.createdAt))}
                <div class="muted small">{t.createdBy.label}</div>
              </td>
              <td>{t.lastUsedAt ? formatDateTime(new Date(t.lastUsedAt)) : "nigdy"}</td>
              <td>
                {t.revokedAt
                  ? (
                    <>
                      <span class="badge bad">unieważniony</span>
                      <div class="muted small">
                        {formatDateTime(new Date(t.revokedAt))}
                        {t.revokedBy ? `, ${t.revokedBy.label}` : ""}
                      </div>
                    </>
                  )
                  : (
                    <>
                      <span class="badge ok">aktywny</span>
                      <form method="post" action={`${API_TOKENS_PATH}/${t.id}/uniewaznij`}>
                        <button
                          type="submit"
                          class="secondary small"
                          aria-label={`Unieważnij token „${t.name}”`}
                        >
                          Unieważnij
                        </button>
                      </form>
                    </>
                  )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** A new token: the integration's name and its scopes. */
function NewTokenForm(p: Pick<ApiTokensPageProps, "errors" | "values">) {
  const errors = p.errors ?? {};
  const chosen = new Set(p.values?.scopes ?? []);
  const scopesDescribedBy = ["scopes-hint", errors.scopes ? "scopes-error" : undefined]
    .filter(Boolean).join(" ");
  return (
    <form method="post" action={API_TOKENS_PATH}>
      <ErrorSummary
        errors={errors}
        labels={{ name: "Nazwa integracji", scopes: "Uprawnienia" }}
      />
      <Field
        name="name"
        label="Nazwa integracji"
        value={p.values?.name}
        error={errors.name}
        maxlength={80}
        autocomplete="off"
        hint="Np. System księgowy. Pod tą nazwą wywołania API są zapisywane w dzienniku zdarzeń i historii importów."
      />
      <fieldset
        id="scopes"
        tabindex={-1}
        class={errors.scopes ? "invalid" : undefined}
        aria-describedby={scopesDescribedBy}
      >
        <legend>Uprawnienia</legend>
        <p class="hint" id="scopes-hint">
          Zaznacz tylko to, co integracja ma przesyłać albo odczytywać.
        </p>
        {apiScopes.map((s) => (
          <div class="checkbox">
            <input
              type="checkbox"
              name="scope"
              value={s}
              id={`scope-${s.replace(":", "-")}`}
              checked={chosen.has(s)}
              aria-invalid={errors.scopes ? "true" : undefined}
              aria-describedby={errors.scopes ? "scopes-error" : undefined}
            />
            <label for={`scope-${s.replace(":", "-")}`}>
              {apiScopeLabels[s]} <code>{s}</code>
            </label>
          </div>
        ))}
        {errors.scopes && <p class="error-text" id="scopes-error">{errors.scopes}</p>}
      </fieldset>
      <button type="submit">Utwórz token</button>
    </form>
  );
}

export function ApiTokensPage(p: ApiTokensPageProps) {
  return (
    <>
      <p>
        <a href="/admin/ustawienia">← Ustawienia</a>
      </p>
      <h1>Tokeny API</h1>
      <p class="lead">
        Token API pozwala programowi spółdzielni (np. systemowi księgowemu) przesyłać dane do eBOK
        automatycznie, pod adres <code>/api/v1</code> — te same dane i w tej samej postaci co w{" "}
        <a href="/admin/import">imporcie plików CSV</a>. Każda integracja powinna mieć własny token,
        tylko z potrzebnymi jej uprawnieniami. Unieważniony token przestaje działać od razu.
      </p>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      {p.created && <NewTokenShown created={p.created} />}
      <h2>Tokeny</h2>
      <TokensTable tokens={p.tokens} />
      <h2>Nowy token</h2>
      <NewTokenForm errors={p.errors} values={p.values} />
    </>
  );
}
