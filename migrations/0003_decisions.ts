import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Decisions, append-only. Each says "from effective_from on, for this program and household,
 * the outcome is X" and records everything needed to replay it: the household snapshot the
 * engine read, the rule version and engine version, the as-of date and knowledge time. A new
 * decision supersedes the previous one of the same program and household, so per household the
 * decisions form one chain; the unique indexes on that chain make a replayed job's insert a no-op.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    -- The exact files of every rule version a decision was made with (rules are not tenant data).
    create table rule_versions (
      program text not null,
      rule_version text not null,
      files jsonb not null,
      recorded_at timestamptz not null default now(),
      primary key (program, rule_version)
    );
    grant select, insert on rule_versions to benefit_tenant;

    create table decisions (
      id bigserial primary key,
      decision_id text not null unique,
      municipality_code text not null,
      program text not null,
      household_id text not null,
      change_kind text not null check (change_kind in ('new', 'amount_changed', 'stopped', 'restarted', 'outcome_changed', 'recipient_changed')),
      outcome text not null check (outcome in ('eligible', 'ineligible', 'review')),
      amount_yen integer not null check (amount_yen >= 0),
      recipient_person_id text,
      period_kind text not null check (period_kind in ('monthly', 'once')),
      effective_from date not null,
      rule_version text not null,
      engine_version text not null,
      as_of date not null,
      known_at timestamptz not null,
      inputs jsonb not null,
      explanation jsonb not null,
      explanation_text text not null,
      supersedes bigint references decisions (id),
      decided_at timestamptz not null default now(),
      foreign key (program, rule_version) references rule_versions (program, rule_version)
    );
    create unique index decisions_chain_start on decisions (municipality_code, program, household_id) where supersedes is null;
    create unique index decisions_chain_next on decisions (supersedes);
    create index decisions_household on decisions (municipality_code, program, household_id, effective_from, id);
    create index decisions_review on decisions (municipality_code, outcome) where outcome = 'review';

    alter table decisions enable row level security;
    create policy decisions_tenant on decisions
      using (municipality_code = current_setting('app.municipality', true))
      with check (municipality_code = current_setting('app.municipality', true));
    grant select, insert on decisions to benefit_tenant;
    grant usage on all sequences in schema public to benefit_tenant;

    -- Where each nightly run got to: the next run re-decides the households changed since.
    create table batch_runs (
      id bigserial primary key,
      municipality_code text not null,
      run_date date not null,
      full_run boolean not null,
      known_at timestamptz not null,
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      summary jsonb
    );
    create index batch_runs_finished on batch_runs (municipality_code, finished_at);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop table if exists batch_runs, decisions, rule_versions;');
}
