import { Migrator, type Kysely } from 'kysely';
import { MIGRATIONS } from '../../migrations/index.ts';
import type { DB } from './schema.ts';

/** Brings the schema up to date; running it again does nothing. Returns the migrations applied. */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
