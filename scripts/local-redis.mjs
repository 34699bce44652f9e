/**
 * A real Redis behind an Upstash-REST-compatible server, on free local ports: what the tests, the
 * benchmark and (when redis-server is installed) `npm run dev` give the rate limiter.
 *
 * redis-server comes from the OS (`apt-get install redis-server`); REDIS_SERVER_BIN may point
 * elsewhere. @humanwhocodes/upstash-redis-server (an npm devDependency) speaks the Upstash REST
 * protocol that @upstash/redis uses, forwarding each command to that Redis.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

const upstashServer = fileURLToPath(new URL('../node_modules/@humanwhocodes/upstash-redis-server/dist/server.js', import.meta.url));

/** The redis-server binary, or null when this machine has none. */
export function findRedisServer() {
  const candidates = process.env.REDIS_SERVER_BIN
    ? [process.env.REDIS_SERVER_BIN]
    : [...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'redis-server')), '/usr/bin/redis-server', '/usr/sbin/redis-server'];
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

async function waitFor(check, what, child, output, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited early (${child.exitCode}):\n${output()}`);
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs / 1000} s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts redis-server and the Upstash REST server in front of it.
 * @returns {Promise<{ url: string, token: string, redisPort: number, stop: () => void }>}
 */
export async function startLocalRedis({ redisServer = findRedisServer() } = {}) {
  if (!redisServer) {
    throw new Error('redis-server not found. Install it (Debian/Ubuntu: apt-get install redis-server) or set REDIS_SERVER_BIN.');
  }
  const redisPort = await freePort();
  let redisOut = '';
  const redis = spawn(redisServer, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  redis.stdout.on('data', (d) => (redisOut += d));
  redis.stderr.on('data', (d) => (redisOut += d));

  const restPort = await freePort();
  const token = randomBytes(24).toString('hex');
  let restOut = '';
  const rest = spawn(process.execPath, [upstashServer], {
    env: { ...process.env, URS_TOKEN: token, PORT: String(restPort), REDIS_URL: `redis://127.0.0.1:${redisPort}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  rest.stdout.on('data', (d) => (restOut += d));
  rest.stderr.on('data', (d) => (restOut += d));

  const stop = () => {
    rest.kill('SIGTERM');
    redis.kill('SIGTERM');
  };
  const url = `http://127.0.0.1:${restPort}`;
  try {
    await waitFor(
      () => redisOut.includes('Ready to accept connections'),
      'redis-server',
      redis,
      () => redisOut,
    );
    await waitFor(
      async () => {
        const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '["PING"]' });
        return res.ok && (await res.json()).result === 'PONG';
      },
      'upstash-redis-server',
      rest,
      () => restOut,
    );
  } catch (err) {
    stop();
    throw err;
  }
  return { url, token, redisPort, stop };
}
