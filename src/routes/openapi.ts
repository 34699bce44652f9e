/**
 * GET /openapi.json — the OpenAPI 3.1 document. Operations come from the route declarations
 * (@hono/zod-openapi). What the middleware adds to every route is documented here, once, the way
 * the middleware applies it: `X-Request-Id` on every answer, the rate-limit headers on every
 * /api/v1 answer, `Idempotency-Key` on every POST (and `Idempotent-Replayed` on its replays),
 * `Retry-After` on 429, the quota headers on the metered routes, the bearer scheme. The webhook
 * bodies are published under `webhooks`. The committed copy (sdk/openapi.json, from which the
 * SDK's types are generated) is held to this by test/routes/openapi.test.ts; `npm run openapi`
 * rewrites it.
 */
import { z } from '@hono/zod-openapi';
import type { HeaderObject, OpenAPIObject } from 'openapi3-ts/oas31';
import { WEBHOOK_PAYLOADS } from '../webhooks/payloads';
import { type App, baseUrl, meteredPaths } from './shared';

type Operation = NonNullable<OpenAPIObject['paths']>[string]['get'] & object;

const API_DESCRIPTION = `Render templates to PNG, WebP or SVG images and to multi-page vector PDFs, at the edge.

**Authentication.** Every \`/api/v1\` call except sign-up takes an API key: \`Authorization: Bearer pk_live_…\`
(or \`pk_test_…\`: test mode, free, outputs watermarked). A missing, malformed, unknown or revoked key gets \`401 unauthorized\`.

**Errors** are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) \`application/problem+json\` with a stable \`code\`,
the \`request_id\` (also in \`X-Request-Id\`) and, for validation, \`errors[]\` with each field's \`path\` (e.g. \`vars.title\`).

**Rate limits.** A sliding window per key (free plan: 60 requests a minute). Every \`/api/v1\` answer carries
\`X-RateLimit-Limit\`, \`X-RateLimit-Remaining\`, \`X-RateLimit-Reset\` and the IETF draft's \`RateLimit-Policy\` / \`RateLimit\`;
over the limit: \`429 rate_limited\` with \`Retry-After\`.

**Quota.** A monthly number of renders (free plan: 1,000; a PDF uses one per page). Cache hits and test keys are free.
The generate routes' answers (renders and their errors) carry \`X-Quota-Limit\` and \`X-Quota-Remaining\`; when the month is used up: \`429 quota_exceeded\`
with \`Retry-After\` (seconds to the reset).

**Idempotency.** Send \`Idempotency-Key\` with any POST to retry it safely for 24 hours: the same key and body replay the first
answer (\`Idempotent-Replayed: true\`); another body with the same key is \`422 idempotency_key_reused\`; while the first is
running, \`409 idempotency_key_in_progress\`.

**Webhooks** are signed per [Standard Webhooks](https://www.standardwebhooks.com/) (\`webhook-id\`, \`webhook-timestamp\`,
\`webhook-signature\`); their bodies are listed under *Webhooks*.`;

const TAGS = [
  { name: 'Generate', description: 'Render a template to an image or a PDF, synchronously or on the queue.' },
  { name: 'Renders', description: 'The record of a render: its status, its URL once complete, its error if it failed.' },
  { name: 'Templates', description: 'The built-in templates and the JSON Schema of their vars.' },
  { name: 'Webhooks', description: 'Endpoints that are told when queued renders end; their event log.' },
  { name: 'Account', description: 'Sign-up, the account and its monthly usage.' },
  { name: 'Keys', description: 'API keys: live keys count against the quota, test keys are free and watermark their output.' },
  { name: 'Fonts', description: "Custom fonts: upload a face, then draw a template's text in its family with `font_family`." },
  { name: 'URL signing', description: 'Keys a site signs its own og:image URLs with (`/og/<template>.png?…&kid=…&s=…`): no API call per page.' },
  { name: 'Images', description: 'Rendered images and signed og:image URLs: public, cacheable (og:image tags point here).' },
  { name: 'Files', description: 'Rendered PDFs: private, served through signed URLs valid 24 hours.' },
  { name: 'Meta', description: 'Liveness.' },
];

