/** Staff second factor: RFC 6238 TOTP (30 s, 6 digits), as every authenticator app reads it. */
import { createTOTPKeyURI, generateTOTP, verifyTOTPWithGracePeriod } from "@oslojs/otp";
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";

export const TOTP_INTERVAL_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** A new secret, base32 as authenticator apps expect it typed in. */
export function newTotpSecret(): string {
  const key = new Uint8Array(20);
  crypto.getRandomValues(key);
  return encodeBase32UpperCaseNoPadding(key);
}

/** Accepts the current code and the neighbouring one (clock drift of a phone). */
export function verifyTotp(secretBase32: string, code: string): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return verifyTOTPWithGracePeriod(
    decodeBase32IgnorePadding(secretBase32),
    TOTP_INTERVAL_SECONDS,
    TOTP_DIGITS,
    code,
    TOTP_INTERVAL_SECONDS,
  );
}

/** The code an authenticator app shows now; used by tests and the demo. */
export function currentTotp(secretBase32: string): string {
  return generateTOTP(decodeBase32IgnorePadding(secretBase32), TOTP_INTERVAL_SECONDS, TOTP_DIGITS);
}

export function totpUri(issuer: string, login: string, secretBase32: string): string {
  return createTOTPKeyURI(
    issuer,
    login,
    decodeBase32IgnorePadding(secretBase32),
    TOTP_INTERVAL_SECONDS,
    TOTP_DIGITS,
  );
}
