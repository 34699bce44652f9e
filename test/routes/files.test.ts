import { env, SELF } from 'cloudflare:test';
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { config, fileSigningSecret, fileVerificationSecrets } from '../../src/config';
import { dispositionFilename } from '../../src/routes/files';
import { fileObjectKey, fileUrlTtl, signFileUrl, verifyFileUrl } from '../../src/storage/signed-urls';
import { BASE, expectProblem, fetchWithEnv } from '../helpers/api';

const SECRET = env.FILE_SIGNING_SECRET as string;
const OLD_SECRET = 'the-previous-file-signing-secret-before-rotation';
const NEW_SECRET = 'the-current-file-signing-secret-after-the-rotation';

const nowSeconds = () => Math.floor(Date.now() / 1000);

function randomFileId(): string {
  return [...crypto.getRandomValues(new Uint8Array(20))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A real one-page PDF (pdf-lib), stored the way the PDF renderer stores one. */
async function storePdf(meta: Record<string, string> = { filename: 'invoice-INV-001.pdf' }): Promise<{ fileId: string; bytes: Uint8Array }> {
  const doc = await PDFDocument.create();
  doc.addPage([595, 842]).drawText(`file ${crypto.randomUUID()}`, { x: 50, y: 780, size: 18 });
  const bytes = await doc.save();
  const fileId = randomFileId();
  await env.OUTPUT.put(fileObjectKey(fileId), bytes, { httpMetadata: { contentType: 'application/pdf' }, customMetadata: meta });
  return { fileId, bytes };
}

async function signed(fileId: string, { secret = SECRET, expires = nowSeconds() + fileUrlTtl } = {}): Promise<string> {
  return signFileUrl(secret, fileId, expires);
}

function fetchPath(path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, init);
}

/** The path with its query rebuilt from raw `k=v` parts (so duplicates and odd values go through untouched). */
function withQuery(path: string, parts: string[]): string {
  return `${path.split('?')[0]}${parts.length ? `?${parts.join('&')}` : ''}`;
}

function paramsOf(path: string): { expires: string; signature: string } {
  const q = new URL(path, BASE).searchParams;
  return { expires: q.get('expires') as string, signature: q.get('signature') as string };
}

let pdf: { fileId: string; bytes: Uint8Array };
let url: string;

beforeAll(async () => {
  pdf = await storePdf();
  url = await signed(pdf.fileId);
});

describe('signed file URLs (src/storage/signed-urls.ts)', () => {
  it('signs an HMAC-SHA256 over the documented canonical string, base64url without padding', async () => {
    const fileId = randomFileId();
    const path = await signFileUrl(SECRET, fileId, 1_900_000_000);
    expect(path).toMatch(new RegExp(`^/files/${fileId}\\.pdf\\?expires=1900000000&signature=[A-Za-z0-9_-]{43}$`));
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`picstream-file-url-v1\nGET\n/files/${fileId}.pdf\n1900000000`));
    const expected = btoa(String.fromCharCode(...new Uint8Array(mac)))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    expect(paramsOf(path).signature).toBe(expected);
  });

  it('is valid until the expiry and expired from it on (the clock is injected)', async () => {
    const fileId = randomFileId();
    const expires = 1_900_000_000;
    const { signature } = paramsOf(await signFileUrl(SECRET, fileId, expires));
    const verify = (now: number) => verifyFileUrl([SECRET], fileId, String(expires), signature, now);
    expect(await verify(expires - fileUrlTtl)).toBe('valid');
    expect(await verify(expires - 1)).toBe('valid');
    expect(await verify(expires)).toBe('expired');
    expect(await verify(expires + 1)).toBe('expired');
    // the signature is checked first: a forged expiry is invalid, never "expired" or "valid"
    expect(await verifyFileUrl([SECRET], fileId, String(expires - 10), signature, expires + 1)).toBe('invalid');
    expect(await verifyFileUrl([SECRET], fileId, String(expires + 10), signature, expires - 1)).toBe('invalid');
  });

  it('accepts any of the given secrets (rotation) and no other', async () => {
    const fileId = randomFileId();
    const expires = nowSeconds() + 60;
    const { signature } = paramsOf(await signFileUrl(OLD_SECRET, fileId, expires));
    expect(await verifyFileUrl([NEW_SECRET, OLD_SECRET], fileId, String(expires), signature, nowSeconds())).toBe('valid');
    expect(await verifyFileUrl([NEW_SECRET], fileId, String(expires), signature, nowSeconds())).toBe('invalid');
    expect(await verifyFileUrl([], fileId, String(expires), signature, nowSeconds())).toBe('invalid');
  });

  it.each([
    ['missing expires', null, 'ok'],
    ['missing signature', 'ok', null],
    ['empty values', '', ''],
    ['leading zero', '0EXP', 'ok'],
    ['non-numeric', 'soon', 'ok'],
    ['exponent', '1.9e9', 'ok'],
    ['negative', '-1', 'ok'],
    ['absurd', '99999999999999', 'ok'],
    ['padded signature', 'ok', 'SIG='],
    ['non-canonical last character', 'ok', 'FLIP'],
  ])('malformed input (%s) is invalid', async (_, expiresIn, signatureIn) => {
    const fileId = randomFileId();
    const expires = nowSeconds() + 60;
    const { signature } = paramsOf(await signFileUrl(SECRET, fileId, expires));
    // the last character carries 2 unused bits; setting one decodes to the same bytes but is not our spelling
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flipped = signature.slice(0, -1) + alphabet[alphabet.indexOf(signature.slice(-1)) + 1];
    const exp = expiresIn === 'ok' ? String(expires) : expiresIn?.replace('EXP', String(expires));
    const sig = signatureIn === 'ok' ? signature : signatureIn === 'FLIP' ? flipped : signatureIn?.replace('SIG', signature);
    expect(await verifyFileUrl([SECRET], fileId, exp ?? null, sig ?? null, nowSeconds())).toBe('invalid');
  });

  it('refuses to sign what it could not verify', async () => {
    await expect(signFileUrl(SECRET, 'A'.repeat(40), nowSeconds() + 60)).rejects.toThrow(RangeError);
    await expect(signFileUrl(SECRET, '../x', nowSeconds() + 60)).rejects.toThrow(RangeError);
    await expect(signFileUrl(SECRET, randomFileId(), 1.5)).rejects.toThrow(RangeError);
    await expect(signFileUrl(SECRET, randomFileId(), Number.POSITIVE_INFINITY)).rejects.toThrow(RangeError);
  });
});

