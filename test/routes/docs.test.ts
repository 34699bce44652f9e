/**
 * GET /docs: the API reference page. It must load only from this origin (the script is a local
 * static asset, the spec is /openapi.json), under a CSP that allows nothing else; the page itself
 * is not an API operation. The Workers test pool does not serve static assets, so the script and the
 * page in a real browser are checked against `npm run dev` in test/e2e/docs.test.ts.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DOCS_TITLE, SCALAR_SCRIPT_PATH } from '../../src/routes/docs';
import { BASE } from '../helpers/api';

async function docs() {
  const res = await SELF.fetch(`${BASE}/docs`);
  return { res, html: await res.text() };
}

/** The CSP header as a map of directive → sources. */
function policy(header: string | null): Map<string, string[]> {
  expect(header, 'Content-Security-Policy header').toBeTypeOf('string');
  return new Map(
    (header as string)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name as string, sources]),
  );
}

describe('GET /docs', () => {
  it('is an HTML page that loads the local Scalar bundle and this origin’s /openapi.json', async () => {
    const { res, html } = await docs();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain(`<title>${DOCS_TITLE}</title>`);
    expect(html).toContain(`<script src="${SCALAR_SCRIPT_PATH}"`);
    // the configuration Scalar is started with (inline, as JSON)
    const config = JSON.parse(/Scalar\.createApiReference\('#app', (\{[\s\S]*?\n\s*\})\)/.exec(html)?.[1] ?? 'null');
    expect(config).toMatchObject({
      url: '/openapi.json',
      // "Test request" goes to this origin, directly (no proxy)
      servers: [{ url: BASE }],
      // nothing that would make the browser ask another host
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      showDeveloperTools: 'never',
    });
    expect(config).not.toHaveProperty('proxyUrl');
    expect(config).not.toHaveProperty('proxy');
  });

  it('references no script, style, font or image from another origin', async () => {
    const { html } = await docs();
    expect(html).not.toMatch(/<(?:script|img|iframe)[^>]*\ssrc="(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<link[^>]*\shref="(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?(?:https?:)?\/\//i);
    // the only absolute URL is this server's, for "Test request"
    const absolute = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
    expect(absolute).toEqual([BASE]);
  });

  it('sends a CSP that allows only this origin and the page’s own inline script (by nonce)', async () => {
    const { res, html } = await docs();
    const csp = policy(res.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp.get('script-src')?.join(' ') ?? '')?.[1];
    expect(nonce, 'script-src nonce').toBeDefined();
    expect(csp.get('script-src')).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    // nothing but this origin, the nonce and local data/blob URLs anywhere; never eval
    for (const [directive, sources] of csp) {
      for (const source of sources) expect(source, directive).toMatch(/^(?:'self'|'none'|'unsafe-inline'|'nonce-[A-Za-z0-9+/=]+'|data:|blob:)$/);
    }
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
    // every inline script carries the nonce; the bundle's tag is allowed by 'self' (and carries it too)
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBe(2);
    for (const attrs of scripts) expect(attrs).toContain(`nonce="${nonce}"`);
    // a fresh nonce per response, and not cached with it
    const again = policy((await docs()).res.headers.get('content-security-policy'));
    expect(again.get('script-src')).not.toContain(`'nonce-${nonce}'`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    // the app-wide secure headers still apply
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('is not an operation of the OpenAPI document', async () => {
    const doc = await (await SELF.fetch(`${BASE}/openapi.json`)).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths).length).toBeGreaterThan(10);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/docs'))).toEqual([]);
  });
});
