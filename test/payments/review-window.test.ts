import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { updateSettings } from '../../src/municipalities/municipality.service.ts';
import { exportPayments } from '../../src/payments/export-payments.service.ts';
import { parseZenginTransferFile } from '../../src/payments/zengin/index.ts';
import { actOnReviewItem } from '../../src/review/review-action.service.ts';
import { addUser } from '../../src/staff/staff.service.ts';
import { importRows } from '../support/import-file.ts';
import { freshMunicipality, payingSettings } from '../support/municipalities.ts';
import { account, income, resident, type Row } from '../support/rows.ts';
import { BASE_PROGRAMS, embedded, nightlyContext, type TestEnvironment } from '../support/test-environments.ts';


/**
 * Issue 16 point 1: a 大きな額の変更 opened by the nightly two days before the payment date stays
 * out of that date's Zengin file (review_days, default 3 bank business days) and is paid on the
 * next one; with the window off it goes into the file, and a hold afterwards says plainly that the
 * transfer is exported and points to the 組戻し.
 */
describe('review window before the Zengin file', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await embedded();
  }, 60_000);
  afterAll(() => env?.close());

  /** H1 gains a third child two days before 13 December 2024 (+30,000 a month from November); H2 does not change. */
  async function municipalityWithLargeChange(reviewDays?: number) {
    const m = freshMunicipality();
    const settings = { ...payingSettings(m), ...(reviewDays === undefined ? {} : { review_days: reviewDays }) };
    const saved = await updateSettings(env.db, m, settings);
    const load = (kind: 'residents' | 'income' | 'accounts', rows: Row[]) => importRows(env, m, kind, rows);
    await load('residents', [
      resident({ person_id: 'P1', household_id: 'H1', relationship: '世帯主', birth_date: '1985-04-10' }),
      resident({ person_id: 'C1', household_id: 'H1', relationship: '子', given_name: '一郎', given_name_kana: 'イチロウ', birth_date: '2020-05-10', effective_date: '2020-05-10' }),
      resident({ person_id: 'C2', household_id: 'H1', relationship: '子', given_name: '二郎', given_name_kana: 'ジロウ', birth_date: '2023-03-15', effective_date: '2023-03-15' }),
      resident({ person_id: 'Q1', household_id: 'H2', relationship: '世帯主', family_name: '佐藤', family_name_kana: 'サトウ', birth_date: '1990-01-20' }),
      resident({ person_id: 'D1', household_id: 'H2', relationship: '子', family_name: '佐藤', family_name_kana: 'サトウ', birth_date: '2018-07-01' }),
    ]);
    await load('income', [income({ person_id: 'P1' }), income({ person_id: 'Q1' }), income({ person_id: 'P1', fiscal_year: '2023' }), income({ person_id: 'Q1', fiscal_year: '2023' })]);
    await load('accounts', [
      account({ person_id: 'P1', bank_code: '0001', branch_code: '001', holder_kana: 'ヤマダ タロウ' }),
      account({ person_id: 'Q1', bank_code: '0005', branch_code: '001', account_number: '7654321', holder_kana: 'サトウ ハナコ' }),
    ]);
    const nightly = (date: string) => runNightly(nightlyContext(env, BASE_PROGRAMS), date, false);
    await nightly('2024-12-02');
    await load('residents', [resident({ person_id: 'C3', household_id: 'H1', relationship: '子', given_name: '三郎', given_name_kana: 'サブロウ', birth_date: '2024-10-20', effective_date: '2024-10-20' })]);
    await nightly('2024-12-11');
    const items = await env.db.selectFrom('review_items').selectAll().where('municipality_code', '=', m).where('kind', '=', 'large_change').execute();
    expect(items.map((i) => `${i.household_id} ${i.status}`)).toEqual(['H1 open']);
    const lines = () =>
      env.db.selectFrom('payment_lines').select(['household_id', 'period_start', 'payment_date', 'amount_yen', 'status']).where('municipality_code', '=', m).orderBy('household_id').orderBy('payment_date').execute();
    return { m, settings: saved, item: items[0], nightly, lines };
  }

  it('keeps a large change decided within the window out of the file, and pays it on the next payment date', async () => {
    const { m, settings, nightly, lines } = await municipalityWithLargeChange();
    expect(settings.review_days).toBe(3);
    const r = await exportPayments(env.db, m, '2024-12-13', settings);
    expect(r).toMatchObject({ lines: 1, inReview: 1 });
    expect(parseZenginTransferFile(r.file).transfers.map((t) => t.amountYen)).toEqual([20000]);
    // The same file again, nothing else moves.
    expect((await exportPayments(env.db, m, '2024-12-13', settings)).file.equals(r.file)).toBe(true);
    await nightly('2025-01-06');
    const h1 = (await lines()).filter((l) => l.household_id === 'H1' && l.period_start === '2024-10-01');
    expect(h1.map((l) => `${l.payment_date} ${l.amount_yen} ${l.status}`)).toEqual(['2024-12-13 80000 cancelled', '2025-02-14 80000 due']);
  });

  it('with review_days 0 the line is exported; a hold afterwards says it is exported and offers the 組戻し', async () => {
    const { m, settings, item } = await municipalityWithLargeChange(0);
    const r = await exportPayments(env.db, m, '2024-12-13', settings);
    expect(r).toMatchObject({ lines: 2, inReview: 0 });
    const reviewer = await addUser(env.db, { login: `reviewer-${m}`, role: 'reviewer', municipalityCode: m, password: 'a long enough password' });
    const held = await actOnReviewItem(env.db, reviewer, item.id, { action: 'hold', reason: '住民記録を確認中' });
    expect(held.item_status).toBe('held');
    expect(held.warning_ja).toContain('2024-12-13 支払分 80,000円');
    expect(held.warning_ja).toContain('出力済み');
    expect(held.warning_ja).toContain('組戻し');
  });

  it('a hold before the file says nothing more, and the held line stays out', async () => {
    const { m, settings, item } = await municipalityWithLargeChange(0);
    const reviewer = await addUser(env.db, { login: `reviewer-${m}`, role: 'reviewer', municipalityCode: m, password: 'a long enough password' });
    const held = await actOnReviewItem(env.db, reviewer, item.id, { action: 'hold', reason: '住民記録を確認中' });
    expect(held.warning_ja).toBeUndefined();
    expect((await exportPayments(env.db, m, '2024-12-13', settings)).lines).toBe(1);
  });
});
