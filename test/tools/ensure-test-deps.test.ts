/**
 * scripts/ensure-test-deps.mjs, the first step of `npm test`, on a machine without the OS programs
 * the tests use: it must stop at once and print the one command that installs them. (That it lets a
 * complete machine through is shown by this very run; installing as root is left to CI's fresh
 * machines, since this one has the programs already.)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/ensure-test-deps.mjs', import.meta.url));

describe('scripts/ensure-test-deps.mjs', () => {
  it('without redis-server, qpdf, poppler-utils and Chromium, and not allowed to install, stops printing the apt-get command', () => {
    const run = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      timeout: 30_000,
      // a PATH with node alone, and the two binaries that are looked for at fixed places pointed nowhere
      env: {
        ...process.env,
        PATH: path.dirname(process.execPath),
        REDIS_SERVER_BIN: '/nonexistent/redis-server',
        CHROMIUM_BIN: '/nonexistent/chromium',
        PICSTREAM_TEST_DEPS_NO_INSTALL: '1',
      },
    });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain('sudo apt-get install -y --no-install-recommends redis-server qpdf poppler-utils chromium');
    expect(run.stderr).toContain('no pdfinfo, pdffonts, pdftotext, pdftoppm, pdfimages on PATH');
  });
});
