/**
 * The baseline: a bare `Deno.serve` answering "ok" (text/plain) on 127.0.0.1.
 * Port: the first argument, else $PORT, else 8001.
 *
 *   deno run --allow-net --allow-env bench/bare_server.ts 8001
 */
const port = Number(Deno.args[0] ?? Deno.env.get("PORT") ?? 8001);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`bare_server: bad port ${JSON.stringify(Deno.args[0] ?? Deno.env.get("PORT"))}`);
  Deno.exit(2);
}

Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: ({ hostname, port }) => console.log(`bare server on http://${hostname}:${port}/`),
}, () => new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } }));
