import { describe, expect, it } from 'vitest';
import { h } from '../../src/render/jsx';

describe('the template JSX factory', () => {
  it('flattens children and drops what renders as nothing, empty strings included', () => {
    const el = h('div', { style: { display: 'flex' } }, 'a', null, undefined, false, '', ['b', ['c']], 0);
    expect(el.props.children).toEqual(['a', 'b', 'c', 0]);
    expect(h('div', null, '').props.children).toBeUndefined();
    expect(h('div', null, 'only').props.children).toBe('only');
  });

  it('calls function components eagerly, so engines only see intrinsic elements', () => {
    const Badge = (p: { label: string }) => h('span', null, p.label);
    expect(h(Badge, { label: 'NEW' })).toEqual({ type: 'span', props: { children: 'NEW' } });
  });
});
