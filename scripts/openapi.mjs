#!/usr/bin/env node
/**
 * `npm run openapi`: regenerates the committed OpenAPI document (`sdk/openapi.json`) from the
 * route declarations, by starting the Worker in workerd (wrangler's `unstable_startWorker`) and
 * asking it for `/openapi.json`, then the SDK's types from that document (openapi-typescript).
 * `test/db/openapi-drift.test.ts` fails when either committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unstable_startWorker } from 'wrangler';
import { specTypes } from './openapi-types.mjs';

process.env.WRANGLER_SEND_METRICS = 'false';
const root = fileURLToPath(new URL('..', import.meta.url));
const specFile = fileURLToPath(new URL('../sdk/openapi.json', import.meta.url));
const typesFile = fileURLToPath(new URL('../sdk/src/openapi.ts', import.meta.url));

const worker = await unstable_startWorker({
  config: `${root}/wrangler.toml`,
  dev: { server: { port: 0 }, inspector: false, persist: false, logLevel: 'error' },
});
try {
  await worker.ready;
  const res = await worker.fetch('http://localhost/openapi.json');
  if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`);
  const doc = await res.json();
  writeFileSync(specFile, `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(typesFile, await specTypes(doc));
  console.log(`wrote ${Object.keys(doc.paths).length} paths to sdk/openapi.json and their types to sdk/src/openapi.ts`);
} finally {
  await worker.dispose();
}
