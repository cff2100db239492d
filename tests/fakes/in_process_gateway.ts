/**
 * The fake Przelewy24 as its own HTTP server, for tests whose app runs in-process (`testApp`):
 * the app reaches the fake over HTTP (the real adapter), the fake's notification to the app's
 * `urlStatus` is handed to `app.request` — the same request, delivered without a socket.
 */
import { type P24Credentials, startFakePrzelewy24Server } from "../../adapters/fake_przelewy24.ts";
import { createPrzelewy24Gateway } from "../../adapters/przelewy24.ts";

type App = { request(url: string, init?: RequestInit): Response | Promise<Response> };

export function startInProcessGateway(credentials: P24Credentials) {
  const target: { app?: App } = {};
  const fake = startFakePrzelewy24Server(credentials, {
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (!target.app) throw new Error("startInProcessGateway: call deliverTo(app) first");
      return await target.app.request(String(input), init);
    }) as typeof fetch,
  });
  return {
    fake,
    /** The real adapter, pointed at the fake. */
    gateway: createPrzelewy24Gateway({ ...credentials, baseUrl: fake.url }),
    /** Where the fake's notifications go (the app is built after the gateway it is given). */
    deliverTo(app: App) {
      target.app = app;
    },
  };
}
