import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * The store. History is kept outside the record (DOMAIN.md, 履歴外出し): each input row is
 * one append-only history row saying "from valid_from on, this record's full state is X",
 * with recorded_at saying when the system learned it. Nothing in history is ever updated, so
 * the state "as of date D, as known at time T" is simply the history row with the latest
 * (valid_from, recorded_at, change_row) among those with valid_from <= D and
 * recorded_at <= T; valid_to is derived (the next valid_from, see the *_timeline views), so a
 * retroactive row never rewrites earlier rows. The current-state tables hold the latest
 * known row of each record for fast reads.
 */
const TENANT_TABLES = [
  'municipalities',
  'changes',
  'rejections',
  'person_history',
  'persons',
  'income_history',
  'tax_assessments',
  'account_history',
  'bank_accounts',
  'household_changes',
];

export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    do $$ begin
      if not exists (select from pg_roles where rolname = 'benefit_tenant') then
        create role benefit_tenant nologin;
      end if;
      execute format('grant benefit_tenant to %I', current_user);
    exception when duplicate_object or insufficient_privilege then null;
    end $$;

    create table municipalities (
      municipality_code text primary key check (municipality_code ~ '^[0-9]{6}$'),
      name text not null default '',
      settings jsonb not null default '{}',
      created_at timestamptz not null default now()
    );

    -- One run of 'benefit import' or one POST /v1/changes request.
    create table imports (
      id bigserial primary key,
      kind text not null check (kind in ('residents', 'income', 'accounts')),
      source text not null,
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      rows_read integer not null default 0,
      accepted integer not null default 0,
      duplicates integer not null default 0,
      rejected integer not null default 0
    );

    -- Every accepted input row, exactly once per (municipality, change_id).
    create table changes (
      id bigserial primary key,
      municipality_code text not null check (municipality_code ~ '^[0-9]{6}$'),
      change_id text not null check (length(change_id) between 1 and 64),
      kind text not null check (kind in ('residents', 'income', 'accounts')),
      person_id text not null,
      effective_date date not null,
      payload jsonb not null,
      content_hash text not null,
      import_id bigint references imports (id),
      line integer,
      status text not null default 'received' check (status in ('received', 'applied', 'rejected')),
      received_at timestamptz not null default now(),
      applied_at timestamptz,
      unique (municipality_code, change_id)
    );
    create index changes_import on changes (import_id, id);
    create index changes_pending on changes (municipality_code, id) where status = 'received';

    -- Every rejected row: which file and line, which change, which field, why.
    create table rejections (
      id bigserial primary key,
      import_id bigint references imports (id),
      municipality_code text not null default '',
      source text not null,
      line integer,
      change_id text,
      field text not null,
      reason text not null,
      rejected_at timestamptz not null default now()
    );
    create index rejections_import on rejections (import_id);

    create table person_history (
      change_row bigint primary key references changes (id),
      municipality_code text not null,
      person_id text not null,
      valid_from date not null,
      recorded_at timestamptz not null,
      household_id text not null,
      relationship text not null,
      family_name text not null,
      given_name text not null,
      family_name_kana text not null,
      given_name_kana text not null,
      birth_date date not null,
      sex smallint not null,
      postal_code text,
      address text not null,
      district_code text,
      status text not null check (status in ('resident', 'moved_out', 'deceased'))
    );
    create index person_history_person on person_history (municipality_code, person_id, valid_from, recorded_at);
    create index person_history_household on person_history (municipality_code, household_id);

    create table persons (like person_history, primary key (municipality_code, person_id));
    create index persons_household on persons (municipality_code, household_id);
    create index persons_kana on persons (municipality_code, family_name_kana, given_name_kana);

    create table income_history (
      change_row bigint primary key references changes (id),
      municipality_code text not null,
      person_id text not null,
      valid_from date not null,
      recorded_at timestamptz not null,
      fiscal_year smallint not null,
      total_income bigint not null,
      kintowari integer not null,
      shotokuwari bigint not null,
      dependent_of text,
      supporter_taxed boolean
    );
    create index income_history_person on income_history (municipality_code, person_id, fiscal_year, valid_from);
    create index income_history_supporter on income_history (municipality_code, dependent_of) where dependent_of is not null;

    create table tax_assessments (like income_history, primary key (municipality_code, person_id, fiscal_year));

    create table account_history (
      change_row bigint primary key references changes (id),
      municipality_code text not null,
      person_id text not null,
      valid_from date not null,
      recorded_at timestamptz not null,
      source text not null check (source in ('koukin', 'registered')),
      bank_code text not null,
      branch_code text not null,
      account_type smallint not null,
      account_number text not null,
      holder_kana text not null
    );
    create index account_history_person on account_history (municipality_code, person_id, source, valid_from);

    create table bank_accounts (like account_history, primary key (municipality_code, person_id, source));

    -- Which households each applied change may affect: the nightly batch re-decides these.
    create table household_changes (
      change_row bigint not null references changes (id),
      municipality_code text not null,
      household_id text not null,
      effective_date date not null,
      recorded_at timestamptz not null,
      primary key (change_row, household_id)
    );
    create index household_changes_recorded on household_changes (municipality_code, recorded_at);

    -- Valid time as currently known: valid_to is the next valid_from of the same record.
    create view person_timeline with (security_invoker = true) as
      select h.*, lead(valid_from) over w as valid_to
      from person_history h
      window w as (partition by municipality_code, person_id order by valid_from, recorded_at, change_row);
  `);

  for (const table of TENANT_TABLES) {
    await runScript(db, `
      alter table ${table} enable row level security;
      create policy ${table}_tenant on ${table}
        using (municipality_code = current_setting('app.municipality', true))
        with check (municipality_code = current_setting('app.municipality', true));
      grant select, insert, update on ${table} to benefit_tenant;
    `);
  }
  await runScript(db, `
    grant select on person_timeline to benefit_tenant;
    grant usage on all sequences in schema public to benefit_tenant;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    drop view if exists person_timeline;
    drop table if exists household_changes, bank_accounts, account_history, tax_assessments,
      income_history, persons, person_history, rejections, changes, imports, municipalities cascade;
  `);
}
