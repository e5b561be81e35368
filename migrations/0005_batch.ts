import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * What makes a nightly batch resumable and exclusive.
 *
 * - batch_runs.attempt: how many times the run was started; a resumed run keeps its id and
 *   known_at, so it ends exactly as an uninterrupted run would.
 * - payment_computations.run_id: a resumed run records its computation once.
 * - batch_plans: the items (households) a stage of a run works on, stored before its jobs are
 *   queued, so a resumed stage splits the same items into the same chunks.
 * - batch_stages: a stage whose chunks are all done, written by the flow's parent job.
 * - batch_locks: one batch per municipality at a time; the holder renews `heartbeat_at`, and a
 *   lock whose holder stopped renewing it (or whose process is gone) may be taken over.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    alter table batch_runs add column attempt integer not null default 1;
    alter table payment_computations add column run_id bigint references batch_runs (id);
    create unique index payment_computations_run on payment_computations (run_id, program);
    create table batch_plans (
      run_id bigint not null references batch_runs (id),
      stage text not null,
      items jsonb not null,
      primary key (run_id, stage)
    );
    create table batch_stages (
      run_id bigint not null references batch_runs (id),
      stage text not null,
      done_at timestamptz not null default now(),
      result jsonb not null default '{}',
      primary key (run_id, stage)
    );
    create table batch_locks (
      municipality_code text primary key,
      holder text not null,
      host text not null,
      pid integer not null,
      acquired_at timestamptz not null default now(),
      heartbeat_at timestamptz not null default now()
    );
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop table if exists batch_locks, batch_stages, batch_plans; alter table payment_computations drop column if exists run_id; alter table batch_runs drop column if exists attempt;');
}
