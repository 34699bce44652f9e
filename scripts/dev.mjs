#!/usr/bin/env node
/**
 * `npm run dev`: applies the D1 migrations to the local database, seeds the local FONTS bucket
 * (scripts/seed-fonts.mjs), starts `wrangler dev` (workerd
 * with local D1, R2 and Queues) on http://localhost:8787, and makes sure there is a local account
 * whose live and test keys it prints, so the README's curl works by copy-paste.
 *
 * Local-dev settings: remote image vars may come from http://localhost (for testing logos served
 * by a local server); sign-ups are not throttled. The rate limiter uses a real Redis when this
 * machine has `redis-server` (started on a free port, behind an Upstash-REST server), and counts
 * in memory otherwise (PICSTREAM_DEV_REDIS=off forces that). Extra arguments pass through to
 * `wrangler dev` (e.g. `npm run dev -- --port 9000 --persist-to /tmp/state`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRedisServer, startLocalRedis } from './local-redis.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const wrangler = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
const args = process.argv.slice(2);
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: process.env.CI ?? 'true' };
const argValue = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

const persistTo = argValue('--persist-to');
const persist = persistTo ? ['--persist-to', persistTo] : [];
const stateDir = path.resolve(root, persistTo ?? '.wrangler/state');
const keysFile = path.join(stateDir, 'picstream-dev-keys.json');
const secretsFile = path.join(stateDir, 'picstream-dev-secrets.json');
const port = argValue('--port') ?? '8787';
const host = argValue('--ip') ?? '127.0.0.1';

const migrate = spawnSync(process.execPath, [wrangler, 'd1', 'migrations', 'apply', 'DB', '--local', ...persist], { cwd: root, env, stdio: 'inherit' });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);
// the fallback fonts and emoji (CJK, Arabic, Hebrew, Devanagari, Thai, symbols) into the local FONTS bucket
const seed = spawnSync(process.execPath, [fileURLToPath(new URL('./seed-fonts.mjs', import.meta.url)), ...persist], { cwd: root, env, stdio: 'inherit' });
if (seed.status !== 0) process.exit(seed.status ?? 1);

let redis;
if (process.env.PICSTREAM_DEV_REDIS !== 'off' && findRedisServer()) {
  try {
    redis = await startLocalRedis();
  } catch (err) {
    console.warn(`[picstream] could not start redis-server (${err.message}); the rate limiter counts in memory.`);
  }
}
// Worker secrets for local dev, made once and kept with the local state, so signed file URLs
// survive a restart.
function devSecrets() {
  const saved = existsSync(secretsFile) ? JSON.parse(readFileSync(secretsFile, 'utf8')) : {};
  if (typeof saved.FILE_SIGNING_SECRET === 'string' && saved.FILE_SIGNING_SECRET.length >= 32) return saved;
  const secrets = { ...saved, FILE_SIGNING_SECRET: randomBytes(32).toString('base64url') };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
const secretVars = ['--var', `FILE_SIGNING_SECRET:${devSecrets().FILE_SIGNING_SECRET}`];

// the latency model (src/lib/region.ts): SIMULATED_RTT_MS=100 npm run dev answers as a Worker 100 ms from its primary region would
const regionVars = ['SIMULATED_RTT_MS', 'SIMULATED_REPLICA_RTT_MS'].flatMap((name) => (process.env[name] ? ['--var', `${name}:${process.env[name]}`] : []));

const limiterVars = redis ? ['--var', `UPSTASH_REDIS_REST_URL:${redis.url}`, '--var', `UPSTASH_REDIS_REST_TOKEN:${redis.token}`] : [];

const dev = spawn(
  process.execPath,
  [
    wrangler,
    'dev',
    ...(argValue('--port') ? [] : ['--port', port]),
    '--var',
    'REMOTE_IMAGE_INSECURE_HOSTS:localhost',
    '--var',
    'SIGNUP_RATE_LIMIT:off',
    ...limiterVars,
    ...regionVars,
    ...secretVars,
    '--show-interactive-dev-session=false',
    ...args,
  ],
  { cwd: root, env, stdio: 'inherit' },
);
const stop = (signal) => {
  dev.kill(signal);
  redis?.stop();
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
dev.on('exit', (code) => {
  redis?.stop();
  process.exit(code ?? 0);
});

// ---- the local account -------------------------------------------------------------------------
const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

async function ready() {
  for (let i = 0; i < 600; i++) {
    if (dev.exitCode !== null) return false;
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** The saved keys if they still work, else a new account's. */
async function devKeys() {
  if (existsSync(keysFile)) {
    const saved = JSON.parse(readFileSync(keysFile, 'utf8'));
    const res = await fetch(`${origin}/api/v1/account`, { headers: { authorization: `Bearer ${saved.api_key}` } });
    if (res.ok) return saved;
  }
  for (const email of ['dev@picstream.localhost', `dev+${Date.now()}@picstream.localhost`]) {
    const res = await fetch(`${origin}/api/v1/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    if (res.status === 409) continue; // the keys file was lost; the account's keys cannot be shown again
    if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
    const body = await res.json();
    const saved = { email: body.account.email, account_id: body.account.id, api_key: body.api_key, test_api_key: body.test_api_key };
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(keysFile, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
    return saved;
  }
  throw new Error('could not create a local account');
}

if (await ready()) {
  try {
    const keys = await devKeys();
    console.log(
      [
        '',
        `[picstream] local account ${keys.email} (keys saved in ${path.relative(root, keysFile)})`,
        `[picstream]   live key: ${keys.api_key}`,
        `[picstream]   test key: ${keys.test_api_key}   (never counts; images get a TEST watermark)`,
        `[picstream] rate limiter: ${redis ? `Redis at ${redis.url} (redis-server + Upstash REST)` : 'in memory (install redis-server to use Redis)'}`,
        '[picstream] for the README curl:',
        `export PICSTREAM_KEY=${keys.api_key}`,
        '',
      ].join('\n'),
    );
  } catch (err) {
    console.error(`[picstream] could not set up the local account: ${err.message}`);
  }
}
