import { monotonicFactory } from "ulid";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";

const nextUlid = monotonicFactory();

/** ULIDs sort by creation time, so KV lists come back oldest first. */
export function newId(at: Date = new Date()): string {
  return nextUlid(at.getTime());
}

/** A secret token with `bytes` bytes of entropy, base32 (lower case, no padding). */
export function randomToken(bytes = 20): string {
  const raw = new Uint8Array(bytes);
  crypto.getRandomValues(raw);
  return encodeBase32LowerCaseNoPadding(raw);
}

/** Uniform random integer in [0, max) without modulo bias. */
export function randomInt(max: number): number {
  const limit = Math.floor(0x1_0000_0000 / max) * max;
  const buf = new Uint32Array(1);
  while (true) {
    crypto.getRandomValues(buf);
    if (buf[0] < limit) return buf[0] % max;
  }
}
