/**
 * Holds every response the tests receive to the committed OpenAPI document (sdk/openapi.json),
 * so the spec cannot lie: the status must be declared for the operation, the content type must be
 * one it declares, a JSON body must validate against its schema (JSON Schema 2020-12, with
 * @cfworker/json-schema — a validator that runs in workerd and knows nothing of zod, from which the
 * document was generated), and every header the document marks required must be there. Webhook
 * bodies are held to the document's `webhooks` the same way.
 *
 * test/conformance-setup.ts checks every response the Worker gives a workers test, and
 * test/e2e/conformance-setup.ts every answer the e2e tests get from the dev server.
 */
import { type Schema, Validator } from '@cfworker/json-schema';
import spec from '../../sdk/openapi.json';

type Json = Record<string, unknown>;
interface MediaType {
  schema?: Json;
}
interface HeaderSpec {
  required?: boolean;
  schema?: Json;
  $ref?: string;
}
interface ResponseSpec {
  content?: Record<string, MediaType>;
  headers?: Record<string, HeaderSpec>;
}
interface OperationSpec {
  operationId: string;
  responses: Record<string, ResponseSpec>;
}

const doc = spec as unknown as {
  paths: Record<string, Record<string, OperationSpec>>;
  webhooks: Record<string, { post: { requestBody: { content: Record<string, MediaType> } } }>;
  components: Json & { headers: Record<string, HeaderSpec>; schemas: Record<string, Json> };
};

/** Pages that are not API operations: the reference page and its assets, and the document itself. */
const NOT_OPERATIONS = [/^\/docs(?:\/.*)?$/, /^\/openapi\.json$/];
/** What any unknown path may answer (auth, throttling and body checks run before routing). */
const UNKNOWN_PATH_STATUSES = new Set([401, 404, 413, 415, 429]);

const operations = Object.entries(doc.paths).map(([path, item]) => ({
  path,
  pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  item,
}));

const validators = new Map<string, Validator>();

/** Responses and webhook bodies checked so far in this test file (a test shows the check is in the path). */
export const checked = { responses: 0, webhooks: 0 };

/** A validator for a schema from the document; its `$ref`s resolve against the document's components. */
function validatorFor(key: string, schema: Json): Validator {
  let v = validators.get(key);
  if (!v) {
    v = new Validator({ ...schema, components: doc.components } as Schema, '2020-12', false);
    validators.set(key, v);
  }
  return v;
}

function schemaErrors(key: string, schema: Json, value: unknown): string[] {
  const result = validatorFor(key, schema).validate(value);
  if (result.valid) return [];
  // the innermost errors say what is wrong; the outer ones only that something below is
  return result.errors.filter((e) => !e.error.startsWith('Property') || result.errors.length === 1).map((e) => `${e.instanceLocation}: ${e.error}`);
}

function resolveHeader(h: HeaderSpec): HeaderSpec {
  return h.$ref ? (doc.components.headers[h.$ref.split('/').pop() as string] as HeaderSpec) : h;
}

function findOperation(method: string, pathname: string): { path: string; op: OperationSpec } | null {
  const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  for (const { path, pattern, item } of operations) {
    if (pattern.test(pathname) && item[m]) return { path, op: item[m] as OperationSpec };
  }
  return null;
}

/**
 * What is wrong with a response to `method url` according to the document ([] when it conforms).
 * Reads a clone of the response; the caller's is untouched.
 */
export async function nonConformities(method: string, url: string, res: Response): Promise<string[]> {
  checked.responses++;
  const { pathname } = new URL(url);
  if (NOT_OPERATIONS.some((p) => p.test(pathname))) return [];
  const found = findOperation(method, pathname);
  const head = method.toUpperCase() === 'HEAD';
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const json = type === 'application/json' || type.endsWith('+json');
  const bodyless = head || res.status === 204 || res.status === 304 || res.headers.get('content-length') === '0';
  // only JSON bodies are read (and validated); for others the content type is what is checked
  const text = bodyless ? '' : json || !type ? await res.clone().text() : '(not read)';

  if (!found) {
    // an unknown path or method: a problem, with one of the statuses any route may give first
    if (!UNKNOWN_PATH_STATUSES.has(res.status)) return [`no operation ${method} ${pathname} in the document, and it answered ${res.status}`];
    if (type !== 'application/problem+json') return [`unknown path answered ${res.status} as ${type || 'no content type'}, not a problem`];
    return schemaErrors('Problem', { $ref: '#/components/schemas/Problem' }, JSON.parse(text));
  }

  const { path, op } = found;
  const where = `${op.operationId} (${method} ${path}) → ${res.status}`;
  const response = op.responses[String(res.status)] ?? op.responses.default;
  if (!response) return [`${where}: status not declared (declared: ${Object.keys(op.responses).join(', ')})`];

  const problems: string[] = [];
  for (const [name, h] of Object.entries(response.headers ?? {})) {
    const header = resolveHeader(h);
    const value = res.headers.get(name);
    if (value === null) {
      if (header.required) problems.push(`${where}: required header ${name} missing`);
      continue;
    }
    const schema = header.schema ?? {};
    const parsed = schema.type === 'integer' ? Number(value) : value;
    problems.push(...schemaErrors(`${where} header ${name}`, schema, parsed).map((e) => `${where}: header ${name}=${value} ${e}`));
  }

  if (text === '') return problems;
  const content = response.content ?? {};
  const declared = Object.keys(content);
  const media = content[type] ?? content[`${type.split('/')[0]}/*`] ?? content['*/*'];
  if (!media) return [...problems, `${where}: content type ${type || '(none)'} not declared (declared: ${declared.join(', ') || 'no body'})`];
  if (json) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [...problems, `${where}: body is not JSON`];
    }
    if (media.schema) problems.push(...schemaErrors(`${where} ${type}`, media.schema, body).map((e) => `${where}: body ${e}`));
  }
  return problems;
}

/**
 * Non-conformities gathered as responses arrive and thrown after the test that received them
 * (the setup files call `record` from their fetch wrappers and `flush` in afterEach).
 */
export function conformanceLog() {
  const failures: string[] = [];
  return {
    async record(method: string, url: string, res: Response): Promise<void> {
      const problems = await nonConformities(method, url, res);
      if (problems.length === 0) return;
      const body = res.headers.get('content-type')?.includes('json') ? (await res.clone().text()).slice(0, 600) : '';
      failures.push(`${method} ${new URL(url).pathname}:\n    ${problems.join('\n    ')}${body ? `\n    body: ${body}` : ''}`);
    },
    flush(): void {
      if (failures.length > 0) throw new Error(`Responses that do not conform to sdk/openapi.json:\n  ${failures.splice(0).join('\n  ')}`);
    },
  };
}

/** What is wrong with a webhook body according to the document's `webhooks` ([] when it conforms). */
export function webhookNonConformities(body: string): string[] {
  checked.webhooks++;
  let payload: { event?: unknown };
  try {
    payload = JSON.parse(body);
  } catch {
    return ['webhook body is not JSON'];
  }
  const event = String(payload.event);
  const hook = doc.webhooks[event];
  if (!hook) return [`webhook event ${event} is not in the document (${Object.keys(doc.webhooks).join(', ')})`];
  const schema = hook.post.requestBody.content['application/json']?.schema ?? {};
  return schemaErrors(`webhook ${event}`, schema, payload).map((e) => `webhook ${event}: ${e}`);
}
