/** OWASP's Argon2id baseline: 19 MiB, 2 iterations, 1 lane. */
export const ARGON2_PARAMS = {
  memorySize: 19_456,
  iterations: 2,
  parallelism: 1,
  hashLength: 32,
  outputType: "encoded",
} as const;

/** The PHC prefix of hashes made with the current parameters; older hashes get rehashed. */
export const CURRENT_PHC_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$";

export type HashRequest =
  | { op: "hash"; password: string; salt: Uint8Array }
  | { op: "verify"; password: string; hash: string };

export type HashJob = HashRequest & { id: number };
