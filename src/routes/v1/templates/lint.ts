/** POST /api/v1/templates/lint — a template checked with these vars, answered as a report (nothing kept). */
import { createRoute } from '@hono/zod-openapi';
import { lintTemplate } from '../../../renders/lint/index';
import { type App, only, problems } from '../../shared';
import { LintReportSchema, LintTemplateBody } from './schema';

export const route = createRoute({
  method: 'post',
  path: '/api/v1/templates/lint',
  operationId: 'templates.lint',
  tags: ['Templates'],
  summary: 'Lint a template',
  description: [
    'Checks a template with these vars and answers a report: `{ok, issues: [{path, code, severity, message, …}]}`, `ok` meaning no issue of severity `error`. Nothing is stored and no quota is used; the call is rate limited like any other.',
    '',
    'The body has one of two forms, told apart by which of `template` and `html` it has (exactly one): **form 1** `{template, vars}` — a built-in template, `tpl_…` or `tpl_…@N`, with the vars a generate request would send (and optionally `width`, `height`, `engine`, `format`, `font_family`); **form 2** a source as POST /api/v1/templates/preview takes it — `html`, `width`, `height`, `vars` (declarations), `example`, and `values` to check (by default the example).',
    '',
    'What preview or generate would refuse becomes an issue, not an error answer: markup that does not compile (`template_invalid`), an unknown template (`template_not_found`), bad vars (`vars_invalid`, at `vars.<name>` or `values.<name>`), images the SSRF guard blocks. A body that does not match this schema is a 400.',
    '',
    'Issue codes: `text_clamped` (a line clamp / ellipsis hides lines: `var`, `lines`, `lines_hidden`, `overflow_px`), `text_overflow` (text runs past its box, a clipping box or the image edge: `overflow_px`), `tofu` (characters no available font draws: `chars`, `scripts`), `image_unreachable`, `image_invalid`, `image_blocked`, `image_too_large` (`url`), `css_unsupported` (`property`, `value`, `engines`), `engine_unsupported`, `limit_exceeded` (`actual`, `limit`), `font_unavailable`, `vars_invalid`, `template_invalid`, `template_not_found`, `template_kind_mismatch`.',
    '',
    'Text is measured by laying the template out with takumi (the default engine) as written and with its clamps off — the same fonts and sizes as a render, no raster. Speed: the two layouts of a card take ~4 ms once an isolate is warm; end to end about 10 ms (P50; P99 ~40 ms) against ~55 ms for a preview of the same source (measured in workerd under the test pool; `BENCH_ONLY=lint npm run bench` measures it against the preview), plus the time to fetch remote images (as a render does, up to 5 s each) — cheap enough for every debounce of an editor.',
  ].join('\n'),
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: LintTemplateBody,
          examples: {
            template: {
              summary: 'A built-in template with a long title',
              value: {
                template: 'og-card',
                vars: { title: 'A headline long enough to need more than the three lines the card gives it, so it ends in an ellipsis well before its end' },
              },
            },
            source: {
              summary: 'A source being edited',
              value: {
                width: 1200,
                height: 630,
                html: '<div style="display:flex;align-items:center;justify-content:center;width:100%;height:100%;background:#4f46e5;color:#ffffff;font-size:72px">{{title}}</div>',
                values: { title: 'Launch week' },
              },
            },
          },
        },
      },
    },
  },
  responses: {
    200: { description: 'The report (nothing stored)', content: { 'application/json': { schema: LintReportSchema } } },
    ...problems(400, 401, only(409, 'idempotency_key_in_progress'), 413, 415, only(422, 'idempotency_key_reused'), 429, 503),
  },
});

export function registerLintTemplate(app: App): void {
  app.openapi(route, async (c) => {
    const { template, html, width, height, vars, values, example, engine, format, font_family } = c.req.valid('json');
    const target =
      template !== undefined
        ? { template }
        : {
            source: {
              width: width as number,
              height: height as number,
              html: html as string,
              vars: (vars ?? {}) as never,
              ...(example ? { example } : {}),
              ...(engine ? { engine } : {}),
            },
          };
    const given = template !== undefined ? vars : values;
    const report = await lintTemplate(c.env, c.get('auth').accountId, target, {
      format,
      ...(given ? { vars: given } : {}),
      ...(engine ? { engine } : {}),
      ...(template !== undefined && width !== undefined ? { width } : {}),
      ...(template !== undefined && height !== undefined ? { height } : {}),
      ...(font_family !== undefined ? { font_family } : {}),
    });
    return c.json(LintReportSchema.parse(report), 200);
  });
}
