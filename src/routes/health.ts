/** GET /healthz — liveness, and the floor of the HTTP stack for the benchmark. */
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from './shared';

export const route = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'health.get',
  tags: ['Meta'],
  summary: 'Liveness',
  description: 'Answers 200 while the Worker runs. No key, no database: the floor of the HTTP stack.',
  security: [],
  responses: { 200: { description: 'OK', content: { 'application/json': { schema: z.object({ ok: z.literal(true) }) } } } },
});

export function registerHealth(app: App): void {
  app.openapi(route, (c) => c.json({ ok: true as const }, 200));
}
