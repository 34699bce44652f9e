/**
 * Per-isolate memos on the hot paths. Outputs are content-addressed and immutable, and a render
 * that has finished never changes, so remembering them spares an R2 HEAD on every cache hit and a
 * D1 read on every poll of a finished render — the two paths that should cost no more than the
 * HTTP stack itself. Both are bounded by bytes (lib/caches.ts): a row is as large as its `vars`,
 * which a caller chooses, so a row over 16 KB is not kept (its polls read D1).
 */
import type { RenderRow } from '../db/renders';
import { BoundedMap } from '../lib/bounded-map';
import { ENTRY_OVERHEAD_BYTES, stringBytes } from '../lib/caches';

/** Object key → size in bytes, for outputs known to be in R2. */
export const storedOutputs = new BoundedMap<string, number>(10_000, 10 * 60_000, {
  name: 'stored outputs',
  sizeOf: (key) => stringBytes(key) + 8 + ENTRY_OVERHEAD_BYTES,
});

/** A row as the memo holds it: its JSON text's size, twice (the key and the object's strings). */
export const rowBytes = (key: string, row: RenderRow): number => stringBytes(key) + stringBytes(JSON.stringify(row)) + ENTRY_OVERHEAD_BYTES;

/**
 * `account:render id` → row, for renders that are complete or failed. Keyed by owner too, so that
 * asking for another account's render misses here and costs the same D1 read a missing id does.
 */
export const finishedRenders = new BoundedMap<string, RenderRow>(10_000, 60 * 60_000, {
  name: 'finished renders',
  sizeOf: rowBytes,
  maxEntryBytes: 16 * 1024,
});

export function finishedKey(accountId: string | null, id: string): string {
  return `${accountId ?? ''}:${id}`;
}

export function rememberIfFinished(row: RenderRow | null): void {
  if (row && (row.status === 'complete' || row.status === 'failed')) finishedRenders.set(finishedKey(row.account_id, row.id), row);
  if (row?.status === 'complete' && row.object_key && row.bytes !== null) storedOutputs.set(row.object_key, row.bytes);
}
