/** Quota periods are calendar months in UTC, named `YYYY-MM`. */

export interface Period {
  period: string;
  /** Epoch ms of the first instant of the next month. */
  resetsAt: number;
}

export function currentPeriod(at = Date.now()): Period {
  const d = new Date(at);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  return { period: `${year}-${String(month + 1).padStart(2, '0')}`, resetsAt: Date.UTC(year, month + 1, 1) };
}
