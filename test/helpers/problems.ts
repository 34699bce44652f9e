/** What a service call throws as a ProblemError (its code, detail and field errors), for unit tests of services. */
import { ProblemError } from '../../src/errors/problem';

export async function problemOf(work: () => unknown): Promise<{ code: string; detail: string; errors?: unknown }> {
  try {
    await work();
  } catch (err) {
    if (err instanceof ProblemError) return { code: err.code, detail: err.message, ...(err.errors ? { errors: err.errors } : {}) };
    throw err;
  }
  throw new Error('expected a problem');
}
