/**
 * The template contract. A template is a module with its identity, default size, a zod schema of
 * its vars (with defaults, limits and an example) and a render function returning a JSX tree that
 * both engines can draw. `imageVars` names the vars that hold remote image URLs: the job runner
 * fetches those through the SSRF guard and hands the template a `data:` URL instead.
 */
import type { z } from 'zod';
import type { EngineName } from '../src/render/engine';
import type { TemplateElement } from '../src/render/jsx';

export interface TemplateSize {
  width: number;
  height: number;
}

export interface TemplateDefinition<S extends z.ZodObject = z.ZodObject> {
  id: string;
  /** Bump when the output for the same vars changes: it is part of the cache key. */
  version: number;
  name: string;
  description: string;
  kind: 'image';
  size: TemplateSize;
  vars: S;
  example: z.input<S>;
  imageVars: readonly (keyof z.output<S> & string)[];
  /** The engine to use when the request names none; defaults to the deployment's default. */
  preferredEngine?: EngineName;
  render(vars: z.output<S>, size: TemplateSize): TemplateElement;
}

export function defineTemplate<S extends z.ZodObject>(t: TemplateDefinition<S>): TemplateDefinition<S> {
  return t;
}

/** Named paper sizes, portrait, in PDF points (1 pt = 1/72 in). */
export const PAPER_SIZES = {
  A4: { width: 595.28, height: 841.89 },
  Letter: { width: 612, height: 792 },
} as const;
export type PaperName = keyof typeof PAPER_SIZES;

/** What a PDF template gets to lay out its pages. */
export interface PageContext {
  /** The page in CSS pixels (1 pt = 4/3 px): every page tree must be exactly this size. */
  width: number;
  height: number;
  /**
   * Width in CSS px of `text` on one line in the house sans (Inter, with the bundled fallbacks) at
   * `fontSize` px and `weight` — the same advances the renderer uses, so templates can decide
   * where pages break (a line item never split across two pages).
   */
  measureText(text: string, fontSize: number, weight?: 400 | 500 | 600 | 700): number;
}

/**
 * A PDF template lays out its own pages: `pages` returns one tree per page (an invoice whose line
 * items flow onto as many pages as they need). Vars are validated by `vars` first, as for images.
 */
export interface PdfTemplateDefinition<S extends z.ZodObject = z.ZodObject> {
  id: string;
  /** Bump when the output for the same vars changes: it is part of the cache key. */
  version: number;
  name: string;
  description: string;
  kind: 'pdf';
  /** Default paper and orientation; a request's `page_size` replaces the paper, not the orientation. */
  paper: PaperName;
  orientation: 'portrait' | 'landscape';
  vars: S;
  example: z.input<S>;
  imageVars: readonly (keyof z.output<S> & string)[];
  pages(vars: z.output<S>, page: PageContext): TemplateElement[];
}

export function definePdfTemplate<S extends z.ZodObject>(t: PdfTemplateDefinition<S>): PdfTemplateDefinition<S> {
  return t;
}
