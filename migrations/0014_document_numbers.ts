import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Issue 16 point 3: a 文書番号 as a municipality numbers its letters, 記号 + a number counted
 * per 年度 (こ家第1号, こ家第2号…), instead of one derived from the notice id. One row per
 * municipality, 記号 and 年度 holds the last number given; a letter takes the next one when it is
 * created, in the transaction that inserts it, so a number is never given twice nor skipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    create table document_numbers (
      municipality_code text not null,
      symbol text not null,
      fiscal_year integer not null,
      last_number integer not null,
      primary key (municipality_code, symbol, fiscal_year)
    );
    alter table document_numbers enable row level security;
    create policy document_numbers_tenant on document_numbers
      using (municipality_code = current_setting('app.municipality', true))
      with check (municipality_code = current_setting('app.municipality', true));
    grant select, insert, update on document_numbers to benefit_tenant;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop table document_numbers;');
}
