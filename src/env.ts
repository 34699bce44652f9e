/** Bindings and vars of the Worker (see wrangler.toml). */
export interface RenderJobMessage {
  renderId: string;
}

export interface AppEnv {
  DB: D1Database;
  OUTPUT: R2Bucket;
  RENDER_JOBS: Queue<RenderJobMessage>;
  PUBLIC_BASE_URL: string;
  DEFAULT_ENGINE: string;
  REMOTE_IMAGE_INSECURE_HOSTS: string;
  RENDER_MAX_ATTEMPTS: string;
}
