#!/usr/bin/env node
/**
 * `npm run bench`: starts the Worker locally (`npm run dev`, workerd with local D1/R2/Queues) and
 * measures, after warm-up, sequential P50/P99 of every render path plus the HTTP floor, and in the
 * same run the native reference (satori + @resvg/resvg-js, and @takumi-rs/core, in Node) on the
 * same card, so WASM/native ratios come from one machine at one time. Then requests/s at
 * concurrency 8, and the deploy bundle size. Writes bench/RESULTS.md (and prints it).
 *
 * BENCH_QUICK=1 runs fewer iterations (a smoke run; don't commit its numbers).
 */
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../scripts/dev-server.mjs';
import { buildNative } from './build-native.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const n = (full, quick) => (QUICK ? quick : full);

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p99: pct(s, 99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function time(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function measure(label, iterations, warmup, fn) {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const samples = [];
  const serverMs = [];
  for (let i = 0; i < iterations; i++) {
    let server;
    samples.push(
      await time(async () => {
        server = await fn(i);
      }),
    );
    if (typeof server === 'number') serverMs.push(server);
  }
  const result = { label, ...stats(samples), server: serverMs.length ? stats(serverMs) : undefined };
  console.log(`${label.padEnd(44)} P50 ${result.p50.toFixed(1).padStart(7)} ms  P99 ${result.p99.toFixed(1).padStart(7)} ms  (n=${result.n})`);
  return result;
}

/** Like `measure` for several paths at once, one request of each per round. */
async function interleaved(rounds, warmup, paths) {
  const entries = Object.entries(paths);
  const samples = Object.fromEntries(entries.map(([k]) => [k, []]));
  const server = Object.fromEntries(entries.map(([k]) => [k, []]));
  for (let r = -warmup; r < rounds; r++) {
    for (const [key, [, fn]] of entries) {
      let value;
      const ms = await time(async () => {
        value = await fn();
      });
      if (r < 0) continue;
      samples[key].push(ms);
      if (typeof value === 'number') server[key].push(value);
    }
  }
  const out = {};
  for (const [key, [label]] of entries) {
    out[key] = { label, ...stats(samples[key]), server: server[key].length ? stats(server[key]) : undefined };
    console.log(`${label.padEnd(44)} P50 ${out[key].p50.toFixed(1).padStart(7)} ms  P99 ${out[key].p99.toFixed(1).padStart(7)} ms  (n=${out[key].n})`);
  }
  return out;
}

async function throughput(label, seconds, concurrency, fn) {
  // Fresh connections first: sockets idle through the native phase may have been closed by the
  // server's keep-alive timeout, and reusing one fails with "socket hang up".
  await Promise.all(Array.from({ length: concurrency }, (_, i) => fn(-1 - i).catch(() => {})));
  const end = performance.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  let firstError;
  let seq = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        try {
          await fn(seq++);
          done++;
        } catch (err) {
          errors++;
          firstError ??= err;
        }
      }
    }),
  );
  const rps = done / seconds;
  console.log(`${label.padEnd(44)} ${rps.toFixed(1)} req/s${errors ? `, ${errors} errors (first: ${firstError?.code ?? firstError?.message})` : ''}`);
  return { label, rps, concurrency, seconds, errors };
}

// ---------------------------------------------------------------------------------------------
const native = await import(await buildNative());
// Local D1/R2 state on tmpfs when there is one: the simulators fsync every write, and on a VM
// disk that measures the host's I/O queue (40 % iowait seen here), not the Worker.
const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/picstream-bench-') : undefined;
// Plan limits raised for the run (thousands of renders a minute from one key); the rate limiter
// and the quota still run on every request — against a real Redis when redis-server is installed.
const benchPlans = JSON.stringify({ free: { monthly_quota: 100_000_000, rate_limit: { requests: 10_000_000, window_seconds: 60 } } });
const server = await startDevServer({ ...(shm ? { stateDir: shm } : {}), extraArgs: ['--var', `PLANS:${benchPlans}`] });
const origin = server.origin;
const limiterBackend = /rate limiter: (Redis|in memory)/.exec(server.output())?.[1] ?? 'unknown';
const run = Date.now().toString(36); // makes this run's uncached titles unique across runs

