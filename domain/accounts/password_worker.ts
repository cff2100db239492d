/// <reference lib="deno.worker" />
// Argon2id runs here, off the server's event loop: a hash takes ~90 ms of CPU.
import { argon2id, argon2Verify } from "hash-wasm";
import { ARGON2_PARAMS, type HashJob } from "./password_params.ts";

self.onmessage = async (event: MessageEvent<HashJob>) => {
  const job = event.data;
  try {
    if (job.op === "hash") {
      const hash = await argon2id({ password: job.password, salt: job.salt, ...ARGON2_PARAMS });
      self.postMessage({ id: job.id, ok: true, value: hash });
    } else {
      const ok = await argon2Verify({ password: job.password, hash: job.hash });
      self.postMessage({ id: job.id, ok: true, value: ok });
    }
  } catch (error) {
    self.postMessage({ id: job.id, ok: false, error: String(error) });
  }
};
