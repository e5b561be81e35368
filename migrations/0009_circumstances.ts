import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

const INCOME_COLUMNS = `
  add column salary_income bigint,
  add column pension_income bigint,
  add column dependants smallint,
  add column elderly_dependants smallint,
  add column dependants_abroad smallint,
  add column treaty_exempt boolean,
  add column income_tax bigint`;

/**
 * Issue 12's inputs. income.csv's optional columns (null: the record does not say), and a
 * fourth kind of record, circumstances: what neither the register nor the tax record says
 * (公務員, 施設入所, a supported student, a 辞退届), kept bitemporally like the others. A
 * circumstance is one record per (person, circumstance, program); a circumstance that
 * concerns no program in particular is stored with program '' so the key has no null in it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    alter table income_history ${INCOME_COLUMNS};
    alter table tax_assessments ${INCOME_COLUMNS};

    alter table imports drop constraint imports_kind_check,
      add constraint imports_kind_check check (kind in ('residents', 'income', 'accounts', 'circumstances'));
    alter table changes drop constraint changes_kind_check,
      add constraint changes_kind_check check (kind in ('residents', 'income', 'accounts', 'circumstances'));

    create table circumstance_history (
      change_row bigint primary key references changes (id),
      municipality_code text not null,
      person_id text not null,
      valid_from date not null,
      recorded_at timestamptz not null,
      circumstance text not null check (circumstance in ('public_servant', 'facility_placement', 'supported_student', 'declined')),
      program text not null default '' check (program = '' or program ~ '^[a-z0-9-]+$'),
      active boolean not null,
      note text check (length(note) <= 200)
    );
    create index circumstance_history_person on circumstance_history (municipality_code, person_id, circumstance, program, valid_from);

    create table circumstances (like circumstance_history including defaults including constraints,
      primary key (municipality_code, person_id, circumstance, program));
  `);
  for (const table of ['circumstance_history', 'circumstances']) {
    await runScript(db, `
      alter table ${table} enable row level security;
      create policy ${table}_tenant on ${table}
        using (municipality_code = current_setting('app.municipality', true))
        with check (municipality_code = current_setting('app.municipality', true));
      grant select, insert, update on ${table} to benefit_tenant;
    `);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    drop table if exists circumstances, circumstance_history;
    delete from household_changes where change_row in (select id from changes where kind = 'circumstances');
    delete from changes where kind = 'circumstances';
    delete from rejections where import_id in (select id from imports where kind = 'circumstances');
    delete from imports where kind = 'circumstances';
    alter table changes drop constraint changes_kind_check,
      add constraint changes_kind_check check (kind in ('residents', 'income', 'accounts'));
    alter table imports drop constraint imports_kind_check,
      add constraint imports_kind_check check (kind in ('residents', 'income', 'accounts'));
    alter table tax_assessments drop column salary_income, drop column pension_income, drop column dependants,
      drop column elderly_dependants, drop column dependants_abroad, drop column treaty_exempt, drop column income_tax;
    alter table income_history drop column salary_income, drop column pension_income, drop column dependants,
      drop column elderly_dependants, drop column dependants_abroad, drop column treaty_exempt, drop column income_tax;
  `);
}