// node:http with a keep-alive agent: a thinner client than fetch (undici), so less of each sample
// is the client's own overhead. Every path, the floors included, goes through it.
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
function request(method, path, body, key = server.apiKey) {
  const headers = body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {};
  if (key) headers.authorization = `Bearer ${key}`;
  return new Promise((resolve, reject) => {
    const req = http.request(`${origin}${path}`, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function post(body) {
  const res = await request('POST', '/api/v1/generate/image', JSON.stringify(body));
  const json = JSON.parse(res.body.toString());
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(json)}`);
  return json;
}
async function postPdf(body) {
  const res = await request('POST', '/api/v1/generate/pdf', JSON.stringify(body));
  const json = JSON.parse(res.body.toString());
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(json)}`);
  return json;
}
// an invoice of `count` line items (every fifth wraps onto two lines), unique per tag
const invoiceVars = (tag, count) => ({
  ...native.pdfExampleVars('invoice'),
  number: `INV-${tag}`,
  items: Array.from({ length: count }, (_, i) => ({
    description: i % 5 === 0 ? `Consulting and implementation work on the rendering pipeline, ${tag} part ${i + 1}` : `Template design, item ${i + 1}`,
    quantity: 1 + (i % 3),
    unit_price: 50 + i,
  })),
});
const card = (title, extra = {}) => ({
  template: 'og-card',
  vars: { title, subtitle: 'Templates in, PNGs out, in tens of milliseconds.', site: 'picstream.dev' },
  ...extra,
});

const results = {};
try {
  // warm every isolate-level cache (WASM instantiation, font registration) before timing
  await post(card('warm takumi'));
  await post(card('warm satori', { engine: 'satori' }));
  await post(card('warm webp', { format: 'webp' }));

  results.takumi = await measure(
    'og-card uncached, takumi (default) PNG',
    n(200, 20),
    40, // enough for V8 to tier the WASM and the PNG filter loop up to optimised code
    async (i) => (await post(card(`Uncached takumi ${run} ${i}`))).render_ms,
  );
  results.satori = await measure(
    'og-card uncached, satori+resvg PNG',
    n(60, 8),
    3,
    async (i) => (await post(card(`Uncached satori ${run} ${i}`, { engine: 'satori' }))).render_ms,
  );
  results.webp = await measure(
    'og-card uncached, takumi WebP (lossy)',
    n(150, 15),
    5,
    async (i) => (await post(card(`Uncached webp ${run} ${i}`, { format: 'webp' }))).render_ms,
  );
  results.svg = await measure(
    'og-card uncached, satori SVG',
    n(100, 10),
    5,
    async (i) => (await post(card(`Uncached svg ${run} ${i}`, { format: 'svg' }))).render_ms,
  );
  // PDFs: the most items that still make exactly three pages (found once), then uncached renders
  let invoiceItems = 30;
  while ((await postPdf({ template: 'invoice', vars: invoiceVars(`calibrate-${run}-${invoiceItems + 1}`, invoiceItems + 1) })).pages <= 3) invoiceItems++;
  let pdfBytes = 0;
  results.pdf = await measure('invoice, 3 pages, uncached vector PDF', n(80, 8), 5, async (i) => {
    const body = await postPdf({ template: 'invoice', vars: invoiceVars(`${run}-${i}`, invoiceItems) });
    if (body.pages !== 3) throw new Error(`expected 3 pages, got ${body.pages}`);
    pdfBytes = body.bytes;
    return body.render_ms;
  });
  // The fast paths and the floors they are held against, measured interleaved — one of each per
  // round — so drift in the machine during the run hits all of them alike.
  const hit = card(`Cached ${run}`);
  const first = await post(hit);
  const imgPath = new URL(first.url).pathname;
  const floorBody = JSON.stringify(card('floor'));
  const fast = await interleaved(n(500, 50), 30, {
    empty: ['empty route (GET /healthz, no key)', () => request('GET', '/healthz', undefined, null)],
    postFloor: ['authenticated empty POST (same body, 404 route)', () => request('POST', '/api/v1/no-such-route', floorBody)],
    cached: ['og-card cached hit (POST, same body)', async () => (await post(hit)).render_ms],
    poll: ['GET /api/v1/renders/:id', () => request('GET', `/api/v1/renders/${first.id}`)],
    img: ['GET /img/:key (Cache API / R2)', () => request('GET', imgPath)],
  });
  Object.assign(results, fast);

  // Every kind of bad key should cost the same (the 401 must not tell them apart by timing).
  const doomed = JSON.parse((await request('POST', '/api/v1/keys', JSON.stringify({ name: 'bench revoked' }))).body.toString());
  await request('DELETE', `/api/v1/keys/${doomed.id}`);
  const unauthorized = await interleaved(n(300, 30), 20, {
    keyValid: ['401 floor: valid key (GET /api/v1/account)', () => request('GET', '/api/v1/account')],
    keyMissing: ['401: no key', () => request('GET', '/api/v1/account', undefined, null)],
    keyMalformed: ['401: malformed key', () => request('GET', '/api/v1/account', undefined, 'not-a-key')],
    keyUnknown: ['401: unknown key', () => request('GET', '/api/v1/account', undefined, `pk_live_${'A'.repeat(40)}`)],
    keyRevoked: ['401: revoked key', () => request('GET', '/api/v1/account', undefined, doomed.key)],
  });
  Object.assign(results, unauthorized);

  const nativeVars = (title) => ({ title, subtitle: 'Templates in, PNGs out, in tens of milliseconds.', site: 'picstream.dev' });
  results.nativeTakumi = await measure('native reference: @takumi-rs/core (Node)', n(100, 10), 5, async (i) => {
    await native.renderNative('og-card', nativeVars(`Native takumi ${i}`), 'takumi');
  });
  results.nativeSatori = await measure('native reference: satori + resvg-js (Node)', n(60, 8), 3, async (i) => {
    await native.renderNative('og-card', nativeVars(`Native satori ${i}`), 'satori');
  });

  let vectorBytes = 0;
  let rasterBytes = 0;
  results.nativePdf = await measure('native reference: the same vector pipeline in Node', n(40, 5), 3, async (i) => {
    vectorBytes = (await native.renderPdfNative('invoice', invoiceVars(`native-${i}`, invoiceItems), 'vector')).bytes.byteLength;
  });
  results.rasterPdf = await measure('raster approach: native takumi 2× PNG pages + pdf-lib (Node)', n(20, 3), 2, async (i) => {
    const out = await native.renderPdfNative('invoice', invoiceVars(`raster-${i}`, invoiceItems), 'raster');
    if (out.pages !== 3) throw new Error(`raster: expected 3 pages, got ${out.pages}`);
    rasterBytes = out.bytes.byteLength;
  });
  Object.assign(results, { pdfBytes: () => pdfBytes, vectorBytes: () => vectorBytes, rasterBytes: () => rasterBytes, invoiceItems });

  results.rpsUncached = await throughput('uncached og-card (takumi), concurrency 8', n(10, 3), 8, (i) => post(card(`Throughput ${run} ${i}`)));
  results.rpsCached = await throughput('cached og-card, concurrency 8', n(10, 3), 8, () => post(hit));
} catch (err) {
  console.error(err);
  console.error(`--- dev server output (tail) ---\n${server.output().split('\n').slice(-40).join('\n')}`);
  process.exitCode = 1;
  throw err;
} finally {
  server.stop();
  if (shm) rmSync(shm, { recursive: true, force: true });
}

// bundle size, as `wrangler deploy` would upload it
const dry = spawnSync(
  process.execPath,
  [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', mkdtempSync(join(tmpdir(), 'picstream-dist-'))],
  {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    encoding: 'utf8',
  },
);
const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(`${dry.stdout}${dry.stderr}`);

// ---------------------------------------------------------------------------------------------
const f = (x) => (x === undefined ? '–' : x.toFixed(1));
const row = (r, note = '') => `| ${r.label} | ${f(r.p50)} | ${f(r.p99)} | ${r.server ? f(r.server.p50) : '–'} | ${r.n} | ${note} |`;
const ratio = (a, b) => (a / b).toFixed(2);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
let workerd = '';
try {
  workerd = execSync(`${join(root, 'node_modules/.bin/workerd')} --version`, { encoding: 'utf8' }).trim();
} catch {}
const wranglerVersion = JSON.parse(readFileSync(join(root, 'node_modules/wrangler/package.json'), 'utf8')).version;
const verdict = (ok) => (ok ? '✅ met' : '❌ missed');

const md = `# Benchmark results

Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}${QUICK ? ' (BENCH_QUICK smoke run — not representative)' : ''}.

**Machine:** ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} GiB free), Node ${process.version}, wrangler ${wranglerVersion} (${workerd || 'workerd'}), local \`wrangler dev\` with local D1/R2/Queues${shm ? ' (their state on tmpfs)' : ''}.
Rate limiter: ${limiterBackend === 'Redis' ? 'real redis-server behind an Upstash-REST server' : limiterBackend} (plan limits raised for the run). Every /api/v1 request is authenticated (one D1 read) and rate limited.
Client and server share the machine's ${cpus().length} cores. Times are wall-clock per request from a Node client over loopback, sequential, after warm-up;
"server" is the render's own \`render_ms\` (render + R2 write; lookup time for cache hits).

| Path | P50 ms | P99 ms | server P50 ms | n | note |
|---|---:|---:|---:|---:|---|
${row(results.empty, 'the floor of the local HTTP stack')}
${row(results.postFloor, 'auth + rate limit + the generate body: the floor of an API call')}
${row(results.takumi, `default engine; ${ratio(results.takumi.p50, results.nativeTakumi.p50)}× native takumi`)}
${row(results.satori, `${ratio(results.satori.p50, results.nativeSatori.p50)}× native satori+resvg-js`)}
${row(results.webp, 'takumi raw RGBA → libwebp (WASM), quality 82')}
${row(results.svg, 'satori only, no raster')}
${row(results.pdf, `${results.invoiceItems} line items; ${(results.pdfBytes() / 1024).toFixed(0)} KB; ${ratio(results.pdf.p50, results.nativePdf.p50)}× the same pipeline in Node, ${ratio(results.pdf.p50, results.rasterPdf.p50)}× the raster approach`)}
${row(results.cached, `${ratio(results.cached.p50, results.postFloor.p50)}× the authenticated empty POST, ${ratio(results.cached.p50, results.empty.p50)}× /healthz`)}
${row(results.poll, `${ratio(results.poll.p50, results.keyValid.p50)}× an authenticated GET (/account)`)}
${row(results.img, 'public image URL as crawlers fetch it')}
${row(results.keyValid, 'auth + rate limit + one D1 read')}
${row(results.keyMissing, `${ratio(results.keyMissing.p50, results.keyValid.p50)}× the valid key`)}
${row(results.keyMalformed, `${ratio(results.keyMalformed.p50, results.keyValid.p50)}× the valid key`)}
${row(results.keyUnknown, `${ratio(results.keyUnknown.p50, results.keyValid.p50)}× the valid key`)}
${row(results.keyRevoked, `${ratio(results.keyRevoked.p50, results.keyValid.p50)}× the valid key`)}
${row(results.nativeTakumi, 'in-process, no HTTP/D1/R2')}
${row(results.nativeSatori, 'in-process, no HTTP/D1/R2')}
${row(results.nativePdf, `in-process; ${(results.vectorBytes() / 1024).toFixed(0)} KB`)}
${row(results.rasterPdf, `in-process; ${(results.rasterBytes() / 1024).toFixed(0)} KB, text not selectable`)}

| Throughput (concurrency 8) | req/s |
|---|---:|
| ${results.rpsUncached.label} | ${results.rpsUncached.rps.toFixed(1)}${results.rpsUncached.errors ? ` (${results.rpsUncached.errors} errors)` : ''} |
| ${results.rpsCached.label} | ${results.rpsCached.rps.toFixed(1)}${results.rpsCached.errors ? ` (${results.rpsCached.errors} errors)` : ''} |

**WASM / native ratios (P50, same run):** takumi WASM in workerd (end to end, HTTP + D1 + R2 included) ${ratio(results.takumi.p50, results.nativeTakumi.p50)}× native \`@takumi-rs/core\`;
render only (server render_ms) ${ratio(results.takumi.server.p50, results.nativeTakumi.p50)}×.
satori + resvg-wasm ${ratio(results.satori.p50, results.nativeSatori.p50)}× satori + resvg-js (render only ${ratio(results.satori.server.p50, results.nativeSatori.p50)}×).

## Against the targets

| Target | Result | |
|---|---|---|
| uncached og-card, default engine, P50 ≤ 42 ms | ${f(results.takumi.p50)} ms | ${verdict(results.takumi.p50 <= 42)} |
| uncached og-card, default engine, P99 ≤ 100 ms | ${f(results.takumi.p99)} ms | ${verdict(results.takumi.p99 <= 100)} |
| cached hit P50 ≤ 1.3 × the authenticated empty POST (the HTTP floor of an API call) | ${ratio(results.cached.p50, results.postFloor.p50)}× (${ratio(results.cached.p50, results.empty.p50)}× /healthz) | ${verdict(results.cached.p50 <= 1.3 * results.postFloor.p50)} |
| GET /renders/:id P50 ≤ 1.5 × an authenticated GET | ${ratio(results.poll.p50, results.keyValid.p50)}× | ${verdict(results.poll.p50 <= 1.5 * results.keyValid.p50)} |
| 3-page invoice PDF, uncached, P50 ≤ 120 ms | ${f(results.pdf.p50)} ms (P99 ${f(results.pdf.p99)}) | ${verdict(results.pdf.p50 <= 120)} |
| the four 401s within 10 % of each other (P50) | ${f(Math.min(results.keyMissing.p50, results.keyMalformed.p50, results.keyUnknown.p50, results.keyRevoked.p50))}–${f(Math.max(results.keyMissing.p50, results.keyMalformed.p50, results.keyUnknown.p50, results.keyRevoked.p50))} ms | ${verdict(Math.max(results.keyMissing.p50, results.keyMalformed.p50, results.keyUnknown.p50, results.keyRevoked.p50) <= 1.1 * Math.min(results.keyMissing.p50, results.keyMalformed.p50, results.keyUnknown.p50, results.keyRevoked.p50))} |

## Bundle

\`wrangler deploy --dry-run\`: ${size ? `${(Number(size[1]) / 1024).toFixed(2)} MiB, **${(Number(size[2]) / 1024).toFixed(2)} MiB gzipped**` : 'failed'} —
${size && Number(size[2]) < 10 * 1024 ? 'fits the Workers paid plan (10 MB gzipped)' : 'does NOT fit the paid plan'}; ${size && Number(size[2]) < 3 * 1024 ? 'fits' : 'does not fit'} the free plan (3 MB).
Most of it is WASM: takumi (3.8 MiB), resvg (2.4 MiB), libwebp encoder, yoga, plus the bundled fonts.
`;
// bench/NOTES.md (hand-written analysis: what dominates, what would fix a miss) follows the numbers
const notes = join(root, 'bench/NOTES.md');
writeFileSync(join(root, 'bench/RESULTS.md'), md + (existsSync(notes) ? `\n${readFileSync(notes, 'utf8')}` : ''));
console.log(`\n${md}`);
