import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { updateSettings } from '../../src/municipalities/municipality.service.ts';
import { applyBankReturns } from '../../src/payments/bank-returns.service.ts';
import { exportPayments, paymentDates } from '../../src/payments/export-payments.service.ts';
import { parseZenginTransferFile } from '../../src/payments/zengin/index.ts';
import { importRows } from '../support/import-file.ts';
import { freshMunicipality, payingSettings } from '../support/municipalities.ts';
import { account, income, resident, type Row } from '../support/rows.ts';
import { BASE_PROGRAMS, ENVIRONMENTS, nightlyContext, type TestEnvironment } from '../support/test-environments.ts';
import { withResultCodes } from './support/result-file.ts';

const programs = BASE_PROGRAMS;

/**
 * One municipality through four months of payments: a first payment, a missing account, a
 * retroactive birth (追給), a failed transfer paid again after the account changes, and a
 * retroactive move-out that lowers an amount already paid (返還, never netted).
 */
describe.each(ENVIRONMENTS)('payments from decisions ($name)', ({ open }) => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const settings = payingSettings(m);
  const load = (kind: 'residents' | 'income' | 'accounts', rows: Row[]) => importRows(env, m, kind, rows);
  const nightly = (date: string) => runNightly(nightlyContext(env, programs), date, false);
  const lines = () => env.db.selectFrom('payment_lines').selectAll().where('municipality_code', '=', m).orderBy('id').execute();
  const items = () => env.db.selectFrom('review_items').selectAll().where('municipality_code', '=', m).orderBy('id').execute();
  const view = async () => (await lines()).map((l) => `${l.household_id} ${l.recipient_person_id} ${l.period_start} ${l.payment_date} ${l.kind} ${l.amount_yen} ${l.status}`);

  beforeAll(async () => {
    env = await open();
    await updateSettings(env.db, m, settings);
    await load('residents', [
      resident({ person_id: 'P1', household_id: 'H1', relationship: '世帯主', birth_date: '1985-04-10' }),
      resident({ person_id: 'C1', household_id: 'H1', relationship: '子', given_name: '一郎', given_name_kana: 'イチロウ', birth_date: '2020-05-10', effective_date: '2020-05-10' }),
      resident({ person_id: 'C2', household_id: 'H1', relationship: '子', given_name: '二郎', given_name_kana: 'ジロウ', birth_date: '2023-03-15', effective_date: '2023-03-15' }),
      resident({ person_id: 'Q1', household_id: 'H2', relationship: '世帯主', family_name: '佐藤', family_name_kana: 'サトウ', birth_date: '1990-01-20' }),
      resident({ person_id: 'D1', household_id: 'H2', relationship: '子', family_name: '佐藤', family_name_kana: 'サトウ', birth_date: '2018-07-01' }),
    ]);
    await load('income', [income({ person_id: 'P1' }), income({ person_id: 'Q1' }), income({ person_id: 'P1', fiscal_year: '2023' }), income({ person_id: 'Q1', fiscal_year: '2023' })]);
    await load('accounts', [account({ person_id: 'P1', bank_code: '0001', branch_code: '001', holder_kana: 'ヤマダ タロウ' })]);
  }, 60_000);
  afterAll(() => env?.close());

  it('pays October and November on the December payment day, and asks the household without an account for one', async () => {
    const summary = await nightly('2024-12-13');
    expect(summary.skipped).toEqual([]);
    // 15 December 2024 is a Sunday: the payment moves to Friday the 13th. 10,000 + 15,000 a month.
    expect(await view()).toEqual(['H1 P1 2024-10-01 2024-12-13 regular 50000 due']);
    expect((await items()).map((i) => `${i.kind} ${i.household_id} ${i.person_id} ${i.amount_yen} ${i.status}`)).toEqual(['missing_account H2 Q1 20000 open']);
    const notices = await env.db.selectFrom('notices').select(['kind', 'person_id', 'status', 'file']).where('municipality_code', '=', m).orderBy('id').execute();
    expect(notices.map((n) => `${n.kind} ${n.person_id} ${n.status}`).sort()).toEqual(['口座登録のお願い Q1 rendered', '支給決定 P1 rendered', '支給決定 Q1 rendered']);
    const granted = notices.find((n) => n.kind === '支給決定' && n.person_id === 'P1')!;
    const text = execFileSync('pdftotext', ['-layout', granted.file!, '-'], { encoding: 'utf8' });
    expect(text).toMatch(/25,000\s*円/);
    expect(text).toContain('令和6年12月13日');
    expect(text).toContain('神奈川県知事');
    expect(summary.manifests).toHaveLength(1);
    expect(fs.readFileSync(summary.manifests[0], 'utf8').split('\r\n').filter(Boolean)).toHaveLength(4);
    expect(summary).toMatchObject({ payments_created: 1, notices_created: 3 });
  });

  it('changes nothing when the same date runs again', async () => {
    const before = await view();
    const again = await nightly('2024-12-13');
    expect(again).toMatchObject({ decisions_created: 0, payments_created: 0, notices_created: 0, manifests: [] });
    expect(await view()).toEqual(before);
  });

  it('exports the date as a Zengin file, the same bytes every time, and no later line joins it', async () => {
    expect(await paymentDates(env.db, m)).toEqual(['2024-12-13']);
    const first = await exportPayments(env.db, m, '2024-12-13', settings);
    const second = await exportPayments(env.db, m, '2024-12-13', settings);
    expect(second.file.equals(first.file)).toBe(true);
    expect(second.again).toBe(true);
    const parsed = parseZenginTransferFile(first.file);
    expect(parsed.transfers.map((t) => [t.bankCode, t.branchCode, t.accountNumber, t.recipientName, t.amountYen])).toEqual([['0001', '001', '1234567', 'ﾔﾏﾀﾞ ﾀﾛｳ', 50000]]);
    expect(parsed.trailer).toMatchObject({ count: 1, totalYen: 50000 });
    expect(await view()).toEqual(['H1 P1 2024-10-01 2024-12-13 regular 50000 exported']);
  });

  it('pays arrears for a birth recorded late, and pays the household whose account arrived', async () => {
    await load('residents', [resident({ person_id: 'C3', household_id: 'H1', relationship: '子', given_name: '三郎', given_name_kana: 'サブロウ', birth_date: '2024-10-20', effective_date: '2024-10-20' })]);
    await load('accounts', [account({ person_id: 'Q1', bank_code: '0005', branch_code: '001', account_number: '7654321', holder_kana: 'サトウ ハナコ', source: 'registered', effective_date: '2024-12-16' })]);
    const summary = await nightly('2024-12-20');
    // From November the third child adds 30,000 a month: 30,000 more for the paid period, paid on 14 February (15th is a Saturday).
    expect(await view()).toEqual([
      'H1 P1 2024-10-01 2024-12-13 regular 50000 exported',
      'H1 P1 2024-10-01 2025-02-14 arrears 30000 due',
      'H2 Q1 2024-10-01 2025-02-14 regular 20000 due',
    ]);
    expect(summary).toMatchObject({ payments_created: 2, decisions_by_kind: { amount_changed: 1 } });
    // A raise of 30,000 a month is shown to staff; it is paid meanwhile.
    expect((await items()).map((i) => `${i.kind} ${i.status}`)).toEqual(['missing_account resolved', 'large_change open']);
  });

  it('adds the December-January period once January has begun', async () => {
    expect((await nightly('2025-01-06')).payments_created).toBe(2);
    expect((await view()).slice(3)).toEqual(['H1 P1 2024-12-01 2025-02-14 regular 110000 due', 'H2 Q1 2024-12-01 2025-02-14 regular 20000 due']);
  });

  it('marks transfers the bank could not make as failed, and pays them again only after the account changes', async () => {
    const exported = await exportPayments(env.db, m, '2025-02-14', settings);
    // Records by account, then period: H1's two lines, then H2's.
    const result = withResultCodes(exported.file, ['0', '0', '2', '2']);
    expect(parseZenginTransferFile(exported.file).transfers.map((t) => t.amountYen)).toEqual([30000, 110000, 20000, 20000]);
    expect(await applyBankReturns(env.db, result)).toMatchObject({ municipalityCode: m, paid: 2, failed: 2, rejected: [] });
    expect(await applyBankReturns(env.db, result)).toMatchObject({ paid: 2, failed: 0, alreadyFailed: 2 });
    expect((await items()).filter((i) => i.kind === 'failed_transfer' && i.status === 'open')).toHaveLength(2);
    await nightly('2025-02-17');
    expect((await lines()).filter((l) => l.kind === 'reissue')).toEqual([]);

    await load('accounts', [account({ person_id: 'Q1', bank_code: '0001', branch_code: '001', account_number: '1112223', holder_kana: 'サトウ ハナコ', source: 'registered', effective_date: '2025-02-17' })]);
    await nightly('2025-02-18');
    const reissued = (await lines()).filter((l) => l.kind === 'reissue');
    expect(reissued.map((l) => `${l.recipient_person_id} ${l.period_start} ${l.payment_date} ${l.amount_yen}`)).toEqual(['Q1 2024-10-01 2025-04-15 20000', 'Q1 2024-12-01 2025-04-15 20000']);
    expect((await items()).filter((i) => i.kind === 'failed_transfer').map((i) => i.status)).toEqual(['resolved', 'resolved']);
  });

  it('claims back an amount already paid that a later correction lowers, with a notice, and never nets it', async () => {
    await load('residents', [resident({ person_id: 'C1', household_id: 'H1', relationship: '子', given_name: '一郎', given_name_kana: 'イチロウ', birth_date: '2020-05-10', status: 'moved_out', effective_date: '2024-11-10' })]);
    await nightly('2025-02-20');
    // From December: 15,000 + 15,000 a month instead of 55,000, for a period already exported at 110,000.
    const recovery = (await items()).filter((i) => i.kind === 'recovery');
    expect(recovery.map((i) => `${i.person_id} ${i.period_start} ${i.amount_yen}`)).toEqual(['P1 2024-12-01 50000']);
    expect((await lines()).filter((l) => l.household_id === 'H1' && l.payment_date > '2025-02-14')).toEqual([]);
    const notice = await env.db.selectFrom('notices').select(['kind', 'file']).where('municipality_code', '=', m).where('review_item_id', '=', recovery[0].id).executeTakeFirstOrThrow();
    expect(notice.kind).toBe('返還');
    expect(execFileSync('pdftotext', ['-layout', notice.file!, '-'], { encoding: 'utf8' })).toMatch(/50,000\s*円/);
    const again = await nightly('2025-02-20');
    expect(again).toMatchObject({ payments_created: 0, notices_created: 0, review_items: 0 });
  });

  it('writes a rendered page as PNG for a person to look at', () => {
    const dir = fileURLToPath(new URL('../../test-output/notices/', import.meta.url));
    fs.mkdirSync(dir, { recursive: true });
    const pdfs = fs.readdirSync(path.join(env.noticesDir, m, '2024-12-13')).filter((f) => f.endsWith('.pdf'));
    const png = path.join(dir, `scenario-${m}`);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', path.join(env.noticesDir, m, '2024-12-13', pdfs[0]), png]);
    expect(fs.statSync(`${png}.png`).size).toBeGreaterThan(10_000);
  });
});
