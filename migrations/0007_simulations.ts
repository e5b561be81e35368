import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/** Simulations supervisors start from the pages: what was asked, by whom, and how it ended. */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    create table simulations (
      id bigserial primary key,
      municipality_code text not null,
      draft text not null,
      as_of date not null,
      requested_by bigint not null references staff_users (id),
      requested_login text not null,
      status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
      error text,
      summary jsonb,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index simulations_municipality on simulations (municipality_code, id);
    alter table simulations enable row level security;
    create policy simulations_tenant on simulations
      using (municipality_code = current_setting('app.municipality', true))
      with check (municipality_code = current_setting('app.municipality', true));
    grant select, insert on simulations to benefit_tenant;
    grant usage on all sequences in schema public to benefit_tenant;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop table if exists simulations;');
}
