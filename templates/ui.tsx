/**
 * Building blocks shared by the built-in templates: themes, clamped text, avatars, and the small
 * schema helpers for vars (bounded text, remote image URLs, colours).
 */
import { z } from 'zod';
import { h, type Style, type TemplateElement } from '../src/render/jsx';

void h;

/** Text var with a hard length limit (layout also clamps visually; this bounds work). */
export const text = (max: number) => z.string().trim().max(max);

/** A remote image var: https URL (checked again by the SSRF guard before any fetch). */
export const imageUrl = () =>
  z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .describe('URL of a PNG, JPEG, WebP or AVIF image (https; at most 5 MB)');

export const hexColor = () => z.string().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a hex colour like #1d4ed8');

export interface Theme {
  background: string;
  foreground: string;
  muted: string;
  accent: string;
  surface: string;
}

export const THEMES = {
  light: {
    background: 'linear-gradient(135deg, #ffffff 0%, #eef2ff 100%)',
    foreground: '#0f172a',
    muted: '#475569',
    accent: '#4f46e5',
    surface: '#ffffff',
  },
  dark: {
    background: 'linear-gradient(135deg, #0f172a 0%, #1e1b4b 100%)',
    foreground: '#f8fafc',
    muted: '#94a3b8',
    accent: '#818cf8',
    surface: '#1e293b',
  },
  sunset: {
    background: 'linear-gradient(135deg, #f97316 0%, #db2777 100%)',
    foreground: '#ffffff',
    muted: '#ffe4e6',
    accent: '#fde68a',
    surface: 'rgba(255,255,255,0.14)',
  },
  ocean: {
    background: 'linear-gradient(135deg, #0ea5e9 0%, #1e3a8a 100%)',
    foreground: '#ffffff',
    muted: '#dbeafe',
    accent: '#a5f3fc',
    surface: 'rgba(255,255,255,0.14)',
  },
} satisfies Record<string, Theme>;

export type ThemeName = keyof typeof THEMES;
export const themeName = () => z.enum(Object.keys(THEMES) as [ThemeName, ...ThemeName[]]);

/**
 * Text that wraps and, past `lines` lines, ends with an ellipsis. Both engines implement CSS
 * `line-clamp` on a block container; the schema's length limit bounds the work either way.
 *
 * satori can place the ellipsis up to about one em past the line's end, where `overflow: hidden`
 * would cut it to "..". An em of right padding, cancelled by an equal negative margin, gives it
 * room to show without changing the width the text wraps in (the same in both engines).
 */
export function Clamp(props: { lines: number; style?: Style; children?: unknown }): TemplateElement {
  const room = Math.ceil(typeof props.style?.fontSize === 'number' ? props.style.fontSize : 32);
  return (
    <div
      style={{
        display: 'block',
        lineClamp: props.lines,
        overflow: 'hidden',
        textOverflow: 'ellipsis',
        paddingRight: room,
        marginRight: -room,
        ...props.style,
      }}
    >
      {props.children as string}
    </div>
  );
}

/**
 * A round (or, with `radius`, rounded-square) portrait; without `src`, the name's initials on
 * `color`. `textColor` defaults to whichever of white or near-black reads better on `color`
 * when `color` is a hex colour.
 */
export function Avatar(props: { src?: string; name: string; size: number; color: string; radius?: number; textColor?: string }): TemplateElement {
  const { src, name, size, color } = props;
  const radius = props.radius ?? size / 2;
  if (src) {
    return <img src={src} width={size} height={size} style={{ width: size, height: size, borderRadius: radius, objectFit: 'cover' }} />;
  }
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('');
  return (
    <div
      style={{
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        width: size,
        height: size,
        borderRadius: radius,
        background: color,
        color: props.textColor ?? (color.startsWith('#') ? contrastText(color) : '#ffffff'),
        fontSize: Math.round(size * 0.4),
        fontWeight: 600,
      }}
    >
      {initials || '?'}
    </div>
  );
}

function hexRgb(hex: string): [number, number, number] {
  const h6 = hex.length === 4 ? hex.replace(/^#(.)(.)(.)$/, '#$1$1$2$2$3$3') : hex;
  const n = Number.parseInt(h6.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** WCAG relative luminance of a #rgb / #rrggbb colour. */
export function luminance(hex: string): number {
  const [r, g, b] = hexRgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** White or near-black, whichever contrasts more with a #rgb / #rrggbb background. */
export function contrastText(hex: string): string {
  return luminance(hex) > 0.179 ? '#0f172a' : '#ffffff';
}

/** A #rgb / #rrggbb colour at the given opacity, as rgba() (both engines read it). */
export function withAlpha(hex: string, alpha: number): string {
  const [r, g, b] = hexRgb(hex);
  return `rgba(${r},${g},${b},${alpha})`;
}

/**
 * A px scaler for a template designed at `base` and rendered at `width`×`height` (requests may
 * override the size): lengths shrink or grow with the smaller of the two ratios, so text and
 * spacing keep their proportions and flex layout absorbs the spare room. At the design size it is
 * the identity, so the default output is unaffected.
 */
export function scaler(width: number, height: number, base: { width: number; height: number }): (px: number) => number {
  const k = Math.min(width / base.width, height / base.height);
  return k === 1 ? (px) => px : (px) => Math.round(px * k * 100) / 100;
}
