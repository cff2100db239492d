/** "Dokumenty": the cooperative's documents and the letters to the resident's units. */
import { type Document, documentCategoryLabels } from "../../domain/documents/documents.ts";
import type { EcorrespondenceConsent } from "../../domain/documents/consent.ts";
import { formatDate, formatDateTime } from "../format.ts";
import { TableWrap } from "../table_wrap.tsx";

export const RESIDENT_DOCUMENTS_PATH = "/ebok/dokumenty";

/** "1,2 MB" / "350 kB": sizes residents understand. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    return `${(Math.round(bytes / (1024 * 1024) * 10) / 10).toString().replace(".", ",")} MB`;
  }
  return `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

export function DocumentsPage(p: { documents: Document[]; search: string }) {
  return (
    <>
      <h1>Dokumenty</h1>
      <p>
        Tu są dokumenty spółdzielni (statut, regulaminy, uchwały i inne) oraz pisma do Twojego
        lokalu. Kliknij tytuł, aby pobrać plik.
      </p>
      <form method="get" action={RESIDENT_DOCUMENTS_PATH} role="search">
        <div class="field" id="field-q">
          <label for="q">Szukaj w tytułach</label>
          <input type="search" id="q" name="q" value={p.search} maxlength={100} />
        </div>
        <div class="actions">
          <button type="submit">Szukaj</button>
        </div>
      </form>
      {p.documents.length === 0
        ? (
          <p>
            {p.search ? "Żaden dokument nie ma takiego tytułu." : "Nie ma jeszcze dokumentów."}
          </p>
        )
        : (
          <TableWrap label="Dokumenty">
            <table>
              <caption>Dokumenty, od najnowszego</caption>
              <thead>
                <tr>
                  <th scope="col">Tytuł</th>
                  <th scope="col">Rodzaj</th>
                  <th scope="col">Data</th>
                  <th scope="col">Plik</th>
                </tr>
              </thead>
              <tbody>
                {p.documents.map((d) => (
                  <tr id={`dokument-${d.id}`}>
                    <td>
                      {/* A download: htmx must not fetch it into the page. */}
                      <a href={`${RESIDENT_DOCUMENTS_PATH}/${d.id}`} hx-boost="false">
                        {d.title}
                      </a>
                      {d.audience.kind === "unit" && (
                        <div class="muted small">Pismo do Twojego lokalu</div>
                      )}
                      {d.replacedBy && (
                        <div class="muted small">
                          <span class="badge">nieaktualny</span> jest nowsza wersja
                        </div>
                      )}
                    </td>
                    <td>{documentCategoryLabels[d.category]}</td>
                    <td>
                      <time datetime={d.publishedAt}>{formatDate(new Date(d.publishedAt))}</time>
                    </td>
                    <td>
                      {d.fileType === "application/pdf" ? "PDF" : "zdjęcie"}, {formatSize(d.size)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
    </>
  );
}

/** "Pisma w eBOK zamiast pocztą" on "Moje konto": the consent and how to change it. */
export function EcorrespondenceSection(
  p: { consent: EcorrespondenceConsent | null; text: string },
) {
  const given = p.consent?.given === true;
  return (
    <section aria-labelledby="e-korespondencja">
      <h2 id="e-korespondencja">Pisma w eBOK zamiast pocztą</h2>
      <p>{given ? p.consent!.text : p.text}</p>
      <p>
        {given
          ? <>Zgoda wyrażona {formatDateTime(new Date(p.consent!.at))}.</>
          : p.consent
          ? <>Zgoda wycofana {formatDateTime(new Date(p.consent.at))}. Pisma przychodzą pocztą.</>
          : "Pisma przychodzą pocztą."}
      </p>
      <form method="post" action="/ebok/konto/e-korespondencja">
        <input type="hidden" name="zgoda" value={given ? "nie" : "tak"} />
        <button type="submit" class={given ? "secondary" : undefined}>
          {given ? "Wycofuję zgodę — chcę dostawać pisma pocztą" : "Wyrażam zgodę"}
        </button>
      </form>
    </section>
  );
}
