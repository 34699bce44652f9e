/**
 * A minimal JSX factory for templates.
 *
 * Templates are written once as JSX with inline styles (the dialect satori and @vercel/og users
 * know) and must feed two engines. Both accept plain `{ type, props }` trees, so this factory
 * produces exactly that: function components are called eagerly and children are flattened, so
 * the tree that reaches an engine holds only intrinsic elements, strings and numbers. That keeps
 * the two engines' inputs identical and makes trees cheap to build (no React dependency).
 */

export type Style = Record<string, string | number | undefined>;

export interface TemplateElement {
  type: string;
  props: { style?: Style; children?: TemplateNode[] | TemplateNode; [key: string]: unknown };
}

export type TemplateNode = TemplateElement | string | number;
type Child = TemplateNode | null | undefined | boolean | Child[];

type Component<P> = (props: P & { children?: Child }) => TemplateElement;

/**
 * Flattens children and drops what renders as nothing — including empty strings, which the two
 * engines treat differently (takumi turns `<div style={{height: 32}}>{''}</div>` into a text node
 * of no height, satori keeps the box), so `{x ?? ''}` in a template means the same on both.
 */
function flatten(children: Child[], out: TemplateNode[] = []): TemplateNode[] {
  for (const child of children) {
    if (child === null || child === undefined || typeof child === 'boolean' || child === '') continue;
    if (Array.isArray(child)) flatten(child, out);
    else out.push(child);
  }
  return out;
}

export function h<P extends Record<string, unknown>>(type: string | Component<P>, props: P | null, ...children: Child[]): TemplateElement {
  const flat = flatten(children);
  if (typeof type === 'function') {
    return type({ ...(props ?? ({} as P)), children: flat.length === 1 ? flat[0] : flat });
  }
  const element: TemplateElement = { type, props: { ...(props ?? {}) } };
  if (flat.length === 1) element.props.children = flat[0];
  else if (flat.length > 1) element.props.children = flat;
  return element;
}

/** The families a CSS `font-family` value names, quotes removed. */
export function familyNames(value: string): string[] {
  return value
    .split(',')
    .map((f) =>
      f
        .trim()
        .replace(/^(['"])(.*)\1$/, '$2')
        .trim(),
    )
    .filter(Boolean);
}

/**
 * The tree with families replaced in every `fontFamily` list (`names`: lower-case family → the
 * family to draw instead): a template's house font swapped for a caller's (`font_family`), or the
 * uploaded families a user template names swapped for the names their faces are registered under.
 */
export function withFamilies(node: TemplateElement, names: ReadonlyMap<string, string>): TemplateElement {
  const style = node.props.style;
  let swapped = style;
  if (typeof style?.fontFamily === 'string') {
    const list = familyNames(style.fontFamily).map((f) => names.get(f.toLowerCase()) ?? f);
    swapped = { ...style, fontFamily: list.map((f) => (/^[A-Za-z-]+$/.test(f) ? f : `"${f}"`)).join(', ') };
  }
  const children = node.props.children;
  const swap = (c: TemplateNode): TemplateNode => (typeof c === 'object' ? withFamilies(c, names) : c);
  return {
    ...node,
    props: {
      ...node.props,
      ...(swapped ? { style: swapped } : {}),
      ...(children === undefined ? {} : { children: Array.isArray(children) ? children.map(swap) : swap(children) }),
    },
  };
}

export function Fragment(props: { children?: Child }): TemplateElement {
  // Engines need one root per container; a fragment becomes a transparent flex row.
  return h('div', { style: { display: 'flex' } }, props.children as Child);
}

declare global {
  namespace JSX {
    type Element = TemplateElement;
    interface IntrinsicElements {
      div: { style?: Style; children?: Child; key?: string | number };
      span: { style?: Style; children?: Child; key?: string | number };
      img: { src: string; width?: number; height?: number; style?: Style; alt?: string };
      svg: { width?: number | string; height?: number | string; viewBox?: string; fill?: string; style?: Style; children?: Child; xmlns?: string };
      path: { d: string; fill?: string; stroke?: string; 'stroke-width'?: number | string; 'fill-rule'?: string };
      circle: { cx: number; cy: number; r: number; fill?: string; stroke?: string };
    }
    interface ElementChildrenAttribute {
      children: unknown;
    }
  }
}
