/** URL-signing keys as the API shows them (og/signing-keys.ts). */
import { z } from '@hono/zod-openapi';
import type { SigningKeyRow } from '../../../db/signing-keys';

export const SigningKeySchema = z
  .object({
    id: z.string().openapi({ description: 'The `kid` of the URLs it signs', example: 'usk_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }),
    name: z.string().openapi({ example: 'blog' }),
    start: z.string().openapi({ description: 'The first characters of the secret, to tell keys apart', example: 'usksec_AbCd' }),
    created_at: z.string().openapi({ format: 'date-time' }),
    revoked_at: z.string().nullable().openapi({ format: 'date-time', description: 'When it was deleted: URLs signed with it are refused since' }),
  })
  .openapi('UrlSigningKey');

export const CreatedSigningKeySchema = SigningKeySchema.extend({
  secret: z.string().openapi({ description: 'The HMAC secret. Shown once: store it with the site that signs.', example: 'usksec_…' }),
}).openapi('CreatedUrlSigningKey');

export const CreateSigningKeyBody = z
  .object({ name: z.string().trim().min(1).max(64).default('default').openapi({ example: 'blog' }) })
  .strict()
  .openapi('CreateUrlSigningKeyRequest');

export function toSigningKey(k: SigningKeyRow): z.infer<typeof SigningKeySchema> {
  return { id: k.id, name: k.name, start: k.start, created_at: k.created_at, revoked_at: k.revoked_at };
}
