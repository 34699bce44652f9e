/**
 * Builds the HTTP app: request ids, secure headers, body limit and content-type rules for the
 * API, one error handler that turns everything into problem+json, and the routes.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { fieldErrors, ProblemError, toProblem } from './errors/problem';
import { newId } from './lib/ids';
import { registerHealth } from './routes/health';
import { registerImages } from './routes/img';
import type { HonoEnv } from './routes/shared';
import { registerGenerateImage } from './routes/v1/generate/image';
import { registerGetRender } from './routes/v1/renders/get';
import { registerGetTemplate } from './routes/v1/templates/get';
import { registerListTemplates } from './routes/v1/templates/list';

export const MAX_BODY_BYTES = 64 * 1024;

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

  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH') {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
        throw new ProblemError('unsupported_media_type', `Send the body as application/json (got ${type || 'no content type'})`);
      }
    }
    await next();
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ProblemError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES / 1024} KB`);
      },
    }),
  );

  registerHealth(app);
  registerImages(app);
  registerGenerateImage(app);
  registerGetRender(app);
  registerListTemplates(app);
  registerGetTemplate(app);

  // The spec is generated from the route declarations; its reference page and SDK come in Step 5.
  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'PicStream API',
      version: '0.1.0',
      description: 'Render templates to PNG, WebP and SVG at the edge.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: c.env.PUBLIC_BASE_URL || new URL(c.req.url).origin }],
  }));

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
    console.error('unhandled error', err);
    return problemResponse(new ProblemError('internal_error', 'Something went wrong on our side'), id);
  });

  return app;
}
