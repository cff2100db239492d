/**
 * The /pomoc manual's pictures: PNGs of the real application, taken by
 * tests/browser/manual_screenshots.ts (`deno task screenshots`) into static/manual/, bundled into
 * the program by bytes imports (no file reads at run time) and served, like the other assets, at
 * content-hashed URLs that can be cached forever.
 */
import rejestracja from "../../static/manual/rejestracja.png" with { type: "bytes" };
import logowanie from "../../static/manual/logowanie.png" with { type: "bytes" };
import pulpitLokal from "../../static/manual/pulpit-lokal.png" with { type: "bytes" };
import saldoMiesiac from "../../static/manual/saldo-miesiac.png" with { type: "bytes" };
import wodaWykres from "../../static/manual/woda-wykres.png" with { type: "bytes" };
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";

export type ManualImage = {
  /** The file name without `.png`, e.g. `logowanie`. */
  name: string;
  /** `/static/manual/<name>.<hash>.png`. */
  path: string;
  body: Uint8Array<ArrayBuffer>;
  /** `"<hash>"`, the same 12 hex digits as in the path. */
  etag: string;
  contentType: "image/png";
  /** Its size in pixels, read from the PNG header (for `width`/`height`, so nothing jumps). */
  width: number;
  height: number;
  /** A Polish text alternative. */
  alt: string;
};

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(body: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (body.length < 24 || signature.some((b, i) => body[i] !== b)) {
    throw new Error("manual_images: not a PNG");
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function image(name: string, body: Uint8Array<ArrayBuffer>, alt: string): ManualImage {
  const hash = encodeHexLowerCase(sha256(body)).slice(0, 12);
  return {
    name,
    path: `/static/manual/${name}.${hash}.png`,
    body,
    etag: `"${hash}"`,
    contentType: "image/png",
    ...pngSize(body),
    alt,
  };
}

export const manualImages = {
  rejestracja: image(
    "rejestracja",
    rejestracja,
    "Formularz rejestracyjny eBOK: nagłówek „Rejestracja w eBOK”, część „Dane osobowe” z polami " +
      "Imię, Nazwisko, Adres e-mail i Telefon komórkowy.",
  ),
  logowanie: image(
    "logowanie",
    logowanie,
    "Strona „Logowanie do eBOK” z polami Identyfikator i Hasło oraz przyciskiem „Zaloguj się”.",
  ),
  pulpitLokal: image(
    "pulpit-lokal",
    pulpitLokal,
    "Karta lokalu na stronie głównej: adres lokalu, saldo jednym słowem („Rozliczone”), opłata za " +
      "ostatni miesiąc, ostatnia wpłata, numer konta do wpłat z przyciskiem „Kopiuj numer” " +
      "i kod QR do zeskanowania w aplikacji banku.",
  ),
  saldoMiesiac: image(
    "saldo-miesiac",
    saldoMiesiac,
    "Tabela operacji w zakładce „Saldo” z rozwiniętymi opłatami za miesiąc: każdy składnik " +
      "(np. wywóz odpadów „3 os. × 34,10 zł/os.”) z kwotą, a obok opłata i saldo po operacji.",
  ),
  wodaWykres: image(
    "woda-wykres",
    wodaWykres,
    "Wykres słupkowy „Zużycie w kolejnych miesiącach”: zużycie zimnej i ciepłej wody w m³ " +
      "w każdym miesiącu.",
  ),
} as const;

/** The same pictures as a list, for routes/assets.ts. */
export const manualImageList: ManualImage[] = Object.values(manualImages);
