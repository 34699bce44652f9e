/** Prefixed, time-sortable ids: `rnd_01J…` (ULID). */
import { ulid } from 'ulid';

export type IdPrefix = 'rnd' | 'req';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid()}`;
}
