export const MANIFEST_KEY: string;
export const FAMILIES: { family: string; pkg: string; lang: string | null; weights: number[]; subsets: 'numbered' | string[] }[];
export function parseUnicodeRange(css: string): [number, number][];
export function buildFontPacks(): {
  manifest: { version: string; families: unknown[]; emoji: unknown };
  objects: { key: string; body: Buffer; contentType: string }[];
};
