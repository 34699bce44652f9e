/**
 * The engine interface: one template tree in, one encoded image out. Two engines implement it
 * (satori → resvg, and takumi); `selectEngine` picks between them.
 */
import type { TemplateElement } from './jsx';

export const ENGINES = ['takumi', 'satori'] as const;
export type EngineName = (typeof ENGINES)[number];

export const IMAGE_FORMATS = ['png', 'webp', 'svg'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export const CONTENT_TYPES: Record<ImageFormat, string> = {
  png: 'image/png',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};

export interface RenderRequest {
  element: TemplateElement;
  /** Layout size in CSS pixels. */
  width: number;
  height: number;
  /** Device pixel ratio: the raster is width×scale by height×scale. */
  scale: number;
  format: ImageFormat;
}

export interface RenderOutput {
  bytes: Uint8Array;
  contentType: string;
  /** Size of the encoded image in pixels (SVG: its viewport). */
  width: number;
  height: number;
}

export interface Engine {
  readonly name: EngineName;
  readonly formats: readonly ImageFormat[];
  render(request: RenderRequest): Promise<RenderOutput>;
}

/** WebP quality for lossy output: OG images want small files; 82 keeps text edges clean. */
export const WEBP_QUALITY = 82;
