/**
 * Who a request is, once its API key is accepted: set on the Hono context by `requireApiKey`
 * (middleware.ts) and read by the quota, idempotency and render services. A type of its own, below
 * the middleware, so what reads it never has to import what sets it.
 */
import type { Period } from '../quota/period';
import type { KeyMode } from './keys';

export interface AuthContext {
  accountId: string;
  keyId: string;
  mode: KeyMode;
  plan: string;
  monthlyQuota: number;
  /** Units the account had used this period when the request arrived. */
  used: number;
  period: Period;
}
