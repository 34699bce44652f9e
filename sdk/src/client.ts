/**
 * The PicStream client: one method per API operation except sign-up, named after its
 * `operationId` (`renders.get`, `webhooks.rotateSecret`, …; `generate`/`generatePdf` for
 * `generate.image`/`generate.pdf`, `account()`/`usage()` for `account.get`/`usage.get`), taking
 * and returning the spec's types.
 *
 * @example
 * const client = new PicStream({ apiKey: process.env.PICSTREAM_KEY, baseUrl: 'https://picstream.example.com' });
 * const { url } = await client.generate({ template: 'og-card', vars: { title: 'Hello World' } });
 */
import { TimeoutError } from './errors.js';
import { type ClientOptions, type RequestOptions, sleep, Transport } from './http.js';
import type {
  Account,
  ApiKeyList,
  CompletedImageRender,
  CompletedPdfRender,
  CreateApiKeyRequest,
  CreatedApiKey,
  CreatedUrlSigningKey,
  CreateFontRequest,
  CreateTemplateRequest,
  CreateUrlSigningKeyRequest,
  CreateWebhookRequest,
  Font,
  FontList,
  GenerateImageRequest,
  GeneratePdfRequest,
  QueuedWebhookDelivery,
  Render,
  RenderAccepted,
  RotatedWebhookSecret,
  RotateWebhookSecretRequest,
  Template,
  TemplateList,
  UpdateTemplateRequest,
  UpdateWebhookRequest,
  UrlSigningKeyList,
  Usage,
  WebhookDeliveriesQuery,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
  WebhookEvent,
} from './types.js';
import { verifyWebhook, type WebhookHeaders } from './verify.js';

const segment = encodeURIComponent;

export interface WaitOptions {
  /** Give up (TimeoutError) after this many ms. Default 120 000. */
  timeout?: number;
  signal?: AbortSignal;
  /** The first pause between polls, in ms; each next one is 1.5× longer, up to `maxInterval`. Default 500. */
  interval?: number;
  /** Default 5 000. */
  maxInterval?: number;
}

export class Renders {
  constructor(private readonly transport: Transport) {}

  /** A render's state; a complete PDF's `url` is freshly signed (valid 24 h). */
  get(id: string, options?: RequestOptions): Promise<Render> {
    return this.transport.request({ method: 'GET', path: `/api/v1/renders/${segment(id)}` }, options);
  }

  /**
   * Polls a render until it is `complete` or `failed` and resolves with it (a failed one carries
   * `error`). The pauses grow from `interval` to `maxInterval`; a throttled poll waits out its
   * `Retry-After` like any call.
   *
   * @throws TimeoutError when it is still pending after `timeout`.
   */
  async wait(render: string | { id: string }, options: WaitOptions = {}): Promise<Render> {
    const id = typeof render === 'string' ? render : render.id;
    const timeout = options.timeout ?? 120_000;
    let interval = options.interval ?? 500;
    const maxInterval = options.maxInterval ?? 5_000;
    // one signal for the whole wait: the caller's, or the deadline, whichever comes first
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new TimeoutError({ code: 'timeout', status: 0, message: `Render ${id} still pending after ${timeout} ms` })),
      timeout,
    );
    const cancel = () => deadline.abort(options.signal?.reason);
    if (options.signal?.aborted) cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const current = await this.get(id, { signal: deadline.signal });
        if (current.status !== 'pending') return current;
        await sleep(interval, deadline.signal);
        interval = Math.min(maxInterval, interval * 1.5);
      }
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', cancel);
    }
  }
}

export class Templates {
  constructor(private readonly transport: Transport) {}

  /** Every template, PicStream's (`builtin: true`) and the account's own: id, name, `kind` (image or pdf), default size. */
  list(options?: RequestOptions): Promise<TemplateList> {
    return this.transport.request({ method: 'GET', path: '/api/v1/templates' }, options);
  }

  /** One template, with its vars as JSON Schema and an example; one of the account's own has its `html` and `vars` too. */
  get(id: string, options?: RequestOptions): Promise<Template> {
    return this.transport.request({ method: 'GET', path: `/api/v1/templates/${segment(id)}` }, options);
  }

  /**
   * Keeps an image template of the account's own (`tpl_…`): `html` with inline styles and `{{var}}`
   * placeholders, a size, and declared `vars`; render it with `generate({ template: id })`. Markup an
   * engine cannot draw is a `ValidationError` (422 `template_invalid`).
   */
  create(request: CreateTemplateRequest, options?: RequestOptions): Promise<Template> {
    return this.transport.request({ method: 'POST', path: '/api/v1/templates', body: request }, options);
  }

