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
// The package ships wasm-bindgen's .d.ts of the instance exports beside the file; as a module
// import it is a compiled WebAssembly.Module like any other .wasm.
declare module '@takumi-rs/wasm/takumi_wasm_bg.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
