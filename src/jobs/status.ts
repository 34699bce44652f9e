/**
 * Looking up a caller's render: finished renders from this isolate's memo, the rest from D1.
 * Another account's render, and a render of the other key mode (a live render asked for with a
 * test key, or the reverse), is answered exactly like a missing one: test data and live data are
 * kept apart both ways (README "Key modes"). Records from before key modes (mode null) are live.
 */
import type { KeyMode } from '../auth/keys';
import { getRender, type RenderRow } from '../db/renders';
import type { Bindings } from '../env';
import { finishedKey, finishedRenders, rememberIfFinished } from './memo';

export interface RenderReader {
  accountId: string;
  mode: KeyMode;
}

/** The mode a render was made in. */
export function renderMode(row: Pick<RenderRow, 'mode'>): KeyMode {
  return row.mode ?? 'live';
}

export async function findRender(env: Bindings, id: string, reader: RenderReader): Promise<RenderRow | null> {
  const known = finishedRenders.get(finishedKey(reader.accountId, id));
  if (known && renderMode(known) === reader.mode) return known;
  if (!id.startsWith('rnd_')) return null;
  // the other mode's render, even one remembered here, costs the D1 read a missing id does
  const row = await getRender(env.DB, id);
  rememberIfFinished(row);
  return row && row.account_id === reader.accountId && renderMode(row) === reader.mode ? row : null;
}