  /** Changes one of the account's templates; a change to what it draws (not `name`/`description`) makes a new `version`. */
  update(id: string, request: UpdateTemplateRequest, options?: RequestOptions): Promise<Template> {
    return this.transport.request({ method: 'PATCH', path: `/api/v1/templates/${segment(id)}`, body: request }, options);
  }

  /** Deletes one of the account's templates; images already made keep their URLs. */
  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.transport.request({ method: 'DELETE', path: `/api/v1/templates/${segment(id)}` }, options);
  }
}

export class Webhooks {
  constructor(private readonly transport: Transport) {}

  /** A new endpoint; its `secret` (`whsec_…`) is in this answer only: store it to verify deliveries. */
  create(body: CreateWebhookRequest, options?: RequestOptions): Promise<WebhookEndpointWithSecret> {
    return this.transport.request({ method: 'POST', path: '/api/v1/webhooks', body }, options);
  }

  list(options?: RequestOptions): Promise<WebhookEndpointList> {
    return this.transport.request({ method: 'GET', path: '/api/v1/webhooks' }, options);
  }

  get(id: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.transport.request({ method: 'GET', path: `/api/v1/webhooks/${segment(id)}` }, options);
  }

  /** Changes an endpoint; `enabled: true` re-enables one that was disabled after failing. */
  update(id: string, body: UpdateWebhookRequest, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.transport.request({ method: 'PATCH', path: `/api/v1/webhooks/${segment(id)}`, body }, options);
  }

  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.transport.request({ method: 'DELETE', path: `/api/v1/webhooks/${segment(id)}` }, options);
  }

  /** A new secret; deliveries are signed with the old one too until it expires (default 24 h). */
  rotateSecret(id: string, body?: RotateWebhookSecretRequest, options?: RequestOptions): Promise<RotatedWebhookSecret> {
    return this.transport.request({ method: 'POST', path: `/api/v1/webhooks/${segment(id)}/rotate-secret`, body }, options);
  }

  /** Sends the endpoint a `webhook.test` event. */
  test(id: string, options?: RequestOptions): Promise<QueuedWebhookDelivery> {
    return this.transport.request({ method: 'POST', path: `/api/v1/webhooks/${segment(id)}/test` }, options);
  }

  /** The endpoint's event log, newest first; pass `next_cursor` as `cursor` for the next page. */
  deliveries(id: string, query: WebhookDeliveriesQuery = {}, options?: RequestOptions): Promise<WebhookDeliveryPage> {
    return this.transport.request({ method: 'GET', path: `/api/v1/webhooks/${segment(id)}/deliveries`, query }, options);
  }

  /** Sends a delivery again (same `webhook-id`, a new round of attempts). */
  redeliver(deliveryId: string, options?: RequestOptions): Promise<QueuedWebhookDelivery> {
    return this.transport.request({ method: 'POST', path: `/api/v1/webhooks/deliveries/${segment(deliveryId)}/redeliver` }, options);
  }
}

export class Keys {
  constructor(private readonly transport: Transport) {}

  /** The account's keys, revoked ones included; never the keys themselves (only their `start`). */
  list(options?: RequestOptions): Promise<ApiKeyList> {
    return this.transport.request({ method: 'GET', path: '/api/v1/keys' }, options);
  }

  /** A new live or test key; its `key` is in this answer only. */
  create(request: CreateApiKeyRequest, options?: RequestOptions): Promise<CreatedApiKey> {
    return this.transport.request({ method: 'POST', path: '/api/v1/keys', body: request }, options);
  }

  /** Revokes a key: refused from the next request on, everywhere. */
  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.transport.request({ method: 'DELETE', path: `/api/v1/keys/${segment(id)}` }, options);
  }
}

/** The keys the account signs its og:image URLs with (`signUrl`). */
export class UrlSigningKeys {
  constructor(private readonly transport: Transport) {}

  /** The account's URL-signing keys, deleted ones included; never their secrets (only their `start`). */
  list(options?: RequestOptions): Promise<UrlSigningKeyList> {
    return this.transport.request({ method: 'GET', path: '/api/v1/url-signing-keys' }, options);
  }

