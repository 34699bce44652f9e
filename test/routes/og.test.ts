/**
 * Signed og:image URLs (issue 18): URL-signing keys, `GET /og/<template>.<ext>?…`, the canonical
 * form surviving what crawlers do to URLs, expiry, rotation, accounts kept apart, caching, and the
 * fallback image when a valid URL cannot render. URLs are signed by the SDK's
 * `signUrl` (test/sdk/sign-url.test.ts and test/og/canonical.test.ts hold both sides to the shared vectors).
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { type OgVarValue, signUrl } from '../../sdk/src/index';
import { BASE, bearer, decodePng, expectProblem, fetchWithEnv, freshIp, signup, type TestAccount, tinyPlan } from '../helpers/api';
import { afterAnswers, renderCount, setUnitsUsed, unitsUsed } from '../helpers/db';
import { createEndpoint, hmacSignature, receiverUrl, waitForReceived } from '../webhooks/helpers';

interface SigningKey {
  id: string;
  secret: string;
  name: string;
  start: string;
  created_at: string;
  revoked_at: string | null;
}

const primary = (res: Response) => Number(res.headers.get('server-timing')?.match(/rtt;desc="primary (\d+)/)?.[1] ?? Number.NaN);

async function newSigningKey(account: TestAccount, name = 'site'): Promise<SigningKey> {
  const res = await SELF.fetch(`${BASE}/api/v1/url-signing-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(account.apiKey) },
    body: JSON.stringify({ name }),
  });
  expect(res.status).toBe(201);
  return res.json<SigningKey>();
}

function sign(
  key: SigningKey,
  template: string,
  vars: Record<string, OgVarValue>,
  extra: { format?: 'png' | 'webp'; expiresAt?: number } = {},
): Promise<string> {
  return signUrl({ baseUrl: BASE, keyId: key.id, secret: key.secret, template, vars, ...extra });
}

/** A template of the account's: a coloured card with its title, at this size. */
async function cardTemplate(account: TestAccount, size: [number, number], background: string, title: Record<string, unknown>, example: string) {
  const res = await SELF.fetch(`${BASE}/api/v1/templates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(account.apiKey) },
    body: JSON.stringify({
      name: 'Card',
      width: size[0],
      height: size[1],
      html: `<div style="display:flex;width:100%;height:100%;background:${background};color:#fff;font-size:40px">{{title}}</div>`,
      vars: { title: { type: 'text', required: true, ...title } },
      example: { title: example },
    }),
  });
  expect(res.status).toBe(201);
  return res.json<{ id: string; version: number }>();
}

const pathAndQuery = (url: string) => url.slice(BASE.length);
const unique = (label: string) => `${label} ${crypto.randomUUID().slice(0, 8)}`;

function og(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(url, { headers });
}

describe('URL-signing keys', () => {
  it('are created with a secret shown once, listed without it, and deleted (kept with revoked_at)', async () => {
    const account = await signup();
    const key = await newSigningKey(account, 'blog');
    expect(key.id).toMatch(/^usk_[0-9A-Z]{26}$/);
    expect(key.secret).toMatch(/^usksec_[A-Za-z0-9_-]{43}$/);
    expect(key.start).toBe(key.secret.slice(0, 11));

    const listed = await (await SELF.fetch(`${BASE}/api/v1/url-signing-keys`, { headers: bearer(account.apiKey) })).json<{ data: Record<string, unknown>[] }>();
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0]).toMatchObject({ id: key.id, name: 'blog', revoked_at: null });
    expect(JSON.stringify(listed)).not.toContain(key.secret);

    const bare = await SELF.fetch(`${BASE}/api/v1/url-signing-keys`, { method: 'POST', headers: bearer(account.apiKey) });
    expect(bare.status).toBe(201);
    expect((await bare.json<SigningKey>()).name).toBe('default');

    expect((await SELF.fetch(`${BASE}/api/v1/url-signing-keys/${key.id}`, { method: 'DELETE', headers: bearer(account.apiKey) })).status).toBe(204);
    expect((await SELF.fetch(`${BASE}/api/v1/url-signing-keys/${key.id}`, { method: 'DELETE', headers: bearer(account.apiKey) })).status).toBe(204);
    const after = await (await SELF.fetch(`${BASE}/api/v1/url-signing-keys`, { headers: bearer(account.apiKey) })).json<{ data: SigningKey[] }>();
    expect(after.data.find((k) => k.id === key.id)?.revoked_at).toEqual(expect.any(String));
  });

  it('at most 10 active; live keys only; another account deletes nothing', async () => {
    const account = await signup();
    const keys: SigningKey[] = [];
    for (let i = 0; i < 10; i++) keys.push(await newSigningKey(account, `k${i}`));
    const over = await SELF.fetch(`${BASE}/api/v1/url-signing-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(account.apiKey) },
      body: '{"name":"eleventh"}',
    });
    await expectProblem(over, 409, 'signing_key_limit_reached');
    await SELF.fetch(`${BASE}/api/v1/url-signing-keys/${keys[0]?.id}`, { method: 'DELETE', headers: bearer(account.apiKey) });
    expect((await newSigningKey(account, 'after a delete')).id).toMatch(/^usk_/);

    await expectProblem(await SELF.fetch(`${BASE}/api/v1/url-signing-keys`, { headers: bearer(account.testKey) }), 403, 'live_key_required');
    const other = await signup();
    await expectProblem(
      await SELF.fetch(`${BASE}/api/v1/url-signing-keys/${keys[1]?.id}`, { method: 'DELETE', headers: bearer(other.apiKey) }),
      404,
      'signing_key_not_found',
    );
  });
});

