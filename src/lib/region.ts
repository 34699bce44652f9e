/**
 * The latency model: what a request would wait for if D1, R2, Redis and the Queues were one
 * region away, runnable on one machine (issue 17). Off unless SIMULATED_RTT_MS is set; production
 * never sets it (wrangler.toml leaves it out, and `inRegion` hands back the very env it was given).
 *
 * When on, every operation that would cross the network to a single region waits SIMULATED_RTT_MS
 * before it runs: each D1 statement or batch on the primary, each R2 operation (OUTPUT and FONTS),
 * each Redis command (the limiter's client calls `regionTrip`), each Queue send. A D1 read through
 * a Sessions API session (`withSession`) waits SIMULATED_REPLICA_RTT_MS (5 by default) instead, a
 * write through one the primary's time. The Cache API and this isolate's memory wait nothing.
 *
 * Round trips are counted per request (an AsyncLocalStorage scope the root middleware opens) and
 * reported in `Server-Timing` as `rtt;desc="primary N, replica M";dur=<ms waited>`, so tests and the
 * benchmark can assert them. Work a request leaves running after its answer (waitUntil) still
 * waits, and counts into a scope whose header has gone: only what came before the answer shows.
 * Work a request starts on purpose without waiting for it (`offThePath`: a key-cache revalidation,
 * a rate-limit count sent behind an estimate) waits too but is counted in no request's scope.
 *
 * Why bindings are wrapped here rather than each call site timed: the model must see every call,
 * including ones added later, and the code under test must be the code that ships.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RoundTrips {
  primary: number;
  replica: number;
  /** Milliseconds spent waiting on them. */
  waitedMs: number;
}

export interface RegionModel {
  rttMs: number;
  replicaRttMs: number;
}

const scope = new AsyncLocalStorage<RoundTrips>();

/** The model the env asks for, or null when SIMULATED_RTT_MS is unset or empty (production). */
export function regionModel(env: { SIMULATED_RTT_MS?: string; SIMULATED_REPLICA_RTT_MS?: string }): RegionModel | null {
  const raw = env.SIMULATED_RTT_MS?.trim();
  if (!raw) return null;
  const rtt = Number(raw);
  const replica = Number(env.SIMULATED_REPLICA_RTT_MS?.trim() || '5');
  if (!Number.isFinite(rtt) || rtt < 0 || !Number.isFinite(replica) || replica < 0) {
    console.error(`SIMULATED_RTT_MS "${raw}" / SIMULATED_REPLICA_RTT_MS "${env.SIMULATED_REPLICA_RTT_MS}" cannot be read; the latency model is off`);
    return null;
  }
  return { rttMs: rtt, replicaRttMs: replica };
}

/** Runs `fn` with a fresh round-trip count; `trips` is what it and everything it started counted. */
export function countingTrips<T>(trips: RoundTrips, fn: () => Promise<T>): Promise<T> {
  return scope.run(trips, fn);
}

/**
 * Runs `fn` outside the current request's count: for work the request starts but does not wait for
 * (it is handed to waitUntil: R2 puts after the answer, record batches, lease refills, key
 * revalidations, rate-limit counts). Its round trips still wait; the request's Server-Timing reports
 * only what the caller waited on.
 */
export function offThePath<T>(fn: () => Promise<T>): Promise<T> {
  return scope.exit(fn);
}

export function newTrips(): RoundTrips {
  return { primary: 0, replica: 0, waitedMs: 0 };
}

/** The Server-Timing entry for a request's count. */
export function tripsTiming(trips: RoundTrips): string {
  return `rtt;desc="primary ${trips.primary}, replica ${trips.replica}";dur=${trips.waitedMs.toFixed(1)}`;
}

let activeModel: RegionModel | null = null;

/** One round trip: counted in the current request's scope, then waited for. */
export async function regionTrip(kind: 'primary' | 'replica' = 'primary', model: RegionModel | null = activeModel): Promise<void> {
  if (!model) return;
  const ms = kind === 'primary' ? model.rttMs : model.replicaRttMs;
  const trips = scope.getStore();
  if (trips) {
    trips[kind] += 1;
    trips.waitedMs += ms;
  }
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}

