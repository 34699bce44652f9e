/** The built-in template registry. */
import blogPost from './blog-post';
import certificate from './certificate';
import type { PdfTemplateDefinition, TemplateDefinition } from './define';
import githubRepo from './github-repo';
import invoice from './invoice';
import ogCard from './og-card';
import productCard from './product-card';
import quote from './quote';
import report from './report';

export const TEMPLATES: ReadonlyMap<string, TemplateDefinition> = new Map(
  ([ogCard, blogPost, productCard, quote, githubRepo] as unknown as TemplateDefinition[]).map((t) => [t.id, t]),
);

/** Templates that lay out whole documents (POST /api/v1/generate/pdf). */
export const PDF_TEMPLATES: ReadonlyMap<string, PdfTemplateDefinition> = new Map(
  ([invoice, certificate, report] as unknown as PdfTemplateDefinition[]).map((t) => [t.id, t]),
);
