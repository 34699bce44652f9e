/** Prefixed, time-sortable ids: `rnd_01J…`, `acc_…`, `key_…` (ULID). */
import { monotonicFactory } from 'ulid';

// monotonic: ids made in the same millisecond still sort in the order they were made
const ulid = monotonicFactory();

export type IdPrefix = 'rnd' | 'req' | 'acc' | 'key' | 'whe' | 'msg' | 'fnt' | 'tpl' | 'qls' | 'usk';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid()}`;
}