const READ = /^\s*(?:SELECT|WITH)\b/i;
const WRITE = /\b(?:INSERT|UPDATE|DELETE|REPLACE)\b/i;

type Kind = 'primary' | 'replica';

/** Statements keep the raw statement they wrap, for batch(). */
const rawStatements = new WeakMap<object, D1PreparedStatement>();

function wrapStatement(statement: D1PreparedStatement, kind: Kind, model: RegionModel): D1PreparedStatement {
  const wrapped = {
    bind: (...values: unknown[]) => wrapStatement(statement.bind(...values), kind, model),
    first: async (column?: string) => {
      await regionTrip(kind, model);
      return column === undefined ? statement.first() : statement.first(column);
    },
    all: async () => {
      await regionTrip(kind, model);
      return statement.all();
    },
    run: async () => {
      await regionTrip(kind, model);
      return statement.run();
    },
    raw: async (options?: { columnNames?: boolean }) => {
      await regionTrip(kind, model);
      return options?.columnNames ? statement.raw({ columnNames: true }) : statement.raw();
    },
  } as unknown as D1PreparedStatement;
  rawStatements.set(wrapped, statement);
  return wrapped;
}

const unwrap = (s: D1PreparedStatement): D1PreparedStatement => rawStatements.get(s) ?? s;

function wrapSession(session: D1DatabaseSession, model: RegionModel): D1DatabaseSession {
  return {
    prepare: (sql: string) => wrapStatement(session.prepare(sql), READ.test(sql) && !WRITE.test(sql) ? 'replica' : 'primary', model),
    batch: async (statements: D1PreparedStatement[]) => {
      await regionTrip('primary', model);
      return session.batch(statements.map(unwrap));
    },
    getBookmark: () => session.getBookmark(),
  } as unknown as D1DatabaseSession;
}

function wrapDatabase(db: D1Database, model: RegionModel): D1Database {
  return {
    prepare: (sql: string) => wrapStatement(db.prepare(sql), 'primary', model),
    batch: async (statements: D1PreparedStatement[]) => {
      await regionTrip('primary', model);
      return db.batch(statements.map(unwrap));
    },
    exec: async (sql: string) => {
      await regionTrip('primary', model);
      return db.exec(sql);
    },
    dump: () => db.dump(),
    withSession: (constraint?: D1SessionBookmark | D1SessionConstraint) => wrapSession(db.withSession(constraint), model),
  } as unknown as D1Database;
}

/** Every method of an R2 bucket or a queue producer waits one round trip first. */
function wrapRemote<T extends object>(target: T, model: RegionModel): T {
  return new Proxy(target, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop, obj);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await regionTrip('primary', model);
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

const wrappedEnvs = new WeakMap<object, object>();

/**
 * The env as a Worker far from the primary region sees it: its single-region bindings wrapped by
 * the model, or the env itself when the model is off.
 */
export function inRegion<E extends { SIMULATED_RTT_MS?: string; SIMULATED_REPLICA_RTT_MS?: string; DB: D1Database; OUTPUT: R2Bucket; FONTS: R2Bucket }>(
  env: E,
): E {
  const model = regionModel(env);
  activeModel = model;
  if (!model) return env;
  const known = wrappedEnvs.get(env);
  if (known) return known as E;
  const wrapped: Record<string, unknown> = { ...env };
  wrapped.DB = wrapDatabase(env.DB, model);
  wrapped.OUTPUT = wrapRemote(env.OUTPUT, model);
  wrapped.FONTS = wrapRemote(env.FONTS, model);
  for (const name of ['RENDER_JOBS', 'WEBHOOKS'] as const) {
    const queue = (env as unknown as Record<string, object | undefined>)[name];
    if (queue) wrapped[name] = wrapRemote(queue, model);
  }
  wrappedEnvs.set(env, wrapped);
  return wrapped as E;
}
