import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        // Unit and integration tests inside workerd with real D1, R2 and Queue simulators.
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            main: './src/index.ts',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations(path.join(import.meta.dirname, 'migrations')),
                TEST_IMAGE_ORIGIN: inject<string>('imageOrigin'),
                // The local image server is plain http on localhost; only tests and `npm run dev` allow that.
                REMOTE_IMAGE_INSECURE_HOSTS: 'localhost',
                RENDER_MAX_ATTEMPTS: '4',
                // signs the private file URLs (test/routes/files.test.ts signs its own with it)
                FILE_SIGNING_SECRET: 'test-file-signing-secret-0123456789abcdefghijklmnop',
                // webhook retries compressed for the end-to-end tests; the published schedule is asserted
                // on the delays the consumer asks for (test/webhooks/delivery.test.ts)
                WEBHOOK_RETRY_SCHEDULE: '0s,0s,0s,0s,0s,0s,0s',
                // the rate limiter talks to a real redis-server through an Upstash-REST server (global setup)
                UPSTASH_REDIS_REST_URL: inject<string>('upstashUrl'),
                UPSTASH_REDIS_REST_TOKEN: inject<string>('upstashToken'),
                // requests without CF-Connecting-IP share one address, so the per-address limit on failed
                // authentications would throttle every 401 test together; test/ratelimit/unauthenticated.test.ts
                // turns it on (the wrangler.toml value) with an address of its own per test
                AUTH_FAILURE_RATE_LIMIT: 'off',
                // the latency model on, with no wait: every request reports its round trips to the
                // primary region in Server-Timing, which the hot-path tests assert (src/lib/region.ts)
                SIMULATED_RTT_MS: '0',
              },
              // Empty databases: the schema drift test applies schema.sql to one, the migration test
              // applies the migrations one at a time to the other, with rows in between.
              // FONTS is seeded by test/seed-fonts.ts; EMPTY_FONTS stands for a deployment that never ran seed:fonts
              r2Buckets: { OUTPUT: 'picstream-output', FONTS: 'picstream-fonts', EMPTY_FONTS: 'picstream-empty-fonts' },
              d1Databases: { DB: 'picstream-test', SCHEMA_CHECK_DB: 'picstream-schema-check', MIGRATION_CHECK_DB: 'picstream-migration-check' },
            },
          })),
        ],
        test: {
          name: 'workers',
          // projects do not inherit the root's test options
          testTimeout: 30_000,
          hookTimeout: 120_000,
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/tools/**'],
          globalSetup: ['./test/global-setup.ts'],
          setupFiles: ['./test/apply-migrations.ts', './test/seed-fonts.ts', './test/conformance-setup.ts'],
        },
      },
      {
        // Node-side checks of committed artefacts with outside tools (the OpenAPI validators).
        test: {
          name: 'tools',
          testTimeout: 60_000,
          environment: 'node',
          include: ['test/tools/**/*.test.ts'],
        },
      },
      {
        // End to end: the real `npm run dev` (wrangler dev) driven over HTTP from Node.
        test: {
          name: 'e2e',
          testTimeout: 30_000,
          hookTimeout: 120_000,
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['./test/e2e/start-dev.ts'],
          setupFiles: ['./test/e2e/conformance-setup.ts'],
        },
      },
    ],
  },
});
