import assert from "node:assert/strict";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_FILE_BYTES, type StoredFile } from "../../domain/files/file_store.ts";
import { kvFileStore } from "../../domain/files/kv_file_store.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import {
  contentDisposition,
  downloadName,
  etagMatches,
  fileRefusalMessage,
  fileResponse,
  uploadBodyLimit,
} from "../../routes/files.ts";
import { pdfBytes } from "../file_fixtures.ts";

const owner = { kind: "document", id: "01DOC000000000000000000000" };
const POLISH_NAME = "Uchwała nr 5 – zmiana opłat.pdf";

async function fixture(size = 300_000) {
  const kv = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-12-01T10:00:00Z"));
  const store = kvFileStore(kv, clock);
  const bytes = pdfBytes(size);
  const put = await store.put({ name: POLISH_NAME, body: bytes, owner });
  assert.ok(put.ok);
  // The way an area route will use the helper, after its own access check.
  const app = new Hono();
  app.on(["GET", "HEAD"], "/plik/:id", async (c) => {
    const file = await store.get(c.req.param("id"));
    if (!file) return c.text("Nie ma takiego pliku.", 404);
    return fileResponse(store, file, c.req.raw);
  });
  return { kv, store, bytes, file: put.file, app };
}

Deno.test("download headers: Polish file name, type, ETag, no caching, nosniff", async () => {
  const { kv, bytes, file, app } = await fixture();
  const res = await app.request(`/plik/${file.id}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), "application/pdf");
  assert.equal(res.headers.get("Content-Length"), String(bytes.length));
  assert.equal(
    res.headers.get("Content-Disposition"),
    `attachment; filename="Uchwala nr 5 - zmiana oplat.pdf"; ` +
      `filename*=UTF-8''Uchwa%C5%82a%20nr%205%20%E2%80%93%20zmiana%20op%C5%82at.pdf`,
  );
  assert.equal(res.headers.get("ETag"), `"${file.sha256}"`);
  assert.equal(res.headers.get("Cache-Control"), "private, no-store");
  assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff");
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);

  // What a browser reads back from filename*.
  const star = /filename\*=UTF-8''(.+)$/.exec(res.headers.get("Content-Disposition")!)![1];
  assert.equal(decodeURIComponent(star), POLISH_NAME);
  kv.close();
});

Deno.test("If-None-Match with the ETag gives 304 without a body; another ETag gives the file", async () => {
  const { kv, file, app } = await fixture();
  const etag = `"${file.sha256}"`;
  for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
    const res = await app.request(`/plik/${file.id}`, {
      headers: { "If-None-Match": ifNoneMatch },
    });
    assert.equal(res.status, 304, ifNoneMatch);
    assert.equal(res.headers.get("ETag"), etag);
    assert.equal(res.headers.get("Cache-Control"), "private, no-store");
    assert.equal(await res.text(), "");
  }
  const other = await app.request(`/plik/${file.id}`, { headers: { "If-None-Match": '"abc"' } });
  assert.equal(other.status, 200);
  assert.equal((await other.arrayBuffer()).byteLength, file.size);

  const head = await app.request(`/plik/${file.id}`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("Content-Length"), String(file.size));
  assert.equal(await head.text(), "");
  kv.close();
});

Deno.test("the body streams one stored chunk at a time", async () => {
  const { kv, store, file } = await fixture(20 * 1024 * 1024);
  const res = fileResponse(store, file, new Request("http://localhost/plik"));
  const reader = res.body!.getReader();
  const first = await reader.read();
  assert.ok(!first.done && first.value.byteLength === 60_000);
  await reader.cancel();
  kv.close();
});

Deno.test("a file removed meanwhile is not served; an unknown id is 404 for the route", async () => {
  const { kv, store, file, app } = await fixture();
  assert.deepEqual(await store.remove(file.id), { ok: true });
  assert.equal((await app.request(`/plik/${file.id}`)).status, 404);
  kv.close();
});

Deno.test("download names: the extension follows the content; fallbacks stay ASCII", () => {
  assert.equal(downloadName("zdjęcie.pdf", "image/jpeg"), "zdjęcie.pdf.jpg");
  assert.equal(downloadName("skan.JPEG", "image/jpeg"), "skan.JPEG");
  assert.equal(downloadName("umowa", "application/pdf"), "umowa.pdf");
  assert.equal(downloadName("plan.png", "image/png"), "plan.png");

  assert.equal(
    contentDisposition('Zażółć "gęślą" jaźń (1)*.pdf', "inline"),
    `inline; filename="Zazolc _gesla_ jazn (1)*.pdf"; ` +
      `filename*=UTF-8''Za%C5%BC%C3%B3%C5%82%C4%87%20%22g%C4%99%C5%9Bl%C4%85%22%20ja%C5%BA%C5%84%20%281%29%2A.pdf`,
  );
  assert.equal(contentDisposition("żółć.pdf").split(";")[1].trim(), 'filename="zolc.pdf"');
  assert.equal(contentDisposition("ŁÓDŹ.pdf").split(";")[1].trim(), 'filename="LODZ.pdf"');
  assert.equal(contentDisposition("日本.pdf").split(";")[1].trim(), 'filename="__.pdf"');

  assert.equal(etagMatches(null, '"a"'), false);
  assert.equal(etagMatches('"b", "c"', '"a"'), false);
  assert.equal(etagMatches('"b", W/"a"', '"a"'), true);
});

Deno.test("fileResponse honours the options of the area route", async () => {
  const { kv, store, file } = await fixture();
  const res = fileResponse(store, file as StoredFile, new Request("http://localhost/"), {
    disposition: "inline",
    fileName: "Zawiadomienie o opłatach 2027",
    cacheControl: "private, max-age=0, must-revalidate",
  });
  assert.match(
    res.headers.get("Content-Disposition")!,
    /^inline; filename="Zawiadomienie o oplatach 2027\.pdf"/,
  );
  assert.equal(res.headers.get("Cache-Control"), "private, max-age=0, must-revalidate");
  await res.body!.cancel();
  kv.close();
});

Deno.test("an upload route: a 20 MB file in a form fits its body limit; refusals read in Polish", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = kvFileStore(kv, manualClock(new Date("2026-12-01T10:00:00Z")));
  const app = new Hono();
  app.post("/zalacznik", bodyLimit({ maxSize: uploadBodyLimit(1) }), async (c) => {
    const form = await c.req.parseBody();
    const upload = form["plik"];
    if (!(upload instanceof File)) return c.text("Wybierz plik.", 422);
    const put = await store.put({ name: upload.name, body: upload, owner });
    if (!put.ok) return c.text(fileRefusalMessage(put), 422);
    return c.json({ id: put.file.id, size: put.file.size, name: put.file.name });
  });
  const send = (bytes: Uint8Array<ArrayBuffer>, name: string) => {
    const form = new FormData();
    form.set("plik", new File([bytes], name, { type: "application/pdf" }));
    return app.request("/zalacznik", { method: "POST", body: form });
  };

  const full = await send(pdfBytes(MAX_FILE_BYTES), POLISH_NAME);
  assert.equal(full.status, 200);
  const stored = await full.json();
  assert.equal(stored.size, MAX_FILE_BYTES);
  assert.equal(stored.name, POLISH_NAME);

  const exe = new Uint8Array(4096);
  exe.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  const refused = await send(exe, "x.pdf");
  assert.equal(refused.status, 422);
  assert.equal(await refused.text(), "Można dodać tylko plik PDF albo zdjęcie JPG lub PNG.");
  assert.equal(
    fileRefusalMessage({ ok: false, reason: "too_large", maxBytes: MAX_FILE_BYTES }),
    "Plik jest za duży. Można dodać plik do 20 MB.",
  );
  kv.close();
});
