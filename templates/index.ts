/** The built-in template registry. */
import blogPost from './blog-post';
import type { TemplateDefinition } from './define';
import githubRepo from './github-repo';
import ogCard from './og-card';
import productCard from './product-card';
import quote from './quote';

export const TEMPLATES: ReadonlyMap<string, TemplateDefinition> = new Map(
  ([ogCard, blogPost, productCard, quote, githubRepo] as unknown as TemplateDefinition[]).map((t) => [t.id, t]),
);
