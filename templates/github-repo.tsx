/** github-repo: a repository card in GitHub's own idiom — owner/repo, description, language, stars, forks. */
import { z } from 'zod';
import { h } from '../src/render/jsx';
import { defineTemplate } from './define';
import { compactNumber } from './format';
import { Avatar, Clamp, imageUrl, scaler, text } from './ui';

void h;

const SIZE = { width: 1200, height: 630 };

/** GitHub's light and dark palettes (Primer). */
const PALETTES = {
  light: {
    background: 'linear-gradient(135deg, #ffffff 0%, #f6f8fa 100%)',
    foreground: '#1f2328',
    muted: '#59636e',
    border: '#d1d9e0',
    avatar: '#818b98',
  },
  dark: {
    background: 'linear-gradient(135deg, #0d1117 0%, #161b22 100%)',
    foreground: '#f0f6fc',
    muted: '#9198a1',
    border: '#3d444d',
    avatar: '#3d444d',
  },
} as const;

/** Colours of well-known languages, as GitHub (linguist) shows them; keys are lower-case. */
const LANGUAGE_COLORS: Record<string, string> = {
  c: '#555555',
  'c#': '#178600',
  'c++': '#f34b7d',
  clojure: '#db5855',
  css: '#663399',
  dart: '#00b4ab',
  dockerfile: '#384d54',
  elixir: '#6e4a7e',
  erlang: '#b83998',
  go: '#00add8',
  haskell: '#5e5086',
  html: '#e34c26',
  java: '#b07219',
  javascript: '#f1e05a',
  'jupyter notebook': '#da5b0b',
  kotlin: '#a97bff',
  lua: '#000080',
  nix: '#7e7eff',
  'objective-c': '#438eff',
  ocaml: '#ef7a08',
  perl: '#0298c3',
  php: '#4f5d95',
  python: '#3572a5',
  r: '#198ce7',
  ruby: '#701516',
  rust: '#dea584',
  scala: '#c22d40',
  shell: '#89e051',
  solidity: '#aa6746',
  svelte: '#ff3e00',
  swift: '#f05138',
  typescript: '#3178c6',
  vue: '#41b883',
  zig: '#ec915c',
};
const DEFAULT_LANGUAGE_COLOR = '#8b949e';

export function languageColor(language: string | undefined): string {
  return (language && LANGUAGE_COLORS[language.trim().toLowerCase()]) || DEFAULT_LANGUAGE_COLOR;
}

/** A five-pointed star outline on a 24×24 grid (points computed once, rounded to 0.01). */
const STAR_PATH = (() => {
  const points: string[] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? 10.5 : 4.6;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    points.push(`${(12 + radius * Math.cos(angle)).toFixed(2)} ${(12.8 + radius * Math.sin(angle)).toFixed(2)}`);
  }
  return `M${points.join('L')}Z`;
})();

