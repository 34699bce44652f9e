/**
 * The committed OpenAPI document checked by validators that share nothing with the code that
 * generated it: Redocly's linter (its recommended rules, redocly.yaml) and the official OAS 3.1
 * JSON Schema (@seriousme/openapi-schema-validator) — what Postman or Insomnia need to import it.
 * And the SDK's generated types are those of the committed document (`npm run openapi` writes both).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { specTypes } from '../../scripts/openapi-types.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const specPath = `${root}/sdk/openapi.json`;
const spec = JSON.parse(readFileSync(specPath, 'utf8'));

describe('sdk/openapi.json', () => {
  it('lints clean with Redocly (no errors, no warnings)', async () => {
    const redocly = `${root}/node_modules/@redocly/cli/bin/cli.js`;
    const run = await promisify(execFile)(process.execPath, [redocly, 'lint', specPath, '--format=json'], {
      cwd: root,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((err: { stdout?: string; stderr?: string; code?: number }) => err);
    const report = JSON.parse(String(run.stdout)) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('validates against the OpenAPI 3.1 JSON Schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(spec);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it("is the source of the SDK's types (sdk/src/openapi.ts is up to date; else run `npm run openapi`)", async () => {
    expect(readFileSync(`${root}/sdk/src/openapi.ts`, 'utf8')).toBe(await specTypes(spec));
  });
});