describe('GET /og/:template.:format', () => {
  it('answers the image in one request, at the template size; the second hit costs no unit, no render, no primary round trip', async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    const url = await sign(key, 'og-card', { title: unique('Hello from a crawler'), site: 'example.com' });
    const first = await og(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    expect(first.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(first.headers.get('x-picstream-error')).toBeNull();
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    const png = decodePng(firstBytes);
    expect([png.width, png.height]).toEqual([1200, 630]);
    await afterAnswers();
    expect(await unitsUsed(account.id)).toBe(1);
    expect(await renderCount(account.id)).toBe(1);

    const second = await og(url);
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).toBe(etag);
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(firstBytes);
    expect(primary(second)).toBe(0);
    await afterAnswers();
    expect(await unitsUsed(account.id)).toBe(1);
    expect(await renderCount(account.id)).toBe(1);

    const revalidated = await og(url, { 'if-none-match': etag as string });
    expect(revalidated.status).toBe(304);
  });

  it("the render is in the history as the signing key's, live", async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    await (await og(await sign(key, 'og-card', { title: unique('History') }))).arrayBuffer();
    await afterAnswers();
    const row = await env.DB.prepare('SELECT key_id, mode, status, units FROM renders WHERE account_id = ?1').bind(account.id).first();
    expect(row).toEqual({ key_id: key.id, mode: 'live', status: 'complete', units: 1 });
  });

  it('webp, typed vars in `vars`, flat numbers coerced where the schema wants one', async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    const webp = await og(await sign(key, 'github-repo', { owner: 'picstream', repo: 'picstream', stars: 1234, forks: 56 }, { format: 'webp' }));
    expect(webp.status).toBe(200);
    expect(webp.headers.get('content-type')).toBe('image/webp');
    expect(webp.headers.get('x-picstream-error')).toBeNull();
    await webp.arrayBuffer();

    // hand-written: ?stars=120 as a flat parameter
    const flat = new URL(`${BASE}/og/github-repo.png`);
    flat.searchParams.set('owner', 'picstream');
    flat.searchParams.set('repo', 'hand-written');
    flat.searchParams.set('stars', '120');
    flat.searchParams.set('kid', key.id);
    const canonical = await import('../../src/og/canonical');
    const parsed = canonical.parseOgUrl('github-repo.png', `${flat.search}&s=${'A'.repeat(43)}`);
    flat.searchParams.set('s', await canonical.signCanonical(key.secret, parsed.canonical));
    const res = await og(flat.toString());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-picstream-error')).toBeNull();
    await res.arrayBuffer();
  });
});