type HeaderName =
  | 'X-Request-Id'
  | 'X-RateLimit-Limit'
  | 'X-RateLimit-Remaining'
  | 'X-RateLimit-Reset'
  | 'RateLimit-Policy'
  | 'RateLimit'
  | 'Retry-After'
  | 'X-Quota-Limit'
  | 'X-Quota-Remaining'
  | 'Idempotent-Replayed'
  | 'Location';

const intHeader = (description: string, example: number, required = true): HeaderObject => ({
  description,
  required,
  schema: { type: 'integer', minimum: 0 },
  example,
});

/** `required` as on most of the answers that carry them; `optional()` below for the others. */

const HEADERS: Record<HeaderName, HeaderObject> = {
  'X-Request-Id': {
    description:
      'The request id (also `request_id` in error bodies): quote it when asking about a request. PicStream makes `req_…` ids; a request that sends its own `X-Request-Id` (up to 255 of `A-Z a-z 0-9 _ - =`) gets it back.',
    required: true,
    schema: { type: 'string', maxLength: 255 },
    example: 'req_01JD5X1Q4ZB8R3W2K7T6YV9N0M',
  },
  'X-RateLimit-Limit': intHeader("Requests allowed in the key's window", 60),
  'X-RateLimit-Remaining': intHeader('Requests left in the window', 59),
  'X-RateLimit-Reset': intHeader('When the window has room again, in epoch seconds', 1764331260),
  'RateLimit-Policy': {
    description: 'The policy (draft-ietf-httpapi-ratelimit-headers): quota `q` per window `w` seconds',
    required: true,
    schema: { type: 'string' },
    example: '"free";q=60;w=60',
  },
  RateLimit: {
    description: 'The window now (draft-ietf-httpapi-ratelimit-headers): remaining `r`, seconds to reset `t`',
    required: true,
    schema: { type: 'string' },
    example: '"free";r=59;t=42',
  },
  'Retry-After': intHeader('Seconds to wait before trying again', 30),
  'X-Quota-Limit': intHeader('Renders the account may make this month', 1000, false),
  'X-Quota-Remaining': intHeader('Renders left this month', 998, false),
  'Idempotent-Replayed': {
    description: 'Present when this is the stored answer to an earlier request with the same Idempotency-Key',
    required: false,
    schema: { type: 'string', enum: ['true'] },
  },
  Location: {
    description: 'Where to poll the queued render',
    required: true,
    schema: { type: 'string' },
    example: '/api/v1/renders/rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M',
  },
};

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes the POST safe to retry for 24 hours (e.g. a UUID; printable ASCII, at most 255 characters; on sign-up at least 16). The same key and body replay the first answer.',
  // no example: a try-it console (the /docs page) would prefill it and every send would replay the first answer
  schema: { type: 'string', minLength: 1, maxLength: 255 },
} as const;

const SIGNUP = '/api/v1/signup';
const IMAGES = '/img/{key}';