describe('the signing secret (src/config.ts)', () => {
  it('is required and at least 32 characters: otherwise signing_unavailable (503)', () => {
    expect(fileSigningSecret(config({ FILE_SIGNING_SECRET: SECRET }))).toBe(SECRET);
    for (const bad of [undefined, '', 'x'.repeat(31)]) {
      expect(() => fileSigningSecret(config({ FILE_SIGNING_SECRET: bad }))).toThrow(expect.objectContaining({ code: 'signing_unavailable', status: 503 }));
    }
  });

  it('verifies with the current secret, then the previous one when it is set and long enough', () => {
    expect(fileVerificationSecrets(config({ FILE_SIGNING_SECRET: NEW_SECRET }))).toEqual([NEW_SECRET]);
    expect(fileVerificationSecrets(config({ FILE_SIGNING_SECRET: NEW_SECRET, FILE_SIGNING_SECRET_PREVIOUS: OLD_SECRET }))).toEqual([NEW_SECRET, OLD_SECRET]);
    expect(fileVerificationSecrets(config({ FILE_SIGNING_SECRET: NEW_SECRET, FILE_SIGNING_SECRET_PREVIOUS: 'short' }))).toEqual([NEW_SECRET]);
    expect(() => fileVerificationSecrets(config({ FILE_SIGNING_SECRET_PREVIOUS: OLD_SECRET }))).toThrow(
      expect.objectContaining({ code: 'signing_unavailable' }),
    );
  });
});