describe('signatures', () => {
  it('every single tampered part is 403; equivalent re-encodings and tracking parameters are 200', async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    const url = await sign(
      key,
      'og-card',
      { title: 'Tamper me & see', subtitle: 'a+b = c', site: 'x.example' },
      { expiresAt: Math.floor(Date.now() / 1000) + 3600 },
    );
    expect((await og(url)).status).toBe(200);
    const u = new URL(url);

    const tampered: string[] = [];
    const change = (edit: (x: URL) => void) => {
      const x = new URL(url);
      edit(x);
      tampered.push(x.toString());
    };
    change((x) => x.searchParams.set('title', 'Tamper me & sea'));
    change((x) => x.searchParams.set('subtitle', 'a+b = d'));
    change((x) => x.searchParams.delete('site'));
    change((x) => x.searchParams.set('theme', 'light'));
    change((x) => x.searchParams.set('exp', String(Number(u.searchParams.get('exp')) + 1)));
    change((x) => x.searchParams.delete('exp'));
    change((x) => {
      x.pathname = '/og/og-card.webp';
    });
    change((x) => {
      x.pathname = '/og/blog-post.png';
    });
    const real = u.searchParams.get('s') as string;
    change((x) => x.searchParams.set('s', `${real.slice(0, 42)}${real.endsWith('A') ? 'E' : 'A'}`));
    change((x) => x.searchParams.delete('s'));
    change((x) => x.searchParams.append('s', u.searchParams.get('s') as string));
    for (const t of tampered) {
      const res = await og(t, { accept: 'application/json' });
      expect(res.status, t).toBe(403);
      await expectProblem(res, 403, 'invalid_signature');
    }
    // a crawler gets the status and a line of text
    const plain = await og(tampered[0] as string);
    expect(plain.status).toBe(403);
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain/);
    await plain.text();

    // re-encoded, re-ordered and tracked: the same image
    const params = [...u.searchParams.entries()];
    const reordered = `${u.origin}${u.pathname}?${params
      .reverse()
      .map(
        ([n, v]) =>
          `${encodeURIComponent(n)}=${encodeURIComponent(v)
            .replace(/%20/g, '+')
            .replace(/%2[0-9A-F]/g, (m) => m.toLowerCase())}`,
      )
      .join('&')}&utm_source=twitter&fbclid=IwAR123&UTM_Campaign=launch`;
    const same = await og(reordered);
    expect(same.status).toBe(200);
    expect(same.headers.get('x-picstream-error')).toBeNull();
    await same.arrayBuffer();
    const escaped = await og(url.replace('/og/og-card.png', '/og/%6Fg-card.png').replace('title=', '%74itle='));
    expect(escaped.status).toBe(200);
    await escaped.arrayBuffer();
  });

  it('past exp → 403 url_expired; a kid that does not exist or was deleted → 403 signing_key_invalid', async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    const expired = await sign(key, 'og-card', { title: 'Old news' }, { expiresAt: Math.floor(Date.now() / 1000) - 1 });
    await expectProblem(await og(expired, { accept: 'application/json' }), 403, 'url_expired');

    const ghost = await sign({ ...key, id: 'usk_01JD5X1Q4ZB8R3W2K7T6YV9N0M' }, 'og-card', { title: 'Ghost' });
    await expectProblem(await og(ghost, { accept: 'application/json' }), 403, 'signing_key_invalid');
  });

  it('rotation: old links keep working until their key is deleted, then 403 while the new key signs on', async () => {
    const account = await signup();
    const old = await newSigningKey(account, 'old');
    const oldUrl = await sign(old, 'og-card', { title: unique('Rotated') });
    expect((await og(oldUrl)).status).toBe(200);
    const fresh = await newSigningKey(account, 'new');
    const newUrl = await sign(fresh, 'og-card', { title: unique('Rotated new') });
    expect((await og(newUrl)).status).toBe(200);
    expect((await og(oldUrl)).status).toBe(200);

    expect((await SELF.fetch(`${BASE}/api/v1/url-signing-keys/${old.id}`, { method: 'DELETE', headers: bearer(account.apiKey) })).status).toBe(204);
    await expectProblem(await og(oldUrl, { accept: 'application/json' }), 403, 'signing_key_invalid');
    expect((await og(newUrl)).status).toBe(200);
  });

  it("another account's kid cannot sign a tpl_… it does not own: 404, nothing charged", async () => {
    const owner = await signup();
    const template = await cardTemplate(owner, [600, 315], '#123456', { max_length: 100 }, 'Example title');
    const ownKey = await newSigningKey(owner);
    const mine = await og(await sign(ownKey, template.id, { title: 'Mine' }));
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toBe('public, max-age=3600');
    expect([decodePng(await mine.arrayBuffer()).width]).toEqual([600]);
    const pinned = await og(await sign(ownKey, `${template.id}@${template.version}`, { title: 'Pinned' }));
    expect(pinned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    await pinned.arrayBuffer();

    const other = await signup();
    const otherKey = await newSigningKey(other);
    const theirs = await og(await sign(otherKey, template.id, { title: 'Not mine' }), { accept: 'application/json' });
    await expectProblem(theirs, 404, 'template_not_found');
    await afterAnswers();
    expect(await unitsUsed(other.id)).toBe(0);
    expect(await renderCount(other.id)).toBe(0);
  });

  it('an unknown template is 404; a path that names none is 404', async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    await expectProblem(await og(await sign(key, 'no-such-template', { title: 'x' }), { accept: 'application/json' }), 404, 'template_not_found');
    await expectProblem(await og(`${BASE}/og/og-card.gif?kid=${key.id}&s=x`, { accept: 'application/json' }), 404, 'not_found');
  });
});

