import { Migrator, sql, type Kysely } from 'kysely';
import { MIGRATIONS } from '../../migrations/index.ts';
import { UnusableInputError } from '../errors.ts';
import type { DB } from './schema.ts';

/**
 * Brings the schema up to date; running it again does nothing. Returns the migrations applied.
 * A database a newer version has migrated is refused with what to do, and left as it is.
 */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const ran = await migrationsRun(db);
  const names = Object.keys(MIGRATIONS);
  if (ran.length === names.length && names.every((name) => ran.includes(name))) return [];
  const newer = ran.filter((name) => !(name in MIGRATIONS));
  if (newer.length) {
    throw new UnusableInputError(
      'database_newer',
      `the database was migrated by a newer version of benefit (${newer.join(', ')} is unknown to this one): ` +
        'run that version or a newer one (データベースはこの版より新しい版で更新されています。同じ版以降の benefit を使ってください)',
      { migrations: newer },
    );
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * The migrations that have run: two queries as every command starts, where the migrator takes
 * a lock and a dozen (a second on the embedded database). None on a new database.
 */
async function migrationsRun(db: Kysely<DB>): Promise<string[]> {
  const table = await sql<{ present: boolean }>`select to_regclass('kysely_migration') is not null as present`.execute(db);
  if (!table.rows[0]?.present) return [];
  return (await sql<{ name: string }>`select name from kysely_migration`.execute(db)).rows.map((r) => r.name);
}
