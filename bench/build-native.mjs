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
    // pdf-lib's ES build, as the Worker bundles it (the PDF code imports one of its ES modules directly)
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    // the PDF pipeline's fonts module imports the bundled WOFF files (the Worker gets them as Data modules)
    loader: { '.woff': 'binary', '.woff2': 'binary' },
    logLevel: 'warning',
  });
  return outfile;
}
