import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Issue 15: an incremental night plans the households a change touched that wait for an
 * account (an open missing_account item) or for a failed transfer to be paid again, probing
 * each touched household per program (paymentCandidates). Through the indexes on
 * (municipality, program, household) every probe read all of the household's items or lines and
 * threw away all but these few. Indexes of only those rows make a probe of a household with
 * none an empty look-up.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    create index payment_lines_failed on payment_lines (municipality_code, program, household_id) where status = 'failed';
    create index review_items_missing_account on review_items (municipality_code, program, household_id)
      where kind = 'missing_account' and status = 'open';
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop index payment_lines_failed; drop index review_items_missing_account;');
}
