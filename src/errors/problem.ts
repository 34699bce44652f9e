/**
 * One error class and one code→status map. Every error response is RFC 9457
 * `application/problem+json` with a stable `code`, built in one place (`toProblem`).
 * Handlers throw `ProblemError`; they never hand-build error bodies.
 */

export const PROBLEMS = {
  validation_failed: { status: 400, title: 'Validation failed' },
  malformed_json: { status: 400, title: 'Malformed JSON' },
  engine_format_unsupported: { status: 400, title: 'Engine cannot produce this format' },
  engine_script_unsupported: { status: 400, title: 'Engine cannot lay out this script' },
  image_too_large: { status: 400, title: 'Image too large' },
  document_too_large: { status: 400, title: 'Document too large' },
  template_kind_mismatch: { status: 400, title: 'Template cannot make this output' },
  idempotency_key_invalid: { status: 400, title: 'Invalid Idempotency-Key' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  url_expired: { status: 403, title: 'URL expired' },
  invalid_signature: { status: 403, title: 'Invalid URL signature' },
  signing_key_invalid: { status: 403, title: 'URL-signing key unknown or deleted' },
  live_key_required: { status: 403, title: 'Live key required' },
  not_found: { status: 404, title: 'Not found' },
  template_not_found: { status: 404, title: 'Template not found' },
  render_not_found: { status: 404, title: 'Render not found' },
  key_not_found: { status: 404, title: 'API key not found' },
  font_not_found: { status: 404, title: 'Font not found' },
  webhook_not_found: { status: 404, title: 'Webhook endpoint not found' },
  delivery_not_found: { status: 404, title: 'Webhook delivery not found' },
  signing_key_not_found: { status: 404, title: 'URL-signing key not found' },
  email_taken: { status: 409, title: 'Email already registered' },
  key_limit_reached: { status: 409, title: 'Too many API keys' },
  font_exists: { status: 409, title: 'Font face already uploaded' },
  font_limit_reached: { status: 409, title: 'Too many fonts' },
  template_limit_reached: { status: 409, title: 'Too many templates' },
  template_version_conflict: { status: 409, title: 'Template changed meanwhile' },
  webhook_limit_reached: { status: 409, title: 'Too many webhook endpoints' },
  signing_key_limit_reached: { status: 409, title: 'Too many URL-signing keys' },
  idempotency_key_in_progress: { status: 409, title: 'Request with this Idempotency-Key in progress' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  range_not_satisfiable: { status: 416, title: 'Range not satisfiable' },
  remote_image_blocked: { status: 422, title: 'Remote image address not allowed' },
  remote_image_fetch_failed: { status: 422, title: 'Remote image could not be fetched' },
  remote_image_too_large: { status: 422, title: 'Remote image too large' },
  remote_image_invalid_type: { status: 422, title: 'Remote image has an unsupported type' },
  remote_image_timeout: { status: 422, title: 'Remote image timed out' },
  font_invalid: { status: 422, title: 'Not a usable font' },
  font_family_unknown: { status: 422, title: 'No such font family' },
  template_invalid: { status: 422, title: 'Template cannot be used' },
  remote_image_undecodable: { status: 422, title: 'Remote image could not be decoded' },
  webhook_url_blocked: { status: 422, title: 'Webhook URL not allowed' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key reused with a different request' },
  rate_limited: { status: 429, title: 'Rate limited' },
  quota_exceeded: { status: 429, title: 'Monthly quota exceeded' },
  render_failed: { status: 500, title: 'Render failed' },
  template_unavailable: { status: 500, title: 'Template unavailable' },
  dead_lettered: { status: 500, title: 'Render job dead-lettered' },
  abandoned: { status: 500, title: 'Render abandoned' },
  internal_error: { status: 500, title: 'Internal error' },
  queue_unavailable: { status: 503, title: 'Queue unavailable' },
  signing_unavailable: { status: 503, title: 'URL signing unavailable' },
  fonts_unavailable: { status: 503, title: 'Fonts unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

export interface FieldError {
  /** Dotted path into the request, e.g. `vars.title` or `width`. */
  path: string;
  message: string;
}

export class ProblemError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(code: ProblemCode, detail: string, options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(detail, { cause: options.cause });
    this.name = 'ProblemError';
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  request_id?: string;
  errors?: FieldError[];
}

export function toProblem(err: ProblemError, requestId: string | undefined): ProblemBody {
  const body: ProblemBody = {
    type: `https://picstream.dev/errors/${err.code.replaceAll('_', '-')}`,
    title: PROBLEMS[err.code].title,
    status: err.status,
    detail: err.message,
    code: err.code,
  };
  if (requestId) body.request_id = requestId;
  if (err.errors?.length) body.errors = err.errors;
  return body;
}

/** Converts zod issues to field errors with dotted paths, optionally under a prefix. */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[], prefix?: string): FieldError[] {
  return issues.map((issue) => {
    const parts = [...(prefix ? [prefix] : []), ...issue.path.map(String)];
    return { path: parts.join('.') || '(body)', message: issue.message };
  });
}
