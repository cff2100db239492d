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
      <h1>Pomoc — jak korzystać z eBOK</h1>
      <p class="lead">
        Jak uzyskać dostęp, jak zalogować się pierwszy raz i co pokazuje każda pozycja menu.
      </p>
      <AccessHelp />
      <MenuHelp />
      <WordsHelp />
      <TroubleHelp />
    </>
  );
}

/** Getting access, the first sign-in and the password rules. */
function AccessHelp() {
  return (
    <>
      <h2 id="dostep">Uzyskanie dostępu</h2>
      <p>
        Aby otrzymać Identyfikator i hasło, wypełnij formularz rejestracyjny: imię i nazwisko, adres
        e-mail, numer telefonu komórkowego oraz adres lokalu. Formularz można wysłać po wpisaniu
        wszystkich niezbędnych danych i potwierdzeniu zapoznania się z informacją o przetwarzaniu
        danych osobowych. Na podany adres e-mail przyjdzie potwierdzenie.
      </p>
      <p>
        Po weryfikacji przez biuro spółdzielni otrzymasz e-mail z Identyfikatorem, a SMS z hasłem
        startowym. Ten etap może potrwać kilka dni. Hasło startowe jest ważne przez ograniczony
        czas.
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
    </>
  );
}

/** What each menu item shows. */
function MenuHelp() {
  return (
    <>
      <h2 id="menu">Menu</h2>
      <p>
        Menu eBOK jest po lewej stronie. Na telefonie menu otwiera przycisk „Menu” u góry strony.
      </p>
      <dl class="manual-menu">
        <dt>Strona główna</dt>
        <dd>
          Na samej górze: ile masz do zapłaty i do kiedy (albo „Rozliczone” lub „Nadpłata — nic nie
          musisz płacić”). Niżej komunikaty spółdzielni i karta każdego lokalu: saldo, opłata za
          bieżący miesiąc, ostatnia wpłata oraz dane do przelewu — indywidualny numer konta lokalu
          (przycisk „Kopiuj numer”) i kod QR, który zeskanujesz w aplikacji banku. Jeśli masz kilka
          lokali (np. mieszkanie i garaż), zobaczysz też sumę za wszystkie.
          <ManualShot image={manualImages.pulpitLokal} caption="Karta lokalu na stronie głównej." />
        </dd>
        <dt>Moje saldo</dt>
        <dd>
          Trzy zakładki:
          <ul>
            <li>
              <strong>Saldo</strong>{" "}
              — jak powstała kwota do zapłaty: saldo na początek okresu plus opłaty (i odsetki,
              jeśli były) plus lub minus korekty, minus wpłaty. Pod spodem wszystkie operacje na
              koncie lokalu, od najnowszej, z saldem po każdej z nich. Rozwiń miesiąc, aby zobaczyć
              składniki opłaty. Możesz wybrać rok, miesiąc, rodzaj operacji i składnik opłaty,
              pobrać zestawienie w pliku CSV (otworzysz je w Excelu lub LibreOffice) i je
              wydrukować. Wykres pokazuje opłaty i saldo w kolejnych miesiącach; pod nim są te same
              dane w tabeli.
            </li>
            <li>
              <strong>Opłaty</strong>{" "}
              — skąd się bierze opłata: każdy miesiąc rozbity na składniki (eksploatacja, fundusz
              remontowy, zaliczki na ciepło i wodę, wywóz odpadów…) z tym, jak je obliczono, np.
              „54,30&nbsp;m² × 2,73&nbsp;zł/m²” albo „3&nbsp;os. × 34,10&nbsp;zł/os.”.
            </li>
            <li>
              <strong>Wpłaty</strong> — lista wpłat z sumą w każdym roku oraz dane do przelewu.
            </li>
          </ul>
          <ManualShot image={manualImages.saldoMiesiac} caption="Rozwinięte opłaty za miesiąc." />
        </dd>
        <dt>Woda</dt>
        <dd>
          Wodomierze z ostatnim odczytem i datą ważności legalizacji (ostrzeżenie, gdy się kończy),
          zużycie zimnej i ciepłej wody w kolejnych miesiącach w porównaniu z rokiem wcześniejszym
          oraz rozliczenia wody: zaliczki, koszt rzeczywisty, wynik (dopłata lub nadpłata) i
          wyjaśnienie, jak go obliczono. W okresie odczytów (zwykle od 20. dnia miesiąca do 5. dnia
          następnego) możesz sam podać stan wodomierzy; biuro go sprawdzi, a potwierdzenie przyjdzie
          e-mailem.
          <ManualShot image={manualImages.wodaWykres} caption="Wykres zużycia wody." />
        </dd>
        <dt>Moje konto</dt>
        <dd>
          Identyfikator, dane kontaktowe, przypisane lokale, zmiana hasła i wylogowanie na innych
          urządzeniach.
        </dd>
        <dt>Pomoc</dt>
        <dd>Ta strona.</dd>
      </dl>
      <p>
        Każda strona eBOK pokazuje, według jakiego stanu są dane z systemu księgowego spółdzielni.
        Wpłata zaksięgowana w banku pojawia się w eBOK po kolejnym wczytaniu danych.
      </p>
    </>
  );
}

/** The money words of eBOK in plain language. */
function WordsHelp() {
  return (
    <>
      <h2 id="slowa">Co znaczą słowa w eBOK</h2>
      <dl class="manual-menu">
        <dt>Saldo</dt>
        <dd>
          Różnica między tym, co naliczono, a tym, co wpłacono. Dodatnie saldo to kwota do zapłaty,
          ujemne (ze znakiem „−”) — nadpłata, którą spółdzielnia zaliczy na kolejne opłaty.
        </dd>
        <dt>Saldo na początek okresu</dt>
        <dd>
          Kwota przeniesiona z poprzedniego systemu spółdzielni (w księgowości: „bilans otwarcia”).
        </dd>
        <dt>Opłata</dt>
        <dd>Kwota naliczona za miesiąc (w księgowości: „naliczenie”, „obciążenie”).</dd>
        <dt>Wpłata lub zwrot</dt>
        <dd>Pieniądze, które zmniejszają kwotę do zapłaty (w księgowości: „uznanie”).</dd>
        <dt>Zaległość</dt>
        <dd>
          Opłaty, których termin zapłaty już minął. eBOK podaje, za które miesiące są; zapłać je jak
          najszybciej, bo za zwłokę nalicza się odsetki.
        </dd>
      </dl>
    </>
  );
}

/** What to do when the start password or the sign-in fails. */
function TroubleHelp() {
  return (
    <>
      <h2 id="pomoc">Gdy coś nie działa</h2>
      <p>
        Jeśli SMS z hasłem startowym nie dotarł albo hasło startowe wygasło, na stronie logowania
        wybierz <a href="/nie-pamietam-hasla">„Nie pamiętam hasła”</a>{" "}
        i podaj Identyfikator — wyślemy nowe hasło startowe SMS-em. Tak samo, gdy nie pamiętasz
        własnego hasła.
      </p>
      <p>
        Jeśli i ten SMS nie dotrze (np. zmienił się numer telefonu), nie pamiętasz Identyfikatora
        albo konto zostało zablokowane po kilku błędnych próbach, skontaktuj się z biurem
        spółdzielni — telefon i godziny pracy są na dole każdej strony.
      </p>
    </>
  );
}
