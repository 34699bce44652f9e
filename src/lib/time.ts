/** Time helpers: one clock for the app, ISO-8601 UTC strings in JSON. */
export const now = (): number => Date.now();
export const isoNow = (): string => new Date().toISOString();
