#!/usr/bin/env node
/**
 * `npm run bench`: starts the Worker locally (`npm run dev`, workerd with local D1/R2/Queues) and
 * measures, after warm-up, sequential P50/P99 of every render path plus the HTTP floor, and in the
 * same run the native reference (satori + @resvg/resvg-js, and @takumi-rs/core, in Node) on the
 * same card, so WASM/native ratios come from one machine at one time. Then requests/s at
 * concurrency 8, and the deploy bundle size. Writes bench/RESULTS.md (and prints it).
 *
 * Also: a Japanese og-card whose text needs fallback subsets not yet loaded (read from the FONTS R2
 * bucket) vs. one whose subsets are loaded, the first Japanese render of a freshly started server,
 * and an og-card with a remote WebP logo fetched and decoded vs. served from the R2 image cache.
 *
 * BENCH_QUICK=1 runs fewer iterations (a smoke run; don't commit its numbers).
 * And a user template (POST /api/v1/templates: HTML with {{vars}}) drawn like og-card, against og-card,
 * uncached and as cache hits, and the time to create one (markup parsed, both engines try it).
 *
 * And 250 KB adversarial inputs against every user-template and var pattern (bench/adversarial.mjs;
 * in-process, no server: BENCH_ONLY=adversarial runs it alone).
 *
 * And the far region (issue 17): the cached hit, the poll, an uncached render and /img/:key on two fresh
 * servers of their own, one without the latency model (local) and one with SIMULATED_RTT_MS=100
 * (far: every D1 / R2 / Redis / Queue call one region away), P50/P99 and the round trips per request
 * read from Server-Timing (BENCH_ONLY=far runs it alone; BENCH_FAR_RTT_MS / BENCH_FAR_REPLICA_RTT_MS change
 * the 100 ms and the replica's 5 ms). The same table holds signed og:image URLs (issue 18): a repeat fetch, a
 * first fetch (renders) and one whose vars fail (the fallback image).
 *
 * And the template lint (issue 18): POST /api/v1/templates/lint against POST /api/v1/templates/preview of the
 * same source, interleaved (BENCH_ONLY=lint).
 *
 * BENCH_ONLY=cjk,images,user,lint,cold,adversarial,far runs only those sections (main: everything else) and writes their
 * tables to .cache/bench-partial.md instead of bench/RESULTS.md.
 */
import { execSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../scripts/dev-server.mjs';
import { parseUnicodeRange, woffCoverage } from '../scripts/font-packs.mjs';
import { adversarialMd, adversarialSection } from './adversarial.mjs';
import { buildNative } from './build-native.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const n = (full, quick) => (QUICK ? quick : full);
const SECTIONS = ['main', 'cjk', 'images', 'user', 'lint', 'cold', 'adversarial', 'far'];
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((s) => s.trim()) : undefined;
for (const s of ONLY ?? []) if (!SECTIONS.includes(s)) throw new Error(`BENCH_ONLY: unknown section ${s} (one of ${SECTIONS.join(', ')})`);
const want = (section) => !ONLY || ONLY.includes(section);

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
// pure CPU, before anything else runs on the machine
const adversarialRows = want('adversarial') ? await adversarialSection({ iterations: n(20, 3) }) : undefined;
const needsServer = ['main', 'cjk', 'images', 'user', 'lint'].some(want);
const native = await import(await buildNative());
// Local D1/R2 state on tmpfs when there is one: the simulators fsync every write, and on a VM
// disk that measures the host's I/O queue (40 % iowait seen here), not the Worker.
const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/picstream-bench-') : undefined;
// Plan limits raised for the run (thousands of renders a minute from one key); the rate limiter
// and the quota still run on every request — against a real Redis when redis-server is installed.
const benchPlans = JSON.stringify({ free: { monthly_quota: 100_000_000, rate_limit: { requests: 10_000_000, window_seconds: 60 } } });
const server = needsServer
  ? await startDevServer({ ...(shm ? { stateDir: shm } : {}), extraArgs: ['--var', `PLANS:${benchPlans}`, '--var', 'AUTH_FAILURE_RATE_LIMIT:off'] })
  : undefined;
const origin = server?.origin;
const limiterBackend = server ? (/rate limiter: (Redis|in memory)/.exec(server.output())?.[1] ?? 'unknown') : 'not started';
const run = Date.now().toString(36); // makes this run's uncached titles unique across runs

// node:http with a keep-alive agent: a thinner client than fetch (undici), so less of each sample
// is the client's own overhead. Every path, the floors included, goes through it.
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
function request(method, path, body, key = server?.apiKey, base = origin) {
  const headers = body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {};
  if (key) headers.authorization = `Bearer ${key}`;
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function post(body, target = server) {
  const res = await request('POST', '/api/v1/generate/image', JSON.stringify(body), target.apiKey, target.origin);
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

// ---------------------------------------------------------------------------------------------
// Fonts for other scripts (issue 7): text the bundled fonts lack is drawn with unicode-range
// subsets of fallback families read from the FONTS R2 bucket, once per isolate (text-assets.ts).

const HAN = /\p{Script=Han}/u;
/** Kana between the kanji: they make the text Japanese (Noto Sans JP first, lang ja). */
const KANA = ['の', 'を', 'する', 'と'];
const JP_FAMILY = 'Noto Sans JP';
const JP_WEIGHT = 700; // og-card draws its title bold; subtitle and site are Latin (bundled)
const PER_TITLE = 5; // fresh subsets per "first use" title (a real title's kanji span 4–8 cold)

/** Noto Sans JP's numbered slices as the seed builds them: id, covered code points, ranges. */
function jpSubsets() {
  const dir = join(root, 'node_modules/@fontsource/noto-sans-jp');
  const unicode = JSON.parse(readFileSync(join(dir, 'unicode.json'), 'utf8'));
  const out = [];
  for (const [key, css] of Object.entries(unicode)) {
    const id = /^\[(\d+)\]$/.exec(key)?.[1];
    if (!id) continue;
    const declared = parseUnicodeRange(css);
    const covered = woffCoverage(readFileSync(join(dir, 'files', `noto-sans-jp-${id}-${JP_WEIGHT}-normal.woff`)));
    const cps = [...covered].filter((c) => declared.some(([a, b]) => c >= a && c <= b)).sort((a, b) => a - b);
    const ranges = [];
    for (const c of cps) {
      const last = ranges.at(-1);
      if (last && c === last[1] + 1) last[1] = c;
      else ranges.push([c, c]);
    }
    const woff2 = join(dir, 'files', `noto-sans-jp-${id}-${JP_WEIGHT}-normal.woff2`);
    out.push({ id, cps: new Set(cps), han: cps.filter((c) => HAN.test(String.fromCodePoint(c))), ranges, woff2 });
  }
  return out;
}

/**
 * Titles for the CJK case. Each "fresh" title holds two kanji from each of PER_TITLE slices no
 * earlier title used (most frequent kanji first: fontsource numbers the common ones highest), so
 * every one makes the Worker read PER_TITLE new subsets from R2 and register them with takumi.
 * Its "warm" twin has the same characters in another order: new text (an uncached render) whose
 * subsets are all loaded. The kana's slice is shared by all titles (loaded by the warm-up round).
 */
function jpTitles(subsets, count) {
  const subsetOf = (ch) => subsets.find((s) => s.cps.has(ch.codePointAt(0)));
  const kanaSubsets = new Set(KANA.flatMap((k) => [...k].map((ch) => subsetOf(ch)?.id)));
  const pool = subsets.filter((s) => s.han.length >= 10 && !kanaSubsets.has(s.id)).sort((a, b) => Number(b.id) - Number(a.id));
  const rounds = Math.min(count, Math.floor(pool.length / PER_TITLE));
  const join5 = (p) => `${p[0]}${KANA[0]}${p[1]}${KANA[1]}${p[2]}${KANA[2]}${p[3]}${KANA[3]}${p[4]}`;
  return Array.from({ length: rounds }, (_, r) => {
    const used = pool.slice(r * PER_TITLE, (r + 1) * PER_TITLE);
    const pairs = used.map((s) => {
      const at = Math.floor(s.han.length / 2);
      return String.fromCodePoint(s.han[at], s.han[at + 1]);
    });
    const needs = (title) => [...new Set([...title].map((ch) => subsetOf(ch)).filter(Boolean))];
    const fresh = join5(pairs);
    // what the Worker reads from R2 for it: the new slices' WOFF2 files
    const fresh_bytes = used.reduce((sum, s) => sum + statSync(s.woff2).size, 0);
    return { fresh, warm: join5([pairs[4], pairs[0], pairs[1], pairs[2], pairs[3]]), subsets: needs(fresh), fresh_bytes };
  });
}

let latinWarmed = false;
/** The Latin path warmed as the main section warms it (when that section did not run). */
async function warmLatin() {
  if (latinWarmed) return;
  latinWarmed = true;
  for (let i = 0; i < n(40, 10); i++) await post(card(`Warm latin ${run} ${i}`));
}

async function cjkSection() {
  await warmLatin();
  const subsets = jpSubsets();
  const warmup = 1;
  const titles = jpTitles(subsets, n(20, 4) + warmup);
  const rounds = titles.length - warmup;
  let fresh = 0;
  let warm = 0;
  let latin = 0;
  Object.assign(
    results,
    await interleaved(rounds, warmup, {
      cjkFirst: [`og-card, Japanese title, ${PER_TITLE} subsets not yet loaded`, async () => (await post(card(titles[fresh++].fresh))).render_ms],
      cjkWarm: ['og-card, Japanese title, its subsets loaded', async () => (await post(card(titles[warm++].warm))).render_ms],
      cjkLatin: ['og-card uncached, Latin title (same rounds)', async () => (await post(card(`CJK baseline ${run} ${latin++}`))).render_ms],
    }),
  );

  // native takumi with the same slices registered from @fontsource/noto-sans-jp's files: "first"
  // reads and registers the title's new slices inside the timed call, "warm" has them already
  const text = { fontFamilies: [...native.NATIVE_FAMILIES, JP_FAMILY], lang: 'ja' };
  const registered = new Set();
  const nativeVars = (title) => ({ title, subtitle: 'Templates in, PNGs out, in tens of milliseconds.', site: 'picstream.dev' });
  let nFresh = 0;
  let nWarm = 0;
  Object.assign(
    results,
    await interleaved(rounds, warmup, {
      nativeCjkFirst: [
        `native takumi, Japanese title, ${PER_TITLE} new subsets read + registered`,
        async () => {
          const t = titles[nFresh++];
          for (const s of t.subsets) {
            if (registered.has(s.id)) continue;
            registered.add(s.id);
            await native.registerNativeFont({ name: JP_FAMILY, weight: JP_WEIGHT, data: readFileSync(s.woff2), unicodeRange: s.ranges });
          }
          await native.renderNative('og-card', nativeVars(t.fresh), 'takumi', {}, text);
        },
      ],
      nativeCjkWarm: [
        'native takumi, Japanese title, subsets registered',
        () => native.renderNative('og-card', nativeVars(titles[nWarm++].warm), 'takumi', {}, text),
      ],
    }),
  );
  const kb = titles.slice(warmup).map((t) => t.fresh_bytes / 1024);
  results.cjkFreshKb = kb.reduce((a, x) => a + x, 0) / kb.length;
}

// ---------------------------------------------------------------------------------------------
// Remote images: a WebP logo served by a local HTTP server (http://localhost is allowed under
// npm run dev), fetched + decoded to PNG + cached in R2 on first use of a URL, read from R2 after.

const LOGO_PX = 256;

/** A deterministic 256×256 logo-like picture (rings and noise: not trivially compressible). */
function logoPixels() {
  const data = new Uint8ClampedArray(LOGO_PX * LOGO_PX * 4);
  let seed = 7;
  for (let i = 0; i < LOGO_PX * LOGO_PX; i++) {
    const x = i % LOGO_PX;
    const y = Math.floor(i / LOGO_PX);
    const d = Math.hypot(x - LOGO_PX / 2, y - LOGO_PX / 2);
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const noise = seed % 24;
    const ring = Math.floor(d / 16) % 2 === 0;
    data.set([ring ? 37 + noise : 240 - noise, ring ? 99 + noise : 200 - noise, ring ? 235 - noise : 60 + noise, 255], i * 4);
  }
  return { data, width: LOGO_PX, height: LOGO_PX };
}

async function imageSection() {
  await warmLatin();
  const pixels = logoPixels();
  const webpEncode = await import('@jsquash/webp/encode.js');
  await webpEncode.init(await WebAssembly.compile(readFileSync(join(root, 'node_modules/@jsquash/webp/codec/enc/webp_enc.wasm'))));
  const webp = Buffer.from(await webpEncode.default(pixels, { quality: 90 }));
  let fetches = 0;
  const logoServer = http.createServer((req, res) => {
    if (!req.url?.startsWith('/logo.webp')) {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { 'content-type': 'image/webp', 'content-length': webp.length });
    res.end(webp);
  });
  await new Promise((resolve) => logoServer.listen(0, '127.0.0.1', resolve));
  const logoUrl = `http://localhost:${logoServer.address().port}/logo.webp`;
  try {
    const cachedUrl = `${logoUrl}?v=${run}-cached`;
    const logoCard = (title, logo) => ({ template: 'og-card', vars: { ...card(title).vars, logo } });
    await post(logoCard(`Logo prime ${run}`, cachedUrl)); // fetched, decoded and cached once
    const before = fetches;
    const warmup = 3;
    const rounds = n(60, 6);
    let u = 0;
    let c = 0;
    let b = 0;
    let uncachedFetches = 0;
    Object.assign(
      results,
      await interleaved(rounds, warmup, {
        logoUncached: [
          'og-card + remote WebP logo, URL not cached',
          async () => {
            const f0 = fetches;
            const ms = (await post(logoCard(`Logo uncached ${run} ${u}`, `${logoUrl}?v=${run}-${u++}`))).render_ms;
            uncachedFetches += fetches - f0;
            return ms;
          },
        ],
        logoCached: ['og-card + remote WebP logo, URL cached (R2 copy)', async () => (await post(logoCard(`Logo cached ${run} ${c++}`, cachedUrl))).render_ms],
        logoNone: ['og-card uncached, no logo (same rounds)', async () => (await post(card(`Logo baseline ${run} ${b++}`))).render_ms],
      }),
    );
    const total = rounds + warmup;
    if (uncachedFetches !== total) throw new Error(`expected ${total} fetches of uncached logo URLs, saw ${uncachedFetches}`);
    if (fetches - before !== total) throw new Error(`the cached logo URL was fetched again (${fetches - before - total} times)`);
    // native reference: the same card with the logo as the PNG the cache holds (no fetch, no decode)
    const pngjs = (await import('pngjs')).default;
    const png = new pngjs.PNG({ width: LOGO_PX, height: LOGO_PX });
    png.data = Buffer.from(pixels.data.buffer);
    const dataUrl = `data:image/png;base64,${pngjs.PNG.sync.write(png).toString('base64')}`;
    const nativeVars = (title) => ({
      title,
      subtitle: 'Templates in, PNGs out, in tens of milliseconds.',
      site: 'picstream.dev',
      logo: 'https://example.com/logo.png',
    });
    results.nativeLogo = await measure('native takumi, og-card + the logo as PNG', n(60, 6), 3, async (i) => {
      await native.renderNative('og-card', nativeVars(`Native logo ${i}`), 'takumi', { logo: dataUrl });
    });
    results.logoWebpBytes = webp.length;
  } finally {
    logoServer.close();
  }
}

// ---------------------------------------------------------------------------------------------
// User templates: og-card's design written as HTML with {{vars}} (POST /api/v1/templates).
const USER_CARD = {
  name: 'og-card as HTML',
  width: 1200,
  height: 630,
  html: `<div style="display:flex;flex-direction:column;justify-content:space-between;width:100%;height:100%;padding:72px;background:linear-gradient(135deg, #0f172a 0%, #1e1b4b 100%);color:#f8fafc">
  <div style="display:flex;align-items:center;height:64px"><div style="width:56px;height:8px;border-radius:4px;background:#818cf8"></div></div>
  <div style="display:flex;flex-direction:column">
    <div style="display:block;line-clamp:3;overflow:hidden;text-overflow:ellipsis;font-size:68px;font-weight:700;line-height:1.12;letter-spacing:-1.5px">{{title}}</div>
    <div data-if="subtitle" style="display:block;line-clamp:2;overflow:hidden;text-overflow:ellipsis;margin-top:24px;font-size:32px;line-height:1.35;color:#94a3b8">{{subtitle}}</div>
  </div>
  <div style="display:flex;align-items:center;font-size:26px;font-weight:600;color:#94a3b8;height:32px">{{site}}</div>
</div>`,
  vars: { title: { type: 'text', required: true, max_length: 200 } },
  example: { title: 'Ship images at the edge', subtitle: 'Templates in, PNGs out.', site: 'picstream.dev' },
};

async function userSection() {
  await warmLatin();
  const create = async () => {
    const res = await request('POST', '/api/v1/templates', JSON.stringify(USER_CARD));
    const json = JSON.parse(res.body.toString());
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(json)}`);
    return json.id;
  };
  const id = await create();
  results.userCreate = await measure('POST /api/v1/templates (parse + both engines try it)', n(30, 4), 3, async () => {
    await create();
  });
  const user = (title) => ({ template: id, vars: card(title).vars });
  let p = 0;
  results.userPreview = await measure('POST /api/v1/templates/preview (PNG, TEST watermark)', n(40, 4), 5, async () => {
    const res = await request('POST', '/api/v1/templates/preview', JSON.stringify({ ...USER_CARD, values: card(`Preview ${run} ${p++}`).vars }));
    if (res.status !== 200) throw new Error(`preview: ${res.status} ${res.body.toString().slice(0, 200)}`);
  });
  const hitTitle = `User hit ${run}`;
  await post(user(hitTitle));
  await post(card(hitTitle));
  let u = 0;
  let b = 0;
  const hit = async (body) => {
    const out = await post(body);
    if (!out.cached) throw new Error('expected a cache hit');
    return out.render_ms;
  };
  Object.assign(
    results,
    await interleaved(n(100, 8), 10, {
      userUncached: ['user template (og-card as HTML) uncached', async () => (await post(user(`User uncached ${run} ${u++}`))).render_ms],
      userBaseline: ['og-card uncached (same rounds)', async () => (await post(card(`User baseline ${run} ${b++}`))).render_ms],
      userCached: ['user template cached hit', () => hit(user(hitTitle))],
      userPinnedCached: ['user template pinned (tpl_…@1) cached hit', () => hit({ ...user(hitTitle), template: `${id}@1` })],
      userCardCached: ['og-card cached hit (same rounds)', () => hit(card(hitTitle))],
    }),
  );
  results.nativeUser = await measure('native takumi, the user template', n(100, 8), 10, async (i) => {
    await native.renderNativeUser(USER_CARD, card(`Native user ${i}`).vars);
  });
}

// ---------------------------------------------------------------------------------------------
// The template lint: what an editor calls on each debounce, against the preview of the same source.
async function lintSection() {
  await warmLatin();
  const long = 'A remarkably long headline that keeps going well past the point where any sensible editor would have stopped it';
  const call = async (path, body, want) => {
    const res = await request('POST', path, JSON.stringify(body));
    if (res.status !== want) throw new Error(`${path}: ${res.status} ${res.body.toString().slice(0, 200)}`);
    return res;
  };
  let i = 0;
  Object.assign(
    results,
    await interleaved(n(60, 6), 5, {
      lintSource: [
        'lint, the source (og-card as HTML, a clamped title)',
        async () => {
          const report = JSON.parse((await call('/api/v1/templates/lint', { ...USER_CARD, values: card(`${long} ${i++}`).vars }, 200)).body.toString());
          if (!report.issues.some((x) => x.code === 'text_clamped')) throw new Error(`lint: no clamp reported ${JSON.stringify(report)}`);
        },
      ],
      lintBuiltIn: ['lint, og-card by reference (a clamped title)', () => call('/api/v1/templates/lint', card(`${long} ${i++}`), 200)],
      lintPreview: ['preview of the same source (PNG)', () => call('/api/v1/templates/preview', { ...USER_CARD, values: card(`${long} ${i++}`).vars }, 200)],
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Cold: a freshly started server (new workerd isolate, fresh local state, fonts just seeded).
const COLD_TITLE = '東京で開催される新しいウェブ開発カンファレンスのお知らせ';

async function coldSection() {
  const subsets = jpSubsets();
  results.coldSubsets = new Set([...COLD_TITLE].map((ch) => subsets.find((s) => s.cps.has(ch.codePointAt(0)))?.id).filter(Boolean)).size;
  const latin = [];
  const cjk = [];
  for (let i = 0; i < n(3, 1); i++) {
    const dir = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/picstream-bench-cold-') : undefined;
    const fresh = await startDevServer({
      ...(dir ? { stateDir: dir } : {}),
      extraArgs: ['--var', `PLANS:${benchPlans}`, '--var', 'AUTH_FAILURE_RATE_LIMIT:off'],
    });
    try {
      // the first render of the isolate instantiates takumi's WASM and registers the bundled
      // fonts; the Japanese render after it pays what text in another script adds: the manifest
      // and the title's subsets read from R2, the subsets registered
      latin.push(await time(() => post(card(`Cold latin ${run} ${i}`), fresh)));
      cjk.push(await time(() => post(card(COLD_TITLE), fresh)));
      console.log(`cold server ${i + 1}: first render (Latin) ${latin.at(-1).toFixed(1)} ms, then first Japanese ${cjk.at(-1).toFixed(1)} ms`);
    } finally {
      fresh.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  results.coldLatin = { label: 'cold server: first render (Latin og-card)', ...stats(latin) };
  results.coldCjk = { label: `cold server: first Japanese og-card after it (manifest + ${results.coldSubsets} subsets)`, ...stats(cjk) };
}

// ---------------------------------------------------------------------------------------------
// Far region (issue 17): the same paths on a server without the latency model (local) and on one
// with SIMULATED_RTT_MS (far: each D1 statement/batch on the primary, R2 op, Redis command and
// queue send waits that long). Each has its own port and --persist-to state, so they share no
// Cache API, memo or limiter. The round trips a response waited for before it was sent are in its
// Server-Timing: `rtt;desc="primary N, replica M";dur=…` (src/lib/region.ts).
const FAR_RTT_MS = process.env.BENCH_FAR_RTT_MS ?? '100';
const FAR_REPLICA_RTT_MS = process.env.BENCH_FAR_REPLICA_RTT_MS; // unset: the model's default (5 ms)
const RTT_ENTRY = /(?:^|,)\s*rtt;desc="primary (\d+), replica (\d+)";dur=([\d.]+)/;

/** The round trips a response reports, or null when it has no rtt entry (the model is off). */
function tripsOf(res) {
  const m = RTT_ENTRY.exec(res.headers['server-timing'] ?? '');
  return m ? { primary: Number(m[1]), replica: Number(m[2]), waited: Number(m[3]) } : null;
}

/** A signed og URL's path and query (README "Signed og:image URLs": the canonical form), string vars only. */
function signedOg(key, template, vars) {
  const E = (x) => encodeURIComponent(x).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const pairs = [...Object.entries(vars), ['kid', key.id]]
    .map(([k, v]) => [E(k), E(v)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const canonical = `/og/${E(`${template}.png`)}?${pairs.map((p) => p.join('=')).join('&')}`;
  return `${canonical}&s=${createHmac('sha256', key.secret).update(canonical).digest('base64url')}`;
}

async function farSection() {
  // local: the model off even if this shell has it on; far: on, with the replica time left at its default
  const servers = {};
  const dirs = [];
  const start = async (name, env) => {
    const dir = existsSync('/dev/shm') ? mkdtempSync(`/dev/shm/picstream-bench-${name}-`) : undefined;
    if (dir) dirs.push(dir);
    servers[name] = await startDevServer({
      ...(dir ? { stateDir: dir } : {}),
      // the bench plan: no rate limit in the way, a monthly quota nowhere near its edge
      extraArgs: ['--var', `PLANS:${benchPlans}`, '--var', 'AUTH_FAILURE_RATE_LIMIT:off'],
      env,
    });
  };
  const t0 = performance.now();
  try {
    await start('local', { SIMULATED_RTT_MS: undefined, SIMULATED_REPLICA_RTT_MS: undefined });
    await start('far', { SIMULATED_RTT_MS: FAR_RTT_MS, SIMULATED_REPLICA_RTT_MS: FAR_REPLICA_RTT_MS });
    results.farStartMs = performance.now() - t0;
    results.farLimiter = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, /rate limiter: (Redis|in memory)/.exec(s.output())?.[1] ?? 'unknown']));
    await farMeasure(servers);
  } finally {
    for (const s of Object.values(servers)) s.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  results.farTotalMs = performance.now() - t0;
}

async function farMeasure(servers) {
  const call = async (target, method, path, body, expectStatus = 200) => {
    const res = await request(method, path, body === undefined ? undefined : JSON.stringify(body), target.apiKey, target.origin);
    if (res.status !== expectStatus) throw new Error(`${method} ${path} on ${target.origin}: ${res.status} ${res.body.toString().slice(0, 300)}`);
    const trips = tripsOf(res);
    if (target === servers.far && !trips)
      throw new Error(`${method} ${path}: no rtt entry in Server-Timing on the far server (${res.headers['server-timing']})`);
    if (target === servers.local && trips) throw new Error(`${method} ${path}: the local server reports round trips: its latency model is on`);
    return { res, trips, timing: res.headers['server-timing'] ?? '' };
  };
  const generate = async (target, body, cached) => {
    const out = await call(target, 'POST', '/api/v1/generate/image', body);
    const json = JSON.parse(out.res.body.toString());
    if (json.cached !== cached) throw new Error(`expected cached: ${cached}, got ${json.cached}`);
    return { ...out, json };
  };
  const image = async (target, path) => {
    const out = await call(target, 'GET', path, undefined);
    if (!/^image\//.test(out.res.headers['content-type'] ?? '')) throw new Error(`GET ${path}: ${out.res.headers['content-type']}`);
    return out;
  };

  // per server: the hit's body rendered once (its id for the poll, its image for /img/:key), and
  // the render path warmed (WASM instantiated and tiered up, fonts registered) before timing
  const setup = {};
  for (const [name, target] of Object.entries(servers)) {
    const hit = card(`Far hit ${run} ${name}`);
    const first = await generate(target, hit, false);
    const imgPath = new URL(first.json.url).pathname;
    await image(target, imgPath); // the R2 miss; from here on the Cache API answers
    for (let i = 0; i < (name === 'local' ? n(30, 5) : n(5, 2)); i++) await generate(target, card(`Far warm ${run} ${name} ${i}`), false);
    // a URL-signing key, and a signed og URL rendered once (its later hits come from the Cache API)
    const made = await call(target, 'POST', '/api/v1/url-signing-keys', { name: 'bench' }, 201);
    const signing = JSON.parse(made.res.body.toString());
    const ogHit = signedOg(signing, 'og-card', { title: `Far og hit ${run} ${name}`, site: 'picstream.dev' });
    await image(target, ogHit);
    setup[name] = { hit, id: first.json.id, imgPath, signing, ogHit };
  }

  const farN = n(30, 5);
  const LOCAL_PER_FAR = 3; // local requests are cheap: three per far one, interleaved
  const sample = () => ({ ms: [], primary: [], replica: [], waited: [], timings: {} });
  const rows = {};
  /**
   * One path on both servers, interleaved (one far request, then three local ones, per round), so
   * drift in the machine hits both alike. `fn(target, name, i, timed)` makes request i (unique per
   * server) and returns its `{ trips, timing }` and optionally `after`, a dependent request run
   * outside the timer; `timed` is false in the warm-up rounds.
   */
  const both = async (key, label, warmup, fn) => {
    const r = { label, local: sample(), far: sample() };
    for (let round = -warmup; round < farN; round++) {
      for (const [name, count] of [
        ['far', 1],
        ['local', LOCAL_PER_FAR],
      ]) {
        for (let j = 0; j < count; j++) {
          const i = (round + warmup) * count + j;
          let out;
          const ms = await time(async () => {
            out = await fn(servers[name], name, i, round >= 0);
          });
          await out.after?.(); // a dependent request, outside this row's timer
          if (round < 0) continue;
          r[name].ms.push(ms);
          if (out.trips) {
            r[name].primary.push(out.trips.primary);
            r[name].replica.push(out.trips.replica);
            r[name].waited.push(out.trips.waited);
          }
          // the server's own phases (Server-Timing name;dur=…), for where the time goes
          for (const [, phase, dur] of out.timing.matchAll(/(?:^|,)\s*(\w+)(?:;desc="[^"]*")?;dur=([\d.]+)/g)) {
            r[name].timings[phase] ??= [];
            r[name].timings[phase].push(Number(dur));
          }
        }
      }
    }
    rows[key] = r;
    const p = (side) => stats(side.ms);
    const side = (name) => `${name} P50 ${p(r[name]).p50.toFixed(1).padStart(6)} P99 ${p(r[name]).p99.toFixed(1).padStart(6)} (n=${r[name].ms.length})`;
    // waited: the sum of the far request's round trips' waits (more than its extra time when they overlap)
    const phases = Object.entries(r.far.timings)
      .map(([phase, values]) => `${phase} ${stats(values).p50.toFixed(0)}`)
      .join(', ');
    r.farPhases = phases;
    console.log(
      `${label.padEnd(40)} ${side('local')}  ${side('far')}  far trips: primary ${tripSummary(r.far.primary)}, replica ${tripSummary(r.far.replica)}, waited ${tripSummary(r.far.waited)} ms${phases ? `\n${''.padEnd(40)} far Server-Timing P50s (ms): ${phases}` : ''}`,
    );
  };

  await both('hit', 'cached hit (POST, same body again)', 3, (target, name) => generate(target, setup[name].hit, true));
  await both('poll', 'GET /api/v1/renders/:id (finished)', 3, (target, name) => call(target, 'GET', `/api/v1/renders/${setup[name].id}`));
  // each uncached render's image is fetched once right after it: that GET is the R2 miss
  const firstHits = { local: sample(), far: sample() };
  await both('uncached', 'uncached og-card (unique title)', 2, async (target, name, i, timed) => {
    const out = await generate(target, card(`Far uncached ${run} ${name} ${i}`), false);
    const after = async () => {
      let img;
      const ms = await time(async () => {
        img = await image(target, new URL(out.json.url).pathname);
      });
      if (!timed) return;
      firstHits[name].ms.push(ms);
      if (img.trips) {
        firstHits[name].primary.push(img.trips.primary);
        firstHits[name].replica.push(img.trips.replica);
        firstHits[name].waited.push(img.trips.waited);
      }
    };
    return { ...out, after };
  });
  await both('img', 'GET /img/:key (after its first hit)', 3, (target, name) => image(target, setup[name].imgPath));
  // signed og:image URLs (issue 18): a crawler's repeat, a URL's first fetch (a render), and a URL that falls back
  await both('ogHit', 'GET /og/… signed URL (after its first hit)', 3, (target, name) => image(target, setup[name].ogHit));
  await both('ogFirst', 'GET /og/… signed URL, first fetch (renders)', 2, (target, name, i) =>
    image(target, signedOg(setup[name].signing, 'og-card', { title: `Far og first ${run} ${name} ${i}`, site: 'picstream.dev' })),
  );
  await both('ogFallback', 'GET /og/… invalid vars → fallback image', 2, async (target, name, i) => {
    const out = await image(target, signedOg(setup[name].signing, 'og-card', { title: `Far og fallback ${run} ${name} ${i} ${'x'.repeat(300)}` }));
    if (out.res.headers['x-picstream-error'] !== 'validation_failed') throw new Error(`expected a fallback, got ${out.res.headers['x-picstream-error']}`);
    return out;
  });
  rows.imgFirst = { label: 'GET /img/:key, first hit after its render', ...firstHits };
  const fh = (name) => stats(firstHits[name].ms).p50.toFixed(1);
  console.log(`${rows.imgFirst.label.padEnd(40)} local P50 ${fh('local')}  far P50 ${fh('far')}  far trips: primary ${tripSummary(firstHits.far.primary)}`);
  results.far = rows;
}

function tripSummary(values) {
  if (!values.length) return 'model off';
  const s = [...values].sort((a, b) => a - b);
  const median = s[Math.floor((s.length - 1) / 2)];
  return `${median} (max ${s.at(-1)})`;
}

const results = {};
try {
  if (want('main')) await mainSections();
  if (want('cjk')) await cjkSection();
  if (want('images')) await imageSection();
  if (want('user')) await userSection();
  if (want('lint')) await lintSection();
} catch (err) {
  console.error(err);
  console.error(`--- dev server output (tail) ---\n${server?.output().split('\n').slice(-40).join('\n')}`);
  process.exitCode = 1;
  throw err;
} finally {
  server?.stop();
  if (shm) rmSync(shm, { recursive: true, force: true });
}
if (want('cold')) await coldSection();
if (want('far')) await farSection();

async function mainSections() {
  latinWarmed = true; // the uncached og-card below warms the Latin path (40 renders)
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
  // (the per-address limit on failed authentications is off for this server: these are all 401s, checked)
  const expect401 = async (key) => {
    const res = await request('GET', '/api/v1/account', undefined, key);
    if (res.status !== 401) throw new Error(`a bad key answered ${res.status}, not 401`);
    return res;
  };
  const unauthorized = await interleaved(n(300, 30), 20, {
    keyValid: ['401 floor: valid key (GET /api/v1/account)', () => request('GET', '/api/v1/account')],
    keyMissing: ['401: no key', () => expect401(null)],
    keyMalformed: ['401: malformed key', () => expect401('not-a-key')],
    keyUnknown: ['401: unknown key', () => expect401(`pk_live_${'A'.repeat(40)}`)],
    keyRevoked: ['401: revoked key', () => expect401(doomed.key)],
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
}

// bundle size, as `wrangler deploy` would upload it
let size;
if (want('main')) {
  const dry = spawnSync(
    process.execPath,
    [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', mkdtempSync(join(tmpdir(), 'picstream-dist-'))],
    {
      cwd: root,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      encoding: 'utf8',
    },
  );
  size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(`${dry.stdout}${dry.stderr}`);
}

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

const extraMd = () => {
  const out = [];
  if (adversarialRows) out.push(adversarialMd(adversarialRows));
  const table = '| Path | P50 ms | P99 ms | server P50 ms | n | note |\n|---|---:|---:|---:|---:|---|';
  if (results.cjkFirst) {
    const { cjkFirst: first, cjkWarm: warm, cjkLatin: latin, nativeCjkFirst: nFirst, nativeCjkWarm: nWarm } = results;
    out.push(`
## Text in other scripts: a Japanese og-card, first use of its font subsets and after

Measured interleaved (one of each per round). "Not yet loaded": each title holds two kanji from each of
${PER_TITLE} Noto Sans JP slices (bold) no earlier request used, so the Worker reads ${PER_TITLE} new subsets from the FONTS
bucket (≈ ${f(results.cjkFreshKb)} KB of WOFF2 per title) and registers them with takumi; "loaded": the same
characters in another order (new text, an uncached render; nothing read). The manifest was read in the warm-up round.

${table}
${row(first, `+${f(first.p50 - warm.p50)} ms over loaded (the font load); ${ratio(first.p50, nFirst.p50)}× native`)}
${row(warm, `${ratio(warm.p50, latin.p50)}× the Latin title; ${ratio(warm.p50, nWarm.p50)}× native`)}
${row(latin, 'bundled fonts only')}
${row(nFirst, `in-process; the ${PER_TITLE} slices' WOFF2 files read from disk and registered in the timed call`)}
${row(nWarm, 'in-process; slices registered')}
`);
    if (results.coldCjk) {
      out.push(`
**Cold (fresh server each time, n = ${results.coldCjk.n}, one sample per start — indicative only):**
first render of the isolate (Latin og-card: takumi WASM instantiated, bundled fonts registered) then the first
Japanese og-card ("${COLD_TITLE}": manifest read + ${results.coldSubsets} subsets read and registered).

${table}
${row(results.coldLatin, 'first request that renders')}
${row(results.coldCjk, `P50 ${ratio(results.coldCjk.p50, warm.p50)}× the "loaded" row`)}
`);
    }
  } else if (results.coldCjk) {
    out.push(`
## Text in other scripts: cold (fresh server each time, n = ${results.coldCjk.n}, indicative only)

${table}
${row(results.coldLatin, 'first request that renders')}
${row(results.coldCjk, `"${COLD_TITLE}"`)}
`);
  }
  if (results.logoUncached) {
    const { logoUncached: miss, logoCached: hitRow, logoNone: none, nativeLogo } = results;
    out.push(`
## Remote WebP logo: first fetch + decode of a URL, and from the R2 image cache

A ${LOGO_PX}×${LOGO_PX} WebP logo (${(results.logoWebpBytes / 1024).toFixed(1)} KB, lossy q90) served by a local HTTP server in the
benchmark (http://localhost, allowed under \`npm run dev\`); interleaved rounds, every render uncached (new title).
"Not cached": a new query string each time, so the Worker fetches the file, decodes the WebP (WASM) to PNG and
writes the copy to R2 (every one checked to reach the server); "cached": one URL, read from R2 (checked not to).

${table}
${row(miss, `+${f(miss.p50 - hitRow.p50)} ms over cached (fetch + decode + R2 put)`)}
${row(hitRow, `+${f(hitRow.p50 - none.p50)} ms over no logo (R2 read + drawing it); ${ratio(hitRow.p50, nativeLogo.p50)}× native`)}
${row(none, 'baseline')}
${row(nativeLogo, 'in-process; the logo as a PNG data URL (what the cache holds)')}
`);
  }
  if (results.lintSource) {
    const { lintSource: src, lintBuiltIn: ref, lintPreview: prev } = results;
    out.push(`
## Template lint: what an editor calls on each debounce

POST /api/v1/templates/lint of the user-template card (og-card as HTML) with a title its clamp cuts, against
POST /api/v1/templates/preview of the same source and values (the preview draws and encodes the PNG; the lint
lays the tree out twice with takumi and draws nothing). Interleaved rounds, every title new.

${table}
${row(src, `${ratio(src.p50, prev.p50)}× the preview`)}
${row(ref, 'the built-in og-card, by reference')}
${row(prev, 'baseline: the same source drawn')}
`);
  }
  if (results.userUncached) {
    const {
      userUncached: un,
      userBaseline: base,
      userCached: hitRow,
      userPinnedCached: pinnedHit,
      userCardCached: cardHit,
      nativeUser,
      userCreate,
      userPreview,
    } = results;
    out.push(`
## User templates: og-card's design as HTML with {{vars}}

The same card written as a user template (POST /api/v1/templates: inline styles, \`{{title}}\` placeholders) and
rendered through \`"template": "tpl_…"\`: the template's current version is read from D1 on every request (its
compiled form is kept per isolate and version). Interleaved rounds.

${table}
${row(un, `${ratio(un.p50, base.p50)}× og-card; ${ratio(un.p50, nativeUser.p50)}× native`)}
${row(base, 'built-in template, baseline')}
${row(hitRow, `+${f(hitRow.p50 - cardHit.p50)} ms over og-card's hit (the template's current version read from D1)`)}
${row(pinnedHit, `+${f(pinnedHit.p50 - cardHit.p50)} ms over og-card's hit (a pinned version: kept per isolate, no D1 read)`)}
${row(cardHit, 'baseline')}
${row(nativeUser, 'in-process: the compiled template drawn by @takumi-rs/core')}
${row(userCreate, 'markup parsed, vars typed, the example drawn by takumi and by satori + resvg, stored')}
${row(userPreview, 'markup parsed and drawn once (default engine), the image in the answer, nothing stored')}
`);
  }
  if (results.far) {
    const rowsFar = results.far;
    const s = (side) => (side.ms.length ? stats(side.ms) : undefined);
    const maxOf = (values) => (values.length ? Math.max(...values) : undefined);
    /** `check`: { ms } (P50 at most local + ms) and/or { anyTrip } (replica trips count too); none: for information */
    const farRow = (key, goal, check) => {
      const r = rowsFar[key];
      const local = s(r.local);
      const far = s(r.far);
      const delta = far.p50 - local.p50;
      const replica = r.far.replica.length ? `; replica ${tripSummary(r.far.replica)}` : '';
      let met = '–';
      if (check) {
        const trips = check.anyTrip ? r.far.primary.map((p, i) => p + r.far.replica[i]) : r.far.primary;
        const misses = [];
        if (maxOf(trips) !== 0) misses.push(`${tripSummary(trips)} ${check.anyTrip ? 'round trips' : 'primary'}`);
        if (check.ms !== undefined && delta > check.ms) misses.push(`+${f(delta)} ms`);
        met = misses.length ? `❌ missed (${misses.join(', ')})` : '✅ met';
      }
      return `| ${r.label} | ${f(local.p50)} | ${f(local.p99)} | ${f(far.p50)} | ${f(far.p99)} | ${delta >= 0 ? '+' : ''}${f(delta)} | ${tripSummary(r.local.primary)} | ${tripSummary(r.far.primary)}${replica} | ${goal} | ${met} |`;
    };
    const n0 = rowsFar.hit;
    out.push(`
## Far region (issue 17): one region away from D1, R2, Redis and the Queues

Two fresh servers of their own, started for this section (separate ports and \`--persist-to\` state on tmpfs, so no
Cache API, memo or limiter is shared): **local** without the latency model, **far** with \`SIMULATED_RTT_MS=${FAR_RTT_MS}\`
(src/lib/region.ts: every D1 statement or batch on the primary, R2 operation, Redis command and queue send waits
${FAR_RTT_MS} ms; a D1 read through a Sessions-API session waits the replica time, ${FAR_REPLICA_RTT_MS ?? '5'} ms). Sequential, after
warm-up, interleaved: one far request then ${n0.local.ms.length / n0.far.ms.length} local ones per round (n = ${n0.far.ms.length} far, ${n0.local.ms.length} local per path). Round
trips are the far response's \`Server-Timing\` \`rtt;desc="primary N, replica M"\` entry — what it waited for
*before the answer* (work after it, e.g. the hit log's D1 batch, is not counted): median per request (max). The local
server has no rtt entry (model off). The account is on the bench plan (\`PLANS\`: rate limit and monthly quota raised
to 10,000,000 / 100,000,000, so far from its quota edge); rate limiter: ${results.farLimiter.local === 'Redis' ? 'real redis-server behind an Upstash-REST server' : results.farLimiter.local} on each server.
A "first hit" is the first GET of each uncached render's image, right after that render (an R2 miss; the Cache API
then holds it). The section took ${(results.farTotalMs / 1000).toFixed(0)} s (servers started in ${(results.farStartMs / 1000).toFixed(0)} s).

| Path | local P50 ms | local P99 ms | far P50 ms | far P99 ms | far − local P50 ms | round trips (local) | primary round trips (far) | goal | met? |
|---|---:|---:|---:|---:|---:|---|---|---|---|
${farRow('hit', '0 primary; P50 ≤ local + 10 ms', { ms: 10 })}
${farRow('poll', '0 primary; P50 ≤ local + 10 ms', { ms: 10 })}
${farRow('uncached', '0 primary before the answer; P50 ≤ local + 15 ms', { ms: 15 })}
${farRow('img', '0 round trips (Cache API)', { anyTrip: true })}
${farRow('imgFirst', '– (for information)')}
${farRow('ogHit', '0 primary (kid remembered or read from a replica; Cache API); P50 ≤ local + 10 ms', { ms: 10 })}
${farRow('ogFirst', '0 primary before the answer; P50 ≤ local + 15 ms', { ms: 15 })}
${farRow('ogFallback', '0 primary before the answer (the failure recorded after it)', {})}

Where the far requests' time goes (their \`Server-Timing\` phases, P50 ms; \`rtt\` is the sum of the waits, which overlap
where two trips run side by side):
${['hit', 'poll', 'uncached', 'img', 'ogHit', 'ogFirst', 'ogFallback']
  .filter((key) => rowsFar[key].farPhases)
  .map((key) => `- ${rowsFar[key].label}: ${rowsFar[key].farPhases}`)
  .join('\n')}
`);
  }
  return out.join('');
};

const header = `# Benchmark results

Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}${QUICK ? ' (BENCH_QUICK smoke run — not representative)' : ''}.

**Machine:** ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} GiB free), Node ${process.version}, wrangler ${wranglerVersion} (${workerd || 'workerd'}), local \`wrangler dev\` with local D1/R2/Queues${shm ? ' (their state on tmpfs)' : ''}.
Rate limiter: ${limiterBackend === 'Redis' ? 'real redis-server behind an Upstash-REST server' : limiterBackend} (plan limits raised for the run). Every /api/v1 request is authenticated and rate limited (a warm key from the isolate's key cache and the limiter's estimate, README "At the edge").
Client and server share the machine's ${cpus().length} cores. Times are wall-clock per request from a Node client over loopback, sequential, after warm-up;
"server" is the render's own \`render_ms\` (render + edge cache put for sync images, the R2 put following the answer; render + R2 write for PDFs; lookup time for cache hits).
`;

const mainMd = () => `
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
${extraMd()}
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
if (ONLY) {
  // a partial run never replaces the committed results
  const md = `${header}${want('main') ? mainMd() : extraMd()}`;
  mkdirSync(join(root, '.cache'), { recursive: true });
  writeFileSync(join(root, '.cache/bench-partial.md'), md);
  console.log(`\n${md}\n(BENCH_ONLY: written to .cache/bench-partial.md, not bench/RESULTS.md)`);
} else {
  const md = `${header}${mainMd()}`;
  // bench/NOTES.md (hand-written analysis: what dominates, what would fix a miss) follows the numbers
  const notes = join(root, 'bench/NOTES.md');
  writeFileSync(join(root, 'bench/RESULTS.md'), md + (existsSync(notes) ? `\n${readFileSync(notes, 'utf8')}` : ''));
  console.log(`\n${md}`);
}
