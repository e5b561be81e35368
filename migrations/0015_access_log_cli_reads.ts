import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Issue 16: `benefit access-log` reads a person's log from the server's command line, and that
 * read is logged too. Whoever runs it is an OS user on the server, not a staff account, so an
 * entry may name no staff_users row: staff_login then says who (cli:<OS user>).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, 'alter table access_log alter column staff_user_id drop not null;');
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'alter table access_log alter column staff_user_id set not null;');
}
