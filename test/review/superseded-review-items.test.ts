import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { updateSettings } from '../../src/municipalities/municipality.service.ts';
import { importRows } from '../support/import-file.ts';
import { freshMunicipality, payingSettings } from '../support/municipalities.ts';
import { account, income, resident, type Row } from '../support/rows.ts';
import { BASE_PROGRAMS, embedded, nightlyContext, type TestEnvironment } from '../support/test-environments.ts';


/**
 * A 大きな額の変更 item is closed when a later engine decision supersedes its decision (the newer
 * one is what counts), and only then: the night reads the decisions made since the last run
 * rather than every open item (docs/performance.md), so the item of a decision nothing has
 * superseded stays open however many nights pass.
 */
describe('review items of superseded decisions', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await embedded();
  }, 60_000);
  afterAll(() => env?.close());

  it('closes the item of a decision a later night supersedes, and keeps the others open', async () => {
    const m = freshMunicipality();
    await updateSettings(env.db, m, payingSettings(m));
    const load = (kind: 'residents' | 'income' | 'accounts', rows: Row[]) => importRows(env, m, kind, rows);
    const names: Record<string, [string, string]> = {
      A1: ['一郎', 'イチロウ'], A2: ['二郎', 'ジロウ'], A3: ['三郎', 'サブロウ'], A4: ['四郎', 'シロウ'],
      B1: ['花子', 'ハナコ'], B2: ['次子', 'ツギコ'], B3: ['三子', 'ミツコ'],
    };
    const child = (person_id: string, household_id: string, birth_date: string) =>
      resident({
        person_id, household_id, relationship: '子', given_name: names[person_id][0], given_name_kana: names[person_id][1], birth_date, effective_date: birth_date,
        ...(household_id === 'H2' && { family_name: '佐藤', family_name_kana: 'サトウ' }),
      });
    await load('residents', [
      resident({ person_id: 'P1', household_id: 'H1', relationship: '世帯主', birth_date: '1985-04-10', effective_date: '2015-01-01' }),
      child('A1', 'H1', '2020-05-10'),
      child('A2', 'H1', '2023-03-15'),
      resident({ person_id: 'Q1', household_id: 'H2', relationship: '世帯主', family_name: '佐藤', family_name_kana: 'サトウ', birth_date: '1990-01-20', effective_date: '2015-01-01' }),
      child('B1', 'H2', '2019-07-01'),
      child('B2', 'H2', '2022-02-01'),
    ]);
    await load('income', ['P1', 'Q1'].flatMap((p) => [income({ person_id: p }), income({ person_id: p, fiscal_year: '2023' })]));
    await load('accounts', [
      account({ person_id: 'P1', bank_code: '0001', branch_code: '001', holder_kana: 'ヤマダ タロウ' }),
      account({ person_id: 'Q1', bank_code: '0005', branch_code: '001', account_number: '7654321', holder_kana: 'サトウ ハナコ' }),
    ]);
    const nightly = (date: string) => runNightly(nightlyContext(env, BASE_PROGRAMS), date, false);
    const items = async () =>
      (
        await env.db.selectFrom('review_items').selectAll().where('municipality_code', '=', m).where('kind', '=', 'large_change').orderBy('id').execute()
      ).map((i) => `${i.household_id} ${i.status} ${(i.detail as { superseded?: boolean }).superseded ?? false}`);
    await nightly('2024-12-02');
    // A third child in each household: +30,000 a month, a large change for both.
    await load('residents', [child('A3', 'H1', '2024-10-20'), child('B3', 'H2', '2024-10-21')]);
    await nightly('2024-12-09');
    expect(await items()).toEqual(['H1 open false', 'H2 open false']);
    // A fourth child in H1 only: H1's decision is superseded (and its new one is again large).
    await load('residents', [child('A4', 'H1', '2024-11-25')]);
    await nightly('2024-12-10');
    expect(await items()).toEqual(['H1 resolved true', 'H2 open false', 'H1 open false']);
    // Nights without a change leave the open items open.
    await nightly('2024-12-11');
    expect(await items()).toEqual(['H1 resolved true', 'H2 open false', 'H1 open false']);
  });
});
