/**
 * A URL we answered with never breaks, even when the server dies right after the answer (issue 17).
 * A sync image render is answered before its R2 put lands (storage/edge-outputs.ts): the image is
 * in the colo's Cache API first. Here: `npm run dev` with the latency model at 1.5 s a round trip
 * (so the R2 put is still waiting when the answer arrives), the image fetched once, the server
 * killed with SIGKILL (no graceful shutdown, no waitUntil finished), then started again on the
 * same state with the model off: the URL serves the same bytes, and the model's Server-Timing
 * entry is gone (the model is off unless configured).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startDevServer } from '../../scripts/dev-server.mjs';

const state = mkdtempSync(join(tmpdir(), 'picstream-kill-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

const sha = (bytes: ArrayBuffer) => createHash('sha256').update(Buffer.from(bytes)).digest('hex');

it('an image answered just before the server is killed is served after its restart, byte for byte', { timeout: 240_000 }, async () => {
  const far = await startDevServer({ stateDir: state, env: { SIMULATED_RTT_MS: '1500' } });
  let path: string;
  let before: string;
  try {
    const res = await fetch(`${far.origin}/api/v1/generate/image`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${far.apiKey}` },
      body: JSON.stringify({ template: 'og-card', vars: { title: `Killed right after ${crypto.randomUUID()}` } }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { url: string; bytes: number; cached: boolean };
    expect(body.cached).toBe(false);
    // the answer did not wait for the R2 put: storing it took less than one round trip
    const timing = res.headers.get('server-timing') ?? '';
    const store = Number(timing.match(/(?:^|, )store;dur=([\d.]+)/)?.[1]);
    expect(store).toBeLessThan(1500);
    path = new URL(body.url).pathname;
    const img = await fetch(`${far.origin}${path}`);
    expect(img.status).toBe(200);
    const bytes = await img.arrayBuffer();
    expect(bytes.byteLength).toBe(body.bytes);
    before = sha(bytes);
  } finally {
    far.stop('SIGKILL');
    await far.exited;
  }

  const again = await startDevServer({ stateDir: state, keepState: true });
  try {
    const img = await fetch(`${again.origin}${path}`);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(sha(await img.arrayBuffer())).toBe(before);
    // the latency model is off when SIMULATED_RTT_MS is unset: no round-trip entry
    const usage = await fetch(`${again.origin}/api/v1/usage`, { headers: { authorization: `Bearer ${again.apiKey}` } });
    expect(usage.status).toBe(200);
    expect(usage.headers.get('server-timing') ?? '').not.toMatch(/rtt;/);
  } finally {
    again.stop();
    await again.exited;
  }
});
