/**
 * Builds the HTTP app: request ids, secure headers, body limit and content-type rules for the
 * API; API-key auth with rate limiting on /api/v1 (sign-up instead throttled per client IP), then
 * the key-mode guard (test keys refused on live-only operations);
 * Idempotency-Key on POSTs; one error handler that turns everything into problem+json; the routes.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { requireApiKey, throttleSignups } from './auth/middleware';
import { requireLiveKeyWhereDeclared } from './auth/modes';
import type { HonoEnv } from './env';
import { fieldErrors, ProblemError, toProblem } from './errors/problem';
import { idempotency } from './idempotency/middleware';
import { newId } from './lib/ids';
import { Timings } from './lib/timing';
import { registerDocs } from './routes/docs';
import { registerFiles } from './routes/files';
import { registerHealth } from './routes/health';
import { registerImages } from './routes/img';
import { registerOpenApi } from './routes/openapi';
import { registerGetAccount } from './routes/v1/account/get';
import { registerCreateFont } from './routes/v1/fonts/create';
import { registerDeleteFont } from './routes/v1/fonts/delete';
import { registerListFonts } from './routes/v1/fonts/list';
import { registerGenerateImage } from './routes/v1/generate/image';
import { registerGeneratePdf } from './routes/v1/generate/pdf';
import { registerCreateKey } from './routes/v1/keys/create';
import { registerDeleteKey } from './routes/v1/keys/delete';
import { registerListKeys } from './routes/v1/keys/list';
import { registerGetRender } from './routes/v1/renders/get';
import { registerSignup } from './routes/v1/signup/create';
import { registerCreateTemplate } from './routes/v1/templates/create';
import { registerDeleteTemplate } from './routes/v1/templates/delete';
import { registerGetTemplate } from './routes/v1/templates/get';
import { registerListTemplates } from './routes/v1/templates/list';
import { registerPreviewTemplate } from './routes/v1/templates/preview';
import { registerUpdateTemplate } from './routes/v1/templates/update';
import { registerGetUsage } from './routes/v1/usage/get';
import { registerCreateWebhook } from './routes/v1/webhooks/create';
import { registerDeleteWebhook } from './routes/v1/webhooks/delete';
import { registerListDeliveries } from './routes/v1/webhooks/deliveries';
import { registerGetWebhook } from './routes/v1/webhooks/get';
import { registerListWebhooks } from './routes/v1/webhooks/list';
import { registerRedeliver } from './routes/v1/webhooks/redeliver';
import { registerRotateWebhookSecret } from './routes/v1/webhooks/rotate';
import { registerTestWebhook } from './routes/v1/webhooks/test';
import { registerUpdateWebhook } from './routes/v1/webhooks/update';

export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_PDF_BODY_BYTES = 512 * 1024;
/** A template: up to 256 KB of markup, its vars and example. */
export const MAX_TEMPLATE_BODY_BYTES = 512 * 1024;
/** A font upload: a 4 MB file as base64 and its JSON around it. */
export const MAX_FONT_BODY_BYTES = 6 * 1024 * 1024;
const PDF_PATH = '/api/v1/generate/pdf';
const FONTS_PATH = '/api/v1/fonts';
const TEMPLATES_PATH = /^\/api\/v1\/templates(?:\/[^/]+)?$/;
const SIGNUP_PATH = '/api/v1/signup';

function problemResponse(err: ProblemError, requestIdValue: string | undefined): Response {
  const headers = new Headers({ 'content-type': 'application/problem+json' });
  for (const [k, v] of Object.entries(err.headers ?? {})) headers.set(k, v);
  if (requestIdValue) headers.set('X-Request-Id', requestIdValue);
  return new Response(JSON.stringify(toProblem(err, requestIdValue)), { status: err.status, headers });
}

