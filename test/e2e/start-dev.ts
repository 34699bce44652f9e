/**
 * Starts the README's `npm run dev` on a free port with a fresh local state directory
 * (scripts/dev-server.mjs), plus a local image server, and stops both afterwards. The local
 * account's keys are taken from what `npm run dev` prints, as a reader of the README would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../scripts/dev-server.mjs';

declare module 'vitest' {
  interface ProvidedContext {
    devOrigin: string;
    devApiKey: string;
    devTestKey: string;
    e2eImageOrigin: string;
  }
}

let server: Awaited<ReturnType<typeof startDevServer>> | undefined;
let images: Server | undefined;

function logo(): Buffer {
  const png = new PNG({ width: 128, height: 128 });
  for (let i = 0; i < 128 * 128; i++) png.data.set([220, 38, 38, 255], i * 4);
  return PNG.sync.write(png);
}

export async function setup(project: TestProject): Promise<void> {
  const logoBytes = logo();
  // a webhook receiver that fails the first delivery of each name, then accepts (GET /hooks/<name> lists them)
  const hooks = new Map<string, number[]>();
  images = createServer((req, res) => {
    const hook = req.url?.match(/^\/hook\/([\w-]+)$/);
    if (hook && req.method === 'POST') {
      const times = hooks.get(hook[1] as string) ?? [];
      hooks.set(hook[1] as string, [...times, Date.now()]);
      req.resume();
      res.writeHead(times.length === 0 ? 503 : 200).end();
      return;
    }
    const list = req.url?.match(/^\/hooks\/([\w-]+)$/);
    if (list) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hooks.get(list[1] as string) ?? []));
      return;
    }
    if (req.url === '/logo.png') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': logoBytes.length });
      res.end(logoBytes);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => images?.listen(0, '127.0.0.1', r));
  project.provide('e2eImageOrigin', `http://localhost:${(images.address() as AddressInfo).port}`);

  server = await startDevServer();
  project.provide('devOrigin', server.origin);
  // the keys `npm run dev` printed for the README's curl
  project.provide('devApiKey', server.apiKey);
  project.provide('devTestKey', server.testKey);
}

export async function teardown(): Promise<void> {
  server?.stop();
  images?.close();
}
