import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Issue 14: programs that decide each person (`subject: person`, e.g. the 定額減税 調整給付 per
 * taxpayer). A decision names the person it is about; a household's decisions for such a
 * program form one chain per person. '' for household programs, so their chains are unchanged.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    alter table decisions add column subject_person_id text not null default '';
    drop index decisions_chain_start;
    create unique index decisions_chain_start on decisions (municipality_code, program, household_id, subject_person_id) where supersedes is null;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    drop index decisions_chain_start;
    create unique index decisions_chain_start on decisions (municipality_code, program, household_id) where supersedes is null;
    alter table decisions drop column subject_person_id;
  `);
}
