/**
 * Runs in Node before the workerd test pool starts:
 * - a real local HTTP server that plays the outside world for remote-image vars (logos, avatars),
 *   with good, oversized, mistyped, corrupt, slow, missing and redirecting images;
 * - a real redis-server behind an Upstash-REST server, for the rate limiter. Without redis-server
 *   this fails, loudly: the rate-limit tests are never skipped;
 * - POST /__pdf/inspect on the same server: qpdf and poppler-utils run on a PDF the test sends
 *   (test/pdf-tools.ts, test/helpers/pdf.ts). Without those tools this fails loudly too.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import type { TestProject } from 'vitest/node';
import { startLocalRedis } from '../scripts/local-redis.mjs';
import { serveFonts } from './font-server';
import { imageFixture } from './image-fixtures';
import { inspectPdf, missingPdfTools, PDF_TOOLS } from './pdf-tools';

/** /pattern.png answers, made once each (a 2048² one takes a while to deflate on a busy machine). */
const patterns = new Map<string, Buffer>();

function solidPng(width: number, height: number, rgb: [number, number, number], options: { deflateLevel?: number } = {}): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    // a diagonal two-tone pattern, so a drawn logo is visible in the output
    const x = i % width;
    const y = Math.floor(i / width);
    const dark = x + y < width;
    png.data[i * 4] = dark ? rgb[0] : 255;
    png.data[i * 4 + 1] = dark ? rgb[1] : 255;
    png.data[i * 4 + 2] = dark ? rgb[2] : 255;
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png, options);
}

function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export const LOGO = solidPng(128, 128, [220, 38, 38]);

/** The two-tone pattern as raw RGBA, for the WASM encoders. */
function pattern(size: number, rgb: [number, number, number]): { data: Uint8ClampedArray; width: number; height: number } {
  const data = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const dark = (i % size) + Math.floor(i / size) < size;
    data.set(dark ? [...rgb, 255] : [255, 255, 255, 255], i * 4);
  }
  return { data, width: size, height: size };
}

// (the Workers runtime types' WebAssembly lacks compile(): this file runs in Node)
const wasmFile = (path: string) =>
  (WebAssembly as unknown as { compile(b: Uint8Array): Promise<WebAssembly.Module> }).compile(
    readFileSync(new URL(`../node_modules/${path}`, import.meta.url)),
  );

/**
 * A blue WebP logo and a green AVIF avatar, encoded here with the same WASM codecs (libwebp,
 * libavif) that decode them in the Worker: formats the engines cannot draw themselves.
 */
async function encodedFixtures(): Promise<{ webp: Buffer; avif: Buffer }> {
  const webp = await import('@jsquash/webp/encode');
  await webp.init(await wasmFile('@jsquash/webp/codec/enc/webp_enc.wasm'));
  const avif = await import('@jsquash/avif/encode');
  await avif.init(await wasmFile('@jsquash/avif/codec/enc/avif_enc.wasm'));
  const logo = pattern(128, [37, 99, 235]);
  const avatar = pattern(128, [22, 163, 74]);
  return {
    webp: Buffer.from(await webp.default(logo as unknown as Parameters<typeof webp.default>[0], { quality: 95 })),
    avif: Buffer.from(await avif.default(avatar as unknown as Parameters<typeof avif.default>[0], { quality: 90 })),
  };
}
let FIXTURES: { webp: Buffer; avif: Buffer } | undefined;

/** The logo with its IHDR claiming another size (CRC recomputed): a size check's test input. */
function claimingSize(width: number, height: number): Buffer {
  const png = Buffer.from(LOGO);
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}
const SIX_MB = 6 * 1024 * 1024;

/** The logo with a private ancillary chunk of `kb` KB after its IHDR: a valid PNG of about that size (a byte budget's test input). */
const padded = new Map<number, Buffer>();
function paddedLogo(kb: number): Buffer {
  let png = padded.get(kb);
  if (!png) {
    const body = Buffer.concat([Buffer.from('pdDg', 'ascii'), Buffer.alloc(kb * 1024, 0x2a)]);
    const chunk = Buffer.alloc(body.length + 8);
    chunk.writeUInt32BE(body.length - 4, 0);
    body.copy(chunk, 4);
    chunk.writeUInt32BE(crc32(body), body.length + 4);
    png = Buffer.concat([LOGO.subarray(0, 33), chunk, LOGO.subarray(33)]);
    padded.set(kb, png);
  }
  return png;
}

