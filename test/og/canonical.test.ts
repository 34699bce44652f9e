/**
 * The server's reading of og URLs (src/og/canonical.ts) against the shared vectors
 * (sdk/vectors/signed-urls.json, written by an independent implementation, sdk/vectors/generate.py):
 * the canonical string of every signed and every rewritten URL, and the verdict on each.
 */
import { describe, expect, it } from 'vitest';
import vectors from '../../sdk/vectors/signed-urls.json';
import { OgUrlError, ogVars, parseOgUrl, verifyOgUrl } from '../../src/og/canonical';

function read(url: string) {
  const parsed = new URL(url);
  return parseOgUrl(parsed.pathname.slice(parsed.pathname.lastIndexOf('/') + 1), parsed.search);
}

async function verdict(url: string, secret: string): Promise<boolean> {
  try {
    await verifyOgUrl(read(url), secret, -1);
    return true;
  } catch (err) {
    if (err instanceof OgUrlError && err.fault === 'invalid_signature') return false;
    throw err;
  }
}

describe('the shared vectors', () => {
  it.each(vectors.sign.map((v) => [v.description, v] as const))(
    'sign: %s — the URL the SDK makes reads back to its canonical form and verifies',
    async (_, v) => {
      expect(read(v.expected.url).canonical).toBe(v.expected.canonical);
      expect(await verdict(v.expected.url, v.input.secret)).toBe(true);
    },
  );

  it.each(vectors.canonicalize.map((v) => [v.description, v] as const))('canonicalize: %s', async (_, v) => {
    let canonical: string | undefined;
    try {
      canonical = read(v.url).canonical;
    } catch (err) {
      // a URL the server refuses before computing anything (a second s, kid or exp) must be one that does not verify
      expect(err).toBeInstanceOf(OgUrlError);
      expect(v.verifies).toBe(false);
      return;
    }
    expect(canonical).toBe(v.canonical);
    expect(await verdict(v.url, v.secret)).toBe(v.verifies);
  });
});

describe('parseOgUrl', () => {
  const kid = 'usk_01JDQ5Z8K3V7W9X2Y4A6B8C0DE';
  const s = 'A'.repeat(43);

  it.each([
    ['og-card.gif', 'not_found'],
    ['og-card', 'not_found'],
    ['Og-Card.png', 'not_found'],
    ['tpl_short.png', 'not_found'],
    ['tpl_01JDQ60000ABCDEFGHJKMNPQRS@0.png', 'not_found'],
    ['%E0%A4%A.png', 'not_found'],
  ])('a path segment %s → %s', (segment, fault) => {
    expect(() => parseOgUrl(segment, `?kid=${kid}&s=${s}`)).toThrow(expect.objectContaining({ fault }));
  });

  it.each([
    ['no kid', `?s=${s}`],
    ['a malformed kid', `?kid=key_1&s=${s}`],
    ['no s', `?kid=${kid}`],
    ['an s of another length', `?kid=${kid}&s=${s}A`],
    ['an s whose unused bits are set', `?kid=${kid}&s=${s.slice(0, 42)}B`],
    ['two s', `?kid=${kid}&s=${s}&s=${s}`],
    ['two kid', `?kid=${kid}&kid=${kid}&s=${s}`],
    ['an exp that is not unix seconds', `?kid=${kid}&exp=1e9&s=${s}`],
    ['an exp with a leading zero', `?kid=${kid}&exp=01700000000&s=${s}`],
    ['an exp past 9999', `?kid=${kid}&exp=999999999999&s=${s}`],
  ])('%s → invalid_signature', (_, search) => {
    expect(() => parseOgUrl('og-card.png', search)).toThrow(expect.objectContaining({ fault: 'invalid_signature' }));
  });
});

describe('ogVars', () => {
  const keep = (_: string, v: string) => v;
  const b64 = (json: string) => btoa(json).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  it('merges the flat parameters and the vars object', () => {
    expect(ogVars({ flat: [['title', 'Hi']], varsParam: b64('{"stars":3,"tags":["a"]}') }, keep)).toEqual({ vars: { title: 'Hi', stars: 3, tags: ['a'] } });
  });

  it('refuses a repeated parameter, a name given both ways, and a vars that is not base64url JSON of an object', () => {
    expect(
      ogVars(
        {
          flat: [
            ['title', 'a'],
            ['title', 'b'],
          ],
        },
        keep,
      ),
    ).toEqual({ errors: [{ path: 'vars.title', message: 'given more than once' }] });
    expect(ogVars({ flat: [['title', 'a']], varsParam: b64('{"title":"b"}') }, keep)).toEqual({
      errors: [{ path: 'vars.title', message: 'given both as a parameter and in "vars"' }],
    });
    for (const bad of ['%%%', b64('[1]'), b64('"text"'), b64('null'), b64('{"a":'), '_w']) {
      expect(ogVars({ flat: [], varsParam: bad }, keep), bad).toMatchObject({ errors: [{ path: 'vars' }] });
    }
  });

  it('keeps __proto__ an own var, never the prototype', () => {
    const result = ogVars({ flat: [['__proto__', 'x']], varsParam: b64('{"constructor":{"polluted":true}}') }, keep);
    expect('vars' in result && Object.getPrototypeOf(result.vars)).toBe(Object.prototype);
    expect('vars' in result && Object.keys(result.vars)).toEqual(['__proto__', 'constructor']);
  });
});
