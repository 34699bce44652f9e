/** Looking up a render: finished renders from this isolate's memo, the rest from D1. */
import { getRender, type RenderRow } from '../db/renders';
import type { AppEnv } from '../env';
import { finishedRenders, rememberIfFinished } from './memo';

export async function findRender(env: AppEnv, id: string): Promise<RenderRow | null> {
  const known = finishedRenders.get(id);
  if (known) return known;
  if (!id.startsWith('rnd_')) return null;
  const row = await getRender(env.DB, id);
  rememberIfFinished(row);
  return row;
}
