/**
 * Builds the HTTP app. The root carries what every answer gets (a request id, secure headers,
 * Server-Timing), the public routes (health, docs, images, signed file URLs, the OpenAPI
 * document) and the one error handler that turns everything into problem+json. The API is two
 * sub-apps with their own middleware: sign-up (throttled per client IP) and the rest of /api/v1
 * (API-key auth with rate limiting, then the key-mode guard, which refuses test keys on live-only
 * operations); both then take a JSON body within the route's size limit and honour
 * Idempotency-Key on POSTs.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { METHOD_NAME_ALL } from 'hono/router';
import { TrieRouter } from 'hono/router/trie-router';
import { secureHeaders } from 'hono/secure-headers';
import { requireApiKey, throttleSignups } from './auth/middleware';
import { requireLiveKeyWhereDeclared } from './auth/modes';
import type { AppEnv } from './env';
import { fieldErrors, ProblemError, toProblem } from './errors/problem';
import { idempotency } from './idempotency/middleware';
import { newId } from './lib/ids';
import { countingTrips, newTrips, regionModel, tripsTiming } from './lib/region';
import { Timings } from './lib/timing';
import { registerDocs } from './routes/docs';
import { registerFiles } from './routes/files';
import { registerHealth } from './routes/health';
import { registerImages } from './routes/img';
import { registerOg } from './routes/og';
import { registerOpenApi } from './routes/openapi';
import type { App } from './routes/shared';
import { registerGetAccount } from './routes/v1/account/get';
import { route as createFontRoute, registerCreateFont } from './routes/v1/fonts/create';
import { registerDeleteFont } from './routes/v1/fonts/delete';
import { registerListFonts } from './routes/v1/fonts/list';
import { registerGenerateImage } from './routes/v1/generate/image';
import { route as generatePdfRoute, registerGeneratePdf } from './routes/v1/generate/pdf';
import { registerCreateKey } from './routes/v1/keys/create';
import { registerDeleteKey } from './routes/v1/keys/delete';
import { registerListKeys } from './routes/v1/keys/list';
import { registerGetRender } from './routes/v1/renders/get';
import { registerSignup, route as signupRoute } from './routes/v1/signup/create';
import { route as createTemplateRoute, registerCreateTemplate } from './routes/v1/templates/create';
import { registerDeleteTemplate } from './routes/v1/templates/delete';
import { registerGetTemplate } from './routes/v1/templates/get';
import { route as lintTemplateRoute, registerLintTemplate } from './routes/v1/templates/lint';
import { registerListTemplates } from './routes/v1/templates/list';
import { route as previewTemplateRoute, registerPreviewTemplate } from './routes/v1/templates/preview';
import { registerUpdateTemplate, route as updateTemplateRoute } from './routes/v1/templates/update';
import { registerCreateSigningKey } from './routes/v1/url-signing-keys/create';
import { registerDeleteSigningKey } from './routes/v1/url-signing-keys/delete';
import { registerListSigningKeys } from './routes/v1/url-signing-keys/list';
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

/**
 * Where the API sub-apps' middleware applies. The route declarations carry their full paths (they
 * are the OpenAPI document's), so the sub-apps are mounted at the root with their middleware
 * scoped here, and `mountApi` checks that every route they hold is under it.
 */
const API_PREFIX = '/api/v1/';

function problemResponse(err: ProblemError, requestIdValue: string | undefined): Response {
  const headers = new Headers({ 'content-type': 'application/problem+json' });
  for (const [k, v] of Object.entries(err.headers ?? {})) headers.set(k, v);
  if (requestIdValue) headers.set('X-Request-Id', requestIdValue);
  return new Response(JSON.stringify(toProblem(err, requestIdValue)), { status: err.status, headers });
}

/** An app whose request validation failures answer 400 `validation_failed` with each field's path. */
function newApp(): App {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ProblemError('validation_failed', 'The request does not match the schema', { errors: fieldErrors(result.error.issues) });
      }
    },
  });
}

/** A body must be JSON; a POST without one (e.g. /webhooks/:id/test) needs no content type. */
const requireJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const length = c.req.header('content-length');
  const hasBody = length !== undefined ? length !== '0' : c.req.header('transfer-encoding') !== undefined;
  if (hasBody && (c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH')) {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
      throw new ProblemError('unsupported_media_type', `Send the body as application/json (got ${type || 'no content type'})`);
    }
  }
  await next();
};

function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ProblemError('payload_too_large', `The body is larger than ${maxSize / 1024} KB`);
    },
  });
}

/**
 * The body limit of each route: `fallback`, or a larger one for the routes listed with it. A
 * route's limit covers its path whatever the method (a GET on a path that also takes a POST gets
 * the POST's limit), as the router matches them.
 */
