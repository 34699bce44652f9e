/**
 * The answers about templates every door gives alike: a reference that names nothing the caller
 * may use, and a version a queued render named that can no longer be drawn. A leaf module (it
 * imports only the error class), so the user-template service can use them without importing the
 * resolver that imports it.
 */
import { type FieldError, ProblemError } from '../errors/problem';

/** 404: nothing by that name for this caller (another account's template is missing, as a deleted one is). */
export function templateNotFound(ref: string, errors?: FieldError[]): ProblemError {
  return new ProblemError('template_not_found', `No template "${ref}". GET /api/v1/templates lists them.`, errors ? { errors } : {});
}

/** A queued render's template at the version it named is gone or changed: a permanent failure. */
export function templateUnavailable(id: string, version: number): ProblemError {
  return new ProblemError('template_unavailable', `Template ${id} v${version} is no longer available`);
}
