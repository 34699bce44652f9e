/**
 * Verifying a webhook delivery, per Standard Webhooks, with its reference library
 * (`standardwebhooks`, the one the server signs with): HMAC-SHA256 of `id.timestamp.body` under
 * the endpoint's `whsec_…` secret, checked in constant time against each signature in
 * `webhook-signature` (two during a secret rotation), and a timestamp within 5 minutes of now.
 */
import { WebhookVerificationError as LibraryVerificationError, Webhook } from 'standardwebhooks';
import { WebhookVerificationError, type WebhookVerificationFailure } from './errors.js';
import type { WebhookEvent } from './types.js';

/** A delivery's headers: a fetch `Headers`, or a plain record such as Node's `req.headers`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** The library's messages (standardwebhooks 1.1.1, pinned exactly), as codes a receiver can branch on. */
const FAILURES: Record<string, WebhookVerificationFailure> = {
  'Missing required headers': 'missing_headers',
  'Invalid Signature Headers': 'invalid_timestamp',
  'Message timestamp too old': 'timestamp_too_old',
  'Message timestamp too new': 'timestamp_too_new',
  'No matching signature found': 'invalid_signature',
};

/**
 * Checks a delivery and returns its event, typed by `event`. Pass the body exactly as received
 * (before any JSON parsing: one changed byte fails the signature).
 *
 * @throws WebhookVerificationError when the delivery must not be trusted.
 * @example
 * const event = PicStream.verifyWebhook(await request.text(), request.headers, env.PICSTREAM_WEBHOOK_SECRET);
 * if (event.event === 'render.complete') console.log(event.job_id, event.url);
 */
export function verifyWebhook(rawBody: string | Uint8Array | ArrayBuffer, headers: WebhookHeaders, secret: string): WebhookEvent {
  const body = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  let parsed: unknown;
  try {
    parsed = new Webhook(secret).verify(body, headerRecord(headers));
  } catch (err) {
    if (err instanceof LibraryVerificationError) {
      const code = FAILURES[err.message] ?? 'invalid_signature';
      throw new WebhookVerificationError(code, `Webhook refused: ${err.message}`, { cause: err });
    }
    // the signature matched but the body is not JSON
    if (err instanceof SyntaxError) throw new WebhookVerificationError('invalid_payload', 'Webhook body is not JSON', { cause: err });
    // anything else is the receiver's own setup (e.g. a secret that is not whsec_ + base64): not the sender's fault
    throw err;
  }
  if (!parsed || typeof parsed !== 'object' || typeof (parsed as { event?: unknown }).event !== 'string') {
    throw new WebhookVerificationError('invalid_payload', 'Webhook body is not a PicStream event');
  }
  return parsed as WebhookEvent;
}

/** The library reads headers as an object's own keys, which a `Headers` has none of. */
function headerRecord(headers: WebhookHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
    return out;
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    // a header sent twice (Node gives an array): signatures are space-separated lists anyway
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(' ') : value;
  }
  return out;
}
