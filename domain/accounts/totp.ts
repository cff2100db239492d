/** Staff second factor: RFC 6238 TOTP (30 s, 6 digits), as every authenticator app reads it. */
import { createTOTPKeyURI, generateTOTP, verifyHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";

export const TOTP_INTERVAL_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** A new secret, base32 as authenticator apps expect it typed in. */
export function newTotpSecret(): string {
  const key = new Uint8Array(20);
  crypto.getRandomValues(key);
  return encodeBase32UpperCaseNoPadding(key);
}

/**
 * The time step (30-s counter) whose code `code` is, among the current one and its neighbours
 * (a phone's clock drift); null when none. The caller accepts a step only once, and only one
 * later than the last accepted (see `signInStaff`).
 */
export function verifyTotpStep(secretBase32: string, code: string, atMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const key = decodeBase32IgnorePadding(secretBase32);
  const now = Math.floor(atMs / (TOTP_INTERVAL_SECONDS * 1000));
  for (const step of [now, now - 1, now + 1]) {
    if (verifyHOTP(key, BigInt(step), TOTP_DIGITS, code)) return step;
  }
  return null;
}

/** Accepts the current code and the neighbouring one (clock drift of a phone). */
export function verifyTotp(secretBase32: string, code: string): boolean {
  return verifyTotpStep(secretBase32, code, Date.now()) !== null;
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
