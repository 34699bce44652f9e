/**
 * Node side of the tests' font seeding: builds the same packs `npm run seed:fonts` puts into R2
 * (scripts/font-packs.mjs) and serves them from the global setup's HTTP server, under
 * `/__fonts/index` (the keys) and `/__fonts/<key>`. test/seed-fonts.ts copies them into the
 * FONTS bucket of the workerd under test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildFontPacks } from '../scripts/font-packs.mjs';

let objects: Map<string, { body: Buffer; contentType: string }> | undefined;

function packs(): Map<string, { body: Buffer; contentType: string }> {
  objects ??= new Map(buildFontPacks().objects.map((o) => [o.key, { body: o.body, contentType: o.contentType }]));
  return objects;
}

/**
 * A TrueType file made by another toolchain than ours (playwright-core's icon font), for the
 * custom-font upload tests: fontsource ships WOFF/WOFF2 only.
 */
function trueTypeSample(): Buffer {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('playwright-core/package.json')), 'lib', 'vite', 'traceViewer');
  const file = readdirSync(dir).find((f) => f.endsWith('.ttf'));
  if (!file) throw new Error(`no .ttf under ${dir}`);
  return readFileSync(path.join(dir, file));
}

/** Answers a `/__fonts/…` request; false for any other path. */
export function serveFonts(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
  if (!pathname.startsWith('/__fonts/')) return false;
  if (pathname === '/__fonts/sample.ttf') {
    const body = trueTypeSample();
    res.writeHead(200, { 'content-type': 'font/ttf', 'content-length': body.length });
    res.end(body);
    return true;
  }
  const key = decodeURIComponent(pathname.slice('/__fonts/'.length));
  if (key === 'index') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify([...packs()].map(([k, o]) => ({ key: k, contentType: o.contentType, bytes: o.body.length }))));
    return true;
  }
  const object = packs().get(key);
  if (!object || req.method !== 'GET') {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return true;
  }
  res.writeHead(200, { 'content-type': object.contentType, 'content-length': object.body.length });
  res.end(object.body);
  return true;
}
