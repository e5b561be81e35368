import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withMunicipality } from '../../src/db/tenant.ts';
import { householdAsOf } from '../../src/residents/resident.repository.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { account, circumstance, income, resident, writeCsv } from '../support/rows.ts';
import { ENVIRONMENTS, type TestEnvironment } from '../support/test-environments.ts';

const TABLES = [
  'municipalities', 'changes', 'rejections', 'person_history', 'persons', 'income_history',
  'tax_assessments', 'account_history', 'bank_accounts', 'household_changes', 'person_timeline',
  'circumstance_history', 'circumstances',
] as const;

describe.each(ENVIRONMENTS)('one municipality never sees another ($name)', ({ open }) => {
  let env: TestEnvironment;
  const a = freshMunicipality();
  const b = freshMunicipality();

  beforeAll(async () => {
    env = await open();
    for (const m of [a, b]) {
      await importFile(env, 'residents', writeCsv([resident({ municipality_code: m, person_id: 'P1', household_id: 'H1' })]));
      await importFile(env, 'income', writeCsv([income({ municipality_code: m, person_id: 'P1' })]));
      await importFile(env, 'accounts', writeCsv([account({ municipality_code: m, person_id: 'P1' })]));
      await importFile(env, 'circumstances', writeCsv([circumstance({ municipality_code: m, person_id: 'P1' })]));
      await importFile(env, 'residents', writeCsv([resident({ municipality_code: m, person_id: 'P2', household_id: 'H9', relationship: '子' })]));
    }
  });
  afterAll(() => env?.close());

  it.each(TABLES)('%s shows only the own municipality', async (table) => {
    const codes = await withMunicipality(env.db, a, (trx) =>
      sql<{ municipality_code: string }>`select distinct municipality_code from ${sql.table(table)}`.execute(trx));
    expect(codes.rows.map((r) => r.municipality_code)).toEqual([a]);
  });

  it('returns nothing for the same household number of another municipality', async () => {
    const own = await withMunicipality(env.db, a, (trx) => householdAsOf(trx, a, 'H1', { asOf: '2024-12-31' }));
    const other = await withMunicipality(env.db, a, (trx) => householdAsOf(trx, b, 'H1', { asOf: '2024-12-31' }));
    expect(own).toHaveLength(1);
    expect(other).toEqual([]);
  });

  it('refuses to write a row for another municipality', async () => {
    await expect(
      withMunicipality(env.db, a, (trx) => trx.insertInto('municipalities').values({ municipality_code: b }).execute()),
    ).rejects.toThrow(/row-level security/);
  });

  it("cannot change another municipality's rows", async () => {
    const updated = await withMunicipality(env.db, a, (trx) =>
      trx.updateTable('persons').set({ address: 'x' }).where('municipality_code', '=', b).executeTakeFirst());
    expect(Number(updated.numUpdatedRows)).toBe(0);
    const untouched = await env.db.selectFrom('persons').select('address').where('municipality_code', '=', b).execute();
    expect(untouched.map((p) => p.address)).not.toContain('x');
  });
});