const ref = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` });
/** A header the component marks required, where it is not (a Reference Object cannot override `required`). */
const optional = (name: HeaderName) => ({ ...HEADERS[name], required: false });

/** Adds what the middleware does to every operation, in place. */
function documentMiddleware(doc: OpenAPIObject): void {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ['get', 'post', 'patch', 'delete', 'put'] as const) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      const api = path.startsWith('/api/v1/');
      if (api && method === 'post') op.parameters = [...(op.parameters ?? []), { $ref: '#/components/parameters/IdempotencyKey' }];
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!response || '$ref' in response) continue;
        const headers: Record<string, unknown> = { ...(response.headers ?? {}) };
        // images are cached by CDNs and browsers for a year: a per-request id would be repeated from cache
        if (path !== IMAGES) headers['X-Request-Id'] = ref('X-Request-Id');
        if (api) {
          // sign-up is throttled per client address, and only where SIGNUP_RATE_LIMIT is on
          for (const name of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'RateLimit-Policy', 'RateLimit'] as const) {
            headers[name] = path === SIGNUP ? optional(name) : ref(name);
          }
          if (method === 'post') headers['Idempotent-Replayed'] = ref('Idempotent-Replayed');
        }
        if (status === '429') headers['Retry-After'] = ref('Retry-After');
        if (status === '409' && api) headers['Retry-After'] = optional('Retry-After');
        if (status === '202' && meteredPaths.has(path)) headers.Location = ref('Location');
        // meterQuota's routes, once the key is known (not on answers the middleware gives first, e.g. 413, 415, a rate-limited 429)
        if (meteredPaths.has(path) && status !== '401') {
          headers['X-Quota-Limit'] = ref('X-Quota-Limit');
          headers['X-Quota-Remaining'] = ref('X-Quota-Remaining');
        }
        response.headers = headers as typeof response.headers;
      }
    }
  }
}

/**
 * The document, built once per isolate; each answer names its own server. (Not cached per server:
 * without PUBLIC_BASE_URL the server is the request's origin, which the caller chooses.)
 */
let built: OpenAPIObject | undefined;

export function openApiDocument(app: App, server: string): OpenAPIObject {
  built ??= buildDocument(app);
  return { ...built, servers: [{ url: server, description: 'This deployment' }] };
}

function buildDocument(app: App): OpenAPIObject {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'PicStream API',
      version: '0.1.0',
      description: API_DESCRIPTION,
      // 3.1's SPDX `identifier` (the registry's config type is 3.0's)
      license: { name: 'MIT', identifier: 'MIT' } as { name: string },
    },
    servers: [],
    security: [{ apiKey: [] }],
    tags: TAGS,
  }) as OpenAPIObject;
  documentMiddleware(doc);
  return doc;
}

/** What every webhook delivery carries (Standard Webhooks). */
const SIGNATURE_HEADERS = z.object({
  'webhook-id': z
    .string()
    .openapi({ description: 'The delivery (`msg_…`): the same on every attempt; use it to drop duplicates', example: 'msg_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
  'webhook-timestamp': z.string().openapi({ description: 'Unix seconds of this attempt; refuse ones more than 5 minutes away', example: '1764331200' }),
  'webhook-signature': z.string().openapi({
    description: 'Space-separated `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per secret in force (two during a rotation)',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  }),
});

/** Registers the components the post-processing refers to, the webhooks, and the route. */
export function registerOpenApi(app: App): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `Authorization: Bearer pk_live_…` (or `pk_test_…` for test mode).',
  });
  for (const [name, header] of Object.entries(HEADERS)) registry.registerComponent('headers', name, header);
  registry.registerComponent('parameters', 'IdempotencyKey', IDEMPOTENCY_KEY);
  for (const { event, schema, summary } of WEBHOOK_PAYLOADS) {
    registry.registerWebhook({
      method: 'post',
      path: event,
      operationId: `webhooks.event.${event}`,
      tags: ['Webhooks'],
      summary,
      description:
        'POSTed to each enabled endpoint that takes this event, signed per Standard Webhooks: `webhook-id` (the delivery, the same on every attempt), `webhook-timestamp`, `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`; two during a secret rotation). Answer 2xx within 15 s; otherwise it is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.',
      security: [],
      request: {
        headers: SIGNATURE_HEADERS,
        body: { required: true, content: { 'application/json': { schema } } },
      },
      responses: { 200: { description: 'Any 2xx acknowledges the delivery' } },
    });
  }
  app.get('/openapi.json', (c) => c.json(openApiDocument(app, baseUrl(c))));
}
