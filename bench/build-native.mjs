// Bundles bench/native.ts (templates + native engines) into a Node ESM module in .cache/.
import { build } from 'esbuild';

/** How the benchmark bundles the project's TypeScript (and the templates' JSX) for Node. */
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'transform',
  jsxFactory: 'h',
  jsxFragment: 'Fragment',
  // pdf-lib's ES build, as the Worker bundles it (the PDF code imports one of its ES modules directly)
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
};

export async function buildNative() {
  const outfile = new URL('../.cache/native.mjs', import.meta.url).pathname;
  await build({
    ...NODE_BUNDLE,
    entryPoints: [new URL('./native.ts', import.meta.url).pathname],
    outfile,
    // native addons and packages with their own WASM/binaries stay external
    external: ['@resvg/resvg-js', '@takumi-rs/core', 'satori', '@takumi-rs/helpers'],
    // the PDF pipeline's fonts module imports the bundled WOFF files (the Worker gets them as Data modules)
    loader: { '.woff': 'binary', '.woff2': 'binary' },
  });
  return outfile;
}
