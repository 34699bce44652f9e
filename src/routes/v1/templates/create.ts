/** POST /api/v1/templates — keep a template of your own: HTML with inline styles and {{var}} placeholders. */
import { createRoute } from '@hono/zod-openapi';
import { createUserTemplate, MAX_TEMPLATES_PER_ACCOUNT } from '../../../user-templates/service';
import { type App, liveKeyOnly, only, problems } from '../../shared';
import { CreateTemplateBody, TemplateDetailSchema, toUserDetail } from './schema';

export const route = createRoute(
  liveKeyOnly({
    method: 'post',
    path: '/api/v1/templates',
    operationId: 'templates.create',
    tags: ['Templates'],
    summary: 'Create a template',
    description: `Your own image template: markup with inline styles and \`{{var}}\` placeholders, a size, and (optionally) declared vars. The markup is read before any var is filled in, so a var's value is only ever text, a checked colour or number, or an image fetched through the SSRF guard. Before it is kept, its example is drawn by both engines (images stood in by a small picture): what an engine cannot draw is a 422 \`template_invalid\` naming it. \`font-family\` may name your uploaded fonts (POST /api/v1/fonts). Render it with POST /api/v1/generate/image and \`"template": "<id>"\`. At most ${MAX_TEMPLATES_PER_ACCOUNT} templates per account.`,
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: CreateTemplateBody,
            examples: {
              card: {
                summary: 'A title card with an optional logo',
                value: {
                  name: 'Launch card',
                  width: 1200,
                  height: 630,
                  html: '<div style="display:flex;flex-direction:column;justify-content:center;width:100%;height:100%;padding:72px;background:{{accent}};color:#ffffff"><img data-if="logo" src="{{logo}}" width="96" height="96" style="border-radius:16px;margin-bottom:32px"><h1 style="font-size:64px;margin:0">{{title}}</h1></div>',
                  vars: { title: { type: 'text', required: true, max_length: 120 }, accent: { type: 'color', default: '#4f46e5' } },
                  example: { title: 'Launch week' },
                },
              },
            },
          },
        },
      },
    },
    responses: {
      201: { description: 'Created', content: { 'application/json': { schema: TemplateDetailSchema } } },
      ...problems(400, 401, only(409, 'template_limit_reached', 'idempotency_key_in_progress'), 413, 415, 422, 429, 503),
    },
  }),
);

export function registerCreateTemplate(app: App): void {
  app.openapi(route, async (c) => {
    const { name, description, ...source } = c.req.valid('json');
    const created = await createUserTemplate(c.env, c.get('auth').accountId, {
      name,
      ...(description !== undefined ? { description } : {}),
      source: { ...source, vars: source.vars ?? {} },
    });
    return c.json(toUserDetail(created), 201, { Location: `/api/v1/templates/${created.row.id}` });
  });
}
