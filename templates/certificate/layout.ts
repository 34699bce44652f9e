/**
 * The certificate's layout, apart from its drawing: every text block fitted with `page.measureText`
 * (the recipient's name takes the largest size at which it fits on one line, then two, and only
 * then ends with an ellipsis), the signature row, and how the slack height is shared. Pure: tested
 * without drawing in test/templates/certificate/layout.test.ts.
 */
import { formatIsoDate } from '../format';
import { clampLines, fitBlock, type Measure } from '../pdf-text';
import type { Vars } from './schema';

export const MARGIN = 28;
export const OUTER_BORDER = 3;
export const FRAME_GAP = 6;
export const INNER_BORDER = 1;
export const PAD_X = 72;
export const PAD_TOP = 40;
export const PAD_BOTTOM = 30;

export const EMBLEM = 64;
const SIG_W = 220;
export const SIG_ART_H = 46;

/** A fitted block: its lines, size and line height. */
export interface Fitted {
  lines: string[];
  fontSize: number;
  lineHeight: number;
}

/** One signature line: the date of issue first, then the signatories. */
export interface Signature {
  name: string[];
  role: string[];
}

export interface CertificateLayout {
  /** Width inside the frames and padding, which every line is centred in. */
  innerW: number;
  issuer: string[];
  title: { lines: string[]; fontSize: number };
  intro: string[];
  name: Fitted;
  reason: string[];
  achievement: Fitted;
  description: string[];
  signatures: Signature[];
  sigW: number;
  sigH: number;
  /** The certificate id line, and its height (0 without one). */
  idText: string | undefined;
  idH: number;
  /** Height left over, a third above the emblem and the rest above the signatures. */
  slack: number;
  slackTop: number;
}

/**
 * Fixed heights from the top: emblem, issuer, title, intro, name + rule, reason, achievement,
 * description. The drawing puts the same gaps between them.
 */
function upperHeight(L: Pick<CertificateLayout, 'intro' | 'name' | 'reason' | 'achievement' | 'description'>): number {
  const gaps = 14 + 18 + 14 + 48 + 20 + 10 + 12 + 1 + 16 + 8 + 10;
  return (
    EMBLEM +
    gaps +
    L.intro.length * 22 +
    L.name.lines.length * L.name.lineHeight +
    L.reason.length * 22 +
    L.achievement.lines.length * L.achievement.lineHeight +
    L.description.length * 20
  );
}

export function layoutCertificate(v: Vars, page: { width: number; height: number }, measure: Measure): CertificateLayout {
  const frame = OUTER_BORDER + FRAME_GAP + INNER_BORDER;
  const innerW = page.width - 2 * MARGIN - 2 * frame - 2 * PAD_X;
  const innerH = page.height - 2 * MARGIN - 2 * frame - PAD_TOP - PAD_BOTTOM;

  // The issuer is set with 3 px letter spacing, which the renderer adds after every character.
  const spaced: Measure = (s, size, weight) => measure(s, size, weight) + 3 * Array.from(s).length;
  const issuer = clampLines(spaced, v.issuer.toUpperCase(), innerW, 13, 600, 1);
  const title = fitBlock(measure, v.title, innerW, 700, [{ lines: 1, max: 40, min: 24 }]);
  const intro = clampLines(measure, v.intro, innerW, 15, 400, 1);
  const name = fitBlock(measure, v.recipient, innerW * 0.94, 700, [
    { lines: 1, max: 56, min: 32 },
    { lines: 2, max: 40, min: 28 },
    { lines: 3, max: 28, min: 22 },
  ]);
  const reason = clampLines(measure, v.reason, innerW, 15, 400, 1);
  const achievement = fitBlock(measure, v.achievement, innerW * 0.9, 600, [
    { lines: 1, max: 26, min: 20 },
    { lines: 2, max: 22, min: 18 },
  ]);
  const description = v.description ? clampLines(measure, v.description, Math.min(innerW, 720), 13.5, 400, 3) : [];

  const sigs = [{ name: formatIsoDate(v.date), title: 'Date of issue' as string | undefined }, ...v.signatures];
  const sigW = Math.min(SIG_W, (innerW - 24 * (sigs.length - 1)) / sigs.length);
  const signatures = sigs.map((s) => ({
    name: clampLines(measure, s.name, sigW, 14, 600, 1),
    role: s.title ? clampLines(measure, s.title, sigW, 12, 400, 1) : [],
  }));
  const sigH = SIG_ART_H + 1 + 8 + 20 + 18;
  const idText = v.certificate_id ? (clampLines(measure, `Certificate ID: ${v.certificate_id}`, innerW, 10.5, 400, 1)[0] ?? '') : undefined;
  const idH = v.certificate_id ? 26 : 0;

  const fitted = {
    intro,
    name: { ...name, lineHeight: Math.round(name.fontSize * 1.2) },
    reason,
    achievement: { ...achievement, lineHeight: Math.round(achievement.fontSize * 1.3) },
    description,
  };
  const slack = Math.max(0, innerH - upperHeight(fitted) - sigH - idH);
  return { innerW, issuer, title, ...fitted, signatures, sigW, sigH, idText, idH, slack, slackTop: Math.floor(slack / 3) };
}
