const explanations: Record<number, { title: string; text: string }> = {
  400: {
    title: "Nieprawidłowe żądanie",
    text: "Przeglądarka wysłała dane, których nie rozumiemy.",
  },
  403: {
    title: "Brak dostępu",
    text:
      "Nie masz uprawnień do tej strony albo formularz został wysłany z innej witryny. Wróć na stronę i spróbuj ponownie.",
  },
  404: {
    title: "Nie znaleziono strony",
    text: "Strona o tym adresie nie istnieje. Sprawdź adres albo przejdź na stronę główną.",
  },
  405: { title: "Niedozwolona operacja", text: "Tej strony nie można użyć w ten sposób." },
  413: {
    title: "Przesłane dane są za duże",
    text: "Formularz lub plik przekracza dopuszczalny rozmiar. Zmniejsz go i spróbuj ponownie.",
  },
  415: {
    title: "Nieobsługiwany format danych",
    text: "Ta strona przyjmuje tylko dane wysłane formularzem. Wróć na stronę i spróbuj ponownie.",
  },
  422: {
    title: "Nie można przetworzyć danych",
    text: "Przesłane dane są niepoprawne. Wróć do formularza i popraw zaznaczone pola.",
  },
  429: {
    title: "Zbyt wiele prób",
    text: "Wykonano zbyt wiele prób w krótkim czasie. Odczekaj chwilę i spróbuj ponownie.",
  },
  500: {
    title: "Błąd serwera",
    text:
      "Coś poszło nie tak po naszej stronie. Spróbuj ponownie za chwilę. Jeśli błąd się powtarza, skontaktuj się z biurem spółdzielni i podaj numer zgłoszenia.",
  },
  503: {
    title: "Usługa chwilowo niedostępna",
    text:
      "Usługa chwilowo niedostępna, nic nie zostało zapisane. Spróbuj ponownie za kilka minut. Jeśli to się powtarza, zadzwoń do biura spółdzielni.",
  },
};

export function errorTitle(status: number): string {
  return (explanations[status] ?? explanations[500]).title;
}

export function ErrorPage(props: { status: number; requestId?: string }) {
  const e = explanations[props.status] ?? explanations[500];
  return (
    <>
      <h1>{e.title}</h1>
      <p>{e.text}</p>
      {props.status >= 500 && props.requestId && (
        <p class="muted">
          Numer zgłoszenia: <code>{props.requestId}</code>
        </p>
      )}
      <p>
        <a href="/">Przejdź na stronę główną</a>
      </p>
    </>
  );
}
