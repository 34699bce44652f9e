/**
 * Every per-isolate cache, in one place, with what it may cost and why it may be stale.
 *
 * A Worker isolate has 128 MB for its JS heap and its WASM memories together, and one isolate
 * serves many tenants, so nothing kept between requests may grow with what callers send. Each
 * cache below is bounded by bytes (estimated honestly: a string costs 2 bytes a character, a buffer
 * its byteLength, a row its JSON size, plus a small per-entry overhead) and registers itself here
 * when its module loads; `cacheBytes()` sums what they hold now, and `trimCaches` makes them give
 * up their oldest entries when the WASM memories need the room (lib/isolate-memory.ts). The WASM
 * memories only ever grow; see wasm-memory.ts and README "Memory".
 */

/** What the isolate may hold between requests, JS caches and WASM memories together. */
export const ISOLATE_BUDGET_BYTES = 96 * 1024 * 1024;
/** The JS caches' share of it: the sum of every budget below stays under this (checked at load). */
export const CACHES_BUDGET_BYTES = 48 * 1024 * 1024;

/** Per-entry overhead of a Map entry with its small wrapper object (key pointer, value, time). */
export const ENTRY_OVERHEAD_BYTES = 64;

/** Bytes of a string as V8 may hold it (two-byte strings; one-byte ones cost half). */
export const stringBytes = (s: string): number => s.length * 2;

/** The budget of each cache, by name: the table README "Memory" prints. */
export const CACHE_BUDGETS = {
  'finished renders': { bytes: 4 * 1024 * 1024, stale: 'never wrong: a finished render never changes; 1 h TTL' },
  'stored outputs': { bytes: 2 * 1024 * 1024, stale: 'an output deleted out of band (R2 lifecycle) is reported for up to 10 min' },
  'compiled templates': { bytes: 6 * 1024 * 1024, stale: 'never: a template version is immutable' },
  'pinned template versions': { bytes: 2 * 1024 * 1024, stale: 'a deleted template is drawn by another isolate for up to 1 min' },
  'fallback fonts and emoji': { bytes: 9 * 1024 * 1024, stale: 'never: keys carry the manifest version' },
  // one render's uploaded faces (render/budget.ts FONT_BUDGET, 16 MB) fit in it together
  'font manifest': { bytes: 2 * 1024 * 1024, stale: 'a reseed with a new manifest is read by a new isolate (keys carry its version)' },
  'uploaded font files': { bytes: 16 * 1024 * 1024, stale: 'never: keyed by face id and sha256' },
  'satori font lists': { bytes: 4 * 1024 * 1024, stale: 'never: keyed by the fonts it holds' },
  'satori image cache': { bytes: 0, stale: 'cleared after every satori render (satori keeps the last render’s data: URLs otherwise)' },
  // ~2,000 keys (a key's hash and owner row ≈ 500 bytes); what was the plan hints' 1.5 MB, shared with the estimates below
  'API key owners': {
    bytes: 1024 * 1024,
    stale: 'served at most 10 s after its D1 lookup: a revocation elsewhere or a plan change is seen within 10 s (at once where revoked)',
  },
  // ~2,000 identifiers (policy, identifier and five numbers ≈ 250 bytes); one evicted costs one waited Redis call
  'rate-limit estimates': {
    bytes: 512 * 1024,
    stale: 'answers only while at least 10 % of the limit is left by its count; at most that much over the limit per isolate',
  },
  // ~2,600 addresses (an IPv6 address and its policy ≈ 200 bytes); one evicted costs a D1 read, then it is back
  'throttled addresses': { bytes: 512 * 1024, stale: 'an address over its failed-auth limit is refused here until its window resets' },
  // ~1,000 keys (a kid, its secret and owner row ≈ 500 bytes), under the API keys' rules
  'URL-signing keys': {
    bytes: 512 * 1024,
    stale: 'served at most 10 s after its lookup: a key deleted elsewhere stops signing within 10 s (at once where deleted)',
  },
  // a few templates' fallback images (a 1200×630 card ≈ 40–120 KB); one evicted is drawn again, or read from the colo's cache
  // what this isolate answered for an og URL lately (its output's key, ≈ 300 bytes): ~800 URLs
  'og answers': { bytes: 256 * 1024, stale: 'an answer is kept its own lifetime (Cache-Control), as the Cache API keeps it' },
  'og fallback images': { bytes: 256 * 1024, stale: 'never wrong: keyed by template id, version and format' },
} as const satisfies Record<string, { bytes: number; stale: string }>;

export type CacheName = keyof typeof CACHE_BUDGETS;

const total = Object.values(CACHE_BUDGETS).reduce((n, c) => n + c.bytes, 0);
if (total > CACHES_BUDGET_BYTES) throw new Error(`cache budgets sum to ${total} bytes, over ${CACHES_BUDGET_BYTES}`);

const holders = new Map<CacheName, () => number>();
const trimmers = new Map<CacheName, (maxBytes: number) => void>();

/**
 * Called once by each cache's module: `bytes` says what the cache holds now; `trim`, if given,
 * drops its least recently used entries until it holds at most the bytes given (isolate-memory.ts
 * asks for it when the WASM memories need the room).
 */
export function registerCache(name: CacheName, bytes: () => number, trim?: (maxBytes: number) => void): void {
  holders.set(name, bytes);
  if (trim) trimmers.set(name, trim);
}

/** Shrinks the caches to about `maxBytes` together, each to its share of it by budget. */
export function trimCaches(maxBytes: number): void {
  const held = cacheBytes();
  if (held <= maxBytes) return;
  const fraction = maxBytes / CACHES_BUDGET_BYTES;
  for (const [name, trim] of trimmers) trim(Math.floor(CACHE_BUDGETS[name].bytes * fraction));
}

/** What each registered cache holds now, by name. */
export function cacheUsage(): Record<string, number> {
  return Object.fromEntries([...holders].map(([name, bytes]) => [name, bytes()]));
}

/** What the registered caches hold now, together. */
export function cacheBytes(): number {
  let n = 0;
  for (const bytes of holders.values()) n += bytes();
  return n;
}
