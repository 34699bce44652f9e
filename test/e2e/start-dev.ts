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
  images = createServer((req, res) => {
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
