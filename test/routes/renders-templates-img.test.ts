import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PDF_TEMPLATES, TEMPLATES } from '../../templates/index';
import { BASE, expectProblem, generate, get, pathOf } from '../helpers/api';

describe('GET /api/v1/renders/:id', () => {
  it('returns a complete render with its URL', async () => {
    const created = await (await generate({ template: 'og-card', vars: { title: 'Poll me' } })).json<{ id: string; url: string }>();
    const res = await get(`/api/v1/renders/${created.id}`);
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      id: created.id,
      type: 'image',
      status: 'complete',
      template: 'og-card',
      format: 'png',
      url: created.url,
      width: 1200,
      height: 630,
    });
    expect(body.completed_at).toBeTypeOf('string');
  });

  it.each(['rnd_01JD5X1Q4ZB8R3W2K7T6YV9N0M', 'nope', '%00', 'rnd_'])('unknown id %s → 404 render_not_found', async (id) => {
    await expectProblem(await get(`/api/v1/renders/${encodeURIComponent(id)}`), 404, 'render_not_found');
  });
});

describe('GET /api/v1/templates', () => {
  it('lists the five built-in image templates and the three PDF templates', async () => {
    const res = await get('/api/v1/templates');
    expect(res.status).toBe(200);
    const { data } = await res.json<{ data: { id: string; kind: string; size: { width: number; height: number }; paper?: string; orientation?: string }[] }>();
    const images = data.filter((t) => t.kind === 'image');
    expect(images.map((t) => t.id).sort()).toEqual(['blog-post', 'github-repo', 'og-card', 'product-card', 'quote']);
    for (const t of images) expect(t.size).toEqual({ width: 1200, height: 630 });
    const pdfs = data.filter((t) => t.kind === 'pdf');
    expect(pdfs.map((t) => [t.id, t.paper, t.orientation]).sort()).toEqual([
      ['certificate', 'A4', 'landscape'],
      ['invoice', 'A4', 'portrait'],
      ['report', 'A4', 'portrait'],
    ]);
    expect(pdfs.find((t) => t.id === 'certificate')?.size).toEqual({ width: 841.89, height: 595.28 });
  });

  it('details a PDF template: its vars as JSON Schema and an example that validates', async () => {
    for (const id of PDF_TEMPLATES.keys()) {
      const body = await (await get(`/api/v1/templates/${id}`)).json<{ kind: string; example: unknown; vars_schema: { type: string } }>();
      expect(body.kind).toBe('pdf');
      expect(body.vars_schema.type).toBe('object');
      expect(PDF_TEMPLATES.get(id)?.vars.safeParse(body.example).success).toBe(true);
    }
  });

  it('details a template: vars as JSON Schema, default size and an example that validates', async () => {
    for (const id of TEMPLATES.keys()) {
      const res = await get(`/api/v1/templates/${id}`);
      expect(res.status).toBe(200);
      const body = await res.json<{
        id: string;
        vars_schema: Record<string, unknown>;
        example: Record<string, unknown>;
        image_vars: string[];
        version: number;
      }>();
      expect(body.id).toBe(id);
      expect(body.vars_schema.type).toBe('object');
      expect(body.vars_schema.$schema).toMatch(/json-schema\.org/);
      expect(Object.keys(body.vars_schema.properties as object).length).toBeGreaterThan(1);
      // the example round-trips through the template's own schema
      expect(TEMPLATES.get(id)?.vars.safeParse(body.example).success).toBe(true);
      // and through the published JSON Schema, read back into zod
      const fromJson = z.fromJSONSchema(body.vars_schema as never);
      expect(fromJson.safeParse(body.example).success).toBe(true);
    }
  });

  it('unknown template → 404 template_not_found', async () => {
    await expectProblem(await get('/api/v1/templates/nope'), 404, 'template_not_found');
  });
});

