#!/usr/bin/env node
/**
 * Puts the browser bundle of the API reference (Scalar's `standalone.js`, from the installed
 * `@scalar/api-reference`) into the Workers Static Assets directory as `public/docs/scalar.js`, which
 * `GET /docs` (src/routes/docs.ts) loads. Static Assets rather than a module imported by the Worker:
 * the 4.4 MB script (1.3 MB gzipped) stays out of the render Worker's bundle and its size limit, and
 * Cloudflare serves and caches it without running the Worker.
 *
 * wrangler.toml's `[build] command` runs this before `wrangler dev` (so `npm run dev`), `wrangler
 * deploy` and `unstable_startWorker` (`npm run openapi`), so a fresh clone needs only `npm install`.
 * The Workers test pool neither runs it nor serves assets; test/e2e/docs.test.ts checks the asset
 * against `npm run dev`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** `[assets] directory`, plus the public path src/routes/docs.ts references (SCALAR_SCRIPT_PATH). */
const target = path.join(root, 'public/docs/scalar.js');

// the package's exports map hides dist/browser, so go there from its main entry (dist/index.js)
const source = path.join(path.dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')), 'browser/standalone.js');
// The bundle's last line names a 17 MB source map that is not shipped; without the line, DevTools
// does not ask for it (a 404 each time they are open).
const script = readFileSync(source, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');

let current;
try {
  current = readFileSync(target, 'utf8');
} catch {}
// `wrangler dev` re-runs this on every source change; an unchanged copy is left alone, so its
// assets are not reloaded each time.
if (current !== script) {
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, script);
}
console.log(`[picstream] ${current === script ? 'kept' : 'wrote'} ${path.relative(root, target)} (${(Buffer.byteLength(script) / 1e6).toFixed(2)} MB)`);
