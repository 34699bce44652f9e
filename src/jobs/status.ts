/**
 * Looking up a caller's render: finished renders from this isolate's memo, the rest from D1.
 * Another account's render is answered exactly like a missing one.
 */
import { getRender, type RenderRow } from '../db/renders';
import type { AppEnv } from '../env';
import { finishedKey, finishedRenders, rememberIfFinished } from './memo';

export async function findRender(env: AppEnv, id: string, accountId: string): Promise<RenderRow | null> {
  const known = finishedRenders.get(finishedKey(accountId, id));
  if (known) return known;
  if (!id.startsWith('rnd_')) return null;
  const row = await getRender(env.DB, id);
  rememberIfFinished(row);
  return row?.account_id === accountId ? row : null;
}
