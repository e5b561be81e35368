import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Issue 15: the night counts the changes applied since the last run (`changes_applied`) by
 * their received time. Without an index that read every change ever received, 4.5 million
 * rows at 450,000 households (0.9 s a night). Changes are appended in time order: a BRIN index,
 * as for decisions (0016), finds the new ones in the last pages.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, 'create index changes_received_at on changes using brin (received_at) with (autosummarize = on);');
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop index changes_received_at;');
}
