#!/usr/bin/env node
/**
 * `npm run seed:fonts`: puts the fallback fonts and emoji (scripts/font-packs.mjs) into the FONTS
 * R2 bucket. Without them, text in scripts the bundled fonts lack is refused with 503
 * `fonts_unavailable` rather than drawn as empty boxes.
 *
 *   npm run seed:fonts                        local state (.wrangler/state), as `npm run dev` uses;
 *                                             `npm run dev` runs this first
 *   npm run seed:fonts -- --persist-to DIR    local state in DIR (as `npm run dev -- --persist-to DIR`)
 *   npm run seed:fonts -- --remote            the deployed bucket (wrangler r2 object put --remote)
 *
 * Locally idempotent: when the bucket's manifest already names this build, nothing is written.
 * `--remote` uploads every object each time (wrangler cannot read the remote manifest cheaply).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFontPacks, MANIFEST_KEY } from './font-packs.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const remote = args.includes('--remote');
const persistTo = args.includes('--persist-to') ? args[args.indexOf('--persist-to') + 1] : undefined;
const BUCKET_BINDING = 'FONTS';

const { manifest, objects } = buildFontPacks();
const megabytes = (objects.reduce((n, o) => n + o.body.length, 0) / 1e6).toFixed(1);

if (remote) {
  const wrangler = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
  const bucket = process.env.PICSTREAM_FONTS_BUCKET ?? 'picstream-fonts';
  const dir = mkdtempSync(path.join(tmpdir(), 'picstream-fonts-'));
  try {
    for (const object of objects) {
      const file = path.join(dir, 'object');
      writeFileSync(file, object.body);
      const put = spawnSync(
        process.execPath,
        [wrangler, 'r2', 'object', 'put', `${bucket}/${object.key}`, '--file', file, '--content-type', object.contentType, '--remote'],
        { cwd: root, stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
      );
      if (put.status !== 0) process.exit(put.status ?? 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`[picstream] seeded ${objects.length} objects (${megabytes} MB) into ${bucket}, fonts ${manifest.version}`);
} else {
  process.env.WRANGLER_SEND_METRICS = 'false';
  const { getPlatformProxy } = await import('wrangler');
  const persist = { path: path.resolve(root, persistTo ?? '.wrangler/state', 'v3') };
  const proxy = await getPlatformProxy({ configPath: path.join(root, 'wrangler.toml'), persist });
  try {
    const bucket = proxy.env[BUCKET_BINDING];
    const current = await bucket.get(MANIFEST_KEY);
    const seeded = current ? JSON.parse(await current.text()).version : null;
    if (seeded === manifest.version) {
      console.log(`[picstream] fonts ${manifest.version} already seeded`);
    } else {
      for (const object of objects) {
        await bucket.put(object.key, new Uint8Array(object.body), { httpMetadata: { contentType: object.contentType } });
      }
      console.log(`[picstream] seeded ${objects.length} objects (${megabytes} MB) into the local FONTS bucket, fonts ${manifest.version}`);
    }
  } finally {
    await proxy.dispose();
  }
}
