/**
 * The limiter's settings from the Worker's vars (src/ratelimit/config.ts): the policy syntax of
 * SIGNUP_RATE_LIMIT and AUTH_FAILURE_RATE_LIMIT ("10/1h", "off"), and the Redis endpoint and
 * timeout, a missing or unusable timeout falling back to 200 ms.
 */
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/env';
import { limiterConfig, parsePolicy } from '../../src/ratelimit/config';

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

/** Only the vars limiterConfig reads; the rest of the env plays no part. */
function env(vars: Partial<Pick<AppEnv, 'UPSTASH_REDIS_REST_URL' | 'UPSTASH_REDIS_REST_TOKEN' | 'RATE_LIMIT_TIMEOUT_MS'>>): AppEnv {
  return { RATE_LIMIT_TIMEOUT_MS: '', ...vars } as AppEnv;
}

describe('limiterConfig', () => {
  it.each([
    ['unset', undefined, 200],
    ['empty', '', 200],
    ['not a number', 'soon', 200],
    ['zero', '0', 200],
    ['negative', '-50', 200],
    ['a number', '350', 350],
    ['a fraction, to whole ms', '12.7', 12],
    ['with a unit after it', '500ms', 500],
  ])('RATE_LIMIT_TIMEOUT_MS %s → %i ms', (_, value, timeoutMs) => {
    expect(limiterConfig(env({ RATE_LIMIT_TIMEOUT_MS: value as string })).timeoutMs).toBe(timeoutMs);
  });

  it('passes the Upstash endpoint and token on; empty ones are none (the limiter then counts in memory)', () => {
    expect(limiterConfig(env({ UPSTASH_REDIS_REST_URL: 'https://redis.example', UPSTASH_REDIS_REST_TOKEN: 't0ken' }))).toEqual({
      url: 'https://redis.example',
      token: 't0ken',
      timeoutMs: 200,
    });
    expect(limiterConfig(env({ UPSTASH_REDIS_REST_URL: '', UPSTASH_REDIS_REST_TOKEN: '' }))).toEqual({ url: undefined, token: undefined, timeoutMs: 200 });
    expect(limiterConfig(env({}))).toEqual({ url: undefined, token: undefined, timeoutMs: 200 });
  });
});
