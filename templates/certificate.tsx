/**
 * certificate: a one-page A4 landscape certificate — double frame, recipient, achievement,
 * description, date, up to three signature lines, optional logo, signature image and id.
 *
 * Every text block is laid out here from `page.measureText`: the recipient's name takes the
 * largest size at which it fits on one line, then two, and only then ends with an ellipsis.
 */
import { z } from 'zod';
import { h, type TemplateElement } from '../src/render/jsx';
import { definePdfTemplate, type PageContext } from './define';
import { formatIsoDate } from './format';
import { clampLines, fitBlock, Lines, type Measure, memoMeasure } from './pdf-text';
import { hexColor, imageUrl, text } from './ui';

void h;

const vars = z.object({
  recipient: text(120).min(1).describe("Recipient's name; the type shrinks to fit one line, then two, then ends with an ellipsis"),
  title: text(60).min(1).default('Certificate of Completion').describe('Heading, e.g. "Certificate of Achievement"'),
  intro: text(80).default('This certificate is proudly presented to').describe('Line above the name'),
  reason: text(80).default('for successfully completing').describe('Line between the name and the achievement'),
  achievement: text(160).min(1).describe('Course or achievement title; two lines at most'),
  description: text(400).optional().describe('A sentence or two about the achievement; three lines at most'),
  date: z.iso.date().describe('Date of issue, YYYY-MM-DD; shown as "Mar 4, 2026"'),
  issuer: text(100).min(1).describe('Issuing organisation, shown at the top'),
  signatures: z
    .array(
      z.object({
        name: text(80).min(1).describe("Signatory's name, under the line"),
        title: text(80).optional().describe('Signatory\'s role, e.g. "Program Director"'),
      }),
    )
    .max(3)
    .default([])
    .describe('Signature lines (at most 3), left to right after the date'),
  certificate_id: text(60).optional().describe('Certificate id or verification code, shown small at the bottom'),
  logo: imageUrl().optional().describe("Issuer's logo (https URL of a PNG, JPEG, WebP or AVIF); a ring with the issuer's initials when absent"),
  signature: imageUrl().optional().describe('Image of a handwritten signature (PNG, JPEG, WebP or AVIF), drawn above the first signature line'),
  accent: hexColor().default('#a16207').describe('Accent colour (hex) of the frame, rules and name'),
});

type Vars = z.output<typeof vars>;

const INK = '#1c1917';
const MUTED = '#57534e';
const PAPER = '#fffdf7';

const MARGIN = 28;
const OUTER_BORDER = 3;
const FRAME_GAP = 6;
const INNER_BORDER = 1;
const PAD_X = 72;
const PAD_TOP = 40;
const PAD_BOTTOM = 30;

const EMBLEM = 64;
const SIG_W = 220;
const SIG_ART_H = 46;

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((w) => /^\p{L}/u.test(w))
    .slice(0, 2)
    .map((w) => Array.from(w)[0]!.toUpperCase())
    .join('');
}

