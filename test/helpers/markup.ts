import type { FieldError } from '../../src/errors/problem';
import { MarkupError } from '../../src/user-templates/markup';

/** The field errors `run` throws as a MarkupError (fails the test if it throws anything else or nothing). */
export function errorsOf(run: () => unknown): FieldError[] {
  try {
    run();
  } catch (err) {
    if (err instanceof MarkupError) return err.errors;
    throw err;
  }
  throw new Error('expected a MarkupError, got none');
}
