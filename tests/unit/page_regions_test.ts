import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { createRegionCache } from "../../routes/page_regions.ts";

const decoder = new TextDecoder();
const text = (body: Uint8Array | string) => typeof body === "string" ? body : decoder.decode(body);

/** What a browser does with a gzip body (the same code path as fetch's Content-Encoding). */
async function browserGunzip(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

Deno.test("a page with regions is sent as the same HTML, plain and gzipped", async (t) => {
  const cache = createRegionCache();
  const big = "<tr><td>Opłata eksploatacyjna — żółć</td><td>123,45 zł</td></tr>".repeat(400);
  const small = "<p>Dzień dobry</p>";
  const page = (name: string) =>
    `<!doctype html><h1>${name}</h1>${cache.region("big", () => big)}<p>środek ${
      "x".repeat(3000)
    }</p>${cache.region("small", () => small)}<footer>koniec</footer>`;
  const expected = (name: string) =>
    `<!doctype html><h1>${name}</h1>${big}<p>środek ${
      "x".repeat(3000)
    }</p>${small}<footer>koniec</footer>`;

  await t.step("without gzip: the regions' bytes in place of the markers", () => {
    const { body, gzipped } = cache.assemble(page("Jan"), false);
    assert.equal(gzipped, false);
    assert.equal(text(body), expected("Jan"));
  });

  await t.step("with gzip: one valid member, for zlib and for a browser's decoder", async () => {
    for (const name of ["Jan", "Zażółć gęślą jaźń"]) {
      const { body, gzipped } = cache.assemble(page(name), true);
      assert.equal(gzipped, true);
      const bytes = body as Uint8Array;
      assert.equal(decoder.decode(gunzipSync(bytes)), expected(name));
      assert.equal(await browserGunzip(bytes), expected(name));
      assert.ok(bytes.length < expected(name).length / 4, `${bytes.length} bytes`);
    }
  });
});

Deno.test("a region is rendered once per key, and again after it was evicted", () => {
  const cache = createRegionCache(50_000);
  let renders = 0;
  const render = () => {
    renders++;
    return "a".repeat(20_000);
  };
  cache.region("one", render);
  cache.region("one", render);
  assert.equal(renders, 1);
  cache.region("two", render);
  cache.region("three", render); // over the budget: "one", the oldest, goes
  cache.region("one", render);
  assert.equal(renders, 4);
});

Deno.test("text that looks like a marker is left as it is", () => {
  const cache = createRegionCache();
  const marker = String(cache.region("x", () => "<b>region</b>"));
  const forged = marker.replace(/\d+\uE001$/, "1\uE001").replace(/^\uE000[0-9a-f]+/, "\uE000");
  const html = `<p>${forged} \uE0001\uE001</p>${marker}`;
  assert.equal(
    text(cache.assemble(html, false).body),
    `<p>${forged} \uE0001\uE001</p><b>region</b>`,
  );
});

Deno.test("a page without regions: as it is, gzipped only when accepted and worth it", () => {
  const cache = createRegionCache();
  assert.equal(cache.assemble("<p>krótko</p>", true).gzipped, false);
  const long = "<p>Spółdzielnia</p>".repeat(200);
  const { body, gzipped } = cache.assemble(long, true);
  assert.equal(gzipped, true);
  assert.equal(decoder.decode(gunzipSync(body as Uint8Array)), long);
  assert.equal(cache.assemble(long, false).body, long);
});
