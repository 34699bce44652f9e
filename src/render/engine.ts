/**
 * The engine interface: one template tree in, one encoded image out. Two engines implement it
 * (satori → resvg, and takumi); `selectEngine` picks between them.
 */

import type { CustomFont } from '../fonts/custom';
import type { FontFormat, TextAssets } from '../fonts/text-assets';
import type { TemplateElement } from './jsx';

export const ENGINES = ['takumi', 'satori'] as const;

/** Output pixels (width×scale × height×scale) allowed per image: 4.2 MP keeps RGBA under 17 MB. */
export const MAX_OUTPUT_PIXELS = 4_200_000;
export type EngineName = (typeof ENGINES)[number];

/** The deployment's default engine (DEFAULT_ENGINE), takumi when it names none we have. */
export function defaultEngine(envDefault: string | undefined): EngineName {
  return (ENGINES as readonly string[]).includes(envDefault ?? '') ? (envDefault as EngineName) : 'takumi';
}

export const IMAGE_FORMATS = ['png', 'webp', 'svg'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export const CONTENT_TYPES: Record<ImageFormat, string> = {
  png: 'image/png',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};

/** An image the tree refers to by `src`, with its bytes already fetched. */
export interface RenderImage {
  src: string;
  data: Uint8Array;
}

export interface RenderRequest {
  element: TemplateElement;
  /** Bytes of the tree's images, by the `src` the tree uses (a data: URL), for engines that take bytes. */
  images?: readonly RenderImage[];
  /** Layout size in CSS pixels. */
  width: number;
  height: number;
  /** Device pixel ratio: the raster is width×scale by height×scale. */
  scale: number;
  format: ImageFormat;
  /** Fallback fonts and emoji the text needs (text-assets.ts), in the format `fontFormat` names. */
  text?: TextAssets;
  /** The caller's font faces (TrueType/OpenType), under the family name the tree uses. */
  custom?: readonly CustomFont[];
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
  /** The font format the engine reads. */
  readonly fontFormat: FontFormat;
  render(request: RenderRequest): Promise<RenderOutput>;
}

/**
 * A picture the engine could not decode (its bytes, not the template, are at fault). Engines throw
 * it where they learn it, so whoever runs the job tells the caller's bad image from an engine fault
 * by type; the message is the engine's own words.
 */
export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
}

/** WebP quality for lossy output: OG images want small files; 82 keeps text edges clean. */
export const WEBP_QUALITY = 82;
