/**
 * Per-isolate memos on the hot paths. Outputs are content-addressed and immutable, and a render
 * that has finished never changes, so remembering them spares an R2 HEAD on every cache hit and a
 * D1 read on every poll of a finished render — the two paths that should cost no more than the
 * HTTP stack itself.
 */
import type { RenderRow } from '../db/renders';
import { BoundedMap } from '../lib/bounded-map';

/** Object key → size in bytes, for outputs known to be in R2. */
export const storedOutputs = new BoundedMap<string, number>(10_000, 10 * 60_000);

/**
 * `account:render id` → row, for renders that are complete or failed. Keyed by owner too, so that
 * asking for another account's render misses here and costs the same D1 read a missing id does.
 */
export const finishedRenders = new BoundedMap<string, RenderRow>(10_000, 60 * 60_000);

export function finishedKey(accountId: string | null, id: string): string {
  return `${accountId ?? ''}:${id}`;
}

export function rememberIfFinished(row: RenderRow | null): void {
  if (row && (row.status === 'complete' || row.status === 'failed')) finishedRenders.set(finishedKey(row.account_id, row.id), row);
  if (row?.status === 'complete' && row.object_key && row.bytes !== null) storedOutputs.set(row.object_key, row.bytes);
}
