import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { ADMIN_DATABASE_URL as url } from '../support/test-database.ts';

/** The session settings the engine's connections run with (docs/performance.md). */
describe('the engine\'s PostgreSQL connections', () => {
  let database: Database | undefined;
  afterAll(() => database?.close());

  it('run without JIT, on every connection of the pool', async () => {
    database = await openDatabase({ databaseUrl: url, dataDir: '' });
    const db = database.db;
    // Several connections at once, each asked in its own transaction.
    const settings = await Promise.all(
      Array.from({ length: 4 }, () => db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ jit: string }>`select current_setting('jit') as jit, pg_sleep(0.05)`.execute(trx);
        return rows[0].jit;
      })),
    );
    expect(settings).toEqual(['off', 'off', 'off', 'off']);
  });
});
