/** The cooperative's announcements as residents see them (on the dashboard). */
import type { Announcement } from "../../domain/backoffice/announcements.ts";
import { formatDate } from "../format.ts";

/** Plain text → paragraphs (split at blank lines), each a list of its lines. */
export function announcementParagraphs(body: string): string[][] {
  return body.replace(/\r\n?/g, "\n").split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => p.split("\n").map((l) => l.trimEnd()));
}

/** One announcement's text: paragraphs, single line breaks kept. The text is escaped by JSX. */
export function AnnouncementBody(props: { body: string }) {
  return (
    <>
      {announcementParagraphs(props.body).map((lines) => (
        <p>
          {lines.map((line, i) =>
            i === 0 ? line : (
              <>
                <br />
                {line}
              </>
            )
          )}
        </p>
      ))}
    </>
  );
}

/** "Komunikaty spółdzielni": each title, date and text; nothing at all when there are none. */
export function AnnouncementsList(props: { announcements: Announcement[] }) {
  if (props.announcements.length === 0) return null;
  return (
    <section class="announcements" aria-labelledby="komunikaty">
      <h2 id="komunikaty">Komunikaty spółdzielni</h2>
      {props.announcements.map((a) => (
        <article class="card announcement" aria-labelledby={`komunikat-${a.id}`}>
          <h3 id={`komunikat-${a.id}`}>{a.title}</h3>
          <p class="muted small">
            <time datetime={a.publishedAt}>{formatDate(new Date(a.publishedAt))}</time>
          </p>
          <AnnouncementBody body={a.body} />
        </article>
      ))}
    </section>
  );
}
