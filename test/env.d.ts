import type { D1Migration } from 'cloudflare:test';
import type { AppEnv } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends AppEnv {
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
