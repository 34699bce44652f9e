/**
 * The e2e tests' requests to the dev server are held to the committed OpenAPI document like the
 * workers tests' (test/conformance-setup.ts): Node's fetch is wrapped for requests to `npm run dev`,
 * and a test that received a response the document does not describe fails with what was wrong.
 */
import { afterEach, inject } from 'vitest';
import { nonConformities } from '../helpers/conformance';

const origin = inject('devOrigin');
const nodeFetch = globalThis.fetch;
const failures: string[] = [];

globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const res = await nodeFetch(input, init);
  const url = input instanceof Request ? input.url : String(input);
  if (url.startsWith(origin)) {
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const problems = await nonConformities(method, url, res);
    if (problems.length > 0) failures.push(`${method} ${new URL(url).pathname}:\n    ${problems.join('\n    ')}`);
  }
  return res;
};

afterEach(() => {
  if (failures.length > 0) throw new Error(`Responses that do not conform to sdk/openapi.json:\n  ${failures.splice(0).join('\n  ')}`);
});
