// Module rules in wrangler.toml / vitest.config.ts: WASM arrives compiled, fonts as bytes.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '*.woff' {
  const data: ArrayBuffer;
  export default data;
}
declare module '*.woff2' {
  const data: ArrayBuffer;
  export default data;
}
declare module '*.ttf' {
  const data: ArrayBuffer;
  export default data;
}
