/**
 * Plans: the monthly quota and the request rate each allows. The defaults live here; a deployment
 * may override them with the PLANS var (JSON, same shape), e.g. to give a benchmark room.
 */
import { z } from 'zod';

const PlanSchema = z.object({
  monthly_quota: z.number().int().min(0),
  rate_limit: z.object({ requests: z.number().int().min(1), window_seconds: z.number().int().min(1).max(86_400) }),
});
export type Plan = z.infer<typeof PlanSchema>;

export const DEFAULT_PLANS: Record<string, Plan> = {
  free: { monthly_quota: 1000, rate_limit: { requests: 60, window_seconds: 60 } },
};

export const SIGNUP_PLAN = 'free';

/** DEFAULT_PLANS merged with the PLANS var (JSON, same shape); read once per isolate by src/config.ts. */
export function parsePlans(override: string | undefined): Record<string, Plan> {
  const source = override ?? '';
  if (!source.trim()) return DEFAULT_PLANS;
  const result = z.record(z.string(), PlanSchema).safeParse(JSON.parse(source));
  if (!result.success) throw new Error(`PLANS is not valid: ${result.error.message}`);
  return { ...DEFAULT_PLANS, ...result.data };
}

/** A plan by name; an account on a plan this deployment no longer knows gets the free plan's limits. */
export function planFor(plans: Record<string, Plan>, name: string): Plan {
  return plans[name] ?? (plans.free as Plan);
}
