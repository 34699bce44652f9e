/**
 * The address guard on every IPv6 form that carries an IPv4 address: each is refused as the IPv4
 * address inside it would be (finding 9 of issue 15: `[::127.0.0.1]` — IPv4-compatible, written by
 * the URL parser as `::7f00:1` — was fetched). Through `new URL` first, as the guard sees hosts.
 * Then the URL guard around it, which remote images and webhook endpoints share.
 */

import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { blockedAddressReason, embeddedIPv4, guardOutboundUrl, outboundPolicy } from '../../src/lib/address-guard';

const hostOf = (literal: string) => {
  const host = new URL(`https://${literal}/`).hostname;
  return host.startsWith('[') ? host.slice(1, -1) : host;
};

describe('blockedAddressReason', () => {
  it.each([
    // IPv4-compatible (deprecated ::/96)
    ['[::127.0.0.1]', '127.0.0.1'],
    ['[::7f00:1]', '127.0.0.1'],
    ['[::169.254.169.254]', '169.254.169.254'],
    ['[::10.0.0.1]', '10.0.0.1'],
    ['[0:0:0:0:0:0:c0a8:101]', '192.168.1.1'],
    // IPv4-mapped, in every spelling
    ['[::ffff:127.0.0.1]', '127.0.0.1'],
    ['[::ffff:7f00:1]', '127.0.0.1'],
    ['[0:0:0:0:0:ffff:a9fe:a9fe]', '169.254.169.254'],
    // IPv4-translated (SIIT)
    ['[::ffff:0:127.0.0.1]', '127.0.0.1'],
    // NAT64 well-known prefix
    ['[64:ff9b::127.0.0.1]', '127.0.0.1'],
    ['[64:ff9b::a00:1]', '10.0.0.1'],
    // 6to4
    ['[2002:7f00:1::]', '127.0.0.1'],
    ['[2002:a9fe:a9fe::1]', '169.254.169.254'],
    // Teredo: a loopback client (inverted bits) behind a public server
    ['[2001:0:808:808:0:0:80ff:fffe]', '127.0.0.1'],
    // and a private server
    ['[2001:0:a00:1::1]', '10.0.0.1'],
  ])('refuses %s as %s', (literal, inner) => {
    const reason = blockedAddressReason(hostOf(literal));
    expect(reason).not.toBeNull();
    expect(reason).toContain(inner);
  });

  it.each([
    '[::1]',
    '[::]',
    '[fe80::1]',
    '[fd00::1]',
    '[ff02::1]',
    '[2001:db8::1]',
    '[100::1]',
    '127.0.0.1',
    '10.1.2.3',
    '100.64.0.1',
    '0.0.0.0',
    '169.254.169.254',
    '2130706433',
    '0x7f.1',
    '0177.0.0.1',
  ])('refuses %s', (literal) => {
    expect(blockedAddressReason(hostOf(literal))).not.toBeNull();
  });

  it('refuses every transition form even around a public IPv4 address (nothing legitimate serves images from them)', () => {
    for (const literal of ['[::8.8.8.8]', '[64:ff9b::8.8.8.8]', '[2002:808:808::1]', '[::ffff:0:8.8.8.8]', '[64:ff9b:1::808:808]']) {
      expect(blockedAddressReason(hostOf(literal)), literal).not.toBeNull();
    }
  });

  it('lets public addresses through, and a mapped public IPv4 address as that address', () => {
    for (const literal of ['8.8.8.8', '1.1.1.1', '[2606:4700:4700::1111]', '[2a00:1450:4001::200e]', '[::ffff:8.8.8.8]']) {
      expect(blockedAddressReason(hostOf(literal)), literal).toBeNull();
    }
    expect(blockedAddressReason('example.com')).toBeNull(); // not an IP literal: the name rules apply instead
  });

  it('unpacks each form', () => {
    const of = (a: string) => embeddedIPv4(ipaddr.IPv6.parse(a));
    expect(of('::7f00:1')).toEqual({ form: 'IPv4-compatible', addresses: [ipaddr.IPv4.parse('127.0.0.1')] });
    expect(of('2001:0:4136:e378:8000:63bf:3fff:fdd2')?.addresses.map(String)).toEqual(['65.54.227.120', '192.0.2.45']);
    expect(of('2606:4700::1111')).toBeNull();
    expect(of('::1')).toBeNull();
  });
});

describe('guardOutboundUrl', () => {
  const production = outboundPolicy('');

  it.each([
    ['not a url', '"not a url" is not a valid URL'],
    ['http://example.com/a.png', 'http://example.com/a.png must use https (got http)'],
    ['ftp://example.com/a.png', 'ftp://example.com/a.png must use https (got ftp)'],
    ['https://user:pw@example.com/a.png', 'https://example.com/a.png must not contain credentials'],
    ['https://127.0.0.1/a.png', 'https://127.0.0.1/a.png points to a loopback address, which is not allowed'],
    ['https://[::127.0.0.1]/', 'points to an IPv4-compatible IPv6 address embedding 127.0.0.1'],
    ['https://localhost./a.png', 'https://localhost./a.png: host "localhost" is an internal name'],
    ['https://metadata.internal/', 'host "metadata.internal" is an internal name'],
    ['https://printer/', 'host "printer" is an internal name'],
  ])('refuses %s', (raw, reason) => {
    const verdict = guardOutboundUrl(raw, production);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toContain(reason);
  });

  it('lets public https URLs through, parsed', () => {
    const verdict = guardOutboundUrl('https://example.com/a.png?x=1', production);
    expect(verdict.ok && verdict.url.href).toBe('https://example.com/a.png?x=1');
    expect(guardOutboundUrl('https://8.8.8.8/', production).ok).toBe(true);
  });

  it('lets the listed insecure hosts use plain http and internal names (local development), nothing else', () => {
    const dev = outboundPolicy(' LocalHost , ');
    expect([...dev.insecureHosts]).toEqual(['localhost']);
    expect(guardOutboundUrl('http://localhost:8787/a.png', dev).ok).toBe(true);
    expect(guardOutboundUrl('http://127.0.0.1/a.png', dev).ok).toBe(false);
    expect(guardOutboundUrl('https://user@localhost/', dev).ok).toBe(false);
  });
});
