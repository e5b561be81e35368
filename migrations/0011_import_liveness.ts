import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Issue 13: which process runs an import, and when it last said so. An unfinished import whose
 * process is gone (killed, crashed) left its rows received but never queued; the nightly names
 * it, and running the same import again takes those rows over (src/changes/import-recovery.ts).
 * Imports from before this migration have no holder: an unfinished one among them is gone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    alter table imports
      add column host text,
      add column pid integer,
      add column heartbeat_at timestamptz;
    create index imports_unfinished on imports (id) where finished_at is null;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    drop index if exists imports_unfinished;
    alter table imports drop column if exists host, drop column if exists pid, drop column if exists heartbeat_at;
  `);
}
