/** cssIssues: inline styles an engine ignores or draws differently, once per property and value. */
import { describe, expect, it } from 'vitest';
import type { TemplateElement } from '../../../src/render/jsx';
import { cssIssues } from '../../../src/renders/lint/css';

const el = (style: Record<string, string | number>, children?: TemplateElement[]): TemplateElement => ({
  type: 'div',
  props: { style, ...(children ? { children } : {}) },
});

describe('cssIssues', () => {
  it.each([
    [{ display: 'flex' }, []],
    [{ display: 'block', lineClamp: 3 }, []],
    [{ display: 'grid' }, [['display', 'grid', ['satori']]]],
    [{ zIndex: 2 }, [['z-index', '2', ['satori']]]],
    [{ position: 'fixed' }, [['position', 'fixed', ['satori', 'takumi']]]],
    [{ position: 'absolute' }, []],
    [{ borderStyle: 'dotted' }, [['border-style', 'dotted', ['satori']]]],
    [{ transform: 'rotateX(30deg)' }, [['transform', 'rotateX(30deg)', ['satori', 'takumi']]]],
    [{ transform: 'rotate(30deg)' }, []],
    [{ color: 'var(--brand)' }, [['color', 'var(--brand)', ['satori', 'takumi']]]],
  ] as [Record<string, string | number>, [string, string, string[]][]][])('%j', (style, expected) => {
    expect(cssIssues(el(style), 'html').map((i) => [i.property, i.value, i.engines])).toEqual(expected);
  });

  it('reports a property and value once however often the tree uses it, with the path given', () => {
    const tree = el({ display: 'flex' }, [el({ display: 'grid' }), el({ display: 'grid' }), el({ display: 'inline' })]);
    const found = cssIssues(tree, 'template');
    expect(found.map((i) => i.value)).toEqual(['grid', 'inline']);
    expect(found.every((i) => i.path === 'template' && i.code === 'css_unsupported' && i.severity === 'warning')).toBe(true);
  });
});
