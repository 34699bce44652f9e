/**
 * Every response the Worker gives a workers test is checked against the committed OpenAPI
 * document (test/helpers/conformance.ts): the Worker's fetch handler — the one SELF.fetch and
 * fetchWithEnv call — is wrapped here, and a test that received a response the document does not
 * describe fails with what was wrong.
 */
import { afterEach } from 'vitest';
import worker from '../src/index';
import { conformanceLog } from './helpers/conformance';

const handler = worker.fetch as NonNullable<typeof worker.fetch>;
const log = conformanceLog();

worker.fetch = async (request, env, ctx) => {
  const res = await handler.call(worker, request, env, ctx);
  await log.record(request.method, request.url, res);
  return res;
};

afterEach(() => log.flush());
