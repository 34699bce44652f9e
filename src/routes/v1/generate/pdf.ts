/** POST /api/v1/generate/pdf — render templates into a multi-page vector PDF (sync or async). */
import { createRoute } from '@hono/zod-openapi';
import { config, fileSigningSecret } from '../../../config';
import { createPdfRender } from '../../../jobs/create';
import { quotaHeaders } from '../../../quota/index';
import { type App, baseUrl, meterQuota, only, problems } from '../../shared';
import { CompletedPdfRenderSchema, completedPdf, toPdfResource } from '../renders/schema';
import { AcceptedSchema, GeneratePdfBody } from './schema';

export const route = createRoute({
  method: 'post',
  path: '/api/v1/generate/pdf',
  operationId: 'generate.pdf',
  tags: ['Generate'],
  summary: 'Render templates into a PDF',
  description:
    "Either one template with its vars (PDF templates such as `invoice` lay out as many pages as their content needs) or `pages`, a list of templates in order. Pages are vector: text is real, selectable text in embedded fonts. Answers with a signed URL valid for 24 h (`GET /api/v1/renders/{id}` signs a fresh one). A fresh PDF uses one unit of the monthly quota per page; the same document again is answered from the account's cache (`cached: true`, free). At most 50 pages. With `async: true`: 202, poll `poll_url`, webhooks `pdf.complete` / `pdf.failed`.",
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: GeneratePdfBody,
          examples: {
            invoice: {
              summary: 'An invoice (its line items flow onto as many pages as they need)',
              value: {
                template: 'invoice',
                vars: {
                  number: 'INV-001',
                  issue_date: '2026-11-28',
                  seller: { name: 'Acme' },
                  buyer: { name: 'Globex' },
                  items: [{ description: 'Widgets', quantity: 3, unit_price: 20 }],
                },
              },
            },
            sections: {
              summary: 'Pages from several templates, on Letter paper',
              value: {
                pages: [
                  { template: 'og-card', vars: { title: 'Quarterly report' } },
                  { template: 'quote', vars: { quote: 'Simplicity is prerequisite for reliability.', author: 'Edsger W. Dijkstra' } },
                ],
                page_size: 'Letter',
                title: 'Q3 report',
              },
            },
          },
        },
      },
    },
  },
  responses: {
    200: { description: 'Rendered (or served from the cache)', content: { 'application/json': { schema: CompletedPdfRenderSchema } } },
    202: { description: 'Queued', content: { 'application/json': { schema: AcceptedSchema } } },
    ...problems(400, 401, only(404, 'template_not_found'), only(409, 'idempotency_key_in_progress'), 413, 415, 422, 429, 500, 503),
  },
});

export function registerGeneratePdf(app: App): void {
  meterQuota(app, route.path);
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    // no secret, no private files: refuse before any work rather than make a PDF nobody can fetch
    fileSigningSecret(config(c.env));
    const { row, quota } = await createPdfRender(c.env, body, {
      owner: c.get('auth'),
      async: body.async,
      timings: c.get('timings'),
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    });
    for (const [name, value] of Object.entries(quotaHeaders(quota))) c.header(name, value);
    if (body.async) {
      return c.json({ id: row.id, status: 'pending' as const, poll_url: `/api/v1/renders/${row.id}` }, 202, { Location: `/api/v1/renders/${row.id}` });
    }
    return c.json(completedPdf(await toPdfResource(row, c.env, baseUrl(c))), 200);
  });
}
