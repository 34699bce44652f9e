/**
 * The fonts service (src/fonts/service.ts) without HTTP: what the routes and the dashboard call.
 * test/routes/fonts.test.ts covers the same work through the API; this covers the get the API
 * does not expose, and that the row and the file come and go together.
 */

import { env } from 'cloudflare:test';
import pacificoWoff from '@fontsource/pacifico/files/pacifico-latin-400-normal.woff';
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../src/errors/problem';
import { fontObjectKey } from '../../src/fonts/custom';
import { accountFont, accountFonts, removeFont, uploadFont } from '../../src/fonts/service';

const accountId = () => `acc_test_${crypto.randomUUID()}`;

async function problemOf(promise: Promise<unknown>): Promise<ProblemError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProblemError);
  return err as ProblemError;
}

describe('fonts service', () => {
  it('uploads, lists, gets and removes a face with its file', async () => {
    const account = accountId();
    const row = await uploadFont(env, account, { family: 'Service Face', data: new Uint8Array(pacificoWoff) });
    expect(row).toMatchObject({ account_id: account, family: 'Service Face', weight: 400, style: 'normal', format: 'woff' });
    const stored = await env.FONTS.get(fontObjectKey(row));
    expect(stored?.size).toBe(row.bytes);
    expect(stored?.httpMetadata?.contentType).toBe('font/ttf');

    expect(await accountFonts(env, account)).toEqual([row]);
    expect(await accountFont(env, account, row.id)).toEqual(row);
    expect((await problemOf(accountFont(env, accountId(), row.id))).code).toBe('font_not_found');

    expect((await problemOf(removeFont(env, accountId(), row.id))).code).toBe('font_not_found');
    await removeFont(env, account, row.id);
    expect(await env.FONTS.head(fontObjectKey(row))).toBeNull();
    expect(await accountFonts(env, account)).toEqual([]);
    expect((await problemOf(accountFont(env, account, row.id))).code).toBe('font_not_found');
  });

  it('a face uploaded twice is a font_exists, and leaves one file', async () => {
    const account = accountId();
    const first = await uploadFont(env, account, { family: 'Twice', weight: 700, data: new Uint8Array(pacificoWoff) });
    const problem = await problemOf(uploadFont(env, account, { family: 'twice', weight: 700, data: new Uint8Array(pacificoWoff) }));
    expect(problem.code).toBe('font_exists');
    expect((await env.FONTS.list({ prefix: `custom/${account}/` })).objects.map((o) => o.key)).toEqual([fontObjectKey(first)]);
  });
});
