import { raw } from "hono/html";
import { TableWrap } from "../table_wrap.tsx";
import { qrSvg } from "../qr.ts";
import type { CooperativeProfile } from "../../domain/backoffice/cooperative.ts";
import type { ReadingWindow } from "../../domain/water/reading_submissions.ts";
import type { Staff } from "../../domain/accounts/staff.ts";
import { formatDateTime } from "../format.ts";
import { ErrorSummary, Field, type FieldErrors, SelectField, TextAreaField } from "../form.tsx";

export type NewStaffShown = { login: string; secret: string; qr: boolean[][] };

type SettingsProps = {
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
  /** Days closed matters are kept (the value typed, after an error). */
  matterRetention: string;
  matterRetentionError?: string;
};

const roleLabel = { admin: "administrator", office: "biuro" } as const;

/** Administrators' settings: staff accounts, the cooperative, readings, water, RODO text. */
export function SettingsPage(p: SettingsProps) {
  return (
    <>
      <h1>Ustawienia</h1>
      {p.notice && <p class="notice ok" role="status">{p.notice}</p>}
      {p.created && <NewStaffNotice created={p.created} />}
      <h2>Pracownicy</h2>
      <StaffTable staff={p.staff} currentStaffId={p.currentStaffId} />
      <NewStaffForm values={p.staffValues} errors={p.staffErrors} />
      <h2>Integracja z systemem księgowym</h2>
      <p>
        <a href="/admin/ustawienia/api">Tokeny API</a>{" "}
        — dostęp dla programu, który sam przesyła dane (opis: docs/api.md).
      </p>
      <ProfileForm profile={p.profile} errors={p.profileErrors} />
      <ReadingWindowForm window={p.window} />
      <WaterAverageForm enabled={p.buildingAverage} />
      <RodoForm text={p.rodoText} />
      <MatterRetentionForm days={p.matterRetention} error={p.matterRetentionError} />
    </>
  );
}

function NewStaffNotice({ created }: { created: NewStaffShown }) {
  return (
    <section class="notice warn" aria-labelledby="nowy-pracownik">
      <h2 id="nowy-pracownik">Konto {created.login} utworzone</h2>
      <p>
        Klucz do aplikacji uwierzytelniającej (pokazujemy go tylko teraz):{" "}
        <code class="nrb-value">{created.secret}</code>
      </p>
      <figure class="transfer-qr-box">
        {raw(qrSvg(created.qr, {
          label: `Kod QR do aplikacji uwierzytelniającej dla ${created.login}`,
        }))}
        <figcaption>Zeskanuj w aplikacji uwierzytelniającej.</figcaption>
      </figure>
    </section>
  );
}

function StaffTable(p: { staff: Staff[]; currentStaffId: string }) {
  return (
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
                    action={`/admin/ustawienia/pracownicy/${s.id}/${s.active ? "wylacz" : "wlacz"}`}
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
  );
}

function NewStaffForm(p: { values?: Record<string, string>; errors?: FieldErrors }) {
  return (
    <>
      <h3>Nowy pracownik</h3>
      <form method="post" action="/admin/ustawienia/pracownicy">
        <ErrorSummary
          errors={p.errors ?? {}}
          labels={{ login: "Login", name: "Imię i nazwisko", password: "Hasło", role: "Rola" }}
        />
        <Field
          name="login"
          label="Login"
          value={p.values?.login}
          error={p.errors?.login}
          maxlength={32}
          hint="3–32 znaki: małe litery, cyfry, kropka, podkreślnik, łącznik."
        />
        <Field
          name="name"
          label="Imię i nazwisko"
          value={p.values?.name}
          error={p.errors?.name}
          maxlength={80}
        />
        <Field
          name="password"
          label="Hasło początkowe"
          type="password"
          autocomplete="new-password"
          error={p.errors?.password}
          maxlength={128}
          hint="Co najmniej 12 znaków. Przekaż je osobiście."
        />
        <SelectField
          name="role"
          label="Rola"
          value={p.values?.role === "admin" ? "admin" : "office"}
          options={[
            { value: "office", label: roleLabel.office },
            { value: "admin", label: roleLabel.admin },
          ]}
        />
        <button type="submit">Utwórz konto pracownika</button>
      </form>
    </>
  );
}

