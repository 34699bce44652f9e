/**
 * Every response the Worker gives a workers test is checked against the committed OpenAPI
 * document (test/helpers/conformance.ts): the Worker's fetch handler — the one SELF.fetch and
 * fetchWithEnv call — is wrapped here, and a test that received a response the document does not
 * describe fails with what was wrong.
 */
import { afterEach } from 'vitest';
import worker from '../src/index';
import { nonConformities } from './helpers/conformance';

const handler = worker.fetch as NonNullable<typeof worker.fetch>;
const failures: string[] = [];

worker.fetch = async (request, env, ctx) => {
  const res = await handler.call(worker, request, env, ctx);
  const problems = await nonConformities(request.method, request.url, res);
  if (problems.length > 0) {
    const body = res.headers.get('content-type')?.includes('json') ? (await res.clone().text()).slice(0, 600) : '';
    failures.push(`${request.method} ${new URL(request.url).pathname}:\n    ${problems.join('\n    ')}${body ? `\n    body: ${body}` : ''}`);
  }
  return res;
};

afterEach(() => {
  if (failures.length > 0) throw new Error(`Responses that do not conform to sdk/openapi.json:\n  ${failures.splice(0).join('\n  ')}`);
});
