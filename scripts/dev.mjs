#!/usr/bin/env node
/**
 * `npm run dev`: applies the D1 migrations to the local database, then starts `wrangler dev`
 * (workerd with local D1, R2 and Queues) on http://localhost:8787.
 *
 * Local-dev settings: remote image vars may come from http://localhost (for testing logos
 * served by a local server). Extra arguments pass through to `wrangler dev`
 * (e.g. `npm run dev -- --port 9000 --persist-to /tmp/state`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const wrangler = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
const args = process.argv.slice(2);
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: process.env.CI ?? 'true' };

const persistAt = args.indexOf('--persist-to');
const persist = persistAt >= 0 ? ['--persist-to', args[persistAt + 1]] : [];

const migrate = spawnSync(process.execPath, [wrangler, 'd1', 'migrations', 'apply', 'DB', '--local', ...persist], { cwd: root, env, stdio: 'inherit' });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const port = args.includes('--port') ? [] : ['--port', '8787'];
const dev = spawn(
  process.execPath,
  [wrangler, 'dev', ...port, '--var', 'REMOTE_IMAGE_INSECURE_HOSTS:localhost', '--show-interactive-dev-session=false', ...args],
  { cwd: root, env, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));
