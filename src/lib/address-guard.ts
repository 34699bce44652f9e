/**
 * The SSRF guard: which URLs an outbound request (a remote image, a webhook delivery) may go to.
 * Remote images (render/images/remote-images.ts) and webhook endpoints (webhooks/endpoints.ts) both run
 * their URLs through guardOutboundUrl, each refusing with its own error code. https only (plain
 * http only for the deployment's insecure hosts, i.e. local dev), no credentials, no internal
 * names, and no IP literal outside public unicast space, as ipaddr.js classifies it — for the IPv6
 * forms that carry an IPv4 address inside them, the IPv4 address decides as if it had been
 * written itself.
 *
 * ipaddr.js names most of those forms as ranges of their own (6to4, Teredo, NAT64, translated),
 * but not the deprecated IPv4-compatible form (`::a.b.c.d`, which the URL parser writes as
 * `::7f00:1`): it calls that plain unicast, which let `https://[::127.0.0.1]/` through. So every
 * form is unpacked here and its IPv4 address(es) checked, and only the mapped form with a public
 * IPv4 address inside (what a dual-stack host means by that IPv4 address) is let through.
 *
 * Pure: no I/O, table-tested in test/lib/address-guard.test.ts.
 */
import ipaddr from 'ipaddr.js';
import { trimEnd } from './trim';

/** The IPv4 addresses an IPv6 address carries, and the name of the form that carries them. */
export function embeddedIPv4(addr: ipaddr.IPv6): { form: string; addresses: ipaddr.IPv4[] } | null {
  const w = addr.parts; // eight 16-bit words
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const last = () => v4(w[6] as number, w[7] as number);
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && w[5] === 0xffff) return { form: 'IPv4-mapped', addresses: [last()] };
  if (zeros(0, 4) && w[4] === 0xffff && w[5] === 0) return { form: 'IPv4-translated', addresses: [last()] };
  // ::/96 but for :: and ::1 (which are their own ranges)
  if (zeros(0, 6) && ((w[6] as number) !== 0 || (w[7] as number) > 1)) return { form: 'IPv4-compatible', addresses: [last()] };
  if (w[0] === 0x64 && w[1] === 0xff9b) return { form: 'NAT64', addresses: [last()] };
  if (w[0] === 0x2002) return { form: '6to4', addresses: [v4(w[1] as number, w[2] as number)] };
  if (w[0] === 0x2001 && w[1] === 0) {
    // Teredo: the server's address in words 2–3, the client's (bits inverted) in words 6–7
    return { form: 'Teredo', addresses: [v4(w[2] as number, w[3] as number), v4((w[6] as number) ^ 0xffff, (w[7] as number) ^ 0xffff)] };
  }
  return null;
}

/**
 * Why an IP literal must not be contacted, or null when it may be. `literal` is a hostname as the
 * URL parser leaves it (brackets removed); a string that is not an IP address gives null.
 */
export function blockedAddressReason(literal: string): string | null {
  if (!ipaddr.isValid(literal)) return null;
  const addr = ipaddr.parse(literal);
  if (addr.kind() === 'ipv4') {
    const range = addr.range();
    return range === 'unicast' ? null : `a ${range} address`;
  }
  const v6 = addr as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) {
    for (const inner of embedded.addresses) {
      const range = inner.range();
      if (range !== 'unicast') return `an ${embedded.form} IPv6 address embedding ${inner.toString()} (a ${range} address)`;
    }
    return embedded.form === 'IPv4-mapped' ? null : `an ${embedded.form} IPv6 address (it embeds ${embedded.addresses.map(String).join(' and ')})`;
  }
  const range = v6.range();
  return range === 'unicast' ? null : `a ${range} address`;
}

/** Hosts allowed over plain http and exempt from the internal-name rule (local dev only). */
export interface OutboundPolicy {
  insecureHosts: ReadonlySet<string>;
}

/** The policy a deployment sets in REMOTE_IMAGE_INSECURE_HOSTS: comma-separated hostnames, empty in production. */
export function outboundPolicy(insecureHostsVar: string | undefined): OutboundPolicy {
  const hosts = (insecureHostsVar ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return { insecureHosts: new Set(hosts) };
}

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

const INTERNAL_NAME = /(^|\.)(localhost|internal|local|localdomain|home\.arpa)$/i;

/**
 * Whether a URL may be contacted: the parsed URL, or why not (a sentence naming the URL, for the
 * caller's error). Runs before every fetch and on every redirect hop; hostnames that resolve to
 * private addresses cannot be checked from a Worker (no DNS API), and Cloudflare's edge does not
 * route Worker subrequests to private networks, which closes that gap in production.
 */
export function guardOutboundUrl(raw: string, policy: OutboundPolicy): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `"${raw.length > 200 ? `${raw.slice(0, 200)}…` : raw}" is not a valid URL` };
  }
  // trailing dots name the same host ("localhost." is localhost)
  const host = trimEnd(url.hostname.toLowerCase(), '.');
  const trusted = policy.insecureHosts.has(host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && trusted)) {
    return { ok: false, reason: `${url.href} must use https (got ${url.protocol.replace(':', '')})` };
  }
  if (url.username || url.password) {
    const shown = new URL(url.href);
    shown.username = '';
    shown.password = '';
    return { ok: false, reason: `${shown.href} must not contain credentials` };
  }
  if (trusted) return { ok: true, url };

  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (ipaddr.isValid(literal)) {
    const blocked = blockedAddressReason(literal);
    if (blocked) return { ok: false, reason: `${url.href} points to ${blocked}, which is not allowed` };
  } else if (INTERNAL_NAME.test(host) || !host.includes('.')) {
    return { ok: false, reason: `${url.href}: host "${host}" is an internal name` };
  }
  return { ok: true, url };
}
