/**
 * certificate: a one-page A4 landscape certificate — double frame, recipient, achievement,
 * description, date, up to three signature lines, optional logo, signature image and id.
 *
 * Every text block is laid out from `page.measureText`: the recipient's name takes the largest
 * size at which it fits on one line, then two, and only then ends with an ellipsis. That layout is
 * pure and lives in layout.ts; this file draws it.
 */
import { h, type TemplateElement } from '../../src/render/jsx';
import { definePdfTemplate, type PageContext } from '../define';
import { Lines, memoMeasure } from '../pdf-text';
import {
  type CertificateLayout,
  EMBLEM,
  FRAME_GAP,
  INNER_BORDER,
  layoutCertificate,
  MARGIN,
  OUTER_BORDER,
  PAD_BOTTOM,
  PAD_TOP,
  PAD_X,
  SIG_ART_H,
  type Signature,
} from './layout';
import { type Vars, vars } from './schema';

void h;

const INK = '#1c1917';
const MUTED = '#57534e';
const PAPER = '#fffdf7';

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((w) => /^\p{L}/u.test(w))
    .slice(0, 2)
    .map((w) => Array.from(w)[0]!.toUpperCase())
    .join('');
}

/** The logo, or a double ring with the issuer's initials (a dot when it has none). */
function emblem(v: Vars): TemplateElement {
  const accent = v.accent;
  if (v.logo) return <img src={v.logo} width={EMBLEM} height={EMBLEM} style={{ width: EMBLEM, height: EMBLEM, objectFit: 'contain' }} />;
  return (
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
}

/** A signature line; the handwritten signature image, if any, sits above the first signatory's (after the date). */
function signatureBlock(v: Vars, L: CertificateLayout, s: Signature, i: number): TemplateElement {
  const { sigW } = L;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', width: sigW, height: L.sigH }}>
      <div style={{ display: 'flex', alignItems: 'flex-end', justifyContent: 'center', width: sigW, height: SIG_ART_H }}>
        {i === 1 && v.signature ? (
          <img src={v.signature} width={sigW - 40} height={SIG_ART_H - 4} style={{ width: sigW - 40, height: SIG_ART_H - 4, objectFit: 'contain' }} />
        ) : null}
      </div>
      <div style={{ display: 'flex', width: sigW, height: 1, backgroundColor: INK, marginBottom: 8 }} />
      <Lines align="center" lines={s.name} style={{ fontSize: 14, lineHeight: 20, weight: 600, color: INK }} />
      <Lines align="center" lines={s.role} style={{ fontSize: 12, lineHeight: 18, weight: 400, color: MUTED }} />
    </div>
  );
}

/** The centred column inside the frames, top to bottom; the gaps are those `upperHeight` in layout.ts adds up. */
function body(v: Vars, L: CertificateLayout): TemplateElement[] {
  const accent = v.accent;
  const gap = (height: number) => <div style={{ display: 'flex', height }} />;
  return [
    gap(L.slackTop),
    emblem(v),
    gap(14),
    <Lines align="center" lines={L.issuer} style={{ fontSize: 13, lineHeight: 18, weight: 600, color: accent, letterSpacing: 3 }} />,
    gap(14),
    <div style={{ display: 'flex', alignItems: 'center', height: 48, fontSize: L.title.fontSize, fontWeight: 700, color: INK, whiteSpace: 'nowrap' }}>
      {L.title.lines[0] ?? ''}
    </div>,
    <div style={{ display: 'flex', width: 64, height: 2, marginTop: 10, marginBottom: 8, backgroundColor: accent }} />,
    <Lines align="center" lines={L.intro} style={{ fontSize: 15, lineHeight: 22, weight: 400, color: MUTED }} />,
    gap(10),
    <Lines align="center" lines={L.name.lines} style={{ fontSize: L.name.fontSize, lineHeight: L.name.lineHeight, weight: 700, color: accent }} />,
    <div style={{ display: 'flex', width: Math.min(L.innerW, 560), height: 1, marginTop: 12, marginBottom: 16, backgroundColor: accent, opacity: 0.6 }} />,
    <Lines align="center" lines={L.reason} style={{ fontSize: 15, lineHeight: 22, weight: 400, color: MUTED }} />,
    gap(8),
    <Lines
      align="center"
      lines={L.achievement.lines}
      style={{ fontSize: L.achievement.fontSize, lineHeight: L.achievement.lineHeight, weight: 600, color: INK }}
    />,
    gap(10),
    <Lines align="center" lines={L.description} style={{ fontSize: 13.5, lineHeight: 20, weight: 400, color: MUTED }} />,
    gap(L.slack - L.slackTop),
    <div style={{ display: 'flex', justifyContent: L.signatures.length === 1 ? 'center' : 'space-around', width: L.innerW, height: L.sigH }}>
      {L.signatures.map((s, i) => signatureBlock(v, L, s, i))}
    </div>,
  ];
}

function pages(v: Vars, page: PageContext): TemplateElement[] {
  const L = layoutCertificate(v, page, memoMeasure(page));
  const accent = v.accent;
  return [
    <div style={{ display: 'flex', width: page.width, height: page.height, padding: MARGIN, backgroundColor: PAPER, fontFamily: 'Inter', color: INK }}>
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
          {body(v, L)}
          {L.idText !== undefined ? (
            <div
              style={{
                display: 'flex',
                alignItems: 'flex-end',
                justifyContent: 'center',
                height: L.idH,
                fontSize: 10.5,
                color: MUTED,
                letterSpacing: 0.5,
                whiteSpace: 'nowrap',
              }}
            >
              {L.idText}
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
