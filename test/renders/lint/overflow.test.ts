/** overflowIssues over hand-made layouts: the measured boxes and runs takumi answers, in table form. */
import { describe, expect, it } from 'vitest';
import type { MeasuredNode, TakumiNode } from '../../../src/render/engines/takumi';
import { measurable, overflowIssues, unclamped } from '../../../src/renders/lint/overflow';

const at = (x: number, y: number): MeasuredNode['transform'] => [1, 0, 0, 1, x, y];
/** A text node's measured box at (x, y) with `lines` runs of `runWidth`, 40 px apart. */
function text(x: number, y: number, width: number, height: number, lines: number, runWidth = width, runHeight = 48): MeasuredNode {
  return {
    width,
    height,
    transform: at(x, y),
    children: [],
    runs: Array.from({ length: lines }, (_, i) => ({ text: 'line', x: 0, y: i * 40, width: runWidth, height: runHeight })),
  };
}
const root = (child: MeasuredNode, width = 600, height = 300): MeasuredNode => ({ width, height, transform: at(0, 0), children: [child], runs: [] });
const tree = (style: Record<string, unknown>, value = 'Hello there', parent: Record<string, unknown> = {}): TakumiNode =>
  ({ type: 'container', style: parent, children: [{ type: 'text', text: value, style }] }) as TakumiNode;
const bindings = [{ path: 'vars.title', name: 'title', value: 'Hello there' }];

function issues(node: TakumiNode, written: MeasuredNode, bare: MeasuredNode = written) {
  return overflowIssues({
    written: { node, measured: written },
    unclamped: { node: unclamped(node), measured: bare },
    width: 600,
    height: 300,
    bindings,
    templatePath: 'html',
  });
}

describe('overflowIssues', () => {
  it.each([
    ['fits', tree({}), root(text(10, 10, 500, 80, 2)), undefined, []],
    [
      'clamped: lines and pixels hidden',
      tree({ lineClamp: 2 }),
      root(text(10, 10, 500, 80, 2)),
      root(text(10, 10, 500, 200, 5)),
      [{ code: 'text_clamped', path: 'vars.title', var: 'title', severity: 'warning', lines: 2, lines_hidden: 3, overflow_px: 120 }],
    ],
    [
      'past the right edge of the image: an error',
      tree({ whiteSpace: 'nowrap' }),
      root(text(10, 10, 500, 40, 1, 800)),
      undefined,
      [{ code: 'text_overflow', path: 'vars.title', severity: 'error', overflow_px: 210 }],
    ],
    [
      'out of its own box but inside the image: a warning',
      tree({ height: 40 }),
      root(text(10, 10, 500, 40, 3)),
      undefined,
      [{ code: 'text_overflow', severity: 'warning', overflow_px: 88 }],
    ],
    [
      'out of its box with overflow hidden: cut off, an error',
      tree({ height: 40, overflow: 'hidden' }),
      root(text(10, 10, 500, 40, 3)),
      undefined,
      [{ code: 'text_overflow', severity: 'error', overflow_px: 88 }],
    ],
    ['a glyph box a few px taller than a tight line is not overflow', tree({}), root(text(10, 10, 500, 78, 2)), undefined, []],
  ])('%s', (_name, node, written, bare, expected) => {
    const found = issues(node, written, bare ?? written);
    expect(found).toHaveLength(expected.length);
    for (const [i, e] of expected.entries()) expect(found[i]).toMatchObject(e);
  });

  it('text no var fills is reported at the template path, quoted', () => {
    const node = tree({ whiteSpace: 'nowrap' }, 'Our own words');
    const [issue] = issues(node, root(text(10, 10, 500, 40, 1, 800)));
    expect(issue).toMatchObject({ path: 'html', code: 'text_overflow' });
    expect(issue?.var).toBeUndefined();
    expect(issue?.message).toContain('"Our own words"');
  });

  it('a clipping ancestor cuts text that stays inside its own box', () => {
    const node = tree({}, 'Hello there', { overflow: 'hidden' });
    const clipper: MeasuredNode = { width: 200, height: 100, transform: at(0, 0), children: [text(0, 0, 400, 40, 1, 390)], runs: [] };
    expect(
      overflowIssues({ written: { node, measured: clipper }, unclamped: { node, measured: clipper }, width: 600, height: 300, bindings, templatePath: 'html' }),
    ).toMatchObject([{ code: 'text_overflow', severity: 'error', overflow_px: 190 }]);
  });
});

describe('the measured trees', () => {
  it('unclamped takes off lineClamp, WebkitLineClamp and textOverflow only', () => {
    const out = unclamped(tree({ lineClamp: 3, WebkitLineClamp: 3, textOverflow: 'ellipsis', overflow: 'hidden', fontSize: 20 })) as {
      children: { style: unknown }[];
    };
    expect(out.children[0]?.style).toEqual({ overflow: 'hidden', fontSize: 20 });
  });

  it('measurable makes flex and grid text nodes blocks, and leaves the rest', () => {
    const out = measurable({
      type: 'container',
      style: { display: 'flex' },
      children: [tree({ display: 'flex' }), tree({ display: 'block' })],
    } as TakumiNode) as {
      style: { display: string };
      children: { children: { style: { display: string } }[] }[];
    };
    expect(out.style.display).toBe('flex');
    expect(out.children.map((c) => c.children[0]?.style.display)).toEqual(['block', 'block']);
  });
});
