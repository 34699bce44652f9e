/** `wrangler deploy --dry-run` bundles the Worker for Cloudflare; its gzipped size must fit the paid plan. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const PAID_PLAN_LIMIT_KIB = 10 * 1024;

it('wrangler deploy --dry-run succeeds and the gzipped bundle is under 10 MB', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const wrangler = join(root, 'node_modules/wrangler/bin/wrangler.js');
  const out = spawnSync(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', mkdtempSync(join(tmpdir(), 'picstream-dist-'))], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    encoding: 'utf8',
  });
  const text = `${out.stdout}\n${out.stderr}`;
  expect(out.status, text).toBe(0);
  const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(text);
  expect(match, text).not.toBeNull();
  const gzipKiB = Number(match?.[2]);
  console.log(`bundle: ${match?.[1]} KiB, gzip ${gzipKiB} KiB`);
  expect(gzipKiB).toBeLessThan(PAID_PLAN_LIMIT_KIB);
}, 120_000);
