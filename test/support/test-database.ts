import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, openEmbedded, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';

/** The real server the tests use; its `test` database is only used to create fresh ones. */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDatabase extends Database {
  name?: string;
  url?: string;
}

/**
 * A new, migrated PostgreSQL database on the real server, dropped again by `close`; a copy of
 * `template` (a database name, nobody connected to it) when given.
 */
export async function createPostgresDatabase(template?: string): Promise<TestDatabase> {
  const name = `benefit_test_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  await admin.end();
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
  await migrateToLatest(database.db);
  return {
    ...database,
    name,
    url: url.toString(),
    async close() {
      await database.close();
      const a = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** A migrated embedded database (PGlite) in memory. */
export async function createEmbeddedDatabase(): Promise<TestDatabase> {
  const database = await openEmbedded('memory://');
  await migrateToLatest(database.db);
  return database;
}
