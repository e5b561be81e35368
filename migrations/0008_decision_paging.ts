import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Decisions of one municipality in id order: the notices stage and exports page through them
 * with `id > last` (without it, each page scanned the municipality's whole household index,
 * about a second a page with a million decisions).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, 'create index if not exists decisions_municipality_id on decisions (municipality_code, id);');
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop index if exists decisions_municipality_id;');
}
