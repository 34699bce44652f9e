/** The built-in template registry. */
import blogPost from './blog-post';
import type { TemplateDefinition } from './define';
import ogCard from './og-card';

export const TEMPLATES: ReadonlyMap<string, TemplateDefinition> = new Map(
  ([ogCard, blogPost] as unknown as TemplateDefinition[]).map((t) => [t.id, t]),
);
