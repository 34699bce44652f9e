import { env } from 'cloudflare:test';
import { MANIFEST_KEY } from '../src/fonts/text-assets';

/**
 * Seeds the FONTS bucket (once: storage outlives a test file) with the packs the global setup
 * builds from the npm font packages, as `npm run seed:fonts` does for `npm run dev`. The manifest
 * goes last, so a bucket with a manifest has every pack it names.
 */
if (!(await env.FONTS.head(MANIFEST_KEY))) {
  const origin = env.TEST_IMAGE_ORIGIN;
  const index = (await (await fetch(`${origin}/__fonts/index`)).json()) as { key: string; contentType: string; bytes: number }[];
  const last = index.filter((o) => o.key === MANIFEST_KEY);
  for (const batch of [index.filter((o) => o.key !== MANIFEST_KEY), last]) {
    await Promise.all(
      batch.map(async (o) => {
        const res = await fetch(`${origin}/__fonts/${encodeURIComponent(o.key)}`);
        if (!res.ok) throw new Error(`seeding ${o.key}: ${res.status}`);
        const body = new Uint8Array(await res.arrayBuffer());
        if (body.byteLength !== o.bytes) throw new Error(`seeding ${o.key}: ${body.byteLength} bytes, expected ${o.bytes}`);
        await env.FONTS.put(o.key, body, { httpMetadata: { contentType: o.contentType } });
      }),
    );
  }
}
