import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { updateSettings } from '../../src/municipalities/municipality.service.ts';
import { importRows } from '../support/import-file.ts';
import { freshMunicipality, payingSettings } from '../support/municipalities.ts';
import { account, income, resident, type Row } from '../support/rows.ts';
import { BASE_PROGRAMS, nightlyContext, postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';


/**
 * A household waiting for an account is planned again when a change touches it (the account
 * registered), not every night: at 450,000 households that was 62,000 households a night
 * (docs/performance.md). Nor does an item the engine opened itself (a missing account) count
 * as staff acting on it.
 */
describe('a household waiting for an account', () => {
  let env: TestEnvironment;
  const m = freshMunicipality();

  beforeAll(async () => {
    env = await postgresWithRedis(BASE_PROGRAMS);
    await updateSettings(env.db, m, payingSettings(m));
  }, 60_000);
  afterAll(() => env?.close());

  const load = (kind: 'residents' | 'income' | 'accounts', rows: Row[]) => importRows(env, m, kind, rows);
  const nightly = (date: string) => runNightly(nightlyContext(env, BASE_PROGRAMS), date, false);
  /** The households the night's child-allowance payment stage planned. */
  const planned = async (date: string) => {
    const { rows } = await sql<{ items: { id: string }[] }>`
      select p.items from batch_plans p join batch_runs r on r.id = p.run_id
      where r.municipality_code = ${m} and r.run_date = ${date} and p.stage like 'payments:child-allowance:%'`.execute(env.db);
    return rows.flatMap((r) => r.items.map((i) => i.id)).sort();
  };
  const waiting = async () =>
    (await env.db.selectFrom('review_items').select(['household_id', 'status']).where('municipality_code', '=', m).where('kind', '=', 'missing_account').execute()).map(
      (i) => `${i.household_id} ${i.status}`,
    );

  it('is planned again when its account is registered, not on nights that did not touch it', async () => {
    await load('residents', [
      resident({ person_id: 'P1', household_id: 'H1', relationship: '世帯主', birth_date: '1985-04-10' }),
      resident({ person_id: 'C1', household_id: 'H1', relationship: '子', given_name: '一郎', given_name_kana: 'イチロウ', birth_date: '2020-05-10', effective_date: '2020-05-10' }),
      resident({ person_id: 'Q1', household_id: 'H2', relationship: '世帯主', family_name: '佐藤', family_name_kana: 'サトウ', birth_date: '1990-01-20' }),
      resident({ person_id: 'D1', household_id: 'H2', relationship: '子', family_name: '佐藤', family_name_kana: 'サトウ', birth_date: '2018-07-01' }),
    ]);
    await load('income', ['P1', 'Q1'].flatMap((p) => [income({ person_id: p }), income({ person_id: p, fiscal_year: '2023' })]));
    await load('accounts', [account({ person_id: 'P1', bank_code: '0001', branch_code: '001', holder_kana: 'ヤマダ タロウ' })]);
    await nightly('2024-12-13');
    expect(await waiting()).toEqual(['H2 open']);
    expect(await planned('2024-12-13')).toEqual(['H1', 'H2']);

    // A second child in H1 only: H1 is planned again, H2 (still no account) is not.
    await load('residents', [
      resident({ person_id: 'C2', household_id: 'H1', relationship: '子', given_name: '二郎', given_name_kana: 'ジロウ', birth_date: '2024-11-20', effective_date: '2024-11-20' }),
    ]);
    await nightly('2024-12-16');
    expect(await planned('2024-12-16')).toEqual(['H1']);

    // Q1 registers an account: H2 is planned and paid, and its item closed.
    await load('accounts', [account({ person_id: 'Q1', bank_code: '0005', branch_code: '001', account_number: '7654321', holder_kana: 'サトウ ハナコ', source: 'registered', effective_date: '2024-12-17' })]);
    const summary = await nightly('2024-12-17');
    expect(await planned('2024-12-17')).toEqual(['H2']);
    expect(summary.payments_created).toBe(1);
    expect(await waiting()).toEqual(['H2 resolved']);
  });
});
