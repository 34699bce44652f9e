/**
 * signUrl as Node users get it: the SDK built by tsc as it is published, imported from plain Node —
 * the system's (`/usr/bin/env -i PATH=/usr/bin node`, no flags, no environment: Node 20 here, not
 * the Node 22 the npm scripts run) — signing every vector of sdk/vectors/signed-urls.json; the same
 * with `globalThis.crypto` deleted, as on Node 18, where WebCrypto is only `node:crypto`'s. And the
 * README's three examples of "Signed og:image URLs", run as written: the SDK one, the node:crypto
 * one and the openssl one-liner (which also signs every vector's canonical string). workerd runs the
 * SDK against the same vectors: test/sdk/sign-url.test.ts.
 *
 * The build goes to .cache/sign-url-node/ rather than sdk/dist, which test/e2e/readme-sdk.test.ts
 * builds at the same time in another project.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import vectors from '../../sdk/vectors/signed-urls.json';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = `${root}.cache/sign-url-node/`;
const sdkEntry = pathToFileURL(`${work}dist/index.js`).href;
const vectorsPath = `${root}sdk/vectors/signed-urls.json`;
const SYSTEM_NODE = '/usr/bin/node';
const run = promisify(execFile);

const readmeSection = (() => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const start = readme.indexOf('\n## Signed og:image URLs\n');
  expect(start, 'README has a "## Signed og:image URLs" section').toBeGreaterThan(0);
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
})();

/** The ```lang blocks of a README subsection (### heading), in order. */
function blocks(subsection: string | null, lang: string): string[] {
  let text = readmeSection;
  if (subsection) {
    const start = text.indexOf(`\n### ${subsection}\n`);
    expect(start, `README has "### ${subsection}"`).toBeGreaterThan(0);
    const end = text.indexOf('\n### ', start + 1);
    text = text.slice(start, end < 0 ? undefined : end);
  } else text = text.slice(0, text.indexOf('\n### '));
  return [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] as string);
}

/** Runs an ES module under the system's Node with an empty environment but `env`. */
async function systemNode(script: string, env: Record<string, string> = {}): Promise<string> {
  const file = `${work}script-${crypto.randomUUID()}.mjs`;
  writeFileSync(file, script);
  const vars = Object.entries({ PATH: '/usr/bin', ...env }).map(([k, v]) => `${k}=${v}`);
  const { stdout } = await run('/usr/bin/env', ['-i', ...vars, 'node', file], { cwd: work, timeout: 20_000 });
  return stdout;
}

const SIGN_EVERY_VECTOR = `
import { readFileSync } from 'node:fs';
const vectors = JSON.parse(readFileSync(${JSON.stringify(vectorsPath)}, 'utf8'));
const { signUrl } = await import(${JSON.stringify(sdkEntry)});
const urls = [];
for (const { input } of vectors.sign) {
  const { expiresAtDate, ...options } = input;
  urls.push(await signUrl(expiresAtDate ? { ...options, expiresAt: new Date(expiresAtDate) } : options));
}
console.log(JSON.stringify({ version: process.version, crypto: typeof globalThis.crypto, urls }));
`;

const SECRET = vectors.secrets[0]?.value as string;
const example = vectors.sign[0] as (typeof vectors.sign)[number];

beforeAll(() => {
  if (!existsSync(SYSTEM_NODE)) throw new Error(`${SYSTEM_NODE} is required: signUrl is checked under the system's Node, not only the one npm runs`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // the package as published (sdk/tsconfig.json: web types only), beside a package.json that makes it ESM
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}sdk`, '--outDir', `${work}dist`], { stdio: 'inherit' });
  writeFileSync(`${work}package.json`, '{ "type": "module" }\n');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('signUrl in plain Node, from the built SDK', () => {
  it('signs every vector under the system Node', async () => {
    const out = JSON.parse(await systemNode(SIGN_EVERY_VECTOR));
    expect(out.version).toMatch(/^v(1[89]|[2-9]\d)\./);
    expect(out.crypto).toBe('object');
    expect(out.urls).toEqual(vectors.sign.map((c) => c.expected.url));
  });

  it('signs every vector without a global crypto (Node 18), through node:crypto', async () => {
    const out = JSON.parse(await systemNode(`delete globalThis.crypto;\n${SIGN_EVERY_VECTOR}`));
    expect(out.crypto).toBe('undefined');
    expect(out.urls).toEqual(vectors.sign.map((c) => c.expected.url));
  });
});

describe('README "Signed og:image URLs", run as written', () => {
  it('the worked example is the first sign vector', () => {
    expect(example.description).toContain("README's worked example");
    for (const text of [example.expected.canonical, example.expected.signature, example.expected.url, example.expected.varsJson as string]) {
      expect(readmeSection).toContain(text);
    }
  });

  it('the SDK example prints the og:image tag of the vector', async () => {
    const [sdkExample] = blocks(null, 'js');
    expect(sdkExample).toContain("from '@picstream/sdk'");
    const out = await systemNode((sdkExample as string).replace("'@picstream/sdk'", JSON.stringify(sdkEntry)), {
      PICSTREAM_URL_KEY_ID: example.input.keyId,
      PICSTREAM_URL_SECRET: SECRET,
    });
    expect(out.trim()).toBe(`<meta property="og:image" content="${example.expected.url.replaceAll('&', '&amp;')}">`);
  });

  it('the node:crypto recipe prints the vector’s URL', async () => {
    const [recipe] = blocks('Without the SDK', 'js');
    expect(recipe).not.toContain('@picstream/sdk');
    expect((await systemNode(recipe as string, { PICSTREAM_URL_SECRET: SECRET })).trim()).toBe(example.expected.url);
  });

  it('the openssl one-liner prints the vector’s signature', async () => {
    const [oneLiner] = blocks('Without the SDK', 'sh');
    const { stdout } = await run('sh', ['-c', oneLiner as string], { env: { ...process.env, PICSTREAM_URL_SECRET: SECRET } });
    expect(stdout.trim()).toBe(example.expected.signature);
    expect(oneLiner).toContain(`# ${example.expected.signature}`);
  });

  it('the openssl recipe signs every vector’s canonical string, UTF-8 and long secrets included', async () => {
    const recipe = `printf '%s' "$1" | openssl dgst -sha256 -hmac "$2" -binary | basenc --base64url | tr -d '='`;
    const sign = (canonical: string, secret: string) => run('sh', ['-c', recipe, 'sh', canonical, secret]).then(({ stdout }) => stdout.trim());
    for (const c of vectors.sign) expect(await sign(c.expected.canonical, c.input.secret), c.description).toBe(c.expected.signature);
    for (const c of vectors.canonicalize) expect((await sign(c.canonical, c.secret)) === c.signature, c.description).toBe(c.verifies);
  });
});