describe('never a broken preview', () => {
  it('a logo host that is down: 200 with the fallback image, max-age=60, X-PicStream-Error; recorded as failed, no unit', async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    const url = await sign(key, 'og-card', { title: unique('Logo down'), logo: 'http://localhost:1/logo.png' });
    const res = await og(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('x-picstream-error')).toBe('remote_image_fetch_failed');
    const png = decodePng(await res.arrayBuffer());
    expect([png.width, png.height]).toEqual([1200, 630]);
    await afterAnswers();
    expect(await unitsUsed(account.id)).toBe(0);
    const row = await env.DB.prepare('SELECT status, error_code, key_id FROM renders WHERE account_id = ?1').bind(account.id).first();
    expect(row).toEqual({ status: 'failed', error_code: 'remote_image_fetch_failed', key_id: key.id });
  });

  it('vars the template refuses, and an account over its quota: the fallback, the code, a failed record', async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    const invalid = await og(await sign(key, 'og-card', { title: 'x'.repeat(500) }));
    expect(invalid.status).toBe(200);
    expect(invalid.headers.get('x-picstream-error')).toBe('validation_failed');
    await invalid.arrayBuffer();

    await setUnitsUsed(account.id, 1000);
    const over = await og(await sign(key, 'og-card', { title: unique('Over quota') }));
    expect(over.status).toBe(200);
    expect(over.headers.get('x-picstream-error')).toBe('quota_exceeded');
    await over.arrayBuffer();
    await afterAnswers();
    const { results } = await env.DB.prepare('SELECT error_code FROM renders WHERE account_id = ?1 AND status = ?2 ORDER BY created_at')
      .bind(account.id, 'failed')
      .all();
    expect(results.map((r) => r.error_code)).toEqual(['validation_failed', 'quota_exceeded']);
  });

  it('the failure reaches the owner as a signed render.failed webhook naming the failed render', async () => {
    const account = await signup();
    const { url: hook, name } = receiverUrl('ok');
    const endpoint = await createEndpoint(account, hook);
    const key = await newSigningKey(account);
    const res = await og(await sign(key, 'og-card', { title: unique('Announced'), logo: 'http://localhost:1/logo.png' }));
    expect(res.headers.get('x-picstream-error')).toBe('remote_image_fetch_failed');
    await res.arrayBuffer();
    const [delivery] = await waitForReceived(name);
    const event = JSON.parse(delivery?.body as string) as { event: string; job_id: string; template: string; livemode: boolean; error: { code: string } };
    expect(event).toMatchObject({ event: 'render.failed', template: 'og-card', livemode: true, error: { code: 'remote_image_fetch_failed' } });
    const h = delivery?.headers as Record<string, string>;
    expect(h['webhook-signature']).toContain(
      await hmacSignature(endpoint.secret, h['webhook-id'] as string, h['webhook-timestamp'] as string, delivery?.body as string),
    );
    await afterAnswers();
    const row = await env.DB.prepare('SELECT status, key_id FROM renders WHERE id = ?1').bind(event.job_id).first();
    expect(row).toEqual({ status: 'failed', key_id: key.id });
  });

  it('the last resort, a plain card at the template proportions, is a valid image', async () => {
    const { plainCard } = await import('../../src/og/fallback');
    const card = await plainCard({ width: 2400, height: 1260 }, 'png');
    expect(card.contentType).toBe('image/png');
    const png = decodePng(card.bytes);
    expect([png.width, png.height]).toEqual([1200, 630]);
    const webp = await plainCard({ width: 600, height: 600 }, 'webp');
    expect(new TextDecoder().decode(webp.bytes.slice(8, 12))).toBe('WEBP');
  });

  it('a repeated parameter or a vars that is not base64url JSON: the fallback with validation_failed', async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    const url = new URL(await sign(key, 'og-card', { title: unique('Twice') }));
    const twice = new URL(url);
    twice.searchParams.delete('s');
    twice.searchParams.append('title', 'again');
    // re-signed as the site wrote it: a valid URL whose vars cannot be read
    const { canonicalOgString, ogSignature } = await import('../../sdk/src/index');
    twice.searchParams.set('s', await ogSignature(canonicalOgString(twice.toString()), key.secret));
    const res = await og(twice.toString());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-picstream-error')).toBe('validation_failed');
    await res.arrayBuffer();
  });

  it("an account template's fallback is its example, rendered as the account's own render (one unit, then free)", async () => {
    const account = await signup();
    const template = await cardTemplate(account, [640, 320], '#0f766e', { max_length: 40 }, 'Read the post');
    const key = await newSigningKey(account);
    const broken = await og(await sign(key, template.id, { title: 'x'.repeat(100) }));
    expect(broken.headers.get('x-picstream-error')).toBe('validation_failed');
    expect(decodePng(await broken.arrayBuffer()).width).toBe(640);
    await afterAnswers();
    expect(await unitsUsed(account.id)).toBe(1);
    const again = await og(await sign(key, template.id, { title: 'y'.repeat(100) }));
    expect(again.headers.get('x-picstream-error')).toBe('validation_failed');
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(
      new Uint8Array(await (await og(await sign(key, template.id, { title: 'z'.repeat(100) }))).arrayBuffer()),
    );
    await afterAnswers();
    expect(await unitsUsed(account.id)).toBe(1);

    // over quota, a template whose fallback was never drawn: the plain card, nothing charged
    const other = await signup();
    const wide = await cardTemplate(other, [1000, 500], '#7c2d12', {}, 'Example');
    await setUnitsUsed(other.id, 1000);
    const otherKey = await newSigningKey(other);
    const plain = await og(await sign(otherKey, wide.id, { title: 'Over quota' }));
    expect(plain.headers.get('x-picstream-error')).toBe('quota_exceeded');
    const card = decodePng(await plain.arrayBuffer());
    expect([card.width, card.height]).toEqual([1000, 500]);
    expect(card.data[0]).toBe(244);
  });

  it("the account's og rate limit: past it, misses answer the fallback with rate_limited (not recorded); hits still answer", async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    const plans = { PLANS: tinyPlan(3) };
    const hit = await sign(key, 'og-card', { title: unique('Limited hit') });
    expect((await fetchWithEnv(plans, pathAndQuery(hit))).headers.get('x-picstream-error')).toBeNull();
    const codes: (string | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetchWithEnv(plans, pathAndQuery(await sign(key, 'og-card', { title: unique(`Limited ${i}`) })));
      expect(res.status).toBe(200);
      codes.push(res.headers.get('x-picstream-error'));
      await res.arrayBuffer();
    }
    expect(codes.slice(0, 2)).toEqual([null, null]);
    expect(codes.slice(2)).toEqual(['rate_limited', 'rate_limited']);
    const again = await fetchWithEnv(plans, pathAndQuery(hit));
    expect(again.headers.get('x-picstream-error')).toBeNull();
    await again.arrayBuffer();
    await afterAnswers();
    const failed = await env.DB.prepare("SELECT COUNT(*) AS n FROM renders WHERE account_id = ?1 AND status = 'failed'")
      .bind(account.id)
      .first<{ n: number }>();
    expect(failed?.n).toBe(0);
  });
});