function pages(v: Vars, page: PageContext): TemplateElement[] {
  const { width: W, height: H } = page;
  const measure = memoMeasure(page);
  const frame = OUTER_BORDER + FRAME_GAP + INNER_BORDER;
  const innerW = W - 2 * MARGIN - 2 * frame - 2 * PAD_X;
  const innerH = H - 2 * MARGIN - 2 * frame - PAD_TOP - PAD_BOTTOM;
  const accent = v.accent;

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
  const nameLH = Math.round(name.fontSize * 1.2);
  const reason = clampLines(measure, v.reason, innerW, 15, 400, 1);
  const achievement = fitBlock(measure, v.achievement, innerW * 0.9, 600, [
    { lines: 1, max: 26, min: 20 },
    { lines: 2, max: 22, min: 18 },
  ]);
  const achievementLH = Math.round(achievement.fontSize * 1.3);
  const description = v.description ? clampLines(measure, v.description, Math.min(innerW, 720), 13.5, 400, 3) : [];

  const sigs = [{ name: formatIsoDate(v.date), title: 'Date of issue', date: true }, ...v.signatures.map((s) => ({ ...s, date: false }))];
  const sigW = Math.min(SIG_W, (innerW - 24 * (sigs.length - 1)) / sigs.length);
  const sigH = SIG_ART_H + 1 + 8 + 20 + 18;
  const idH = v.certificate_id ? 26 : 0;

  // Fixed heights from the top: emblem, issuer, title, intro, name + rule, reason, achievement,
  // description; the signature row sits at the bottom and the slack goes between the two.
  const upperH =
    EMBLEM +
    14 +
    18 +
    14 +
    48 +
    20 +
    intro.length * 22 +
    10 +
    name.lines.length * nameLH +
    12 +
    1 +
    16 +
    reason.length * 22 +
    8 +
    achievement.lines.length * achievementLH +
    10 +
    description.length * 20;
  // The slack is shared: a third above the emblem, the rest above the signatures.
  const slack = Math.max(0, innerH - upperH - sigH - idH);
  const slackTop = Math.floor(slack / 3);

  const emblem = v.logo ? (
    <img src={v.logo} width={EMBLEM} height={EMBLEM} style={{ width: EMBLEM, height: EMBLEM, objectFit: 'contain' }} />
  ) : (
    <div
      style={{
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        width: EMBLEM,
        height: EMBLEM,
        borderRadius: EMBLEM / 2,
        border: `2px solid ${accent}`,
      }}
    >
      <div
        style={{
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'center',
          width: EMBLEM - 12,
          height: EMBLEM - 12,
          borderRadius: (EMBLEM - 12) / 2,
          border: `1px solid ${accent}`,
          fontSize: 18,
          fontWeight: 700,
          color: accent,
          letterSpacing: 1,
        }}
      >
        {initials(v.issuer) || <div style={{ display: 'flex', width: 10, height: 10, borderRadius: 5, backgroundColor: accent }} />}
      </div>
    </div>
  );

  const signatureBlock = (s: (typeof sigs)[number], i: number) => {
    const nameLine = clampLines(measure, s.name, sigW, 14, 600, 1);
    const role = s.title ? clampLines(measure, s.title, sigW, 12, 400, 1) : [];
    return (
      <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', width: sigW, height: sigH }}>
        <div style={{ display: 'flex', alignItems: 'flex-end', justifyContent: 'center', width: sigW, height: SIG_ART_H }}>
          {i === 1 && v.signature ? (
            <img src={v.signature} width={sigW - 40} height={SIG_ART_H - 4} style={{ width: sigW - 40, height: SIG_ART_H - 4, objectFit: 'contain' }} />
          ) : null}
        </div>
        <div style={{ display: 'flex', width: sigW, height: 1, backgroundColor: INK, marginBottom: 8 }} />
        <Lines align="center" lines={nameLine} style={{ fontSize: 14, lineHeight: 20, weight: 600, color: INK }} />
        <Lines align="center" lines={role} style={{ fontSize: 12, lineHeight: 18, weight: 400, color: MUTED }} />
      </div>
    );
  };

  return [
    <div style={{ display: 'flex', width: W, height: H, padding: MARGIN, backgroundColor: PAPER, fontFamily: 'Inter', color: INK }}>
      <div style={{ display: 'flex', flexGrow: 1, border: `${OUTER_BORDER}px solid ${accent}`, padding: FRAME_GAP }}>
        <div
          style={{
            display: 'flex',
            flexDirection: 'column',
            alignItems: 'center',
            flexGrow: 1,
            border: `${INNER_BORDER}px solid ${accent}`,
            paddingTop: PAD_TOP,
            paddingBottom: PAD_BOTTOM,
            paddingLeft: PAD_X,
            paddingRight: PAD_X,
          }}
        >
          <div style={{ display: 'flex', height: slackTop }} />
          {emblem}
          <div style={{ display: 'flex', height: 14 }} />
          <Lines align="center" lines={issuer} style={{ fontSize: 13, lineHeight: 18, weight: 600, color: accent, letterSpacing: 3 }} />
          <div style={{ display: 'flex', height: 14 }} />
          <div style={{ display: 'flex', alignItems: 'center', height: 48, fontSize: title.fontSize, fontWeight: 700, color: INK, whiteSpace: 'nowrap' }}>
            {title.lines[0] ?? ''}
          </div>
          <div style={{ display: 'flex', width: 64, height: 2, marginTop: 10, marginBottom: 8, backgroundColor: accent }} />
          <Lines align="center" lines={intro} style={{ fontSize: 15, lineHeight: 22, weight: 400, color: MUTED }} />
          <div style={{ display: 'flex', height: 10 }} />
          <Lines align="center" lines={name.lines} style={{ fontSize: name.fontSize, lineHeight: nameLH, weight: 700, color: accent }} />
          <div style={{ display: 'flex', width: Math.min(innerW, 560), height: 1, marginTop: 12, marginBottom: 16, backgroundColor: accent, opacity: 0.6 }} />
          <Lines align="center" lines={reason} style={{ fontSize: 15, lineHeight: 22, weight: 400, color: MUTED }} />
          <div style={{ display: 'flex', height: 8 }} />
          <Lines align="center" lines={achievement.lines} style={{ fontSize: achievement.fontSize, lineHeight: achievementLH, weight: 600, color: INK }} />
          <div style={{ display: 'flex', height: 10 }} />
          <Lines align="center" lines={description} style={{ fontSize: 13.5, lineHeight: 20, weight: 400, color: MUTED }} />
          <div style={{ display: 'flex', height: slack - slackTop }} />
          <div style={{ display: 'flex', justifyContent: sigs.length === 1 ? 'center' : 'space-around', width: innerW, height: sigH }}>
            {sigs.map((s, i) => signatureBlock(s, i))}
          </div>
          {v.certificate_id ? (
            <div
              style={{
                display: 'flex',
                alignItems: 'flex-end',
                justifyContent: 'center',
                height: idH,
                fontSize: 10.5,
                color: MUTED,
                letterSpacing: 0.5,
                whiteSpace: 'nowrap',
              }}
            >
              {clampLines(measure, `Certificate ID: ${v.certificate_id}`, innerW, 10.5, 400, 1)[0] ?? ''}
            </div>
          ) : null}
        </div>
      </div>
    </div>,
  ];
}

export default definePdfTemplate({
  id: 'certificate',
  version: 1,
  name: 'Certificate',
  description: 'A one-page A4 landscape certificate: recipient, achievement, description, date, signature lines, optional logo and certificate id.',
  kind: 'pdf',
  paper: 'A4',
  orientation: 'landscape',
  vars,
  example: {
    recipient: 'Amelia Hartmann',
    title: 'Certificate of Completion',
    achievement: 'Advanced Edge Rendering with Cloudflare Workers',
    description: 'Twelve hours of hands-on training in building, caching and securing image and PDF generation at the edge, with a graded final project.',
    date: '2026-03-04',
    issuer: 'PicStream Academy',
    signatures: [
      { name: 'Dana Okafor', title: 'Head of Platform' },
      { name: 'Jonas Weber', title: 'Lead Instructor' },
    ],
    certificate_id: 'PSA-2026-0314-7F3K',
    accent: '#a16207',
  },
  imageVars: ['logo', 'signature'],
  pages,
});