describe('GET /img/:key', () => {
  async function created(title: string) {
    const body = await (await generate({ template: 'og-card', vars: { title } })).json<{ url: string }>();
    return pathOf(body.url);
  }

  it('serves with content type, strong ETag and immutable caching; 304 on If-None-Match', async () => {
    const path = await created('Serve me');
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[a-f0-9]+"$/);
    await res.arrayBuffer();

    const again = await get(path, { 'if-none-match': etag as string });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    const other = await get(path, { 'if-none-match': '"something-else"' });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
  });

  it('answers HEAD with headers and no body', async () => {
    const path = await created('Head me');
    const res = await SELF.fetch(`${BASE}${path}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(1000);
    expect(await res.text()).toBe('');
  });

  it('serves repeats from the Cache API without R2', async () => {
    const path = await created('Edge cached');
    const first = await get(path);
    const bytes = await first.arrayBuffer();
    // the cache write happens in waitUntil; give it a moment, then remove the R2 object
    await new Promise((r) => setTimeout(r, 200));
    await env.OUTPUT.delete(path.slice(1));
    const second = await get(path);
    expect(second.status).toBe(200);
    expect((await second.arrayBuffer()).byteLength).toBe(bytes.byteLength);
  });

  it.each(['/img/nope.png', '/img/0000000000000000000000000000000000000000.png', '/img/..%2F..%2Fetc.png', `/img/${'a'.repeat(40)}.exe`])(
    '%s → 404 problem',
    async (path) => {
      await expectProblem(await get(path), 404, 'not_found');
    },
  );
});

describe('the rest of the surface', () => {
  it('unknown routes and methods answer problem+json', async () => {
    await expectProblem(await get('/api/v1/nothing-here'), 404, 'not_found');
    await expectProblem(await get('/api/v1/generate/image'), 404, 'not_found');
    // without a key, /api/v1 answers 401 before routing: what exists is not revealed
    await expectProblem(await SELF.fetch(`${BASE}/api/v1/nothing-here`), 401, 'unauthorized');
  });

  it('health answers and carries a request id', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document generated from the routes', async () => {
    const res = await get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json<{
      openapi: string;
      security: Record<string, string[]>[];
      paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/generate/image']?.post?.operationId).toBe('generate.image');
    expect(doc.paths['/api/v1/renders/{id}']?.get?.operationId).toBe('renders.get');
    expect(doc.paths['/api/v1/templates/{id}']?.get?.operationId).toBe('templates.get');
    for (const name of ['GenerateImageRequest', 'Render', 'Problem', 'Template', 'Account', 'ApiKey', 'CreatedApiKey', 'Usage', 'Signup']) {
      expect(doc.components.schemas).toHaveProperty(name);
    }
    // every operation needs a bearer key except sign-up
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths['/api/v1/signup']?.post?.security).toEqual([]);
    const operations = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    // what every /api/v1 operation can answer: 401 (all but sign-up) and 429; on a POST also the
    // Idempotency-Key answers (400, 409, 422)
    for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/v1/'))) {
      for (const [method, op] of Object.entries(ops) as [string, { responses: Record<string, unknown> }][]) {
        const codes = Object.keys(op.responses);
        expect(codes, `${method} ${path}`).toContain('429');
        if (path !== '/api/v1/signup') expect(codes, `${method} ${path}`).toContain('401');
        if (method === 'post') expect(codes, `${method} ${path}`).toEqual(expect.arrayContaining(['400', '409', '422']));
      }
    }
    for (const id of [
      'signup.create',
      'account.get',
      'usage.get',
      'keys.list',
      'keys.create',
      'keys.delete',
      'webhooks.create',
      'webhooks.list',
      'webhooks.get',
      'webhooks.update',
      'webhooks.delete',
      'webhooks.rotateSecret',
      'webhooks.test',
      'webhooks.deliveries',
      'webhooks.redeliver',
    ]) {
      expect(operations).toContain(id);
    }
  });
});
