import { Migrator, sql, type Kysely } from 'kysely';
import { MIGRATIONS } from '../../migrations/index.ts';
import type { DB } from './schema.ts';

/** Brings the schema up to date; running it again does nothing. Returns the migrations applied. */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  if (await upToDate(db)) return [];
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Whether exactly the migrations of this code have run: the usual case as every command starts,
 * answered by two queries where the migrator takes a lock and a dozen (a second on the embedded
 * database). Anything else (a first run, a new migration, a database newer than this code) is
 * left to the migrator.
 */
async function upToDate(db: Kysely<DB>): Promise<boolean> {
  const table = await sql<{ present: boolean }>`select to_regclass('kysely_migration') is not null as present`.execute(db);
  if (!table.rows[0]?.present) return false;
  const ran = (await sql<{ name: string }>`select name from kysely_migration`.execute(db)).rows.map((r) => r.name);
  const names = Object.keys(MIGRATIONS);
  return ran.length === names.length && names.every((name) => ran.includes(name));
}
