/**
 * Content addressing (src/lib/hash.ts): hex of bytes, SHA-256 of text as UTF-8 (known vectors, FIPS
 * 180-2), and canonical JSON, under which two requests that mean the same thing are one string.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex, toHex } from '../../src/lib/hash';

describe('toHex', () => {
  it.each<[string, number[], string]>([
    ['nothing', [], ''],
    ['leading zeros kept', [0, 1, 15, 16], '00010f10'],
    ['the top byte', [255, 254], 'fffe'],
  ])('%s', (_, bytes, hex) => {
    expect(toHex(new Uint8Array(bytes))).toBe(hex);
    expect(toHex(new Uint8Array(bytes).buffer)).toBe(hex);
  });

  it('reads only the view it is given, not its whole buffer', () => {
    const view = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    expect(toHex(view)).toBe('0203');
  });
});

describe('sha256Hex', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ])('%j → its FIPS 180-2 digest', async (text, digest) => {
    expect(await sha256Hex(text)).toBe(digest);
    expect(await sha256Hex(new TextEncoder().encode(text))).toBe(digest);
  });

  it('hashes text as UTF-8', async () => {
    expect(await sha256Hex('é')).toBe(await sha256Hex(new Uint8Array([0xc3, 0xa9])));
    expect(await sha256Hex('é')).not.toBe(await sha256Hex(new Uint8Array([0xe9])));
  });
});

describe('canonicalJson', () => {
  it.each<[string, unknown, string]>([
    ['keys sorted', { b: 1, a: 2 }, '{"a":2,"b":1}'],
    ['at every depth', { z: { y: 1, x: [{ d: 1, c: 2 }] }, a: null }, '{"a":null,"z":{"x":[{"c":2,"d":1}],"y":1}}'],
    ['undefined members dropped', { a: undefined, b: 1 }, '{"b":1}'],
    ['nested undefined dropped', { a: { b: undefined } }, '{"a":{}}'],
    ['array order kept', [3, 1, 2], '[3,1,2]'],
    ['undefined in an array is null, as in JSON', [undefined, 1], '[null,1]'],
    ['null kept', { a: null }, '{"a":null}'],
    ['primitives as JSON', 'x', '"x"'],
    ['numbers as JSON', 1.5, '1.5'],
    ['an empty object', {}, '{}'],
  ])('%s', (_, value, json) => {
    expect(canonicalJson(value)).toBe(json);
  });

  it('the same meaning, written differently, is one string', () => {
    const a = { template: 'og-card', vars: { title: 'T', theme: 'dark' }, format: undefined };
    const b = { vars: { theme: 'dark', title: 'T' }, template: 'og-card' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson({ vars: { title: 'T', theme: 'light' } })).not.toBe(canonicalJson({ vars: { title: 'T', theme: 'dark' } }));
  });

  it('does not change what it is given', () => {
    const value = { b: { d: 1, c: 2 }, a: 1 };
    canonicalJson(value);
    expect(Object.keys(value)).toEqual(['b', 'a']);
    expect(Object.keys(value.b)).toEqual(['d', 'c']);
  });
});
