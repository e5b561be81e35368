import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Issue 15: a night's work starts from the decisions made since the last run (known_at, and
 * decided_at for payments): review items, readers' households, payment candidates, notices.
 * Without an index each of these read the whole table, 2.3 million decisions at 450,000
 * households, for a night of a few thousand. Decisions are appended in time order, so a BRIN
 * index (a few pages: the smallest and largest time of each range of table pages) finds the
 * new ones in the last pages without adding to the bytes a decision takes. autosummarize lets
 * autovacuum describe each range once it is full; the nightly also summarizes after a large run
 * (pages not yet summarized are always read, so answers are right either way).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `create index decisions_known_at on decisions using brin (known_at) with (autosummarize = on);
     create index decisions_decided_at on decisions using brin (decided_at) with (autosummarize = on);`,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop index decisions_known_at; drop index decisions_decided_at;');
}
