/**
 * Signing per the Standard Webhooks spec, with its reference library (`standardwebhooks`):
 * `webhook-id` (the delivery id, the same on every attempt), `webhook-timestamp` (this attempt,
 * Unix seconds) and `webhook-signature` — `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one
 * per secret in force, space-separated, so during a rotation both the old and the new secret verify.
 */
import { Buffer } from 'node:buffer';
import { Webhook } from 'standardwebhooks';
import type { EndpointRow } from '../db/webhooks';

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes. */
export function newSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`;
}

/** The secrets that sign a delivery now: the current one, and the previous one until it expires. */
export function activeSecrets(endpoint: Pick<EndpointRow, 'secret' | 'previous_secret' | 'previous_secret_expires_at'>, nowMs: number): string[] {
  const secrets = [endpoint.secret];
  if (endpoint.previous_secret && (endpoint.previous_secret_expires_at ?? 0) > nowMs) secrets.push(endpoint.previous_secret);
  return secrets;
}

export function signatureHeaders(id: string, at: Date, body: string, secrets: readonly string[]): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' '),
  };
}
