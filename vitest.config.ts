import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Every test runs inside workerd with real D1, R2 and Queue simulators (wrangler.toml bindings).
export default defineConfig({
  plugins: [
    cloudflareTest(async ({ inject }) => {
      const migrations = await readD1Migrations(path.join(__dirname, 'migrations'));
      const imageOrigin = inject<string>('imageOrigin');
      return {
        main: './src/index.ts',
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_IMAGE_ORIGIN: imageOrigin,
            // The local image server is plain http on localhost; only tests and `npm run dev` allow that.
            REMOTE_IMAGE_INSECURE_HOSTS: 'localhost',
            RENDER_MAX_ATTEMPTS: '4',
          },
          // A second, empty database: the schema drift test applies schema.sql to it.
          d1Databases: { DB: 'picstream-test', SCHEMA_CHECK_DB: 'picstream-schema-check' },
        },
      };
    }),
  ],
  test: {
    globalSetup: ['./test/global-setup.ts'],
    setupFiles: ['./test/apply-migrations.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
