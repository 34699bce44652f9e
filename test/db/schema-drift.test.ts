/** schema.sql is the schema's source of truth; migrations/ must build exactly the same schema. */
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import schemaSql from '../../schema.sql?raw';

async function objects(db: D1Database) {
  const { results } = await db
    .prepare(
      `SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' ORDER BY type, name`,
    )
    .all<{ type: string; name: string; tbl_name: string; sql: string }>();
  // compare statements without comments and whitespace differences
  return results.map((r) => ({
    ...r,
    sql: r.sql
      .replace(/--[^\n]*/g, '')
      .replace(/\s+/g, ' ')
      .replace(/\( /g, '(')
      .replace(/ \)/g, ')')
      .replace(/ ,/g, ',')
      .trim(),
  }));
}

it('migrations produce the schema in schema.sql', async () => {
  const statements = schemaSql
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const statement of statements) await env.SCHEMA_CHECK_DB.prepare(statement).run();
  const fromSchema = await objects(env.SCHEMA_CHECK_DB);
  expect(fromSchema.length).toBeGreaterThan(0);
  expect(await objects(env.DB)).toEqual(fromSchema);
});
