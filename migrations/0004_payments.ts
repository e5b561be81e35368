import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Payments, review items and notices.
 *
 * - payment_lines: what to pay whom for which period on which payment date. At most one line
 *   per (program, household, recipient, period, payment date), enforced here, so no re-run can
 *   pay twice; a later correction to an already paid period becomes another line on a later
 *   date (追給), never a change to a line sent to the bank. A line not yet exported is a plan:
 *   the next computation may change its amount or cancel it. The account is copied on export,
 *   so exporting the same date again writes the same file.
 * - payment_exports: which payment dates were exported (no new lines join an exported date).
 * - review_items: what staff must look at (a recovery 返還, a missing account, a failed
 *   transfer); `item_key` makes creating one idempotent.
 * - notices: one letter per decision or review item that needs one, its content as data and
 *   the rendered PDF's path.
 * - batch_chunks: which chunk of a batch stage is done, written in the chunk's transaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    create table payment_lines (
      id bigserial primary key,
      municipality_code text not null,
      program text not null,
      household_id text not null,
      recipient_person_id text not null,
      period_start date not null,
      period_end date not null,
      payment_date date not null,
      kind text not null check (kind in ('regular', 'arrears', 'reissue')),
      amount_yen integer not null check (amount_yen > 0),
      status text not null check (status in ('due', 'cancelled', 'exported', 'failed', 'held')),
      decision_id text not null,
      reissue_of bigint unique references payment_lines (id),
      bank_code text,
      branch_code text,
      account_type smallint,
      account_number text,
      holder_kana text,
      exported_at timestamptz,
      result_code text,
      failed_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index payment_lines_once on payment_lines
      (municipality_code, program, household_id, recipient_person_id, period_start, payment_date) where reissue_of is null;
    create index payment_lines_date on payment_lines (municipality_code, payment_date, status);
    create index payment_lines_household on payment_lines (municipality_code, program, household_id);

    create table payment_exports (
      municipality_code text not null,
      payment_date date not null,
      exported_at timestamptz not null default now(),
      lines integer not null,
      total_yen bigint not null,
      sha256 text not null,
      primary key (municipality_code, payment_date)
    );

    create table review_items (
      id bigserial primary key,
      municipality_code text not null,
      kind text not null check (kind in ('recovery', 'missing_account', 'failed_transfer')),
      item_key text not null,
      program text not null,
      household_id text not null,
      person_id text,
      decision_id text,
      payment_line_id bigint references payment_lines (id),
      period_start date,
      amount_yen integer,
      status text not null default 'open' check (status in ('open', 'resolved')),
      detail jsonb not null default '{}',
      created_at timestamptz not null default now(),
      resolved_at timestamptz,
      unique (municipality_code, kind, item_key)
    );
    create index review_items_open on review_items (municipality_code, kind, status);

    create table notices (
      id bigserial primary key,
      notice_id text not null unique,
      municipality_code text not null,
      kind text not null,
      program text not null,
      household_id text not null,
      person_id text,
      decision_id text,
      review_item_id bigint references review_items (id),
      batch_run_id bigint not null references batch_runs (id),
      issued_on date not null,
      content jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'rendered')),
      file text,
      pages integer,
      created_at timestamptz not null default now(),
      rendered_at timestamptz
    );
    create index notices_pending on notices (municipality_code, status, id);
    create index notices_decision on notices (decision_id);
    create index notices_review_item on notices (review_item_id);
    create index notices_run on notices (batch_run_id, id);

    -- Each finished computation of a program's payment lines; the next one starts from here.
    create table payment_computations (
      id bigserial primary key,
      municipality_code text not null,
      program text not null,
      payment_date date not null,
      last_period_start date not null,
      started_at timestamptz not null,
      finished_at timestamptz not null default now()
    );
    create index payment_computations_last on payment_computations (municipality_code, program, started_at);

    create table batch_chunks (
      run_id bigint not null references batch_runs (id),
      stage text not null,
      chunk integer not null,
      done_at timestamptz not null default now(),
      result jsonb not null default '{}',
      primary key (run_id, stage, chunk)
    );

    do $$ declare t text; begin
      foreach t in array array['payment_lines', 'payment_exports', 'review_items', 'notices'] loop
        execute format('alter table %I enable row level security', t);
        execute format($p$create policy %I on %I
          using (municipality_code = current_setting('app.municipality', true))
          with check (municipality_code = current_setting('app.municipality', true))$p$, t || '_tenant', t);
        execute format('grant select, insert, update on %I to benefit_tenant', t);
      end loop;
    end $$;
    grant usage on all sequences in schema public to benefit_tenant;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop table if exists batch_chunks, payment_computations, notices, review_items, payment_exports, payment_lines;');
}
