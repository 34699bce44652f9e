/**
 * Starts `npm run dev` (scripts/dev.mjs → wrangler dev) on a free port with its own local state
 * directory and waits until it answers and has printed its local account's keys. Used by the
 * end-to-end tests and the benchmark.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * `env`: variables for `npm run dev` on top of this process's (undefined removes one), e.g.
 * `{ SIMULATED_RTT_MS: '100' }` for the latency model (scripts/dev.mjs passes it to the Worker).
 * `keepState`: start on the state `stateDir` already holds (a restart) instead of a fresh one.
 * `stop('SIGKILL')` kills the server as a crash would (no graceful shutdown, nothing flushed).
 * @returns {Promise<{ origin: string, apiKey: string, testKey: string, stop: (signal?: string) => void, exited: Promise<void>, output: () => string }>}
 */
export async function startDevServer({ stateDir, timeoutMs = 90_000, extraArgs = [], env = {}, keepState = false } = {}) {
  const port = await freePort();
  const state = stateDir ?? `${root}.cache/dev-state-${port}`;
  if (!keepState) rmSync(state, { recursive: true, force: true });
  let output = '';
  const childEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const child = spawn(
    process.execPath,
    [`${root}scripts/dev.mjs`, '--port', String(port), '--ip', '127.0.0.1', '--persist-to', state, '--log-level', 'warn', ...extraArgs],
    {
      cwd: root,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  const stop = (signal = 'SIGTERM') => {
    try {
      process.kill(-child.pid, signal); // the whole group: node, wrangler, workerd
    } catch {}
    if (!stateDir) rmSync(state, { recursive: true, force: true });
  };
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  // ready once it has printed the local account's key (the line the README has you copy)
  let apiKey;
  let testKey;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited early:\n${output}`);
    apiKey = output.match(/^export PICSTREAM_KEY=(pk_live_\w+)$/m)?.[1];
    testKey = output.match(/test key: (pk_test_\w+)/)?.[1];
    if (apiKey && testKey) break;
    if (Date.now() > deadline) {
      stop();
      throw new Error(`npm run dev did not answer within ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { origin, apiKey, testKey, stop, exited, output: () => output };
}