function limitBodies(larger: [routes: { getRoutingPath(): string }[], maxSize: number][], fallback: number): MiddlewareHandler<AppEnv> {
  const router = new TrieRouter<MiddlewareHandler<AppEnv>>();
  for (const [routes, maxSize] of larger) {
    const limit = limitBody(maxSize);
    for (const route of routes) router.add(METHOD_NAME_ALL, route.getRoutingPath(), limit);
  }
  const fallbackLimit = limitBody(fallback);
  return (c, next) => (router.match(METHOD_NAME_ALL, c.req.path)[0][0]?.[0] ?? fallbackLimit)(c, next);
}

/** What every API call goes through once its caller is known: a JSON body within its limit, then Idempotency-Key. */
function bodyRules(limit: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv>[] {
  return [requireJsonBody, limit, idempotency()];
}

/**
 * Sign-up: the one /api/v1 operation without a key, throttled per client IP instead. Mounted
 * before the authenticated API, its route answers before that API's middleware would run.
 */
function signupApi(): App {
  const api = newApp();
  api.on(signupRoute.method.toUpperCase(), signupRoute.getRoutingPath(), throttleSignups(), ...bodyRules(limitBody(MAX_BODY_BYTES)));
  registerSignup(api);
  return api;
}

/**
 * The rest of /api/v1. Every call is authenticated and rate limited first (so a caller without a
 * key learns nothing else), then a test key is refused on the live-only operations before anything
 * else reads the request.
 */
function authenticatedApi(): App {
  const api = newApp();
  api.use(`${API_PREFIX}*`, requireApiKey(), requireLiveKeyWhereDeclared());
  const limit = limitBodies(
    [
      // a PDF request carries a whole document's data (an invoice's line items, a report's sections)
      [[generatePdfRoute], MAX_PDF_BODY_BYTES],
      [[createFontRoute], MAX_FONT_BODY_BYTES],
      // a template's markup may carry small pictures as data: URLs
      [[createTemplateRoute, updateTemplateRoute, previewTemplateRoute, lintTemplateRoute], MAX_TEMPLATE_BODY_BYTES],
    ],
    MAX_BODY_BYTES,
  );
  api.use(`${API_PREFIX}*`, ...bodyRules(limit));

  registerGetAccount(api);
  registerGetUsage(api);
  registerListKeys(api);
  registerCreateKey(api);
  registerDeleteKey(api);
  registerCreateFont(api);
  registerListFonts(api);
  registerDeleteFont(api);
  registerGenerateImage(api);
  registerGeneratePdf(api);
  registerGetRender(api);
  registerListTemplates(api);
  registerGetTemplate(api);
  registerCreateTemplate(api);
  registerPreviewTemplate(api);
  registerLintTemplate(api);
  registerUpdateTemplate(api);
  registerDeleteTemplate(api);
  registerCreateWebhook(api);
  registerListWebhooks(api);
  registerGetWebhook(api);
  registerUpdateWebhook(api);
  registerDeleteWebhook(api);
  registerRotateWebhookSecret(api);
  registerTestWebhook(api);
  registerListDeliveries(api);
  registerRedeliver(api);
  registerListSigningKeys(api);
  registerCreateSigningKey(api);
  registerDeleteSigningKey(api);
  return api;
}

/** Mounts an API sub-app at the root (see API_PREFIX), refusing one with a route its middleware would not cover. */
function mountApi(app: App, api: App): void {
  const outside = api.routes.find((r) => !r.path.startsWith(API_PREFIX));
  if (outside) throw new Error(`${outside.method} ${outside.path} is outside ${API_PREFIX}: its middleware would not apply`);
  app.route('/', api);
}

function handleError(err: Error, id: string | undefined): Response {
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
}

export function createApp(): App {
  const app = newApp();
  app.use(requestId({ headerName: 'X-Request-Id', generator: () => newId('req') }));
  app.use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }));
  app.use(async (c, next) => {
    const timings = new Timings();
    c.set('timings', timings);
    if (!regionModel(c.env)) {
      await next();
      if (!timings.empty) c.res.headers.set('Server-Timing', timings.header());
      return;
    }
    // the latency model is on: count this request's round trips to the primary region (lib/region.ts)
    const trips = newTrips();
    await countingTrips(trips, () => next());
    c.res.headers.set('Server-Timing', [timings.empty ? '' : timings.header(), tripsTiming(trips)].filter(Boolean).join(', '));
  });

  registerHealth(app);
  registerDocs(app);
  registerImages(app);
  registerOg(app);
  registerFiles(app);
  mountApi(app, signupApi());
  mountApi(app, authenticatedApi());
  registerOpenApi(app);

  app.notFound((c) => problemResponse(new ProblemError('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), c.get('requestId')));
  app.onError((err, c) => handleError(err, c.get('requestId')));
  return app;
}
