// Vite's ?raw imports: the file's text.
declare module '*.sql?raw' {
  const text: string;
  export default text;
}

// Vite's import.meta.glob, used by tests to read every template's preview cases.
interface ImportMeta {
  glob<T>(pattern: string, options: { eager: true; import: 'default' }): Record<string, T>;
}
