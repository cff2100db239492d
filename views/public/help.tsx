import { type ManualImage, manualImages } from "./manual_images.ts";

function ManualShot(props: { image: ManualImage; caption: string }) {
  const { image } = props;
  return (
    <figure class="manual-shot">
      <img
        src={image.path}
        alt={image.alt}
        width={image.width}
        height={image.height}
        loading="lazy"
        decoding="async"
      />
      <figcaption>{props.caption}</figcaption>
    </figure>
  );
}

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
      <ManualShot image={manualImages.rejestracja} caption="Formularz rejestracyjny." />
      <h2 id="pierwsze-logowanie">Pierwsze logowanie i hasło</h2>
      <p>
        Zaloguj się Identyfikatorem i hasłem startowym. System poprosi o ustawienie nowego hasła,
        którego będziesz odtąd używać. Hasło musi mieć:
      </p>
      <ManualShot image={manualImages.logowanie} caption="Logowanie Identyfikatorem i hasłem." />
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
      <dl class="manual-menu">
        <dt>Pulpit</dt>
        <dd>
          Saldo każdego lokalu w jednym zdaniu („Do zapłaty”, „Nadpłata” albo „Rozliczone”), kwota
          do zapłaty i termin, ostatnia wpłata oraz dane do przelewu: indywidualny numer konta
          lokalu (przycisk „Kopiuj numer”) i kod QR, który zeskanujesz w aplikacji banku. Jeśli masz
          kilka lokali (np. mieszkanie i garaż), zobaczysz też saldo razem.
          <ManualShot image={manualImages.pulpitLokal} caption="Karta lokalu na pulpicie." />
        </dd>
        <dt>Saldo rozliczeń</dt>
        <dd>
          Wszystkie operacje na koncie lokalu, od najnowszej, z saldem po każdej z nich: naliczenia
          opłat (rozwiń miesiąc, aby zobaczyć składniki), wpłaty, odsetki i korekty. Możesz
          filtrować według roku, miesiąca, rodzaju operacji i składnika opłaty, pobrać zestawienie w
          pliku CSV (otworzysz je w Excelu lub LibreOffice) i je wydrukować. Wykres pokazuje opłaty
          i saldo w kolejnych miesiącach; pod nim są te same dane w tabeli.
          <ManualShot image={manualImages.saldoMiesiac} caption="Rozwinięte opłaty za miesiąc." />
        </dd>
        <dt>Naliczenia</dt>
        <dd>
          Skąd się bierze opłata: każdy miesiąc rozbity na składniki (eksploatacja, fundusz
          remontowy, zaliczki na ciepło i wodę, wywóz odpadów…) z tym, jak je obliczono, np. „54,30
          m² × 2,73 zł/m²” albo „3 os. × 34,10 zł/os.”.
        </dd>
        <dt>Wpłaty</dt>
        <dd>Lista wpłat z sumą w każdym roku oraz dane do przelewu.</dd>
        <dt>Woda</dt>
        <dd>
          Wodomierze z ostatnim odczytem i datą ważności legalizacji (ostrzeżenie, gdy się kończy),
          zużycie zimnej i ciepłej wody w kolejnych miesiącach w porównaniu z rokiem wcześniejszym
          oraz rozliczenia wody: zaliczki, koszt rzeczywisty, wynik (dopłata lub nadpłata) i
          wyjaśnienie, jak go obliczono. W okresie odczytów (domyślnie od 20. dnia miesiąca do 5.
          dnia następnego) możesz sam podać stan wodomierzy; biuro go sprawdzi, a potwierdzenie
          przyjdzie e-mailem.
          <ManualShot image={manualImages.wodaWykres} caption="Wykres zużycia wody." />
        </dd>
        <dt>Moje konto</dt>
        <dd>
          Identyfikator, dane kontaktowe, przypisane lokale, zmiana hasła i wylogowanie na innych
          urządzeniach.
        </dd>
        <dt>Instrukcja obsługi</dt>
        <dd>Ta strona.</dd>
      </dl>
      <p>
        Każda strona eBOK pokazuje, według jakiego stanu są dane z systemu księgowego spółdzielni.
        Wpłata zaksięgowana w banku pojawia się w eBOK po kolejnym wczytaniu danych.
      </p>
      <h2 id="pomoc">Gdy coś nie działa</h2>
      <p>
        Jeśli SMS z hasłem nie dotarł albo konto zostało zablokowane po kilku błędnych próbach,
        skontaktuj się z biurem spółdzielni.
      </p>
    </>
  );
}
