export function HelpPage() {
  return (
    <>
      <h1>Instrukcja obsługi eBOK</h1>
      <p class="lead">
        Jak uzyskać dostęp, jak zalogować się pierwszy raz i co pokazuje każda pozycja menu.
      </p>
      <h2 id="dostep">Uzyskanie dostępu</h2>
      <p>
        Aby otrzymać Identyfikator i hasło, wypełnij formularz rejestracyjny: imię i nazwisko, adres
        e-mail, numer telefonu komórkowego oraz adres lokalu. Formularz można wysłać po wpisaniu
        wszystkich niezbędnych danych i potwierdzeniu zapoznania się z informacją o przetwarzaniu
        danych osobowych. Na podany adres e-mail przyjdzie potwierdzenie.
      </p>
      <p>
        Po weryfikacji przez biuro spółdzielni otrzymasz e-mail z Identyfikatorem, a SMS z hasłem
        startowym. Ten etap może potrwać kilka dni. Hasło startowe jest jednorazowe i ważne przez
        ograniczony czas.
      </p>
      <h2 id="pierwsze-logowanie">Pierwsze logowanie i hasło</h2>
      <p>
        Zaloguj się Identyfikatorem i hasłem startowym. System poprosi o ustawienie nowego hasła,
        którego będziesz odtąd używać. Hasło musi mieć:
      </p>
      <ul>
        <li>co najmniej 7 znaków,</li>
        <li>co najmniej jedną literę,</li>
        <li>co najmniej jedną wielką literę.</li>
      </ul>
      <p>
        To minimum. Dłuższe hasło, np. kilka słów, jest bezpieczniejsze i łatwiejsze do
        zapamiętania.
      </p>
      <h2 id="menu">Menu</h2>
      <p>
        Główne menu eBOK znajduje się po lewej stronie (na telefonie — nad treścią strony). Ma
        najwyżej osiem pozycji.
      </p>
      <dl>
        <dt>
          <strong>Pulpit</strong>
        </dt>
        <dd>Saldo w jednym zdaniu, kwota do zapłaty, ostatnia wpłata i dane do przelewu.</dd>
        <dt>
          <strong>Instrukcja obsługi</strong>
        </dt>
        <dd>Ta strona.</dd>
      </dl>
      <h2 id="pomoc">Gdy coś nie działa</h2>
      <p>
        Jeśli SMS z hasłem nie dotarł albo konto zostało zablokowane po kilku błędnych próbach,
        skontaktuj się z biurem spółdzielni.
      </p>
    </>
  );
}
