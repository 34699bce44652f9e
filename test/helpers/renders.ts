/** Render records made as the routes make them, for tests that must hold the queue out of the way. */
import { env } from 'cloudflare:test';
import { config } from '../../src/config';
import { familyFaces } from '../../src/db/fonts';
import { insertRender } from '../../src/db/renders';
import { newId } from '../../src/lib/ids';
import { currentPeriod } from '../../src/quota/period';
import { prepareImage } from '../../src/renders/build-job';
import { accountTemplates } from '../../src/renders/resolve';
import { defaultAccount, type TestAccount } from './api';

/**
 * A pending job that no queue message points at (so the live consumer cannot race the test),
 * recorded exactly as the async route records one — charging `units` to the account's quota
 * through the same reservation when asked.
 */
export async function unqueuedPendingRow(
  options: { account?: TestAccount; units?: number; title?: string; template?: string; vars?: Record<string, unknown> } = {},
): Promise<string> {
  const account = options.account ?? (await defaultAccount());
  const prepared = await prepareImage(
    { template: options.template ?? 'og-card', vars: options.vars ?? { title: options.title ?? `Job ${crypto.randomUUID()}` }, format: 'png', scale: 1 },
    {
      policy: config({}).remoteImages,
      defaultEngine: config(env).defaultEngine,
      fonts: { lookup: (family) => familyFaces(env.DB, account.id, family) },
      templates: accountTemplates(env.DB, account.id),
    },
  );
  const id = newId('rnd');
  const inserted = await insertRender(
    env.DB,
    {
      id,
      type: 'image',
      template: prepared.job.template.id,
      template_version: prepared.job.template.version,
      engine: prepared.job.engine,
      format: prepared.job.format,
      width: prepared.job.width,
      height: prepared.job.height,
      scale: prepared.job.scale,
      vars: prepared.varsJson,
      cache_key: prepared.cacheKey,
      object_key: prepared.objectKey,
      created_at: new Date().toISOString(),
      account_id: account.id,
      key_id: null,
      mode: 'live',
      units: options.units ?? 0,
      quota_period: currentPeriod().period,
      pages: null,
      font_faces: prepared.job.fonts ? JSON.stringify(prepared.job.fonts.map((f) => f.id)) : null,
      font_family: prepared.job.fontFamily ?? null,
    },
    null,
    1000,
  );
  if (!inserted) throw new Error('quota exhausted');
  return id;
}
