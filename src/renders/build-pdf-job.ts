/**
 * Turns a generate-PDF request into a render job: resolves each section's template (resolve.ts)
 * and checks its vars and image URLs as an image job's are (build-job.ts),
 * decides every page's size, lays the pages out (cheap: no rendering) so the page count — the
 * quota units and the limit — is known before any work, refuses blocked image URLs, and computes
 * the account-scoped content address of the file.
 */
import { PAPER_SIZES, type PaperName } from '../../templates/define';
import { ProblemError } from '../errors/problem';
import { canonicalJson, sha256Hex } from '../lib/hash';
import { REMOTE_IMAGE_BUDGET } from '../render/budget';
import { MAX_OUTPUT_PIXELS } from '../render/engine';
import type { RemoteImagePolicy } from '../render/images/remote-images';
import { type AnyTemplate, type LaidOutPage, layoutPages, type PagePoints, type PdfJob, type PdfSection, PX_TO_PT, pageMeasure } from '../render/pdf/layout';
import { fileObjectKey } from '../storage/signed-urls';
import { checkVars } from './build-job';
import { resolveRecordedSection, resolveSectionTemplate } from './resolve';

/** Pages per document. */
export const MAX_PDF_PAGES = 50;
/** Layout pixels per page (CSS px, 1 pt = 4/3 px): the same bound as one image. */
export const MAX_PAGE_PIXELS = MAX_OUTPUT_PIXELS;
/** Layout pixels per document: 50 A4 pages. */
export const MAX_DOCUMENT_PIXELS = 45_000_000;
/** Distinct remote images per document (each is fetched, decoded and embedded): an image render's budget too (render/budget.ts). */
export const MAX_PDF_REMOTE_IMAGES = REMOTE_IMAGE_BUDGET.maxImages;
/** Bumped when the PDF renderer's output changes: part of the content address, so old files are not served for new requests. */
export const PDF_RENDERER_VERSION = 2;

export type PageSizeInput = PaperName | { width: number; height: number };

export interface PdfRequest {
  template?: string;
  vars?: Record<string, unknown>;
  pages?: { template: string; vars?: Record<string, unknown> }[];
  page_size?: PageSizeInput;
  orientation?: 'portrait' | 'landscape';
  title?: string;
  /** A test key's document: every page carries the TEST watermark. */
  watermark?: boolean;
}

export interface PreparedPdf {
  job: PdfJob;
  /** The pages as laid out now (image URLs not yet fetched). */
  pages: LaidOutPage[];
  /** Canonical JSON of the normalised request (what a queued job is rebuilt from). */
  specJson: string;
  cacheKey: string;
  objectKey: string;
  /** The `template` column: the template, or every section's joined by '+'. */
  label: string;
}

/** The spec stored with a PDF render: enough to rebuild the job exactly, template versions included. */
export interface PdfSpec {
  sections: { template: string; version: number; vars: Record<string, unknown>; page: PagePoints }[];
  title?: string;
}

/** A named paper turned to the orientation asked for (or the template's); a custom size as given. */
export function pageSizeFor(template: AnyTemplate, size: PageSizeInput | undefined, orientation: 'portrait' | 'landscape' | undefined): PagePoints {
  if (size && typeof size === 'object') return { width: size.width, height: size.height };
  const paperName: PaperName = size ?? (template.kind === 'pdf' ? template.paper : 'A4');
  const paper = PAPER_SIZES[paperName];
  const landscape = (orientation ?? (template.kind === 'pdf' ? template.orientation : 'portrait')) === 'landscape';
  return landscape ? { width: paper.height, height: paper.width } : { width: paper.width, height: paper.height };
}

function validateSection(entry: { template: string; vars?: Record<string, unknown> }, at: string, req: PdfRequest, policy: RemoteImagePolicy): PdfSection {
  const template = resolveSectionTemplate(entry.template, `${at}template`);
  const { vars } = checkVars(template, entry.vars ?? {}, { path: `${at}vars`, label: 'vars' }, policy);
  return { template, vars, page: pageSizeFor(template, req.page_size, req.orientation) };
}

