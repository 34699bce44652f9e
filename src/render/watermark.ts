/**
 * The "TEST" watermark on images made with a test key: a red badge in the top-right corner and a
 * band along the bottom edge, laid over the template's own tree, so a test image can never pass
 * for a live one. Both engines draw it (absolute positioning over a relative root).
 */
import { h, type TemplateElement } from './jsx';

export function withTestWatermark(element: TemplateElement, width: number, height: number): TemplateElement {
  const unit = Math.max(12, Math.round(Math.min(width, height) / 21));
  return h(
    'div',
    { style: { display: 'flex', position: 'relative', width, height } },
    element,
    h(
      'div',
      {
        style: {
          position: 'absolute',
          top: unit,
          right: unit,
          display: 'flex',
          padding: `${Math.round(unit / 3)}px ${Math.round(unit * 0.8)}px`,
          backgroundColor: '#dc2626',
          color: '#ffffff',
          fontFamily: 'Inter',
          fontWeight: 700,
          fontSize: unit,
          letterSpacing: Math.round(unit / 6),
          borderRadius: Math.round(unit / 4),
        },
      },
      'TEST',
    ),
    h('div', {
      style: { position: 'absolute', left: 0, right: 0, bottom: 0, height: Math.max(4, Math.round(unit / 4)), display: 'flex', backgroundColor: '#dc2626' },
    }),
  );
}
