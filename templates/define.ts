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
