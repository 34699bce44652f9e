/** Webhook test helpers: endpoints on the real local receiver, what it received, signatures. */
import { env } from 'cloudflare:test';
import { expect, vi } from 'vitest';
import { bearer, postJson, type TestAccount } from '../helpers/api';
import { webhookNonConformities } from '../helpers/conformance';

export interface Received {
  headers: Record<string, string>;
  body: string;
  status: number;
}

/** A URL on the local receiver (global setup): behaviour ok | flaky | down | redirect, and a fresh name. */
export function receiverUrl(behaviour: 'ok' | 'flaky' | 'down' | 'redirect', name = crypto.randomUUID()): { url: string; name: string } {
  return { url: `${env.TEST_IMAGE_ORIGIN}/hook/${behaviour}/${name}`, name };
}

/** What the receiver got under `name`; every body is held to the OpenAPI document's `webhooks`. */
export async function received(name: string): Promise<Received[]> {
  const got = await (await fetch(`${env.TEST_IMAGE_ORIGIN}/__webhooks/${name}`)).json<Received[]>();
  for (const r of got) {
    const problems = webhookNonConformities(r.body);
    if (problems.length > 0) throw new Error(`Webhook body does not conform to sdk/openapi.json:\n  ${problems.join('\n  ')}\n  body: ${r.body}`);
  }
  return got;
}

/** Waits until the receiver has at least `count` requests under `name`. */
export async function waitForReceived(name: string, count = 1, timeout = 15_000): Promise<Received[]> {
  let got: Received[] = [];
  await vi.waitFor(
    async () => {
      got = await received(name);
      expect(got.length).toBeGreaterThanOrEqual(count);
    },
    { timeout, interval: 100 },
  );
  return got;
}

export async function createEndpoint(account: TestAccount, url: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const res = await postJson('/api/v1/webhooks', { url, ...extra }, bearer(account.apiKey));
  const text = await res.text();
  if (res.status !== 201) throw new Error(`create endpoint: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** An independent check of a Standard Webhooks signature: HMAC-SHA256 over id.timestamp.body with WebCrypto. */
export async function hmacSignature(secret: string, id: string, timestamp: string, body: string): Promise<string> {
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, '')), (ch) => ch.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)));
  return `v1,${btoa(String.fromCharCode(...mac))}`;
}