export function createApp(): OpenAPIHono<HonoEnv> {
  const app = new OpenAPIHono<HonoEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ProblemError('validation_failed', 'The request does not match the schema', { errors: fieldErrors(result.error.issues) });
      }
    },
  });

  app.use(requestId({ headerName: 'X-Request-Id', generator: () => newId('req') }));
  app.use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }));
  app.use(async (c, next) => {
    const timings = new Timings();
    c.set('timings', timings);
    await next();
    if (!timings.empty) c.res.headers.set('Server-Timing', timings.header());
  });

  // Every /api/v1 call is authenticated and rate limited first (so a caller without a key learns
  // nothing else), except sign-up, which is throttled per client IP instead.
  const authenticate = requireApiKey();
  const throttle = throttleSignups();
  app.use('/api/v1/*', (c, next) => (c.req.path === SIGNUP_PATH && c.req.method === 'POST' ? throttle(c, next) : authenticate(c, next)));
  // a test key is refused on the live-only operations before anything else reads the request
  app.use('/api/v1/*', requireLiveKeyWhereDeclared());

  app.use('/api/*', async (c, next) => {
    // a body must be JSON; a POST without one (e.g. /webhooks/:id/test) needs no content type
    const length = c.req.header('content-length');
    const hasBody = length !== undefined ? length !== '0' : c.req.header('transfer-encoding') !== undefined;
    if (hasBody && (c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH')) {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
        throw new ProblemError('unsupported_media_type', `Send the body as application/json (got ${type || 'no content type'})`);
      }
    }
    await next();
  });
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ProblemError('payload_too_large', `The body is larger than ${maxSize / 1024} KB`);
      },
    });
  const apiBodyLimit = limitBody(MAX_BODY_BYTES);
  // a PDF request carries a whole document's data (an invoice's line items, a report's sections)
  const pdfBodyLimit = limitBody(MAX_PDF_BODY_BYTES);
  const fontBodyLimit = limitBody(MAX_FONT_BODY_BYTES);
  // a template's markup may carry small pictures as data: URLs
  const templateBodyLimit = limitBody(MAX_TEMPLATE_BODY_BYTES);
  app.use('/api/*', (c, next) =>
    c.req.path === PDF_PATH
      ? pdfBodyLimit(c, next)
      : c.req.path === FONTS_PATH
        ? fontBodyLimit(c, next)
        : TEMPLATES_PATH.test(c.req.path)
          ? templateBodyLimit(c, next)
          : apiBodyLimit(c, next),
  );

  app.use('/api/v1/*', idempotency());

  registerHealth(app);
  registerDocs(app);
  registerImages(app);
  registerFiles(app);
  registerSignup(app);
  registerGetAccount(app);
  registerGetUsage(app);
  registerListKeys(app);
  registerCreateKey(app);
  registerDeleteKey(app);
  registerCreateFont(app);
  registerListFonts(app);
  registerDeleteFont(app);
  registerGenerateImage(app);
  registerGeneratePdf(app);
  registerGetRender(app);
  registerListTemplates(app);
  registerGetTemplate(app);
  registerCreateTemplate(app);
  registerPreviewTemplate(app);
  registerUpdateTemplate(app);
  registerDeleteTemplate(app);
  registerCreateWebhook(app);
  registerListWebhooks(app);
  registerGetWebhook(app);
  registerUpdateWebhook(app);
  registerDeleteWebhook(app);
  registerRotateWebhookSecret(app);
  registerTestWebhook(app);
  registerListDeliveries(app);
  registerRedeliver(app);

  registerOpenApi(app);

  app.notFound((c) => problemResponse(new ProblemError('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), c.get('requestId')));

  app.onError((err, c) => {
    const id = c.get('requestId');
    if (err instanceof ProblemError) {
      if (err.status >= 500) console.error(err.code, err.message, err.cause);
      return problemResponse(err, id);
    }
    if (err instanceof HTTPException && err.status === 400) {
      // hono's JSON validator: the body did not parse
      return problemResponse(new ProblemError('malformed_json', 'The body is not valid JSON'), id);
    }
    if (err instanceof HTTPException && err.status === 415) {
      // the route's validator did not take the content type (our own check is looser)
      return problemResponse(new ProblemError('unsupported_media_type', 'Send the body as application/json'), id);
    }
    console.error('unhandled error', err);
    return problemResponse(new ProblemError('internal_error', 'Something went wrong on our side'), id);
  });

  return app;
}
