import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema.ts';

/** The PostgreSQL role whose queries row-level security restricts to one municipality. */
export const TENANT_ROLE = 'benefit_tenant';

/**
 * Runs `fn` in a transaction that can see and write only `municipalityCode`'s rows.
 * Row-level security policies on every table compare `municipality_code` with the
 * `app.municipality` setting, and they bind because the transaction switches to a role that
 * owns nothing (owners and superusers would bypass them). Staff-facing code always goes
 * through here; trusted batch commands run by the municipality's operators use the plain
 * connection.
 */
export async function withMunicipality<T>(
  db: Kysely<DB>,
  municipalityCode: string,
  fn: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('app.municipality', ${municipalityCode}, true)`.execute(trx);
    await sql.raw(`set local role ${TENANT_ROLE}`).execute(trx);
    return fn(trx);
  });
}
