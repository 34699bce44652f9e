import type { D1Migration } from 'cloudflare:test';
import type { AppEnv } from '../src/env';

/**
 * What `env` from `cloudflare:test` holds. The bindings and vars of wrangler.toml come typed from
 * the generated worker-configuration.d.ts (`npm run cf-typegen`); AppEnv adds what wrangler.toml
 * cannot name (the secrets, the optional vars), minus what the generated type already has, since an
 * interface may not extend two types that disagree on a property (`Queue` there, `Queue<RenderJobMessage>`
 * in AppEnv); then the bindings only vitest.config.ts adds.
 */
type GeneratedBindings = keyof Env;

declare global {
  namespace Cloudflare {
    interface Env extends Omit<AppEnv, GeneratedBindings> {
      TEST_MIGRATIONS: D1Migration[];
      TEST_IMAGE_ORIGIN: string;
      SCHEMA_CHECK_DB: D1Database;
      MIGRATION_CHECK_DB: D1Database;
      EMPTY_FONTS: R2Bucket;
    }
  }
}

declare module 'vitest' {
  interface ProvidedContext {
    imageOrigin: string;
    upstashUrl: string;
    upstashToken: string;
  }
}
