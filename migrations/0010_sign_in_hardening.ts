import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Sign-in throttling that every `serve` process shares (one row per account, keyed by a hash
 * of the login, and one per client address), and the system operator: an account bound to no
 * municipality, the only one that sees the shared job queues (bull-board).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    create table login_throttle (
      key text primary key,
      failures integer not null default 0,
      window_started_at timestamptz not null default now(),
      locked_until timestamptz
    );

    alter table staff_users alter column municipality_code drop not null;
    alter table staff_users drop constraint staff_users_role_check;
    alter table staff_users add constraint staff_users_role_check
      check (role in ('viewer', 'reviewer', 'supervisor', 'admin', 'operator'));
    -- An operator works for no municipality; everyone else for exactly one.
    alter table staff_users add constraint staff_users_operator_has_no_municipality
      check ((role = 'operator') = (municipality_code is null));
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    drop table if exists login_throttle;
    delete from staff_sessions where user_id in (select id from staff_users where role = 'operator');
    delete from staff_users where role = 'operator';
    alter table staff_users drop constraint staff_users_operator_has_no_municipality;
    alter table staff_users drop constraint staff_users_role_check;
    alter table staff_users add constraint staff_users_role_check check (role in ('viewer', 'reviewer', 'supervisor', 'admin'));
    alter table staff_users alter column municipality_code set not null;
  `);
}