  /** A new URL-signing key; its `secret` is in this answer only. */
  create(request: CreateUrlSigningKeyRequest = {}, options?: RequestOptions): Promise<CreatedUrlSigningKey> {
    return this.transport.request({ method: 'POST', path: '/api/v1/url-signing-keys', body: request }, options);
  }

  /** Deletes a key: URLs signed with it answer 403 from then on (within 10 s everywhere). */
  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.transport.request({ method: 'DELETE', path: `/api/v1/url-signing-keys/${segment(id)}` }, options);
  }
}

export class Fonts {
  constructor(private readonly transport: Transport) {}

  /** The account's uploaded font faces. */
  list(options?: RequestOptions): Promise<FontList> {
    return this.transport.request({ method: 'GET', path: '/api/v1/fonts' }, options);
  }

  /**
   * Uploads one face (TTF, OTF or WOFF; `data` is the file, base64) for `font_family` in
   * `generate`. A file that is not a usable font is a `ValidationError` (422 `font_invalid`).
   */
  create(request: CreateFontRequest, options?: RequestOptions): Promise<Font> {
    return this.transport.request({ method: 'POST', path: '/api/v1/fonts', body: request }, options);
  }

  /** Deletes a face. */
  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.transport.request({ method: 'DELETE', path: `/api/v1/fonts/${segment(id)}` }, options);
  }
}

export class PicStream {
  readonly renders: Renders;
  readonly templates: Templates;
  readonly webhooks: Webhooks;
  readonly keys: Keys;
  readonly fonts: Fonts;
  readonly urlSigningKeys: UrlSigningKeys;
  private readonly transport: Transport;

  constructor(options: ClientOptions) {
    this.transport = new Transport(options);
    this.renders = new Renders(this.transport);
    this.templates = new Templates(this.transport);
    this.webhooks = new Webhooks(this.transport);
    this.keys = new Keys(this.transport);
    this.fonts = new Fonts(this.transport);
    this.urlSigningKeys = new UrlSigningKeys(this.transport);
  }

  /** The account the key belongs to: its plan and monthly quota. */
  account(options?: RequestOptions): Promise<Account> {
    return this.transport.request({ method: 'GET', path: '/api/v1/account' }, options);
  }

  /**
   * Renders a template to an image (PNG by default). Sync: resolves with the finished render and
   * its public `url` (`cached: true` when the same request was made before: no render, no quota).
   * With `async: true`: resolves at once with the queued render's `id`; `renders.wait(id)` for the rest.
   */
  generate(request: GenerateImageRequest & { async: true }, options?: RequestOptions): Promise<RenderAccepted>;
  generate(request: GenerateImageRequest & { async?: false }, options?: RequestOptions): Promise<CompletedImageRender>;
  generate(request: GenerateImageRequest, options?: RequestOptions): Promise<CompletedImageRender | RenderAccepted>;
  generate(request: GenerateImageRequest, options?: RequestOptions): Promise<CompletedImageRender | RenderAccepted> {
    return this.transport.request({ method: 'POST', path: '/api/v1/generate/image', body: request }, options);
  }

  /**
   * Renders a PDF: one `template` with its `vars`, or `pages`. Sync: resolves with its signed `url`
   * (valid 24 h). With `async: true`: the queued render's `id`, as for `generate`.
   */
  generatePdf(request: GeneratePdfRequest & { async: true }, options?: RequestOptions): Promise<RenderAccepted>;
  generatePdf(request: GeneratePdfRequest & { async?: false }, options?: RequestOptions): Promise<CompletedPdfRender>;
  generatePdf(request: GeneratePdfRequest, options?: RequestOptions): Promise<CompletedPdfRender | RenderAccepted>;
  generatePdf(request: GeneratePdfRequest, options?: RequestOptions): Promise<CompletedPdfRender | RenderAccepted> {
    return this.transport.request({ method: 'POST', path: '/api/v1/generate/pdf', body: request }, options);
  }

  /** This month's quota: `{period, limit, used, remaining, resets_at}`. */
  usage(options?: RequestOptions): Promise<Usage> {
    return this.transport.request({ method: 'GET', path: '/api/v1/usage' }, options);
  }

  /**
   * Checks a webhook delivery's signature and age (Standard Webhooks) and returns its event.
   *
   * @throws WebhookVerificationError when the delivery must not be trusted.
   */
  static verifyWebhook(rawBody: string | Uint8Array | ArrayBuffer, headers: WebhookHeaders, secret: string): WebhookEvent {
    return verifyWebhook(rawBody, headers, secret);
  }
}
