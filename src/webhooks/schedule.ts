/**
 * The retry schedule: the wait before each retry of a failed delivery. Published (README) as
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight attempts over about 28 hours; each step stays
 * within a Queue's 12-hour maximum delay. WEBHOOK_RETRY_SCHEDULE may replace it (tests compress
 * it). Each wait gets ±10 % jitter, so endpoints that failed together are not retried together.
 */

/** How long a receiver has to answer, at most and by default (WEBHOOK_TIMEOUT_MS may shorten it). */
export const DELIVERY_TIMEOUT_MS = 15_000;

export const DEFAULT_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';
const UNIT = { s: 1, m: 60, h: 3600 } as const;
const MAX_DELAY_SECONDS = 12 * 3600;

export function parseSchedule(text: string | undefined): number[] {
  const source = text?.trim() || DEFAULT_SCHEDULE;
  return source.split(',').map((step) => {
    const match = step.trim().match(/^(\d+)([smh])$/);
    if (!match) throw new Error(`WEBHOOK_RETRY_SCHEDULE step "${step}" is not like 5s, 5m or 2h`);
    const seconds = Number(match[1]) * UNIT[match[2] as keyof typeof UNIT];
    if (seconds > MAX_DELAY_SECONDS) throw new Error(`WEBHOOK_RETRY_SCHEDULE step "${step}" is longer than 12 h`);
    return seconds;
  });
}

/** Seconds to wait after the `failures`-th failure of this round, or null when the schedule is spent. */
export function retryDelaySeconds(schedule: readonly number[], failures: number, random = Math.random): number | null {
  const base = schedule[failures - 1];
  if (base === undefined) return null;
  const jittered = Math.round(base * (0.9 + 0.2 * random()));
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, jittered));
}
