/**
 * The e2e tests' requests to the dev server are held to the committed OpenAPI document like the
 * workers tests' (test/conformance-setup.ts): Node's fetch is wrapped for requests to `npm run dev`,
 * and a test that received a response the document does not describe fails with what was wrong.
 */
import { afterEach, inject } from 'vitest';
import { conformanceLog } from '../helpers/conformance';

const origin = inject('devOrigin');
const nodeFetch = globalThis.fetch;
const log = conformanceLog();

globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const res = await nodeFetch(input, init);
  const url = input instanceof Request ? input.url : String(input);
  if (url.startsWith(origin)) await log.record(init?.method ?? (input instanceof Request ? input.method : 'GET'), url, res);
  return res;
};

afterEach(() => log.flush());
