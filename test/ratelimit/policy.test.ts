/**
 * The policy syntax of SIGNUP_RATE_LIMIT and AUTH_FAILURE_RATE_LIMIT (src/ratelimit/policy.ts):
 * "10/1h", "off". The limiter's Redis endpoint and timeout are in test/config.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/ratelimit/policy';

describe('parsePolicy', () => {
  it.each([
    ['10/1h', 10, 3_600],
    ['30/1m', 30, 60],
    ['5/30s', 5, 30],
    ['1000/1d', 1000, 86_400],
    ['2/12h', 2, 43_200],
    ['  10/1h  ', 10, 3_600],
  ])('%j → %i requests per %i s', (value, requests, windowSeconds) => {
    expect(parsePolicy('signup', value)).toEqual({ name: 'signup', requests, windowSeconds });
  });

  it.each([
    ['off', 'off'],
    ['empty', ''],
    ['blank', '   '],
    ['unset', undefined],
  ])('%s → no policy (the throttle is off)', (_, value) => {
    expect(parsePolicy('signup', value)).toBeNull();
  });

  it.each(['OFF', '10/h', '10 per hour', '10/1w', '-1/1m', '1.5/1m', '10/1.5h', '10/1H', '/1h', '10', '10/1h/2'])(
    '%j is refused, saying what it should look like',
    (value) => {
      expect(() => parsePolicy('signup', value)).toThrow(/is not like 10\/1h/);
    },
  );
});
