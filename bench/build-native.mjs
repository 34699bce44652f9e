// Bundles bench/native.ts (templates + native engines) into a Node ESM module in .cache/.
import { build } from 'esbuild';

export async function buildNative() {
  const outfile = new URL('../.cache/native.mjs', import.meta.url).pathname;
  await build({
    entryPoints: [new URL('./native.ts', import.meta.url).pathname],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    jsx: 'transform',
    jsxFactory: 'h',
    jsxFragment: 'Fragment',
    // native addons and packages with their own WASM/binaries stay external
    external: ['@resvg/resvg-js', '@takumi-rs/core', 'satori', '@takumi-rs/helpers'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}
