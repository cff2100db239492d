import { raw } from "hono/html";
import { TableWrap } from "../table_wrap.tsx";
import { qrSvg } from "../qr.ts";
import type { CooperativeProfile } from "../../domain/backoffice/cooperative.ts";
import type { ReadingWindow } from "../../domain/water/reading_submissions.ts";
import type { Staff } from "../../domain/accounts/staff.ts";
import { formatDateTime } from "../format.ts";
import { ErrorSummary, Field, type FieldErrors } from "../form.tsx";

export type NewStaffShown = { login: string; secret: string; qr: boolean[][] };

export function SettingsPage(
  p: {
    staff: Staff[];
    currentStaffId: string;
    profile: CooperativeProfile;
    window: ReadingWindow;
    buildingAverage: boolean;
    rodoText: string;
    notice?: string;
    created?: NewStaffShown;
    staffErrors?: FieldErrors;
    staffValues?: Record<string, string>;
    profileErrors?: FieldErrors;
  },
) {
  const roleLabel = { admin: "administrator", office: "biuro" } as const;
  return (
    <>
      <h1>Ustawienia</h1>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      {p.created && (
        <section class="notice warn" aria-labelledby="nowy-pracownik">
          <h2 id="nowy-pracownik">Konto {p.created.login} utworzone</h2>
          <p>
            Klucz do aplikacji uwierzytelniającej (pokazujemy go tylko teraz):{" "}
            <code class="nrb-value">{p.created.secret}</code>
          </p>
          <figure class="transfer-qr-box">
            {raw(qrSvg(p.created.qr, {
              label: `Kod QR do aplikacji uwierzytelniającej dla ${p.created.login}`,
            }))}
            <figcaption>Zeskanuj w aplikacji uwierzytelniającej.</figcaption>
          </figure>
        </section>
      )}
      <h2>Pracownicy</h2>
      <TableWrap label="Pracownicy">
        <table>
          <caption class="visually-hidden">Konta pracowników biura</caption>
          <thead>
            <tr>
              <th scope="col">Login</th>
              <th scope="col">Imię i nazwisko</th>
              <th scope="col">Rola</th>
              <th scope="col">Utworzone</th>
              <th scope="col">Stan</th>
            </tr>
          </thead>
          <tbody>
            {p.staff.map((s) => (
              <tr>
                <td>{s.login}</td>
                <td>{s.name}</td>
                <td>{roleLabel[s.role]}</td>
                <td>{formatDateTime(new Date(s.createdAt))}</td>
                <td>
                  {s.active
                    ? <span class="badge ok">aktywne</span>
                    : <span class="badge bad">wyłączone</span>}
                  {s.id !== p.currentStaffId && (
                    <form
                      method="post"
                      action={`/admin/ustawienia/pracownicy/${s.id}/${
                        s.active ? "wylacz" : "wlacz"
                      }`}
                    >
                      <button type="submit" class="secondary small">
                        {s.active ? "Wyłącz" : "Włącz"}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <h3>Nowy pracownik</h3>
      <form method="post" action="/admin/ustawienia/pracownicy">
        <ErrorSummary
          errors={p.staffErrors ?? {}}
          labels={{ login: "Login", name: "Imię i nazwisko", password: "Hasło", role: "Rola" }}
        />
        <Field
          name="login"
          label="Login"
          value={p.staffValues?.login}
          error={p.staffErrors?.login}
          maxlength={32}
          hint="3–32 znaki: małe litery, cyfry, kropka, podkreślnik, łącznik."
        />
        <Field
          name="name"
          label="Imię i nazwisko"
          value={p.staffValues?.name}
          error={p.staffErrors?.name}
          maxlength={80}
        />
        <Field
          name="password"
          label="Hasło początkowe"
          type="password"
          autocomplete="new-password"
          error={p.staffErrors?.password}
          maxlength={128}
          hint="Co najmniej 12 znaków. Przekaż je osobiście."
        />
        <div class="field">
          <label for="role">Rola</label>
          <select id="role" name="role">
            <option value="office" selected={p.staffValues?.role !== "admin"}>biuro</option>
            <option value="admin" selected={p.staffValues?.role === "admin"}>administrator</option>
          </select>
        </div>
        <button type="submit">Utwórz konto pracownika</button>
      </form>
      <h2>Integracja z systemem księgowym</h2>
      <p>
        <a href="/admin/ustawienia/api">Tokeny API</a>{" "}
        — dostęp dla programu, który sam przesyła dane (opis: docs/api.md).
      </p>
      <h2>Spółdzielnia</h2>
      <form method="post" action="/admin/ustawienia/spoldzielnia">
        <ErrorSummary
          errors={p.profileErrors ?? {}}
          labels={{ name: "Nazwa", shortName: "Nazwa skrócona", nip: "NIP" }}
        />
        <Field
          name="name"
          label="Nazwa"
          value={p.profile.name}
          error={p.profileErrors?.name}
          maxlength={120}
        />
        <Field
          name="shortName"
          label="Nazwa skrócona (odbiorca w kodzie QR, do 20 znaków)"
          value={p.profile.shortName}
          error={p.profileErrors?.shortName}
          maxlength={20}
        />
        <Field
          name="address"
          label="Adres"
          value={p.profile.address}
          required={false}
          maxlength={200}
        />
        <Field
          name="email"
          label="E-mail biura"
          type="email"
          value={p.profile.email}
          required={false}
          maxlength={254}
        />
        <Field
          name="phone"
          label="Telefon biura"
          value={p.profile.phone}
          required={false}
          maxlength={40}
        />
        <Field
          name="nip"
          label="NIP"
          value={p.profile.nip}
          error={p.profileErrors?.nip}
          required={false}
          maxlength={13}
        />
        <Field
          name="officeHours"
          label="Godziny pracy biura"
          value={p.profile.officeHours}
          required={false}
          maxlength={200}
        />
        <button type="submit">Zapisz dane spółdzielni</button>
      </form>
      <h2>Okres podawania odczytów wodomierzy</h2>
      <form method="post" action="/admin/ustawienia/odczyty" class="filter-row">
        <Field
          name="fromDay"
          label="Od dnia miesiąca"
          value={String(p.window.fromDay)}
          inputmode="numeric"
          maxlength={2}
        />
        <Field
          name="toDay"
          label="Do dnia (następnego miesiąca, jeśli mniejszy)"
          value={String(p.window.toDay)}
          inputmode="numeric"
          maxlength={2}
        />
        <div class="actions">
          <button type="submit">Zapisz</button>
        </div>
      </form>
      <h2>Porównanie zużycia wody</h2>
      <form method="post" action="/admin/ustawienia/woda-srednia">
        <div class="checkbox">
          <input
            type="checkbox"
            id="enabled"
            name="enabled"
            value="1"
            checked={p.buildingAverage}
          />
          <label for="enabled">
            Pokazuj mieszkańcom średnie zużycie wody na osobę w ich budynku
          </label>
        </div>
        <button type="submit">Zapisz</button>
      </form>
      <h2>Informacja o przetwarzaniu danych (RODO)</h2>
      <form method="post" action="/admin/ustawienia/rodo">
        <div class="field">
          <label for="rodo">
            Treść pokazywana w formularzu rejestracji (akapity oddziel pustą linią)
          </label>
          <textarea id="rodo" name="text" rows={14} maxlength={20000}>{p.rodoText}</textarea>
        </div>
        <button type="submit">Zapisz treść</button>
      </form>
    </>
  );
}
