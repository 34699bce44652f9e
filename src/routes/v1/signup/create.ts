/** POST /api/v1/signup — create an account; answers with its live and test keys, shown once. */
import { createRoute, z } from '@hono/zod-openapi';
import { signUp } from '../../../accounts/service';
import { config } from '../../../config';
import { type App, only, problems } from '../../shared';
import { AccountSchema, toAccount } from '../account/schema';

export const SignupBody = z
  .object({ email: z.email().max(254).openapi({ example: 'you@example.com' }) })
  .strict()
  .openapi('SignupRequest');

export const SignupResponse = z
  .object({
    account: AccountSchema,
    api_key: z.string().openapi({ description: 'Live key (pk_live_…). Shown once.' }),
    test_api_key: z.string().openapi({ description: 'Test key (pk_test_…): never counts, watermarks images. Shown once.' }),
  })
  .openapi('Signup');

export const route = createRoute({
  method: 'post',
  path: '/api/v1/signup',
  operationId: 'signup.create',
  tags: ['Account'],
  summary: 'Sign up',
  description: 'No key needed. Throttled per client address. Starts on the free plan: 1,000 images a month.',
  security: [],
  request: { body: { required: true, content: { 'application/json': { schema: SignupBody } } } },
  responses: {
    201: { description: 'Account created', content: { 'application/json': { schema: SignupResponse } } },
    ...problems(400, only(409, 'email_taken', 'idempotency_key_in_progress'), 413, 415, 422, 429),
  },
});

export function registerSignup(app: App): void {
  app.openapi(route, async (c) => {
    const { account, live, test } = await signUp(c.env.DB, c.req.valid('json').email, config(c.env).plans);
    return c.json({ account: toAccount(account), api_key: live.key, test_api_key: test.key }, 201);
  });
}
