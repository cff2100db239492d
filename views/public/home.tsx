export function HomePage() {
  return (
    <>
      <h1>eBOK — elektroniczne Biuro Obsługi Klienta</h1>
      <p class="lead">
        W eBOK sprawdzisz saldo rozliczeń ze spółdzielnią: opłaty za mieszkanie, wpłaty, odczyty
        wodomierzy i rozliczenia wody — o każdej porze, bez wizyty w biurze.
      </p>
      <div class="cta">
        <a class="button" href="/logowanie">Zaloguj się</a>
        <a class="button secondary" href="/rejestracja">Zarejestruj się — uzyskaj dostęp</a>
      </div>
      <h2>Jak uzyskać dostęp</h2>
      <ol class="steps">
        <li>
          Wypełnij elektroniczny formularz rejestracyjny. Wysłanie go jest możliwe po wpisaniu
          wszystkich niezbędnych danych i potwierdzeniu zapoznania się z informacją o przetwarzaniu
          danych osobowych.
        </li>
        <li>Na podany adres e-mail otrzymasz potwierdzenie wypełnienia formularza.</li>
        <li>
          Biuro spółdzielni sprawdzi Twoje dane i nada uprawnienia. Ten etap może potrwać kilka dni.
        </li>
        <li>
          E-mailem otrzymasz <strong>Identyfikator</strong>, a SMS-em na podany numer telefonu{" "}
          <strong>hasło startowe</strong>.
        </li>
        <li>
          Przy pierwszym logowaniu ustawisz własne hasło: co najmniej 7 znaków, w tym co najmniej
          jedna litera, a wśród liter co najmniej jedna wielka.
        </li>
      </ol>
      <h2>Co znajdziesz w eBOK</h2>
      <div class="cards">
        <section class="card">
          <h3>Saldo i opłaty</h3>
          <p>
            Ile masz do zapłaty i do kiedy, opłaty miesiąc po miesiącu z podziałem na składniki i
            wpłaty.
          </p>
        </section>
        <section class="card">
          <h3>Woda</h3>
          <p>Wodomierze, odczyty, zużycie w kolejnych okresach i rozliczenia zaliczek.</p>
        </section>
        <section class="card">
          <h3>Przelew</h3>
          <p>Indywidualny numer konta lokalu i kod QR do zapłaty w aplikacji bankowej.</p>
        </section>
      </div>
      <p>
        Szczegóły znajdziesz w <a href="/pomoc">pomocy</a>.
      </p>
    </>
  );
}
