/**
 * The certificate's layout as a pure function: the recipient's name shrinks, then wraps, then is
 * cut; the signature row holds the date and each signatory; the slack is never negative. Text is
 * measured by a fixed-advance stand-in, so no fonts are needed.
 */
import { describe, expect, it } from 'vitest';
import certificate from '../../../templates/certificate';
import { layoutCertificate } from '../../../templates/certificate/layout';
import type { Vars } from '../../../templates/certificate/schema';

const measure = (s: string, size: number) => Array.from(s).length * size * 0.5;
const A4_LANDSCAPE = { width: (841.89 * 4) / 3, height: (595.28 * 4) / 3 };
const parse = (extra: Partial<Vars>) => certificate.vars.parse({ ...certificate.example, ...extra }) as Vars;

describe('layoutCertificate', () => {
  it('sets a short name on one line at the largest size', () => {
    const L = layoutCertificate(parse({}), A4_LANDSCAPE, measure);
    expect(L.name.lines).toEqual(['Amelia Hartmann']);
    expect(L.name.fontSize).toBe(56);
    expect(L.name.lineHeight).toBe(Math.round(56 * 1.2));
    expect(L.signatures.map((s) => s.name[0])).toEqual(['Mar 4, 2026', 'Dana Okafor', 'Jonas Weber']);
    expect(L.idText).toBe('Certificate ID: PSA-2026-0314-7F3K');
    expect(L.slack).toBeGreaterThan(0);
    expect(L.slackTop).toBe(Math.floor(L.slack / 3));
  });

  it('wraps a long name onto more lines at a smaller size, and never lets the slack go negative', () => {
    const L = layoutCertificate(parse({ recipient: 'Maximiliana '.repeat(10).trim(), description: 'word '.repeat(80).trim() }), A4_LANDSCAPE, measure);
    expect(L.name.lines.length).toBeGreaterThan(1);
    expect(L.name.fontSize).toBeLessThan(56);
    expect(L.description.length).toBeLessThanOrEqual(3);
    expect(L.slack).toBeGreaterThanOrEqual(0);
  });

  it('has no id line without an id, and one signature slot per signatory after the date', () => {
    const L = layoutCertificate(parse({ certificate_id: undefined, signatures: [] }), A4_LANDSCAPE, measure);
    expect(L.idText).toBeUndefined();
    expect(L.idH).toBe(0);
    expect(L.signatures).toHaveLength(1);
    expect(L.signatures[0]!.role).toEqual(['Date of issue']);
  });
});
