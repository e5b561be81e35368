import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/** Staff accounts, each bound to one municipality, and their sign-in sessions. */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    create table staff_users (
      id bigserial primary key,
      municipality_code text not null references municipalities (municipality_code),
      login text not null unique check (login ~ '^[A-Za-z0-9._@-]{3,64}$'),
      role text not null check (role in ('viewer', 'reviewer', 'supervisor', 'admin')),
      password_hash text not null,
      created_at timestamptz not null default now(),
      disabled_at timestamptz
    );

    -- Only a hash of the session token is stored: a copy of the table signs nobody in.
    create table staff_sessions (
      token_hash text primary key,
      user_id bigint not null references staff_users (id),
      csrf_token text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    create index staff_sessions_user on staff_sessions (user_id);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop table if exists staff_sessions, staff_users;');
}
