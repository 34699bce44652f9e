/** Accounts, API keys and usage as the API shows them. */
import { z } from '@hono/zod-openapi';
import { KEY_MODES } from '../../../auth/keys';
import type { AccountRow, ApiKeyRow } from '../../../db/accounts';

export const AccountSchema = z
  .object({
    id: z.string().openapi({ example: 'acc_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
    email: z.email(),
    plan: z.string().openapi({ example: 'free' }),
    monthly_quota: z.number().int().openapi({ description: 'Images (PDF pages) per calendar month, UTC', example: 1000 }),
    created_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Account');

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: 'key_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
    name: z.string(),
    mode: z.enum(KEY_MODES).openapi({ description: 'live keys count against the quota; test keys never do and watermark their images' }),
    start: z.string().openapi({ description: 'The first characters of the key, to tell keys apart', example: 'pk_live_AbCd' }),
    created_at: z.string().openapi({ format: 'date-time' }),
    revoked_at: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('ApiKey');

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'The key itself. Shown once: store it now.', example: 'pk_live_…' }),
}).openapi('CreatedApiKey');

export const UsageSchema = z
  .object({
    period: z.string().openapi({ example: '2026-11' }),
    limit: z.number().int(),
    used: z.number().int(),
    remaining: z.number().int(),
    resets_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Usage');

export function toAccount(a: AccountRow): z.infer<typeof AccountSchema> {
  return { id: a.id, email: a.email, plan: a.plan, monthly_quota: a.monthly_quota, created_at: a.created_at };
}

export function toApiKey(k: ApiKeyRow): z.infer<typeof ApiKeySchema> {
  return { id: k.id, name: k.name, mode: k.mode, start: k.start, created_at: k.created_at, revoked_at: k.revoked_at };
}
