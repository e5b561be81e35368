import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Issue 15: a small stage is cut into smaller chunks than the configured size (chunkSizeFor), so
 * the size depends on the stage. A stage's plan keeps the size its first start cut it in: a
 * resumed run cuts the same chunks, whatever its settings or version. Null: a plan stored
 * before this, cut in the configured size.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, 'alter table batch_plans add column chunk_size integer check (chunk_size > 0);');
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'alter table batch_plans drop column chunk_size;');
}
