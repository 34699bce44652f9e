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

it('0004 rebuilds renders without losing a row: an image render made before it reads back the same', async () => {
  const db = env.MIGRATION_CHECK_DB;
  const run = async (name: string) => {
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith(name));
    if (!migration) throw new Error(`no migration ${name}`);
    for (const query of migration.queries) await db.prepare(query).run();
  };
  for (const name of ['0001', '0002', '0003']) await run(name);
  await db
    .prepare(
      `INSERT INTO renders (id, type, template, template_version, engine, format, width, height, scale, vars, cache_key, status, created_at, units, mode)
       VALUES ('rnd_before', 'image', 'og-card', 1, 'takumi', 'png', 1200, 630, 2, '{"title":"x"}', 'abc', 'complete', '2026-11-01T00:00:00.000Z', 1, 'live')`,
    )
    .run();
  const before = await db.prepare(`SELECT * FROM renders WHERE id = 'rnd_before'`).first();
  await run('0004');
  const after = await db.prepare(`SELECT * FROM renders WHERE id = 'rnd_before'`).first();
  expect(after).toEqual({ ...before, pages: null });
  // and a PDF row is now allowed
  await db
    .prepare(
      `INSERT INTO renders (id, type, template, template_version, engine, format, width, height, scale, vars, cache_key, status, created_at, pages)
       VALUES ('rnd_pdf', 'pdf', 'invoice', 1, 'satori', 'pdf', 595, 842, 1, '{}', 'def', 'pending', '2026-11-28T00:00:00.000Z', 3)`,
    )
    .run();
  expect(await db.prepare(`SELECT COUNT(*) AS n FROM renders`).first('n')).toBe(2);
});