describe('caching details', () => {
  it('a URL with exp: max-age never past it, on the first answer and on hits', async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    const url = await sign(key, 'og-card', { title: unique('Expiring') }, { expiresAt: Math.floor(Date.now() / 1000) + 120 });
    const first = await og(url);
    const firstAge = Number(/max-age=(\d+)/.exec(first.headers.get('cache-control') ?? '')?.[1]);
    expect(firstAge).toBeGreaterThan(100);
    expect(firstAge).toBeLessThanOrEqual(120);
    await first.arrayBuffer();
    const hit = await og(url);
    expect(Number(/max-age=(\d+)/.exec(hit.headers.get('cache-control') ?? '')?.[1])).toBeLessThanOrEqual(firstAge);
    expect(hit.headers.get('cache-control')).not.toContain('immutable');
    await hit.arrayBuffer();
  });

  it('HEAD answers the headers without a body', async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    const url = await sign(key, 'og-card', { title: unique('Head') });
    const res = await SELF.fetch(url, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('unknown kids count as failed authentications of the address: past its limit, 429 before any lookup; a kid it used still works', async () => {
    const account = await signup();
    const key = await newSigningKey(account);
    const limit = { AUTH_FAILURE_RATE_LIMIT: '3/1m' };
    const address = { 'cf-connecting-ip': freshIp(), accept: 'application/json' };
    const good = await sign(key, 'og-card', { title: unique('Known kid') });
    expect((await fetchWithEnv(limit, pathAndQuery(good), { headers: address })).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const ghost = await sign({ ...key, id: `usk_01JD5X1Q4ZB8R3W2K7T6YV9N${String(i).padStart(2, '0')}` }, 'og-card', { title: 'Ghost' });
      const res = await fetchWithEnv(limit, pathAndQuery(ghost), { headers: address });
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses).toEqual([403, 403, 403, 429, 429]);
    expect((await fetchWithEnv(limit, pathAndQuery(good), { headers: address })).status).toBe(200);
  });
});
