/**
 * Plans (src/quota/plans.ts): the defaults, the PLANS var merged over them (src/config.ts parses
 * it once per isolate), what a bad PLANS does, and the free plan for a name no longer known.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLANS, parsePlans, planFor, SIGNUP_PLAN } from '../../src/quota/plans';

const pro = { monthly_quota: 50_000, rate_limit: { requests: 600, window_seconds: 60 } };

describe('plans', () => {
  it('the free plan: 1,000 renders a month, 60 requests a minute; sign-ups get it', () => {
    expect(DEFAULT_PLANS.free).toEqual({ monthly_quota: 1000, rate_limit: { requests: 60, window_seconds: 60 } });
    expect(SIGNUP_PLAN).toBe('free');
    expect(DEFAULT_PLANS).toHaveProperty(SIGNUP_PLAN);
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['blank', ' \n '],
  ])('PLANS %s → the defaults', (_, override) => {
    expect(parsePlans(override)).toEqual(DEFAULT_PLANS);
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['adds a plan', JSON.stringify({ pro }), { ...DEFAULT_PLANS, pro }],
    ['replaces the free plan', JSON.stringify({ free: pro }), { free: pro }],
    ['an empty object changes nothing', '{}', DEFAULT_PLANS],
    [
      'a zero quota is a plan (nothing metered goes through)',
      JSON.stringify({ none: { ...pro, monthly_quota: 0 } }),
      { ...DEFAULT_PLANS, none: { ...pro, monthly_quota: 0 } },
    ],
  ])('PLANS %s', (_, override, expected) => {
    expect(parsePlans(override)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ['a negative quota', { p: { ...pro, monthly_quota: -1 } }],
    ['a fractional quota', { p: { ...pro, monthly_quota: 1.5 } }],
    ['no rate limit', { p: { monthly_quota: 10 } }],
    ['zero requests', { p: { ...pro, rate_limit: { requests: 0, window_seconds: 60 } } }],
    ['a window over a day', { p: { ...pro, rate_limit: { requests: 1, window_seconds: 86_401 } } }],
    ['a number for a plan', { p: 5 }],
    ['a list', [pro]],
  ])('PLANS with %s is refused at once, naming the var', (_, value) => {
    expect(() => parsePlans(JSON.stringify(value))).toThrow(/PLANS is not valid/);
  });

  it('PLANS that is not JSON is refused (a SyntaxError, the var not named)', () => {
    expect(() => parsePlans('{free:')).toThrow(SyntaxError);
  });
});

describe('planFor', () => {
  it.each([
    ['a default plan', 'free', undefined, DEFAULT_PLANS.free],
    ['a plan PLANS adds', 'pro', JSON.stringify({ pro }), pro],
    ['a plan this deployment no longer knows → the free plan', 'enterprise', undefined, DEFAULT_PLANS.free],
    ['… the free plan as PLANS sets it', 'enterprise', JSON.stringify({ free: pro }), pro],
  ])('%s', (_, name, override, expected) => {
    expect(planFor(parsePlans(override), name)).toEqual(expected);
  });
});
