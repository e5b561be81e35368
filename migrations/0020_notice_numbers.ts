import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Issue 15: each letter's 文書番号 in a table of its own instead of in the letter's content.
 * The number was given before the letters were inserted, so the municipality's numbering lock
 * was held through the insert of their content: two workers' notices chunks waited for each
 * other (11.9 s of waits over two incremental nights, docs/performance.md). Now a chunk inserts
 * its letters first and numbers the ones it inserted at the end of the same transaction, holding
 * the lock only for these small rows. The unique key makes "never given twice" the database's
 * own rule. Letters numbered before this migration keep their numbers, copied from their content.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    create table notice_numbers (
      notice_id text primary key references notices (notice_id),
      municipality_code text not null,
      symbol text not null,
      fiscal_year integer not null,
      number integer not null,
      unique (municipality_code, symbol, fiscal_year, number)
    );
    insert into notice_numbers (notice_id, municipality_code, symbol, fiscal_year, number)
    select n.notice_id, n.municipality_code, m[1],
           extract(year from n.issued_on - interval '3 months')::integer, m[2]::integer
    from notices n, regexp_match(n.content ->> 'documentNumber', '^(.*)第([0-9]+)号$') m
    where m is not null;
    alter table notice_numbers enable row level security;
    create policy notice_numbers_tenant on notice_numbers
      using (municipality_code = current_setting('app.municipality', true))
      with check (municipality_code = current_setting('app.municipality', true));
    grant select, insert on notice_numbers to benefit_tenant;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop table notice_numbers;');
}