describe('GET /files/:file', () => {
  it('serves the PDF byte for byte, privately, until the URL expires', async () => {
    const res = await fetchPath(url);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes).toEqual(pdf.bytes);
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);

    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-length')).toBe(String(pdf.bytes.length));
    expect(res.headers.get('content-disposition')).toBe('inline; filename="invoice-INV-001.pdf"');
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(res.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(fileUrlTtl - 60);
    expect(maxAge).toBeLessThanOrEqual(fileUrlTtl);
    expect(res.headers.get('etag')).toMatch(/^"[a-f0-9]+"$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('never caches publicly, whatever the object was stored with', async () => {
    const fileId = randomFileId();
    await env.OUTPUT.put(fileObjectKey(fileId), pdf.bytes, {
      httpMetadata: { contentType: 'application/octet-stream', cacheControl: 'public, max-age=31536000, immutable', contentDisposition: 'attachment' },
    });
    const res = await fetchPath(await signed(fileId, { expires: nowSeconds() + 120 }));
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=(1[01]\d|120)$/);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    // no suggested name: the file id
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="${fileId}.pdf"`);
  });

  it.each([
    ['invoice-INV-001.pdf', 'invoice-INV-001.pdf'],
    ['Facture été 2026.PDF', 'Facture ete 2026.pdf'],
    ['evil"; filename=x.exe\r\nSet-Cookie: a=b.pdf', 'evil_ filename_x.exe_Set-Cookie_ a_b.pdf'],
    ['../../etc/passwd', 'etc_passwd.pdf'],
    ['"""', 'FALLBACK'],
    ['', 'FALLBACK'],
    [undefined, 'FALLBACK'],
    ['x'.repeat(300), `${'x'.repeat(100)}.pdf`],
    [`${'x'.repeat(99)} tail.pdf`, `${'x'.repeat(99)}.pdf`],
  ])('Content-Disposition filename from %j → %j', (suggested, expected) => {
    const fileId = randomFileId();
    const name = dispositionFilename(suggested, fileId);
    expect(name).toBe(expected === 'FALLBACK' ? `${fileId}.pdf` : expected);
    expect(name).toMatch(/^[A-Za-z0-9._ -]+\.pdf$/);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await fetchPath(url, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-length')).toBe(String(pdf.bytes.length));
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(await res.text()).toBe('');

    const etag = res.headers.get('etag') as string;
    const cached = await fetchPath(url, { method: 'HEAD', headers: { 'if-none-match': etag } });
    expect(cached.status).toBe(304);
  });

  it('answers 304 to If-None-Match with the current ETag', async () => {
    const first = await fetchPath(url);
    await first.arrayBuffer();
    const etag = first.headers.get('etag') as string;

    const again = await fetchPath(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);

    const withRange = await fetchPath(url, { headers: { 'if-none-match': etag, range: 'bytes=0-9' } });
    expect(withRange.status).toBe(304);
    await withRange.arrayBuffer();

    const other = await fetchPath(url, { headers: { 'if-none-match': '"something-else"' } });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
  });

  it.each([
    ['bytes=0-99', 0, 100],
    ['bytes=100-', 100, undefined],
    ['bytes=-50', -50, undefined],
    ['bytes=7-7', 7, 1],
  ])('Range %s → 206 with the right slice', async (range, start, length) => {
    const res = await fetchPath(url, { headers: { range } });
    expect(res.status).toBe(206);
    const size = pdf.bytes.length;
    const from = start < 0 ? size + start : start;
    const to = length === undefined ? size : from + length;
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(pdf.bytes.slice(from, to));
    expect(res.headers.get('content-range')).toBe(`bytes ${from}-${to - 1}/${size}`);
    expect(res.headers.get('content-length')).toBe(String(to - from));
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
  });

  it.each(['bytes=0-', 'bytes=999999-', 'bytes=5-2', 'bytes=0-1,5-6', 'items=0-5', 'garbage'])(
    'Range %s that is whole, unsatisfiable or unparseable → the whole file (or 416), never a 5xx',
    async (range) => {
      const res = await fetchPath(url, { headers: { range } });
      if (res.status === 416) {
        // what R2 in production answers for a range past the end
        expect(res.headers.get('content-range')).toBe(`bytes */${pdf.bytes.length}`);
        await expectProblem(res, 416, 'range_not_satisfiable');
        return;
      }
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(pdf.bytes);
      expect(res.headers.get('content-range')).toBeNull();
    },
  );

  it('the same URL works until its expiry and is refused after it (the clock the route reads, moved forward)', async () => {
    const expires = nowSeconds() + 60;
    const path = await signed(pdf.fileId, { expires });
    expect((await fetchPath(path)).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime((expires - 1) * 1000);
      expect((await fetchPath(path)).status).toBe(200);
      vi.setSystemTime(expires * 1000);
      await expectProblem(await fetchPath(path), 403, 'url_expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('an expired URL → 403 url_expired, saying when', async () => {
    const expires = nowSeconds() - 90;
    const res = await fetchPath(await signed(pdf.fileId, { expires }));
    const problem = await expectProblem(res, 403, 'url_expired');
    expect(problem.detail).toContain(new Date(expires * 1000).toISOString());
  });

  describe('a tampered URL → 403 invalid_signature', () => {
    const cases: [string, (p: { path: string; expires: string; signature: string; otherId: string }) => string][] = [
      ['another file id', ({ expires, signature, otherId }) => `/files/${otherId}.pdf?expires=${expires}&signature=${signature}`],
      ['expires + 1', ({ path, expires, signature }) => withQuery(path, [`expires=${Number(expires) + 1}`, `signature=${signature}`])],
      ['expires moved into the past', ({ path, signature }) => withQuery(path, [`expires=${nowSeconds() - 3600}`, `signature=${signature}`])],
      ['expires far in the future', ({ path, signature }) => withQuery(path, [`expires=${nowSeconds() + 365 * 86400}`, `signature=${signature}`])],
      ['signature: first character changed', ({ path, expires, signature }) => withQuery(path, [`expires=${expires}`, `signature=${swap(signature, 0)}`])],
      ['signature: a middle character changed', ({ path, expires, signature }) => withQuery(path, [`expires=${expires}`, `signature=${swap(signature, 20)}`])],
      ['signature: last character changed', ({ path, expires, signature }) => withQuery(path, [`expires=${expires}`, `signature=${swap(signature, 42)}`])],
      ['signature truncated', ({ path, expires, signature }) => withQuery(path, [`expires=${expires}`, `signature=${signature.slice(0, -1)}`])],
      ['signature extended', ({ path, expires, signature }) => withQuery(path, [`expires=${expires}`, `signature=${signature}A`])],
      ['signature missing', ({ path, expires }) => withQuery(path, [`expires=${expires}`])],
      ['signature empty', ({ path, expires }) => withQuery(path, [`expires=${expires}`, 'signature='])],
      ['expires missing', ({ path, signature }) => withQuery(path, [`signature=${signature}`])],
      ['both missing', ({ path }) => withQuery(path, [])],
      ['expires non-numeric', ({ path, signature }) => withQuery(path, ['expires=tomorrow', `signature=${signature}`])],
      ['expires with a leading zero', ({ path, expires, signature }) => withQuery(path, [`expires=0${expires}`, `signature=${signature}`])],
      ['expires with a sign', ({ path, expires, signature }) => withQuery(path, [`expires=%2B${expires}`, `signature=${signature}`])],
      ['expires duplicated', ({ path, expires, signature }) => withQuery(path, [`expires=${expires}`, `expires=${expires}`, `signature=${signature}`])],
      ['signature duplicated', ({ path, expires, signature }) => withQuery(path, [`expires=${expires}`, `signature=${signature}`, `signature=${signature}`])],
      ['signature from another secret', ({ path, expires }) => withQuery(path, [`expires=${expires}`, `signature=${'A'.repeat(43)}`])],
    ];

    function swap(signature: string, at: number): string {
      const alphabet = at === 42 ? 'AEIMQUYcgkosw048' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const current = signature[at] as string;
      const replacement = alphabet[(alphabet.indexOf(current) + 1) % alphabet.length] as string;
      return signature.slice(0, at) + replacement + signature.slice(at + 1);
    }

    it.each(cases)('%s', async (_, tamper) => {
      const other = await storePdf();
      const tampered = tamper({ path: url, ...paramsOf(url), otherId: other.fileId });
      expect(tampered).not.toBe(url);
      await expectProblem(await fetchPath(tampered), 403, 'invalid_signature');
      expect((await fetchPath(tampered, { method: 'HEAD' })).status).toBe(403);
    });

    it('and the untampered URL still works', async () => {
      const res = await fetchPath(url);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    });
  });

  it('checks the signature before R2: a bad URL for a missing file is 403, a good one 404', async () => {
    const missing = randomFileId();
    const good = await signed(missing);
    await expectProblem(await fetchPath(withQuery(good, [`expires=${paramsOf(good).expires}`])), 403, 'invalid_signature');
    await expectProblem(await fetchPath(good), 404, 'not_found');
    expect((await fetchPath(good, { method: 'HEAD' })).status).toBe(404);
  });

  it.each([
    '/files/..%2Fx.pdf',
    '/files/x.pdf',
    `/files/${'A'.repeat(40)}.pdf`,
    `/files/${'a'.repeat(40)}.png`,
    `/files/${'a'.repeat(40)}.PDF`,
    `/files/${'a'.repeat(39)}.pdf`,
    `/files/${'a'.repeat(41)}.pdf`,
    `/files/${'a'.repeat(40)}`,
    `/files/${'a'.repeat(40)}.pdf.pdf`,
  ])('%s → 404 not_found', async (path) => {
    const { expires, signature } = paramsOf(url);
    await expectProblem(await fetchPath(`${path}?expires=${expires}&signature=${signature}`), 404, 'not_found');
  });

  it('../x.pdf does not climb out of /files', async () => {
    const { expires, signature } = paramsOf(url);
    const res = await fetchPath(`/files/../x.pdf?expires=${expires}&signature=${signature}`);
    expect(res.status).toBe(404);
    await res.arrayBuffer();
  });

  describe('secret rotation', () => {
    it('a URL signed with the previous secret works while FILE_SIGNING_SECRET_PREVIOUS is set', async () => {
      const byOld = await signed(pdf.fileId, { secret: OLD_SECRET });
      const rotated = { FILE_SIGNING_SECRET: NEW_SECRET, FILE_SIGNING_SECRET_PREVIOUS: OLD_SECRET };
      const res = await fetchWithEnv(rotated, byOld);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(pdf.bytes);

      const byNew = await fetchWithEnv(rotated, await signed(pdf.fileId, { secret: NEW_SECRET }));
      expect(byNew.status).toBe(200);
      await byNew.arrayBuffer();
    });

    it('and not once the previous secret is removed', async () => {
      const byOld = await signed(pdf.fileId, { secret: OLD_SECRET });
      await expectProblem(await fetchWithEnv({ FILE_SIGNING_SECRET: NEW_SECRET }, byOld), 403, 'invalid_signature');
      await expectProblem(await fetchWithEnv({ FILE_SIGNING_SECRET: NEW_SECRET, FILE_SIGNING_SECRET_PREVIOUS: 'short' }, byOld), 403, 'invalid_signature');
    });

    it('the previous secret alone is not enough: without a current secret, 503 signing_unavailable', async () => {
      const byOld = await signed(pdf.fileId, { secret: OLD_SECRET });
      await expectProblem(await fetchWithEnv({ FILE_SIGNING_SECRET: undefined, FILE_SIGNING_SECRET_PREVIOUS: OLD_SECRET }, byOld), 503, 'signing_unavailable');
      await expectProblem(
        await fetchWithEnv({ FILE_SIGNING_SECRET: 'too-short' }, await signed(pdf.fileId, { secret: 'too-short' })),
        503,
        'signing_unavailable',
      );
    });
  });

  it('is in the OpenAPI document as files.get, without an API key', async () => {
    const res = await fetchPath('/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json<{
      paths: Record<
        string,
        Record<string, { operationId?: string; security?: unknown[]; parameters?: { name: string; in: string; required: boolean }[]; responses: object }>
      >;
    }>();
    const op = doc.paths['/files/{file}']?.get;
    expect(op?.operationId).toBe('files.get');
    expect(op?.security).toEqual([]);
    expect(op?.parameters?.map((p) => `${p.in}:${p.name}:${p.required}`).sort()).toEqual(['path:file:true', 'query:expires:true', 'query:signature:true']);
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['200', '206', '304', '403', '404']));
  });
});
