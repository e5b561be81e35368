import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { withFullExplanations } from '../../src/decisions/stored-explanation.ts';
import type { Explanation } from '../../src/engine/evaluate-household.ts';
import { updateSettings } from '../../src/municipalities/municipality.service.ts';
import { importRows } from '../support/import-file.ts';
import { freshMunicipality, payingSettings } from '../support/municipalities.ts';
import { account, circumstance, income, resident, type Row } from '../support/rows.ts';
import { nightlyContext, postgresWithRedis, PROGRAMS, type TestEnvironment } from '../support/test-environments.ts';


/**
 * circumstances.csv through the whole pipeline with the real engine: imported, applied, read by
 * the next nightly, decided, paid and notified. Monthly programs read a circumstance at the end
 * of the month before the month decided (児童手当法第8条: a change counts from the next month).
 */
describe('circumstances decide, pay and notify from the next nightly on', () => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const load = (kind: 'residents' | 'income' | 'accounts' | 'circumstances', rows: Row[]) => importRows(env, m, kind, rows);
  const nightly = (date: string) => runNightly(nightlyContext(env, PROGRAMS), date, false);
  const decisionsOf = async (household: string) =>
    withFullExplanations(env.db, await env.db.selectFrom('decisions').selectAll().where('municipality_code', '=', m).where('household_id', '=', household)
      .where('program', '=', 'child-allowance').orderBy('id').execute());
  const paidFor = async (household: string) => {
    const lines = await env.db.selectFrom('payment_lines').selectAll().where('municipality_code', '=', m).where('household_id', '=', household)
      .where('status', '<>', 'cancelled').execute();
    return lines.reduce((sum, l) => sum + l.amount_yen, 0);
  };
  const notices = (household: string) =>
    env.db.selectFrom('notices').select('kind').where('municipality_code', '=', m).where('household_id', '=', household).execute().then((r) => r.map((n) => n.kind));
  const failed = (explanation: unknown) => (explanation as Explanation).conditions.filter((c) => c.result !== true).map((c) => c.id);

  beforeAll(async () => {
    env = await postgresWithRedis();
    await updateSettings(env.db, m, payingSettings(m));
    const member = (person_id: string, household_id: string, relationship: string, birth_date: string) =>
      resident({ person_id, household_id, relationship, birth_date, effective_date: birth_date < '2010-01-01' ? '2010-01-01' : birth_date });
    await load('residents', [
      // Children aged 20, 15 and 10: the 20-year-old counts for the order only with a 確認書.
      member('S1', 'HS', '世帯主', '1975-05-05'), member('S2', 'HS', '妻', '1977-06-06'),
      member('S3', 'HS', '子', '2004-06-01'), member('S4', 'HS', '子', '2009-06-01'), member('S5', 'HS', '子', '2014-06-01'),
      member('P1', 'HP', '世帯主', '1985-01-01'), member('P2', 'HP', '子', '2018-01-10'),
      member('D1', 'HD', '世帯主', '1985-02-02'), member('D2', 'HD', '子', '2016-01-10'),
    ]);
    await load('income', ['S1', 'P1', 'D1'].flatMap((p) => [income({ person_id: p }), income({ person_id: p, fiscal_year: '2023' })]));
    await load('accounts', ['S1', 'P1', 'D1'].map((p, i) => account({ person_id: p, account_number: `765432${i}` })));
    await load('circumstances', [
      // Became a 公務員 in November: the municipality still pays November, the employer from December.
      circumstance({ person_id: 'P1', circumstance: 'public_servant', effective_date: '2024-11-15' }),
      circumstance({ person_id: 'D1', circumstance: 'declined', program: 'child-allowance', effective_date: '2024-11-20', note: '辞退届受理' }),
    ]);
    await nightly('2024-12-13');
  }, 120_000);
  afterAll(() => env?.close());

  it('a 公務員 recipient is paid by the municipality through the month it began, then not (第8条, 第17条)', async () => {
    const d = await decisionsOf('HP');
    expect(d.map((x) => [x.effective_from, x.outcome, x.amount_yen])).toEqual([['2024-10-01', 'eligible', 10000], ['2024-12-01', 'ineligible', 0]]);
    expect(failed(d[1].explanation)).toEqual(['not_paid_by_employer']);
    expect(await paidFor('HP')).toBe(20000);
  });

  it('a 辞退 stops the benefit from the next month, with its reason, and nothing is notified about it', async () => {
    const d = await decisionsOf('HD');
    expect(d.map((x) => [x.effective_from, x.outcome])).toEqual([['2024-10-01', 'eligible'], ['2024-12-01', 'ineligible']]);
    expect(failed(d[1].explanation)).toEqual(['declined']);
    expect(await paidFor('HD')).toBe(20000);
    expect(await notices('HD')).not.toContain('支給停止');
  });

  it('without a 確認書 the family waits for review and is asked for one; once it is recorded, the 3rd-child amount is paid from October', async () => {
    const before = await decisionsOf('HS');
    expect(before.map((x) => x.outcome)).toEqual(['review']);
    const condition = (before[0].explanation as unknown as Explanation).conditions.find((c) => c.id === 'supported_student_confirmation');
    expect(condition).toMatchObject({ result: null, value: ['S3'] });
    expect(await notices('HS')).toContain('確認書提出のお願い');
    expect(await paidFor('HS')).toBe(0);

    // The 確認書 comes back: staff record it from when the support began (the school year), and
    // the next nightly re-decides. (Recorded from 1 October it would count from November: a
    // change counts from the month after, 第9条.)
    await load('circumstances', [circumstance({ person_id: 'S3', circumstance: 'supported_student', program: 'child-allowance', effective_date: '2024-04-01', note: '確認書返送' })]);
    await nightly('2024-12-20');
    const after = await decisionsOf('HS');
    expect(after.slice(1).map((x) => [x.effective_from, x.outcome, x.amount_yen])).toEqual([['2024-10-01', 'eligible', 40000]]);
    expect(await paidFor('HS')).toBe(80000);
  });
});
