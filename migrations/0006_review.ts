import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Staff review.
 *
 * - review_items gain the decisions staff must look at (the engine could not decide, a large
 *   change of amount, a stop) and a `held` status: payment waits until someone releases it.
 * - decisions.decided_by: a decision made by staff (approve or reject of an undecided case, a
 *   confirmed override). It joins the household's chain like any other, so payments and notices
 *   follow it; `confirmed` is the kind of a staff decision that changes nothing for the resident.
 * - review_actions: every action (who, when, what, why), append-only; an override waits for a
 *   supervisor's `confirm`, by someone else, before it takes effect.
 * - access_log: every read of a person's data by staff, append-only, what the resident may see.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    alter table review_items drop constraint review_items_kind_check;
    alter table review_items add constraint review_items_kind_check
      check (kind in ('recovery', 'missing_account', 'failed_transfer', 'decision_review', 'large_change', 'stop'));
    alter table review_items drop constraint review_items_status_check;
    alter table review_items add constraint review_items_status_check check (status in ('open', 'held', 'resolved'));
    alter table review_items add column updated_at timestamptz not null default now();
    create index review_items_queue on review_items (municipality_code, status, kind, id);
    create index review_items_decision on review_items (decision_id);
    create index review_items_household on review_items (municipality_code, program, household_id);

    alter table decisions add column decided_by bigint references staff_users (id);
    alter table decisions drop constraint decisions_change_kind_check;
    alter table decisions add constraint decisions_change_kind_check
      check (change_kind in ('new', 'amount_changed', 'stopped', 'restarted', 'outcome_changed', 'recipient_changed', 'confirmed'));

    create table review_actions (
      id bigserial primary key,
      municipality_code text not null,
      review_item_id bigint not null references review_items (id),
      action text not null check (action in ('approve', 'reject', 'hold', 'request_info', 'override', 'confirm')),
      reason text,
      outcome text check (outcome in ('eligible', 'ineligible')),
      amount_yen integer check (amount_yen >= 0),
      confirms bigint unique references review_actions (id),
      staff_user_id bigint not null references staff_users (id),
      staff_login text not null,
      created_at timestamptz not null default now()
    );
    create index review_actions_item on review_actions (review_item_id, id);

    alter table notices add column review_action_id bigint unique references review_actions (id);

    create table access_log (
      id bigserial primary key,
      municipality_code text not null,
      person_id text not null,
      staff_user_id bigint not null references staff_users (id),
      staff_login text not null,
      staff_role text not null,
      what text not null,
      purpose text not null,
      accessed_at timestamptz not null default now()
    );
    create index access_log_person on access_log (municipality_code, person_id, accessed_at);

    -- Nobody edits history: not staff through the tenant role, not the batch.
    create function refuse_change() returns trigger language plpgsql as $$
      begin raise exception '% is append-only', tg_table_name; end $$;
    create trigger access_log_append_only before update or delete on access_log
      for each row execute function refuse_change();
    create trigger review_actions_append_only before update or delete on review_actions
      for each row execute function refuse_change();

    do $$ declare t text; begin
      foreach t in array array['review_actions', 'access_log'] loop
        execute format('alter table %I enable row level security', t);
        execute format($p$create policy %I on %I
          using (municipality_code = current_setting('app.municipality', true))
          with check (municipality_code = current_setting('app.municipality', true))$p$, t || '_tenant', t);
        execute format('grant select, insert on %I to benefit_tenant', t);
      end loop;
    end $$;
    grant usage on all sequences in schema public to benefit_tenant;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    drop table if exists access_log, review_actions;
    drop function if exists refuse_change;
    alter table notices drop column if exists review_action_id;
    alter table decisions drop column if exists decided_by;
    alter table review_items drop column if exists updated_at;
  `);
}
