import type { D1Migration } from 'cloudflare:test';
import type { Bindings } from '../src/env';

/**
 * What `env` from `cloudflare:test` holds. `Cloudflare.Env` is already the generated type of
 * wrangler.toml (worker-configuration.d.ts, `npm run cf-typegen`); to it come what `Bindings`
 * (src/env.ts) adds — the secrets, the optional vars — minus the names the generated type has,
 * since an interface may not extend two types that disagree on a property (`Queue` there,
 * `Queue<RenderJobMessage>` in Bindings); then the bindings only vitest.config.ts adds.
 */
type GeneratedBindings = keyof Env;

declare global {
  namespace Cloudflare {
    interface Env extends Omit<Bindings, GeneratedBindings> {
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
