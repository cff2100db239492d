/**
 * Password hashing with Argon2id (PHC strings), in a Worker so that logins do not stall other
 * requests. Where Workers are unavailable the hash runs inline.
 */
import { argon2id, argon2Verify } from "hash-wasm";
import { ARGON2_PARAMS, CURRENT_PHC_PREFIX, type HashRequest } from "./password_params.ts";

export type PasswordHasher = {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  needsRehash(hash: string): boolean;
  close(): void;
};

/**
 * A fixed Argon2id hash (current parameters) of a random password nobody knows: compared
 * against when an account has no such credential, so every login costs the same work.
 */
export const DUMMY_PASSWORD_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$ByTctiplEOo7hE4gfQUZJw$M2+jP42xYY/FdaCJq1g82TN73pwsESx/jY7TtJ63ivs";

type Pending = { resolve: (v: string | boolean) => void; reject: (e: Error) => void };

export function createPasswordHasher(options: { useWorker?: boolean } = {}): PasswordHasher {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const getWorker = (): Worker | undefined => {
    if (options.useWorker === false) return undefined;
    if (worker) return worker;
    try {
      worker = new Worker(new URL("./password_worker.ts", import.meta.url).href, {
        type: "module",
      });
      worker.onmessage = (event: MessageEvent) => {
        const { id, ok, value, error } = event.data;
        const p = pending.get(id);
        pending.delete(id);
        if (!p) return;
        if (ok) p.resolve(value);
        else p.reject(new Error(error));
      };
      return worker;
    } catch {
      options.useWorker = false;
      return undefined;
    }
  };

  const run = (job: HashRequest): Promise<string | boolean> => {
    const w = getWorker();
    if (!w) {
      return job.op === "hash"
        ? argon2id({ password: job.password, salt: job.salt, ...ARGON2_PARAMS })
        : argon2Verify({ password: job.password, hash: job.hash });
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      w.postMessage({ ...job, id });
    });
  };

  return {
    async hash(password) {
      const salt = new Uint8Array(16);
      crypto.getRandomValues(salt);
      return (await run({ op: "hash", password, salt })) as string;
    },
    async verify(password, hash) {
      if (!hash.startsWith("$argon2id$")) return false;
      return (await run({ op: "verify", password, hash })) as boolean;
    },
    needsRehash: (hash) => !hash.startsWith(CURRENT_PHC_PREFIX),
    close() {
      worker?.terminate();
      worker = undefined;
      for (const p of pending.values()) p.reject(new Error("password hasher closed"));
      pending.clear();
    },
  };
}
