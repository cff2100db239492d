import type { ReadingSubmission } from "../../domain/water/reading_submissions.ts";
import type { Meter } from "../../domain/water/water.ts";
import { meterKindLabels } from "../../domain/water/water.ts";
import { formatM3 } from "../../domain/water/water_settlements.ts";
import { formatDateTime, formatIsoDate } from "../format.ts";

export type SubmissionView = {
  submission: ReadingSubmission;
  unitLabel: string;
  residentName: string;
  meters: Map<string, Meter>;
  error?: string;
};

export function ReadingSubmissionsPage(props: { pending: SubmissionView[]; notice?: string }) {
  return (
    <>
      <h1>Odczyty podane przez mieszkańców</h1>
      {props.notice && <p class="notice ok" role="status">{props.notice}</p>}
      <p class="lead">Czekające na sprawdzenie, od najstarszego: {props.pending.length}.</p>
      {props.pending.length === 0 && <p>Brak odczytów do sprawdzenia.</p>}
      {props.pending.map((v) => {
        const s = v.submission;
        return (
          <section class="card request" aria-labelledby={`odczyt-${s.id}`}>
            <h2 id={`odczyt-${s.id}`}>{v.unitLabel}</h2>
            <p class="muted">
              {v.residentName}, podano {formatDateTime(new Date(s.submittedAt))}
              {s.revision > 1 && ` (poprawka nr ${s.revision - 1})`}
            </p>
            {v.error && <p class="notice bad" role="alert">{v.error}</p>}
            <table>
              <caption class="visually-hidden">Podane stany wodomierzy</caption>
              <thead>
                <tr>
                  <th scope="col">Wodomierz</th>
                  <th scope="col" class="num">Poprzedni odczyt</th>
                  <th scope="col" class="num">Podany stan</th>
                  <th scope="col" class="num">Zużycie</th>
                </tr>
              </thead>
              <tbody>
                {s.entries.map((e) => {
                  const m = v.meters.get(e.meterId);
                  return (
                    <tr>
                      <th scope="row">
                        {m
                          ? `${meterKindLabels[m.kind]}, ${m.location} (nr ${m.serialNo})`
                          : e.meterId}
                        {e.warning && <div class="warning-text">{e.warning}</div>}
                      </th>
                      <td class="num">
                        {e.previousLitres !== null
                          ? `${formatM3(e.previousLitres)} (${formatIsoDate(e.previousOn!)})`
                          : "—"}
                      </td>
                      <td class="num">{formatM3(e.litres)}</td>
                      <td class="num">
                        {e.previousLitres !== null ? formatM3(e.litres - e.previousLitres) : "—"}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <div class="actions">
              <form method="post" action={`/admin/odczyty/${s.id}/przyjmij`}>
                <button type="submit">Przyjmij odczyt</button>
              </form>
            </div>
            <form method="post" action={`/admin/odczyty/${s.id}/odrzuc`}>
              <div class="field">
                <label for={`powod-${s.id}`}>Powód odrzucenia (zobaczy go mieszkaniec)</label>
                <input type="text" id={`powod-${s.id}`} name="reason" maxlength={500} required />
              </div>
              <button type="submit" class="secondary">Odrzuć</button>
            </form>
          </section>
        );
      })}
    </>
  );
}