/** A circle as a path (so it can take a stroke width). */
const ring = (cx: number, cy: number, r: number) => `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;

function starIcon(size: number, color: string) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none">
      <path d={STAR_PATH} stroke={color} stroke-width={2} fill="none" />
    </svg>
  );
}

function forkIcon(size: number, color: string) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none">
      <path d={`${ring(6, 5, 2.6)}${ring(18, 5, 2.6)}${ring(12, 19, 2.6)}`} stroke={color} stroke-width={2} fill="none" />
      <path d="M6 7.6V9a3 3 0 0 0 3 3h6a3 3 0 0 0 3-3V7.6M12 12v4.4" stroke={color} stroke-width={2} fill="none" />
    </svg>
  );
}

export default defineTemplate({
  id: 'github-repo',
  version: 1,
  name: 'GitHub repository',
  description: 'A 1200×630 repository card: owner/repo, description, language, stars and forks, in GitHub light or dark.',
  kind: 'image',
  size: SIZE,
  vars: z.object({
    owner: text(80).min(1).describe('User or organisation name, e.g. "vercel"'),
    repo: text(100).min(1).describe('Repository name, e.g. "next.js"; wraps to two lines, then ends with an ellipsis'),
    description: text(300).optional().describe('Repository description; three lines at most'),
    stars: z.number().int().min(0).max(999_999_999).default(0).describe('Star count, shown compact (1.2k, 45.3k, 1.1M)'),
    forks: z.number().int().min(0).max(999_999_999).default(0).describe('Fork count, shown compact (1.2k, 45.3k, 1.1M)'),
    language: text(40).optional().describe('Primary language, with its GitHub colour for well-known ones (grey otherwise)'),
    avatar: imageUrl().optional().describe("Owner's avatar (https URL of a PNG, JPEG, WebP or AVIF); initials are shown when absent"),
    theme: z.enum(['light', 'dark']).default('light').describe('GitHub light or dark'),
  }),
  example: {
    owner: 'picstream',
    repo: 'edge-renderer',
    description: 'Render Open Graph images, social cards and PDFs at the edge from JSX templates, with satori and takumi.',
    stars: 45_321,
    forks: 1_204,
    language: 'TypeScript',
    theme: 'light',
  },
  imageVars: ['avatar'],
  render(vars, { width, height }) {
    const p = PALETTES[vars.theme];
    const stripe = languageColor(vars.language);
    const s = scaler(width, height, SIZE);
    const pad = s(72);
    const avatar = s(152);
    const stat = (icon: ReturnType<typeof starIcon>, value: string, label: string) => (
      <div style={{ display: 'flex', alignItems: 'center', marginRight: s(48) }}>
        {icon}
        <div style={{ display: 'flex', marginLeft: s(12), fontSize: s(28), fontWeight: 700, color: p.foreground }}>{value}</div>
        <div style={{ display: 'flex', marginLeft: s(8), fontSize: s(28), fontWeight: 400, color: p.muted }}>{label}</div>
      </div>
    );
    return (
      <div
        style={{
          display: 'flex',
          flexDirection: 'column',
          width,
          height,
          background: p.background,
          color: p.foreground,
          fontFamily: 'Inter',
        }}
      >
        <div
          style={{
            display: 'flex',
            flexDirection: 'column',
            justifyContent: 'space-between',
            flexGrow: 1,
            padding: `${pad}px ${pad}px ${s(60)}px ${pad}px`,
          }}
        >
          <div style={{ display: 'flex', alignItems: 'flex-start' }}>
            <div style={{ display: 'flex', flexDirection: 'column', flexGrow: 1, flexShrink: 1, flexBasis: 0, marginRight: s(48) }}>
              <Clamp lines={1} style={{ fontSize: s(36), fontWeight: 400, lineHeight: 1.2, color: p.muted }}>
                {`${vars.owner} /`}
              </Clamp>
              <Clamp lines={2} style={{ marginTop: s(8), fontSize: s(64), fontWeight: 700, lineHeight: 1.12, letterSpacing: s(-1.5) }}>
                {vars.repo}
              </Clamp>
              {vars.description ? (
                <Clamp lines={3} style={{ marginTop: s(24), fontSize: s(28), fontWeight: 400, lineHeight: 1.4, color: p.muted }}>
                  {vars.description}
                </Clamp>
              ) : null}
            </div>
            <div style={{ display: 'flex', flexShrink: 0, borderRadius: s(28), border: `${s(2)}px solid ${p.border}`, padding: s(4) }}>
              <Avatar src={vars.avatar} name={vars.owner} size={avatar} radius={s(24)} color={p.avatar} textColor="#ffffff" />
            </div>
          </div>
          <div style={{ display: 'flex', alignItems: 'center', height: s(40) }}>
            {vars.language ? (
              <div style={{ display: 'flex', alignItems: 'center', marginRight: s(48) }}>
                <div style={{ display: 'flex', width: s(22), height: s(22), borderRadius: s(11), background: stripe }} />
                <div style={{ display: 'flex', marginLeft: s(12), maxWidth: s(320) }}>
                  <Clamp lines={1} style={{ fontSize: s(28), fontWeight: 500, lineHeight: 1.3, color: p.foreground }}>
                    {vars.language}
                  </Clamp>
                </div>
              </div>
            ) : null}
            {stat(starIcon(s(30), p.muted), compactNumber(vars.stars), vars.stars === 1 ? 'star' : 'stars')}
            {stat(forkIcon(s(30), p.muted), compactNumber(vars.forks), vars.forks === 1 ? 'fork' : 'forks')}
          </div>
        </div>
        <div style={{ display: 'flex', height: s(16), background: stripe }} />
      </div>
    );
  },
});
