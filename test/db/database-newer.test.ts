import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { UnusableInputError } from '../../src/errors.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * An older `benefit` on a database a newer one has migrated stops with what to do (exit 2:
 * nothing changed), not with the migrator's "corrupted migrations".
 */
describe('a database migrated by a newer version', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createPostgresDatabase();
  }, 60_000);
  afterAll(() => database?.close());

  it('is refused, named, and left as it is', async () => {
    expect(await migrateToLatest(database.db)).toEqual([]);
    await sql`insert into kysely_migration (name, timestamp) values ('9999_from_the_future', now()::text)`.execute(database.db);
    const refused = await migrateToLatest(database.db).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnusableInputError);
    expect(refused).toMatchObject({ code: 'database_newer', context: { migrations: ['9999_from_the_future'] } });
    expect((refused as Error).message).toContain('newer version of benefit');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(database.db);
    expect(rows[0].n).toBe(Object.keys((await import('../../migrations/index.ts')).MIGRATIONS).length + 1);
  });
});
