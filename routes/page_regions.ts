/**
 * Rendered once, sent many times (issue 17): the parts of a page that depend only on stored data
 * (a unit's statement, its charts) are rendered, UTF-8 encoded and — for browsers that accept
 * gzip — deflated once per version of that data, and the page around them is assembled from
 * bytes. So a page with ten years behind it costs about what an empty one does: the per-request
 * work is the shell (menu, names, notices), whatever the size of the cached regions.
 *
 * A region's key must name every input of its rendering: the routes build it from the
 * versionstamps of the KV records the data came from (read in the same request), the day and
 * the query. A changed record gives a new key; the old entry ages out of the LRU.
 *
 * In the page's HTML a region stands as a marker (a private-use character, a random per-process
 * token and the entry's number), replaced by the bytes when the response is assembled. The token
 * cannot be guessed, so text typed by a user can never be taken for a marker.
 */
import { constants, crc32, deflateRawSync, gzipSync } from "node:zlib";
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { HtmlEscapedString } from "hono/utils/html";
import type { Regions } from "../views/regions.ts";

/** gzip level for pages: level 2 is half the CPU of the default 6 for 5–10 % more bytes. */
export const GZIP_LEVEL = 2;

/** Smaller bodies are sent as they are: gzip would save next to nothing. */
export const COMPRESS_FROM_BYTES = 1024;

type Region = { id: number; bytes: Uint8Array; deflated?: Uint8Array };

export type RegionCache = ReturnType<typeof createRegionCache>;

const encoder = new TextEncoder();

/** An LRU of rendered regions, bounded by their bytes (each region counted with its deflate). */
export function createRegionCache(maxBytes = 32 * 1024 * 1024) {
  const token = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  const byKey = new Map<string, Region>();
  const byId = new Map<number, Region>();
  let nextId = 1;
  let bytes = 0;
  // The bytes and, once a browser asked for gzip, their deflate (about a fifth of them).
  const cost = (r: Region) => r.bytes.length * 1.2;

  function evict() {
    while (bytes > maxBytes && byKey.size > 1) {
      const [key, oldest] = byKey.entries().next().value!;
      byKey.delete(key);
      byId.delete(oldest.id);
      bytes -= cost(oldest);
    }
  }

  /** The marker of the region under `key`, rendering it on first use. */
  function region(key: string, render: () => Child): HtmlEscapedString {
    let hit = byKey.get(key);
    if (hit) {
      byKey.delete(key);
      byKey.set(key, hit);
    } else {
      const text = String(render());
      const encoded = encoder.encode(text);
      hit = { id: nextId++, bytes: encoded };
      byKey.set(key, hit);
      byId.set(hit.id, hit);
      bytes += cost(hit);
      evict();
    }
    return raw(`\uE000${token}${hit.id}\uE001`);
  }

  return {
    region,
    /** A view's regions, each name under the key the route built for it. */
    named<Name extends string>(keys: Record<Name, string>): Regions<Name> {
      return (name, render) => region(keys[name], render);
    },
    /** The body of a page whose HTML may hold markers of this cache. */
    assemble(html: string, gzip: boolean): { body: Uint8Array | string; gzipped: boolean } {
      if (!html.includes(`\uE000${token}`)) return wholePage(html, gzip);
      const pieces: (Uint8Array | Region)[] = [];
      const marker = new RegExp(`\uE000${token}(\\d+)\uE001`, "g");
      let at = 0;
      for (const m of html.matchAll(marker)) {
        if (m.index > at) pieces.push(encoder.encode(html.slice(at, m.index)));
        // Rendering touched the region (the newest end of the LRU) a few microtasks ago: only a
        // whole budget of new regions in between could evict it. Fail loudly, never send a gap.
        const region = byId.get(Number(m[1]));
        if (!region) throw new Error("page region evicted before the page was sent");
        pieces.push(region);
        at = m.index + m[0].length;
      }
      if (at < html.length) pieces.push(encoder.encode(html.slice(at)));
      return gzip ? { body: gzipPieces(pieces), gzipped: true } : {
        body: concat(pieces.map((p) => p instanceof Uint8Array ? p : p.bytes)),
        gzipped: false,
      };
    },
  };
}

/** A page without regions: the string as it is, or gzipped when accepted and worth it. */
function wholePage(html: string, gzip: boolean): { body: Uint8Array | string; gzipped: boolean } {
  if (!gzip || html.length < COMPRESS_FROM_BYTES) return { body: html, gzipped: false };
  return { body: gzipSync(encoder.encode(html), { level: GZIP_LEVEL }), gzipped: true };
}

/**
 * One gzip member from pieces compressed apart: each piece is a raw deflate stream ended by a
 * sync flush (an empty stored block, so the next one starts on a byte boundary) or, when short,
 * stored as it is; then an empty final block, the CRC-32 and length of all the bytes (RFC 1951,
 * RFC 1952). A region's deflate is made once and reused; its back-references stay inside itself.
 */
function gzipPieces(pieces: (Uint8Array | Region)[]): Uint8Array {
  const out: Uint8Array[] = [new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])];
  let crc = 0;
  let length = 0;
  for (const p of pieces) {
    if (p instanceof Uint8Array) {
      if (p.length < DEFLATE_FROM_BYTES) out.push(...storedBlocks(p));
      else out.push(deflatePiece(p));
      crc = crc32(p, crc);
      length += p.length;
    } else {
      p.deflated ??= deflatePiece(p.bytes);
      out.push(p.deflated);
      crc = crc32(p.bytes, crc);
      length += p.bytes.length;
    }
  }
  // The final block: empty, fixed Huffman codes (BFINAL=1, BTYPE=01, end-of-block).
  out.push(new Uint8Array([0x03, 0x00]));
  const tail = new Uint8Array(8);
  const view = new DataView(tail.buffer);
  view.setUint32(0, crc >>> 0, true);
  view.setUint32(4, length >>> 0, true);
  out.push(tail);
  return concat(out);
}

/**
 * Below this, a piece between regions (a name, a notice) is sent in stored blocks: each call of
 * zlib costs about 25 µs of set-up, more than the few hundred bytes would save.
 */
const DEFLATE_FROM_BYTES = 2048;

function deflatePiece(bytes: Uint8Array): Uint8Array {
  return deflateRawSync(bytes, { level: GZIP_LEVEL, finishFlush: constants.Z_SYNC_FLUSH });
}

/** `bytes` as stored (uncompressed) deflate blocks: a header byte, LEN, NLEN, the bytes. */
function storedBlocks(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 0xffff) {
    const chunk = bytes.subarray(at, at + 0xffff);
    const head = new Uint8Array(5);
    head[1] = chunk.length & 0xff;
    head[2] = chunk.length >> 8;
    head[3] = ~chunk.length & 0xff;
    head[4] = (~chunk.length >> 8) & 0xff;
    out.push(head, chunk);
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}
