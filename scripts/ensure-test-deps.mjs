#!/usr/bin/env node
/**
 * Runs first in `npm test` (before Vitest), so a fresh machine with Node and npm needs only
 * `npm install && npm test`. It makes sure the programs the tests use from the OS are there: redis-server
 * (the rate limiter is tested against a real Redis, never skipped), qpdf and poppler-utils (every PDF
 * goes through qpdf --check, pdfinfo, pdffonts, pdftotext, pdftoppm and pdfimages) and a Chromium that
 * runs headless (test/e2e drives /docs and the SDK's browser build in it). What is missing is installed
 * with apt-get when this runs as root on a machine that has it (as in CI); anywhere else the run stops
 * at once with the exact command to type.
 *
 * REDIS_SERVER_BIN and CHROMIUM_BIN point at binaries elsewhere, as they do for the tests. Two switches,
 * also the hooks that test this script: PICSTREAM_TEST_DEPS_NO_INSTALL=1 never installs (as if not
 * root: print the command, stop); PICSTREAM_TEST_DEPS_DRY_RUN=1 prints the apt-get commands it would
 * run instead of running them.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { findRedisServer } from './local-redis.mjs';

const POPPLER_TOOLS = ['pdfinfo', 'pdffonts', 'pdftotext', 'pdftoppm', 'pdfimages'];
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom'];
const CHROMIUM_PROBE = 'data:text/html,<p>ok</p>';
const CHROMIUM_TIMEOUT_MS = 60_000;

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}

/** null when Chromium answers the probe page; otherwise why not. */
function chromiumProblem() {
  const bin = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    return `${bin} does not exist`;
  }
  const run = spawnSync(bin, [...CHROMIUM_FLAGS, CHROMIUM_PROBE], { encoding: 'utf8', timeout: CHROMIUM_TIMEOUT_MS });
  if (run.stdout?.includes('<p>ok</p>')) return null;
  const detail = run.error?.message || run.stderr?.trim().split('\n').slice(-3).join(' | ') || `exit ${run.status}`;
  return `${bin} did not print the probe page headless (${detail})`;
}

/** Each Debian package the tests need, and why it is missing (null when it is not). */
const REQUIREMENTS = [
  {
    pkg: 'redis-server',
    problem: () =>
      findRedisServer() ? null : `no redis-server${process.env.REDIS_SERVER_BIN ? ` at REDIS_SERVER_BIN=${process.env.REDIS_SERVER_BIN}` : ' on PATH'}`,
  },
  { pkg: 'qpdf', problem: () => (onPath('qpdf') ? null : 'no qpdf on PATH') },
  {
    pkg: 'poppler-utils',
    problem: () => {
      const missing = POPPLER_TOOLS.filter((tool) => !onPath(tool));
      return missing.length ? `no ${missing.join(', ')} on PATH` : null;
    },
  },
  { pkg: 'chromium', problem: chromiumProblem },
];

function missing() {
  return REQUIREMENTS.map((req) => ({ pkg: req.pkg, problem: req.problem() })).filter((req) => req.problem !== null);
}

const say = (line) => console.error(`[picstream] ${line}`);

/** `apt-get install`, and when that fails (typically no package lists yet), `apt-get update -qq` and again. */
function aptInstall(packages) {
  const install = ['install', '-y', '--no-install-recommends', ...packages];
  if (process.env.PICSTREAM_TEST_DEPS_DRY_RUN === '1') {
    say(`would run: apt-get ${install.join(' ')}  (and if that fails: apt-get update -qq, then again)`);
    return;
  }
  say(`installing ${packages.join(' ')} with apt-get (the tests need them)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', install, { env, stdio: 'ignore' }).status === 0) return;
  spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
  spawnSync('apt-get', install, { env, stdio: 'inherit' });
}

let absent = missing();
if (absent.length === 0) process.exit(0);

const isRoot = process.getuid?.() === 0 && process.env.PICSTREAM_TEST_DEPS_NO_INSTALL !== '1';
const hasApt = onPath('apt-get');
const packages = absent.map((req) => req.pkg);
if (isRoot && hasApt) {
  aptInstall(packages);
  absent = missing();
  if (absent.length === 0) process.exit(0);
}

for (const req of absent) say(`the tests need ${req.pkg}: ${req.problem}`);
const command = `${isRoot ? '' : 'sudo '}apt-get install -y --no-install-recommends ${absent.map((req) => req.pkg).join(' ')}`;
if (hasApt) say(`run: ${command}`);
else say(`install them with the system's package manager (on Debian/Ubuntu: ${command})`);
say('then `npm test` again (REDIS_SERVER_BIN and CHROMIUM_BIN point at binaries elsewhere)');
process.exit(1);
