/**
 * The deployment's settings (src/config.ts): each var's default and parsing, the fallbacks of the
 * tolerant ones (a malformed value is the default), the strict ones failing only where they are
 * read, and one parse per env object.
 */
import { describe, expect, it, vi } from 'vitest';
import { type ConfigSource, config } from '../src/config';
import { DEFAULT_PLANS } from '../src/quota/plans';
import { REMOTE_IMAGE_LIMITS } from '../src/render/images/remote-images';

const DAY_MS = 24 * 3600_000;

describe('config: defaults', () => {
  it('an env with no vars gets the published defaults', () => {
    const c = config({});
    expect(c.publicBaseUrl).toBe('');
    expect(c.defaultEngine).toBe('takumi');
    expect(c.remoteImages).toEqual({ ...REMOTE_IMAGE_LIMITS, insecureHosts: new Set() });
    expect(c.outbound).toEqual({ insecureHosts: new Set() });
    expect(c.renderMaxAttempts).toBe(4);
    expect(c.limiter).toEqual({ url: undefined, token: undefined, timeoutMs: 200 });
    expect(c.signupLimit).toBeNull();
    expect(c.authFailureLimit).toEqual({ name: 'auth_failures', requests: 30, windowSeconds: 60 });
    expect(c.plans).toBe(DEFAULT_PLANS);
    expect(c.webhookRetrySchedule).toEqual([5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    expect(c.webhookTimeoutMs).toBe(15_000);
    expect(c.retention).toEqual({ renderMs: 30 * DAY_MS, testRenderMs: 7 * DAY_MS, templateVersionsKept: 20 });
    expect(c.idempotencySecret).toBeUndefined();
    expect(c.fileSigningSecret).toBeNull();
    expect(c.fileSigningSecretPrevious).toBeNull();
  });
});

describe('config: each var', () => {
  it('PUBLIC_BASE_URL, IDEMPOTENCY_SECRET as given', () => {
    const c = config({ PUBLIC_BASE_URL: 'https://img.example', IDEMPOTENCY_SECRET: 's3cret' });
    expect(c.publicBaseUrl).toBe('https://img.example');
    expect(c.idempotencySecret).toBe('s3cret');
  });

  it.each([
    ['satori', 'satori'],
    ['takumi', 'takumi'],
    ['an engine we do not have', 'chromium'],
    ['empty', ''],
  ])('DEFAULT_ENGINE %s', (_, value) => {
    expect(config({ DEFAULT_ENGINE: value }).defaultEngine).toBe(value === 'satori' ? 'satori' : 'takumi');
  });

  it('REMOTE_IMAGE_INSECURE_HOSTS: comma-separated, trimmed, lower-cased; the same policy for remote images and webhooks', () => {
    const c = config({ REMOTE_IMAGE_INSECURE_HOSTS: ' LocalHost , 127.0.0.1,' });
    expect(c.outbound.insecureHosts).toEqual(new Set(['localhost', '127.0.0.1']));
    expect(c.remoteImages.insecureHosts).toBe(c.outbound.insecureHosts);
    expect(c.remoteImages).toMatchObject(REMOTE_IMAGE_LIMITS);
    expect(c.remoteImages).not.toHaveProperty('cache');
  });

  it.each([
    ['unset', undefined, 4, 200, 15_000],
    ['empty', '', 4, 200, 15_000],
    ['not a number', 'soon', 4, 200, 15_000],
    ['zero', '0', 4, 200, 15_000],
    ['negative', '-50', 4, 200, 15_000],
    ['a number', '350', 350, 350, 350],
    ['a fraction, to a whole number', '12.7', 12, 12, 12],
    ['with a unit after it', '500ms', 500, 500, 500],
    ['past the 15 s most a webhook receiver gets', '20000', 20_000, 20_000, 15_000],
  ])('RENDER_MAX_ATTEMPTS, RATE_LIMIT_TIMEOUT_MS, WEBHOOK_TIMEOUT_MS %s', (_, value, attempts, timeoutMs, webhookMs) => {
    const c = config({ RENDER_MAX_ATTEMPTS: value, RATE_LIMIT_TIMEOUT_MS: value, WEBHOOK_TIMEOUT_MS: value });
    expect(c.renderMaxAttempts).toBe(attempts);
    expect(c.limiter.timeoutMs).toBe(timeoutMs);
    expect(c.webhookTimeoutMs).toBe(webhookMs);
  });

  it('UPSTASH_REDIS_REST_URL and _TOKEN pass on; empty ones are none (the limiter then counts in memory)', () => {
    expect(config({ UPSTASH_REDIS_REST_URL: 'https://redis.example', UPSTASH_REDIS_REST_TOKEN: 't0ken' }).limiter).toEqual({
      url: 'https://redis.example',
      token: 't0ken',
      timeoutMs: 200,
    });
    expect(config({ UPSTASH_REDIS_REST_URL: '', UPSTASH_REDIS_REST_TOKEN: '' }).limiter).toEqual({ url: undefined, token: undefined, timeoutMs: 200 });
  });

  it('SIGNUP_RATE_LIMIT: a policy, or null when off', () => {
    expect(config({ SIGNUP_RATE_LIMIT: '10/1h' }).signupLimit).toEqual({ name: 'signup', requests: 10, windowSeconds: 3600 });
    expect(config({ SIGNUP_RATE_LIMIT: 'off' }).signupLimit).toBeNull();
  });

  it.each([
    ['a policy', '5/1h', { name: 'auth_failures', requests: 5, windowSeconds: 3600 }],
    ['off', 'off', null],
    ['empty: the default', '', { name: 'auth_failures', requests: 30, windowSeconds: 60 }],
  ])('AUTH_FAILURE_RATE_LIMIT %s', (_, value, expected) => {
    expect(config({ AUTH_FAILURE_RATE_LIMIT: value }).authFailureLimit).toEqual(expected);
  });

  it('PLANS merged over the defaults', () => {
    const pro = { monthly_quota: 50_000, rate_limit: { requests: 600, window_seconds: 60 } };
    expect(config({ PLANS: JSON.stringify({ pro }) }).plans).toEqual({ ...DEFAULT_PLANS, pro });
  });

  it('WEBHOOK_RETRY_SCHEDULE replaces the schedule', () => {
    expect(config({ WEBHOOK_RETRY_SCHEDULE: '1s, 2s,1m' }).webhookRetrySchedule).toEqual([1, 2, 60]);
  });

  it('the retention vars, in days (records) and versions', () => {
    const c = config({ RENDER_RETENTION_DAYS: '90', TEST_RENDER_RETENTION_DAYS: ' 1 ', TEMPLATE_VERSIONS_KEPT: '1000' });
    expect(c.retention).toEqual({ renderMs: 90 * DAY_MS, testRenderMs: DAY_MS, templateVersionsKept: 1000 });
  });

  it('the file-signing secrets: only one of 32 characters or more counts', () => {
    const long = 'x'.repeat(32);
    expect(config({ FILE_SIGNING_SECRET: long, FILE_SIGNING_SECRET_PREVIOUS: 'y'.repeat(40) })).toMatchObject({
      fileSigningSecret: long,
      fileSigningSecretPrevious: 'y'.repeat(40),
    });
    expect(config({ FILE_SIGNING_SECRET: 'x'.repeat(31), FILE_SIGNING_SECRET_PREVIOUS: '' })).toMatchObject({
      fileSigningSecret: null,
      fileSigningSecretPrevious: null,
    });
  });
});

describe('config: malformed values', () => {
  it('a malformed AUTH_FAILURE_RATE_LIMIT is logged and the default used (it is read on every request)', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(config({ AUTH_FAILURE_RATE_LIMIT: 'thirty a minute' }).authFailureLimit).toEqual({ name: 'auth_failures', requests: 30, windowSeconds: 60 });
      expect(log).toHaveBeenCalledWith(expect.stringContaining('AUTH_FAILURE_RATE_LIMIT "thirty a minute" cannot be read'));
    } finally {
      log.mockRestore();
    }
  });

  it.each<[string, ConfigSource, keyof ReturnType<typeof config>, RegExp | ErrorConstructor]>([
    ['SIGNUP_RATE_LIMIT', { SIGNUP_RATE_LIMIT: '10 per hour' }, 'signupLimit', /is not like 10\/1h/],
    ['PLANS against its schema', { PLANS: JSON.stringify({ p: { monthly_quota: -1 } }) }, 'plans', /PLANS is not valid/],
    ['PLANS that is not JSON', { PLANS: '{free:' }, 'plans', SyntaxError],
    ['WEBHOOK_RETRY_SCHEDULE', { WEBHOOK_RETRY_SCHEDULE: '5s,soon' }, 'webhookRetrySchedule', /WEBHOOK_RETRY_SCHEDULE step "soon"/],
    ['WEBHOOK_RETRY_SCHEDULE past 12 h', { WEBHOOK_RETRY_SCHEDULE: '13h' }, 'webhookRetrySchedule', /longer than 12 h/],
    ['RENDER_RETENTION_DAYS', { RENDER_RETENTION_DAYS: 'a month' }, 'retention', /RENDER_RETENTION_DAYS is not valid/],
    ['TEST_RENDER_RETENTION_DAYS', { TEST_RENDER_RETENTION_DAYS: '0' }, 'retention', /from 1 to 3650/],
    ['TEMPLATE_VERSIONS_KEPT', { TEMPLATE_VERSIONS_KEPT: '1001' }, 'retention', /TEMPLATE_VERSIONS_KEPT is not valid/],
  ])('a malformed %s fails what reads it, every time, and nothing else', (_, env, setting, error) => {
    const c = config(env);
    expect(() => c[setting]).toThrow(error);
    expect(() => c[setting]).toThrow(error);
    expect(c.limiter.timeoutMs).toBe(200);
    expect(c.authFailureLimit).not.toBeNull();
  });
});

describe('config: parsed once per env', () => {
  it('the same object for the same env, or another env with the same values; other values are parsed on their own', () => {
    const env = { PLANS: JSON.stringify({ pro: DEFAULT_PLANS.free }) };
    const first = config(env);
    expect(config(env)).toBe(first);
    expect(config(env).plans).toBe(first.plans);
    expect(config(env).retention).toBe(first.retention);
    expect(config({ ...env })).toBe(first);
    const other = config({ ...env, RENDER_MAX_ATTEMPTS: '2' });
    expect(other).not.toBe(first);
    expect(other.renderMaxAttempts).toBe(2);
    expect(config(env)).toBe(first);
  });
});
