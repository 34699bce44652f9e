/**
 * GET /docs — the interactive API reference (Scalar) for this Worker's own `/openapi.json`.
 *
 * An HTML page, not an API operation: a plain route, so it stays out of the OpenAPI document. It
 * works offline. Scalar's browser bundle comes from this origin, a Workers Static Asset
 * (`/docs/scalar.js`, copied from the npm package by scripts/build-assets.mjs, which says why not
 * from the Worker's bundle), and Scalar is set to ask nothing of anywhere else: no web fonts from its
 * CDN, no telemetry, no AI agent, no developer toolbar (it shares and deploys through scalar.com),
 * and "Test request" sends to this origin directly, not through Scalar's proxy. The page's
 * Content-Security-Policy holds it to that.
 */
import { Scalar } from '@scalar/hono-api-reference';
import type { App } from './shared';

/** Where the static asset is served; scripts/build-assets.mjs writes it there. */
export const SCALAR_SCRIPT_PATH = '/docs/scalar.js';
export const DOCS_TITLE = 'PicStream API reference';

/**
 * The page's CSP: this origin only, plus the nonce of Scalar's inline init script. Styles need
 * 'unsafe-inline' (a nonce would not do: its libraries add <style> elements at run time without
 * one, and browsers ignore 'unsafe-inline' next to a nonce). data: images are the SVG icons in its
 * CSS; blob: is how "Test request" previews a response (an image in <img>, a PDF in <object> or
 * <iframe>). No fonts (system fonts: withDefaultFonts is off), no 'unsafe-eval' (the bundle needs
 * none), and fetch only here: the spec and the requests the client sends.
 */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    'object-src blob:',
    'frame-src blob:',
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes));
}

export function registerDocs(app: App): void {
  app.get(
    '/docs',
    Scalar((c) => {
      const nonce = newNonce();
      c.header('Content-Security-Policy', contentSecurityPolicy(nonce));
      // a fresh nonce each time: a cached copy would reuse one
      c.header('Cache-Control', 'no-store');
      const origin = new URL(c.req.url).origin;
      return {
        pageTitle: DOCS_TITLE,
        url: '/openapi.json',
        cdn: SCALAR_SCRIPT_PATH,
        nonce,
        // The page is served by the API itself, so "Test request" calls this origin (the document's
        // server is PUBLIC_BASE_URL, which in development is localhost:8787 whatever port is used).
        servers: [{ url: origin, description: 'This server' }],
        withDefaultFonts: false,
        telemetry: false,
        agent: { disabled: true },
        mcp: { disabled: true },
        // shown on localhost by default; it offers to share and deploy the document through scalar.com
        showDeveloperTools: 'never',
      };
    }),
  );
}