let server: Server;
let redis: Awaited<ReturnType<typeof startLocalRedis>> | undefined;
/** Requests of /held.png open at once, by their ?run=: the most there were (a fetch concurrency's test). */
const inflight = new Map<string, { open: number; max: number }>();
/** Requests served, by path (and by path and query): tests read it at /__hits to count fetches. */
const hits = new Map<string, number>();
/** Webhook deliveries received, by receiver name: tests read them at /__webhooks/<name>. */
const webhooks = new Map<string, { headers: Record<string, string | string[] | undefined>; body: string; status: number }[]>();

/**
 * A webhook receiver: POST /hook/<behaviour>/<name> records the request and answers by behaviour —
 * ok (200), flaky (503 three times, then 200), down (503), redirect (302 to ok).
 */
function receiveWebhook(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, behaviour: string, name: string): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const log = webhooks.get(name) ?? [];
    webhooks.set(name, log);
    let status = 200;
    if (behaviour === 'down') status = 503;
    if (behaviour === 'flaky') status = log.length < 3 ? 503 : 200;
    if (behaviour === 'redirect') status = 302;
    log.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
    res.writeHead(status, status === 302 ? { location: `/hook/ok/${name}` } : { 'content-type': 'text/plain' });
    res.end(status === 200 ? 'ok' : 'nope');
  });
}

/**
 * POST /__pdf/inspect?png=1,3&dpi=50 with the PDF as the body: the real tools' verdict as JSON
 * (a PdfInspection). A broken PDF or a failing tool is reported in it, never crashes the server.
 */
function inspectPdfRequest(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, url: URL): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const png = (url.searchParams.get('png') ?? '').split(',').filter(Boolean).map(Number);
    const dpi = url.searchParams.has('dpi') ? Number(url.searchParams.get('dpi')) : undefined;
    inspectPdf(Buffer.concat(chunks), { png, dpi })
      .then((result) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result));
      })
      .catch((e: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
      });
  });
}