function ProfileForm(p: { profile: CooperativeProfile; errors?: FieldErrors }) {
  const field = (
    name: keyof CooperativeProfile,
    label: string,
    maxlength: number,
    extra: { required?: boolean; type?: "email" | "tel"; hint?: string } = {},
  ) => (
    <Field
      name={name}
      label={label}
      value={p.profile[name]}
      error={p.errors?.[name]}
      maxlength={maxlength}
      {...extra}
    />
  );
  return (
    <>
      <h2>Spółdzielnia</h2>
      <form method="post" action="/admin/ustawienia/spoldzielnia">
        <ErrorSummary
          errors={p.errors ?? {}}
          labels={{
            name: "Nazwa",
            shortName: "Nazwa skrócona",
            nip: "NIP",
            emergencyPhone: "Telefon w razie awarii",
          }}
        />
        {field("name", "Nazwa", 120)}
        {field("shortName", "Nazwa skrócona (odbiorca w kodzie QR, do 20 znaków)", 20)}
        {field("address", "Adres", 200, { required: false })}
        {field("email", "E-mail biura", 254, { required: false, type: "email" })}
        {field("phone", "Telefon biura", 40, { required: false })}
        {field("nip", "NIP", 13, { required: false })}
        {field("officeHours", "Godziny pracy biura", 200, { required: false })}
        {field("emergencyPhone", "Telefon w razie awarii (widzą go mieszkańcy)", 40, {
          required: false,
          type: "tel",
          hint: "Pokazywany dużą czcionką przed formularzem zgłoszenia awarii i na dole stron.",
        })}
        <button type="submit">Zapisz dane spółdzielni</button>
      </form>
    </>
  );
}

function ReadingWindowForm(p: { window: ReadingWindow }) {
  return (
    <>
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
    </>
  );
}

function WaterAverageForm(p: { enabled: boolean }) {
  return (
    <>
      <h2>Porównanie zużycia wody</h2>
      <form method="post" action="/admin/ustawienia/woda-srednia">
        <div class="checkbox">
          <input type="checkbox" id="enabled" name="enabled" value="1" checked={p.enabled} />
          <label for="enabled">
            Pokazuj mieszkańcom średnie zużycie wody na osobę w ich budynku
          </label>
        </div>
        <button type="submit">Zapisz</button>
      </form>
    </>
  );
}

function RodoForm(p: { text: string }) {
  return (
    <>
      <h2>Informacja o przetwarzaniu danych (RODO)</h2>
      <form method="post" action="/admin/ustawienia/rodo">
        <TextAreaField
          name="text"
          label="Treść pokazywana w formularzu rejestracji (akapity oddziel pustą linią)"
          value={p.text}
          rows={14}
          maxlength={20000}
          required={false}
        />
        <button type="submit">Zapisz treść</button>
      </form>
    </>
  );
}

function MatterRetentionForm(p: { days: string; error?: string }) {
  return (
    <>
      <h2>Przechowywanie zamkniętych zgłoszeń (RODO)</h2>
      <form method="post" action="/admin/ustawienia/zgloszenia">
        <Field
          name="matterRetentionDays"
          label="Po ilu dniach od zamknięcia usuwać zgłoszenie"
          value={p.days}
          error={p.error}
          inputmode="numeric"
          maxlength={5}
          hint="Raz na dobę usuwane są zakończone i odrzucone zgłoszenia starsze niż ten okres, z wiadomościami, notatkami i załącznikami. Od 30 do 3650 dni; 730 to dwa lata."
        />
        <button type="submit">Zapisz okres przechowywania</button>
      </form>
    </>
  );
}