export async function preparePdf(req: PdfRequest, accountId: string | null, policy: RemoteImagePolicy): Promise<PreparedPdf> {
  const entries = req.pages ?? [{ template: req.template as string, vars: req.vars }];
  const sections = entries.map((entry, i) => validateSection(entry, req.pages ? `pages.${i}.` : '', req, policy));

  const images = new Set(
    sections.flatMap((s) => s.template.imageVars.map((name) => s.vars[name]).filter((v): v is string => typeof v === 'string' && v !== '')),
  );
  if (images.size > MAX_PDF_REMOTE_IMAGES) {
    throw new ProblemError('document_too_large', `The document names ${images.size} different remote images; the limit is ${MAX_PDF_REMOTE_IMAGES}.`, {
      errors: [{ path: req.pages ? 'pages' : 'vars', message: `at most ${MAX_PDF_REMOTE_IMAGES} different image URLs` }],
    });
  }

  const pagePixels = (p: PagePoints): number => Math.round(p.width / PX_TO_PT) * Math.round(p.height / PX_TO_PT);
  for (const s of sections) {
    if (pagePixels(s.page) > MAX_PAGE_PIXELS) {
      throw new ProblemError(
        'document_too_large',
        `A ${s.page.width}×${s.page.height} pt page is ${pagePixels(s.page)} layout pixels; the limit is ${MAX_PAGE_PIXELS}.`,
        {
          errors: [{ path: 'page_size', message: `width×height×(4/3)² exceeds ${MAX_PAGE_PIXELS} pixels` }],
        },
      );
    }
  }

  // Pagination is pure layout arithmetic: done now, so a document over the limits costs no render.
  const watermark = req.watermark === true;
  const { measure } = pageMeasure();
  const pages = layoutPages(sections, measure, watermark, MAX_PDF_PAGES);
  if (pages.length > MAX_PDF_PAGES) {
    throw new ProblemError('document_too_large', `The document would have ${pages.length} pages; the limit is ${MAX_PDF_PAGES}.`, {
      errors: [{ path: req.pages ? 'pages' : 'vars', message: `makes ${pages.length} pages (at most ${MAX_PDF_PAGES})` }],
    });
  }
  const pixels = pages.reduce((n, p) => n + pagePixels(p.page), 0);
  if (pixels > MAX_DOCUMENT_PIXELS) {
    throw new ProblemError('document_too_large', `The document's pages add up to ${pixels} layout pixels; the limit is ${MAX_DOCUMENT_PIXELS}.`, {
      errors: [{ path: 'page_size', message: `pages × page area exceeds ${MAX_DOCUMENT_PIXELS} pixels` }],
    });
  }

  const spec: PdfSpec = {
    sections: sections.map((s) => ({ template: s.template.id, version: s.template.version, vars: s.vars, page: s.page })),
    ...(req.title ? { title: req.title } : {}),
  };
  const specJson = canonicalJson(spec);
  // Account-scoped: a PDF is a private document, so even identical requests from two accounts
  // never share one object (or learn that the other made it).
  const address = `pdf@${PDF_RENDERER_VERSION}|${accountId ?? ''}${watermark ? '|test' : ''}|${specJson}`;
  const cacheKey = (await sha256Hex(address)).slice(0, 40);
  return {
    job: { sections, title: req.title, watermark },
    pages,
    specJson,
    cacheKey,
    objectKey: fileObjectKey(cacheKey),
    label: [...new Set(sections.map((s) => s.template.id))].join('+').slice(0, 200),
  };
}

/** Rebuilds a queued job from its stored spec; a template changed since is a permanent failure. */
export function pdfJobFromSpec(specJson: string, watermark: boolean): PdfJob {
  const spec = JSON.parse(specJson) as PdfSpec;
  const sections = spec.sections.map((s): PdfSection => ({ template: resolveRecordedSection(s.template, s.version), vars: s.vars, page: s.page }));
  return { sections, title: spec.title, watermark };
}