export async function setup(project: TestProject): Promise<void> {
  FIXTURES = await encodedFixtures();
  const missing = missingPdfTools();
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((tool) => PDF_TOOLS[tool]))].join(' ');
    throw new Error(`${missing.join(', ')} not found: the PDF tests inspect output with them. Install them (Debian/Ubuntu: apt-get install ${packages}).`);
  }
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/__hits') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Object.fromEntries(hits)));
      return;
    }
    if (url.pathname === '/__inflight') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ max: inflight.get(url.searchParams.get('run') ?? '')?.max ?? 0 }));
      return;
    }
    if (url.pathname === '/__pdf/inspect' && req.method === 'POST') return inspectPdfRequest(req, res, url);
    if (serveFonts(req, res, url.pathname)) return;
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    // …and by path with query, so a test can count the fetches of its own URL (the image cache hides repeats)
    if (url.search) hits.set(url.pathname + url.search, (hits.get(url.pathname + url.search) ?? 0) + 1);
    if (url.pathname.startsWith('/hang')) return; // a server that never answers (a stuck Redis for the rate limiter)
    const hook = url.pathname.match(/^\/hook\/(ok|flaky|down|redirect)\/([\w-]+)$/);
    if (hook && req.method === 'POST') return receiveWebhook(req, res, hook[1] as string, hook[2] as string);
    const seen = url.pathname.match(/^\/__webhooks\/([\w-]+)$/);
    if (seen) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(webhooks.get(seen[1] as string) ?? []));
      return;
    }
    const fixture = imageFixture(url.pathname, `http://${req.headers.host}`, LOGO);
    if (fixture) {
      res.writeHead(200, { 'content-type': fixture.type });
      res.end(fixture.body);
      return;
    }
    switch (url.pathname) {
      case '/logo.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': LOGO.length });
        res.end(LOGO);
        return;
      case '/big.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': SIX_MB });
        res.end(Buffer.alloc(SIX_MB));
        return;
      case '/big-chunked.png': {
        // no content-length: the size cap must hold while streaming
        res.writeHead(200, { 'content-type': 'image/png' });
        const chunk = Buffer.alloc(256 * 1024);
        let sent = 0;
        const pump = () => {
          while (sent < SIX_MB) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
        return;
      }
      case '/bomb.png':
        // a valid PNG whose IHDR claims 20000×20000
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(claimingSize(20000, 20000));
        return;
      case '/logo.webp':
        res.writeHead(200, { 'content-type': 'image/webp' });
        res.end(FIXTURES?.webp);
        return;
      case '/avatar.avif':
        res.writeHead(200, { 'content-type': 'image/avif' });
        res.end(FIXTURES?.avif);
        return;
      case '/broken.webp': {
        // a WebP whose headers are intact and whose picture data is noise
        const broken = Buffer.from(FIXTURES?.webp ?? []);
        broken.fill(0x5a, 40);
        res.writeHead(200, { 'content-type': 'image/webp' });
        res.end(broken);
        return;
      }
      case '/logo.gif':
        // a valid 1×1 GIF (handed on as the PNG of its one frame)
        res.writeHead(200, { 'content-type': 'image/gif' });
        res.end(Buffer.from('47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b', 'hex'));
        return;
      case '/padded.png': {
        // ?kb=N: a valid PNG of about N KB (at most 5000, under the per-image cap)
        const body = paddedLogo(Math.min(5000, Number(url.searchParams.get('kb') ?? 1) || 1));
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length });
        res.end(body);
        return;
      }
      case '/held.png': {
        // the logo, answered after 100 ms, counting how many of one ?run= are open at once (/__inflight?run=)
        const run = url.searchParams.get('run') ?? '';
        const open = (inflight.get(run)?.open ?? 0) + 1;
        inflight.set(run, { open, max: Math.max(open, inflight.get(run)?.max ?? 0) });
        setTimeout(() => {
          const state = inflight.get(run);
          if (state) state.open--;
          res.writeHead(200, { 'content-type': 'image/png', 'content-length': LOGO.length });
          res.end(LOGO);
        }, 100).unref();
        return;
      }
      case '/claims.png':
        // ?w=&h=: the logo's PNG declaring that size (a pixel budget's test input: never decoded)
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(claimingSize(Number(url.searchParams.get('w') ?? 128), Number(url.searchParams.get('h') ?? 128)));
        return;
      case '/pattern.png': {
        // ?w=&h=&seed=: a real, decodable two-tone PNG of that size (at most 2048²; it compresses
        // well, so the largest pictures a render may decode fit under the per-image byte cap)
        const w = Math.min(2048, Number(url.searchParams.get('w') ?? 128));
        const h = Math.min(2048, Number(url.searchParams.get('h') ?? 128));
        const seed = Number(url.searchParams.get('seed') ?? 0) & 127;
        const key = `${w}x${h}:${seed}`;
        let png = patterns.get(key);
        if (!png) {
          png = solidPng(w, h, [seed * 2, 90, 200], { deflateLevel: 1 });
          patterns.set(key, png);
        }
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
        res.end(png);
        return;
      }
      case '/wide.png':
        // a valid PNG whose IHDR says 2100×2100: 4.41 MP, over the per-image limit
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(claimingSize(2100, 2100));
        return;
      case '/page.html':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>not an image</html>');
        return;
      case '/disguised.png':
        // says PNG, holds HTML: the bytes are checked, not just the header
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end('<html>not an image</html>');
        return;
      case '/corrupt.png':
        // a PNG signature followed by garbage: passes the sniff, breaks the renderer
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.concat([LOGO.subarray(0, 33), Buffer.alloc(200, 7)]));
        return;
      case '/slow.png':
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'image/png' });
          res.end(LOGO);
        }, 7000).unref();
        return;
      case '/redirect-private':
        res.writeHead(302, { location: 'https://127.0.0.1/x.png' });
        res.end();
        return;
      case '/redirect-good':
        res.writeHead(302, { location: '/logo.png' });
        res.end();
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  project.provide('imageOrigin', `http://localhost:${port}`);

  redis = await startLocalRedis();
  project.provide('upstashUrl', redis.url);
  project.provide('upstashToken', redis.token);
}

export async function teardown(): Promise<void> {
  redis?.stop();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
